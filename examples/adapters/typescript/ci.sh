#!/usr/bin/env bash
# Certifies the TypeScript example adapter: installs its pinned npm
# dependencies (npm ci), compiles it with tsc, runs the adapter, enlistment and
# stanza suites against it with interspec, and checks each suite is met.
# Usage: INTERSPEC=/path/to/interspec bash examples/adapters/typescript/ci.sh [OUT_DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
interspec="${INTERSPEC:-interspec}"
# A relative path names the binary from the caller's directory (this script
# changes directory before it runs it).
case "$interspec" in /*) ;; */*) interspec="$PWD/$interspec" ;; esac
out="${1:-$here/reports}"
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac

# Node 20 or newer, with npm (Debian's packages if the machine has none).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
if [ "$(node -p 'Number(process.versions.node.split(".")[0])')" -lt 20 ]; then
  echo "the TypeScript example adapter needs Node 20 or newer, not $(node --version)" >&2
  exit 1
fi

cd "$here"
npm ci --no-audit --no-fund
npx --no-install tsc -p .

rm -rf "$out"
status=0
"$interspec" certify --target "exec:node $here/dist/adapter.js" \
  --suite adapter --suite enlistment --suite stanza --out "$out" || status=$?
# Three of the five required suites: INCOMPLETE (exit 4) by design, and nothing else.
if [ "$status" -ne 4 ]; then
  echo "expected INCOMPLETE (exit 4) for a run of three suites, got exit $status" >&2
  exit 1
fi
node - "$out/report.json" <<'JS'
const fs = require("node:fs");
const report = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
let ok = true;
for (const name of ["adapter", "enlistment", "stanza"]) {
  const suite = report.verdict.suites.find((s) => s.suite === name);
  if (!suite || suite.status !== "met") {
    console.error(`suite ${name} is not met by the TypeScript adapter: ${JSON.stringify(suite)}`);
    ok = false;
  } else {
    console.log(`typescript adapter: ${name} suite met`, JSON.stringify(suite.counts));
  }
}
process.exit(ok ? 0 : 1);
JS
