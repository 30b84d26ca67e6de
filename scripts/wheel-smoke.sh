#!/usr/bin/env bash
# Wheel smoke test (CI runs it): talkgraph as a user installs it, far from the checkout.
# Builds the wheel from a clean copy of the sources, installs it into a fresh virtual
# environment in a temporary directory, and from there builds, validates and serves the seed:
# `serve` runs briefly on 127.0.0.1 on a free port, / and /sparql must answer, then it stops.
set -euo pipefail
cd "$(dirname "$0")/.."
checkout=$PWD
PYTHON=${PYTHON:-python3}
work=$(mktemp -d "${TMPDIR:-/tmp}/talkgraph-wheel.XXXXXX")
server=""
cleanup() {
  stop_server
  [ -n "$server" ] && kill -KILL "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
step() { echo "wheel-smoke: $*" >&2; }
quiet() { awk '!/is ignored: it is neither a file nor a directory/' >&2; }  # mirror noise
stop_server() {  # as a service manager does: SIGTERM, then wait for it to end
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
    kill -TERM "$server" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$server" 2>/dev/null || return 0; sleep 0.1; done
    return 1
  fi
}

step "copying the sources (tracked and new files, nothing ignored) to $work/src"
"$PYTHON" - "$checkout" "$work/src" <<'PY'
import shutil, subprocess, sys
from pathlib import Path
src, dst = Path(sys.argv[1]), Path(sys.argv[2])
try:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=src, capture_output=True, check=True,
    ).stdout.decode().split("\0")
    names = [n for n in listed if n and (src / n).is_file()]
except (OSError, subprocess.CalledProcessError):  # not a git checkout: copy the project files
    names = [str(p.relative_to(src)) for d in ("src", "shapes", "data") for p in (src / d).rglob("*")
             if p.is_file() and "__pycache__" not in p.parts]
    names += ["pyproject.toml", "README.md"]
for name in names:
    (dst / name).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src / name, dst / name)
PY

step "building the wheel"
"$PYTHON" -m venv "$work/tools"
"$work/tools/bin/python" -m pip install --quiet --upgrade pip 2>&1 | quiet
"$work/tools/bin/python" -m pip wheel --quiet --no-deps -w "$work/dist" "$work/src" 2>&1 | quiet
wheel=$(ls "$work"/dist/talkgraph-*.whl)
step "built $(basename "$wheel")"

step "installing it into a fresh virtual environment"
"$PYTHON" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --upgrade pip 2>&1 | quiet
"$work/venv/bin/python" -m pip install --quiet "$wheel" 2>&1 | quiet
talkgraph="$work/venv/bin/talkgraph"

mkdir "$work/run"
cd "$work/run"
unset PYTHONPATH
where=$("$work/venv/bin/python" -c 'import talkgraph; print(talkgraph.__file__)')
case "$where" in
  "$work/venv/"*) ;;
  *) echo "wheel-smoke: talkgraph imported from $where, not from the wheel" >&2; exit 1 ;;
esac

step "talkgraph build (the seed shipped in the wheel)"
"$talkgraph" build --quiet
test -f build/dataset.trig
step "talkgraph validate"
for file in build/dataset.nt build/dataset.trig build/dataset.jsonld; do
  "$talkgraph" validate "$file" >"$work/report.txt"
  echo "  $file: $(head -1 "$work/report.txt")" >&2
done
"$talkgraph" topics explain "Implicit bias in machine learning" >"$work/explain.txt"
grep -q "implicit bias" "$work/explain.txt"
"$talkgraph" build /dev/null --out /dev/null 2>"$work/error.txt" && exit 1
grep -q '^talkgraph: error: ' "$work/error.txt"

step "talkgraph serve on 127.0.0.1, a free port"
"$talkgraph" serve --data build --host 127.0.0.1 --port 0 2>"$work/serve.log" &
server=$!
port=""
for _ in $(seq 300); do
  port=$(sed -n 's#^serving .* on http://127\.0\.0\.1:\([0-9][0-9]*\)/.*#\1#p' "$work/serve.log")
  [ -n "$port" ] && break
  kill -0 "$server" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { echo "wheel-smoke: the server did not start" >&2; cat "$work/serve.log" >&2; exit 1; }
"$work/venv/bin/python" - "$port" <<'PY'
import json, sys, urllib.parse, urllib.request
base = f"http://127.0.0.1:{sys.argv[1]}"
with urllib.request.urlopen(base + "/", timeout=30) as response:
    page = response.read().decode()
    assert response.status == 200 and "<html" in page.lower(), response.status
query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
request = urllib.request.Request(
    base + "/sparql?" + urllib.parse.urlencode({"query": query}),
    headers={"Accept": "application/sparql-results+json"},
)
with urllib.request.urlopen(request, timeout=30) as response:
    n = int(json.load(response)["results"]["bindings"][0]["n"]["value"])
assert n > 1000, n
for path in ("/static/favicon.svg", "/openapi.json", "/query/canned"):  # files from the wheel
    with urllib.request.urlopen(base + path, timeout=30) as response:
        assert response.status == 200 and response.read(), path
print(f"  /, /sparql ({n} triples), the favicon, /openapi.json and canned queries answer")
PY
workers=$("$work/venv/bin/python" - "$server" <<'PY'
import sys
from pathlib import Path
for stat in Path("/proc").glob("[0-9]*/stat"):  # the server's children: its query workers
    try:
        fields = stat.read_text().rsplit(")", 1)[1].split()
    except OSError:
        continue
    if fields[1] == sys.argv[1]:
        print(stat.parent.name)
PY
)
step "stopping the server (SIGTERM) and its query workers ($(echo $workers))"
stop_server || { echo "wheel-smoke: the server did not stop on SIGTERM" >&2; exit 1; }
wait "$server" || { echo "wheel-smoke: the server exited with status $?" >&2; exit 1; }
server=""
for pid in $workers; do
  if kill -0 "$pid" 2>/dev/null; then echo "wheel-smoke: worker $pid outlived the server" >&2; exit 1; fi
done
step "ok"
