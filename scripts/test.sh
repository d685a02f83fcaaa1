#!/usr/bin/env bash
# One command for a fresh machine: installs and runs the whole test suite
# against real PostgreSQL (DATABASE_URL if set, else the embedded one).
# Extra arguments go to pytest.
source "$(dirname "$0")/bootstrap.sh"
exec .venv/bin/python scripts/dev.py test "$@"
