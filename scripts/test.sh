#!/usr/bin/env bash
# The test command: set up, then lint (ruff), type-check (mypy) and run the test suite (pytest).
# Browser tests need Debian's chromium (/usr/bin/chromium); .ci/run installs it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check src tests
.venv/bin/ruff format --check src tests
.venv/bin/mypy
exec .venv/bin/pytest "$@"
