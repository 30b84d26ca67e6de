#!/usr/bin/env bash
# Main job: set up, build the seed programme (data/workshop-programme.txt) into build/, serve it.
# Usage: bash scripts/serve.sh [--host HOST] [--port PORT]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/talkgraph serve "$@"
