"""Shared set-up for benchmarks: a fresh ``kanal_bench`` database on the server of
DATABASE_URL (or the embedded PostgreSQL), Django configured against it."""

from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import dev  # noqa: E402  (scripts/dev.py: database helpers)

# One database per benchmark script, so two benchmarks never drop each other's data.
BENCH_DB = "kanal_bench_" + Path(sys.argv[0]).stem.replace("-", "_")
_server = None  # keeps the embedded server alive for the process


def setup_django(*, fresh: bool = True) -> None:
    """Point Django at a fresh bench database and migrate the public schema."""
    global _server
    url, _server = dev.database_url()
    parsed = urlparse(url)
    bench_url = urlunparse(parsed._replace(path=f"/{BENCH_DB}"))
    conn = dev._connect(url, "postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        if fresh:
            cur.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB])
        if cur.fetchone() is None:
            cur.execute(f"CREATE DATABASE {BENCH_DB}")
    conn.close()
    os.environ["DATABASE_URL"] = bench_url
    os.environ.setdefault("KANAL_ENV", "development")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kanal.settings")
    import django

    import kanal  # noqa: F401

    django.setup()
    from django.core.management import call_command

    call_command("migrate_schemas", "--shared", verbosity=0)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def summary(values: list[float]) -> str:
    return (
        f"median {statistics.median(values) * 1000:.0f} ms, "
        f"p95 {percentile(values, 95) * 1000:.0f} ms, max {max(values) * 1000:.0f} ms"
    )
