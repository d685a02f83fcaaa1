# Sourced by scripts/demo.sh and scripts/test.sh: makes .venv with the pinned
# dependencies of pyproject.toml, reinstalling only when pyproject.toml changed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

find_python() {
  # Every Python the pinned Django 5.2 supports: 3.11, 3.12, 3.13.
  for candidate in "${PYTHON:-}" python3 python3.13 python3.12 python3.11; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "Kanal needs Python 3.11, 3.12 or 3.13 (set PYTHON=/path/to/python3)." >&2
  return 1
}

if [ ! -x .venv/bin/python ]; then
  PY=$(find_python)
  echo "==> Creating .venv with $PY"
  "$PY" -m venv .venv
fi
stamp=.venv/.kanal-deps
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
  echo "==> Installing dependencies (pyproject.toml)"
  .venv/bin/python -m pip install --quiet --upgrade pip 2>&1 | grep -v "is ignored" || true
  .venv/bin/python -m pip install --quiet ".[dev]" 2>&1 | grep -v "is ignored" || true
  .venv/bin/python -c "import django, django_tenants, pgserver" \
    || { echo "Dependency installation failed." >&2; exit 1; }
  echo "$want" > "$stamp"
fi
