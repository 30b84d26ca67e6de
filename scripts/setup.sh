#!/usr/bin/env bash
# Create .venv (Python 3.11+) and install talkgraph with its test and dev extras.
# Idempotent: re-running only installs what changed.  Shows what pip does (one line per
# package it fetches or installs); the whole pip output is kept in .venv/setup-pip.log.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $("$PYTHON" --version 2>&1)" >&2
  "$PYTHON" -m venv .venv
fi
log=.venv/setup-pip.log
if .venv/bin/python -c 'import talkgraph.shapes, talkgraph.data' 2>/dev/null; then
  echo "setup: checking .venv is up to date (pip install -e '.[dev]')" >&2
else
  echo "setup: installing talkgraph and its dependencies into .venv (about a minute the first time)" >&2
fi
show() {  # pip's progress lines, indented, as they come
  awk '/^(Collecting|Downloading|Building|Installing|Successfully|ERROR)/ \
       { print "  " $0; fflush() }' >&2
}
if ! { .venv/bin/python -m pip install --upgrade pip 2>&1 \
       && .venv/bin/python -m pip install -e '.[dev]' 2>&1; } | tee "$log" | show; then
  echo "setup: pip failed; the whole output is in $log" >&2
  exit 1
fi
echo "setup: .venv is ready" >&2
