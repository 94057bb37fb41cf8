#!/usr/bin/env bash
# Prints the path of a working CPython 3.10 interpreter, or exits 1 with a one-line hint.
# Order: $PYTHON (an explicit choice wins), a python3.10 on PATH that actually runs,
# then the newest pyenv-installed 3.10.x.
set -u

is_py310() {
  [ -n "$1" ] && "$1" -c 'import sys; raise SystemExit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1
}

if [ -n "${PYTHON:-}" ]; then
  if is_py310 "$PYTHON"; then echo "$PYTHON"; exit 0; fi
  echo "PYTHON=$PYTHON is not a working Python 3.10; looking elsewhere" >&2
fi
if command -v python3.10 >/dev/null 2>&1 && is_py310 python3.10; then
  # resolve through pyenv shims to the real interpreter
  python3.10 -c 'import sys; print(sys.executable)'; exit 0
fi
root="$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")"
for candidate in $(ls -d "$root"/versions/3.10.*/bin/python3.10 2>/dev/null | sort -V -r); do
  if is_py310 "$candidate"; then echo "$candidate"; exit 0; fi
done
echo "No Python 3.10 found (Rasa 3.6 needs Python < 3.11): install one with 'pyenv install 3.10' or set PYTHON=/path/to/python3.10" >&2
exit 1
