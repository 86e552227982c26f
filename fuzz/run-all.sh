#!/usr/bin/env bash
# Builds every fuzz target once, then runs each for SECONDS (default 60),
# JOBS at a time (default 1), each on a scratch corpus copied from the
# committed seeds (fuzz/seeds/<target>/), so a run never changes the repo.
# Logs, scratch corpora and crash artifacts go to $FUZZ_LOG_DIR (default
# fuzz/logs/, ignored by git). Prints one summary line per target and
# exits non-zero if any target crashed, leaked, ran out of memory or hung.
#
#   bash fuzz/run-all.sh [SECONDS] [JOBS]
#   FUZZ_TARGETS="jose frame_codec" bash fuzz/run-all.sh 30
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
jobs="${2:-1}"
logs="${FUZZ_LOG_DIR:-fuzz/logs}"
mkdir -p "$logs"
logs="$(cd "$logs" && pwd)"

targets="${FUZZ_TARGETS:-$(cargo +nightly fuzz list)}"

echo "== building the fuzz targets (cargo +nightly fuzz build, with debug assertions)"
cargo +nightly fuzz build --debug-assertions >"$logs/build.log" 2>&1 || {
  tail -n 40 "$logs/build.log" >&2
  exit 1
}
bin_dir="fuzz/target/$(rustc +nightly -vV | sed -n 's/^host: //p')/release"

run_one() {
  local target="$1"
  local corpus="$logs/corpus/$target"
  local artifacts="$logs/artifacts/$target/"
  rm -rf "$corpus" "$artifacts"
  mkdir -p "$corpus" "$artifacts"
  if [ -d "fuzz/seeds/$target" ]; then
    cp -R "fuzz/seeds/$target/." "$corpus/"
  fi
  local status=0
  "$bin_dir/$target" "$corpus" \
    -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix="$artifacts" >"$logs/$target.log" 2>&1 || status=$?
  echo "$status" >"$logs/$target.status"
}
export -f run_one
export bin_dir logs seconds

echo "== running $(echo "$targets" | wc -w) targets, ${seconds}s each, $jobs at a time (logs: $logs)"
printf '%s\n' $targets | xargs -P "$jobs" -I{} bash -c 'run_one "$@"' _ {}

crashed=0
for target in $targets; do
  log="$logs/$target.log"
  status="$(cat "$logs/$target.status" 2>/dev/null || echo '?')"
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
  rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)"
  cov="$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)"
  ft="$(grep -o 'ft: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)"
  found="$(find "$logs/artifacts/$target" -type f 2>/dev/null | wc -l)"
  if [ "$status" = 0 ] && [ "$found" = 0 ]; then
    verdict="ok"
  else
    verdict="FINDING (exit $status, $found artifact(s) in $logs/artifacts/$target/)"
    crashed=1
  fi
  printf '%-16s %6ss execs=%-10s exec/s=%-7s cov=%-6s ft=%-6s %s\n' \
    "$target" "$seconds" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$verdict"
done
exit "$crashed"
