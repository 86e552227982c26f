#!/usr/bin/env bash
# Certifies the Python example adapter for the suites it covers (adapter,
# handshake, stanza): a fresh venv with the pinned, hash-checked
# dependencies from PyPI, one `interspec certify` run, and a check that each
# covered suite is met. Usage: INTERSPEC=/path/to/interspec ci.sh [REPORT_DIR]
# (default: interspec on PATH, the report in a temporary directory).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
interspec="${INTERSPEC:-interspec}"
# A relative path names the binary from the caller's directory.
case "$interspec" in /*) ;; */*) interspec="$PWD/$interspec" ;; esac
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
out="${1:-$work/report}"

echo "== python example adapter: venv with the pinned dependencies"
python3 -m venv "$work/venv"
py="$work/venv/bin/python"
"$py" -m pip install -q --disable-pip-version-check --require-hashes --only-binary=:all: \
  -r "$here/requirements.txt"

# Generate the _pb2 modules once, outside the source tree, before the
# parallel jobs start their adapters (each would otherwise race to do it).
export INTERSPEC_PY_GENERATED="$work/generated"
"$py" -c 'import sys; sys.path.insert(0, sys.argv[1]); import protos' "$here"

echo "== interspec certify --suite adapter --suite handshake --suite stanza"
status=0
"$interspec" certify --target "exec:'$py' '$here/adapter.py'" \
  --suite adapter --suite handshake --suite stanza --out "$out" || status=$?
# A run of some suites is INCOMPLETE (exit 4) by design: the profile requires
# the others too. Anything else (1 not certified, 2 usage, 3 target) fails.
if [ "$status" -ne 4 ]; then
  echo "expected INCOMPLETE (exit 4) for a run of three suites, got exit $status" >&2
  exit 1
fi
"$py" - "$out/report.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
suites = {s["suite"]: s for s in report["verdict"]["suites"]}
bad = []
for name in ("adapter", "handshake", "stanza"):
    s = suites.get(name)
    print(f"{name}: {s and s['status']} {s and s['counts']}")
    if not s or s["status"] != "met":
        bad.append(name)
if bad:
    for sc in report["scenarios"]:
        if sc.get("outcome") not in ("pass", None) and sc.get("suite") in bad:
            print("  ", sc.get("id"), sc.get("outcome"), str(sc.get("message", ""))[:300])
    sys.exit(f"suites not met by the Python example adapter: {bad}")
print("python example adapter: adapter, handshake and stanza suites met")
PY
