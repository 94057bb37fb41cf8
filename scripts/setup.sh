#!/usr/bin/env bash
# Creates .venv with Python 3.10 and installs the pinned requirements.
# Usage: scripts/setup.sh [requirements file ...]   (default: requirements.txt)
# Idempotent: what is already installed at the pinned version is not installed again.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; raise SystemExit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
  python="$(bash scripts/find_python.sh)"
  echo "Creating .venv with $python ($("$python" --version 2>&1))"
  rm -rf .venv
  "$python" -m venv .venv
fi

for req in "${@:-requirements.txt}"; do
  echo "Installing $req into .venv (pinned versions, constrained by requirements.lock)"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$req" -c requirements.lock
done
