"""Liveness files for the Celery worker and beat, read by the chart's exec probes.

Neither process serves HTTP, and ``celery inspect ping`` as a probe costs a full
Django start and a broker round trip each time, and fails when Redis is down,
which restarting the pod does not fix. Instead each process touches a file from
its own loop (kanal/celery.py): the worker from its timer, so a wedged event
loop leaves the file stale; beat on every tick of its scheduler. The probe is

    python -m kanal.heartbeat worker 120   # exit 1 when older than 120 s

which imports neither Django nor Celery.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

COMPONENTS = ("worker", "beat")
# How often the worker touches its file; the probe's limit must be well above it.
WORKER_INTERVAL_SECONDS = 15.0


def heartbeat_path(component: str) -> Path:
    directory = os.environ.get("KANAL_HEARTBEAT_DIR") or tempfile.gettempdir()
    return Path(directory) / f"kanal-{component}-alive"


def touch(component: str) -> None:
    heartbeat_path(component).touch()


def age_seconds(component: str) -> float | None:
    """Seconds since the component last touched its file; None when it never did."""
    try:
        return time.time() - heartbeat_path(component).stat().st_mtime
    except FileNotFoundError:
        return None


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in COMPONENTS or not argv[1].isdigit():
        print("usage: python -m kanal.heartbeat worker|beat MAX_AGE_SECONDS", file=sys.stderr)
        return 2
    component, limit = argv[0], int(argv[1])
    age = age_seconds(component)
    if age is None:
        print(f"{component}: no heartbeat at {heartbeat_path(component)}", file=sys.stderr)
        return 1
    if age > limit:
        print(f"{component}: last heartbeat {age:.0f} s ago (limit {limit} s)", file=sys.stderr)
        return 1
    print(f"{component}: alive, last heartbeat {age:.0f} s ago")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
