#!/usr/bin/env bash
# Cross-checks the media golden vectors with yowsup 3.3.0's decrypt (PyPI)
# and a second derivation from `cryptography` (tools/media_crosscheck.py):
# a fresh venv with the pinned, hash-checked packages of
# tools/media_crosscheck.requirements.txt, then one run of the script.
# Usage, from anywhere: bash tools/media_crosscheck.sh [VENV_DIR [VECTOR_FILE]]
# VENV_DIR: absent or empty (a venv there is recreated); default a temporary
# directory, removed afterwards. VECTOR_FILE: default
# vectors/media/interspec-generated.json, relative to the repo root.
# PYTHON names the interpreter (default python3).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
python="${PYTHON:-python3}"

if [ -n "${1:-}" ]; then
  venv="$(mkdir -p "$1" && cd "$1" && pwd)"
  if [ -n "$(ls -A "$venv")" ] && [ ! -f "$venv/pyvenv.cfg" ]; then
    echo "$venv: not empty and not a venv; give an empty or new directory" >&2
    exit 2
  fi
else
  venv="$(mktemp -d)"
  trap 'rm -rf "$venv"' EXIT
fi
vectors="${2:-vectors/media/interspec-generated.json}"
case "$vectors" in /*) ;; *) vectors="$root/$vectors" ;; esac

echo "== media cross-check: venv with the pinned packages in $venv"
"$python" -m venv --clear "$venv"
py="$venv/bin/python"
"$py" -m pip install -q --disable-pip-version-check --require-hashes \
  --only-binary=:all: --no-deps -r "$here/media_crosscheck.requirements.txt"

echo "== python tools/media_crosscheck.py ${2:-vectors/media/interspec-generated.json}"
cd "$root"
"$py" -I "$here/media_crosscheck.py" "$vectors"
