#!/usr/bin/env bash
# One command for a fresh machine: installs, starts PostgreSQL (embedded unless
# DATABASE_URL is set), migrates, onboards the four seed cities with demo data
# and serves on http://<city>.localhost:8000/. Ctrl-C stops everything.
source "$(dirname "$0")/bootstrap.sh"
exec .venv/bin/python scripts/dev.py demo "$@"
