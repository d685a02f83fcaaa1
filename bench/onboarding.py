"""City creation time as cities multiply, and one migration across all of them.

    python bench/onboarding.py              # up to 50 cities
    python bench/onboarding.py --cities 500

Each creation is a full onboarding (City row, schema, tables, config, domains,
revision) of a small city config. Before each timed set PostgreSQL is settled
(CHECKPOINT, autovacuum idle), the same at 5 and at N cities. Prints the
creation time with 5 cities and with N existing, their ratio (flat ≈ 1.0), and
the wall time of
``migrate_schemas --executor=multiprocessing`` applying one migration to all.
"""

from __future__ import annotations

import argparse
import time

from support import ROOT, setup_django, summary

CONFIG = (ROOT / "tests" / "fixtures" / "kotacontoh.yaml").read_text()


def city_config(index: int):
    from onboarding.loading import parse_config

    slug = f"bench{index:04d}"
    text = CONFIG.replace("slug: kotacontoh", f"slug: {slug}").replace(
        "lapor.kotacontoh.go.id", f"lapor.{slug}.go.id"
    )
    return parse_config(text)


def create(index: int) -> float:
    from onboarding.services import apply_config

    config = city_config(index)
    start = time.perf_counter()
    apply_config(config, actor="bench")
    return time.perf_counter() - start


def settle() -> None:
    """Let PostgreSQL catch up before timing: a CHECKPOINT, then wait (at most a
    minute) for autovacuum to finish with the catalogs the creations churned.
    Without it the samples after hundreds of back-to-back creations measure the
    background work they left behind, not the creation."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'"
            )
            if cursor.fetchone()[0] == 0:
                break
            time.sleep(1)


def last_tenant_migration() -> tuple[str, str, str]:
    """(app, latest migration, the one before) of the last tenant app with ≥1 migration."""
    from django.conf import settings
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connection)
    for app in reversed(settings.TENANT_APPS):
        label = app.rsplit(".", 1)[-1]
        leaves = loader.graph.leaf_nodes(label)
        if leaves:
            node = leaves[0]
            parents = [p for p in loader.graph.node_map[node].parents if p[0] == label]
            return label, node[1], parents[0][1] if parents else "zero"
    raise SystemExit("no tenant migrations")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cities", type=int, default=50)
    parser.add_argument("--sample", type=int, default=5, help="creations timed per checkpoint")
    parser.add_argument("--processes", type=int, default=2, help="migrate_schemas processes")
    args = parser.parse_args()
    setup_django()
    from django.core.management import call_command

    from onboarding.services import ensure_public_tenant

    ensure_public_tenant()
    checkpoints = sorted({5, args.cities})
    results: dict[int, list[float]] = {}
    created = 0
    for checkpoint in checkpoints:
        while created < checkpoint - args.sample:
            create(created)
            created += 1
        settle()
        results[checkpoint] = [create(created + i) for i in range(args.sample)]
        created += args.sample
        existing = max(0, checkpoint - args.sample)
        print(f"creating a city with {existing}+ cities: {summary(results[checkpoint])}")
    low = sorted(results[checkpoints[0]])[len(results[checkpoints[0]]) // 2]
    high = sorted(results[checkpoints[-1]])[len(results[checkpoints[-1]]) // 2]
    print(f"ratio median({checkpoints[-1]}) / median({checkpoints[0]}): {high / low:.2f}")

    app, latest, previous = last_tenant_migration()
    call_command("migrate_schemas", app, previous, "--tenant", verbosity=0)
    start = time.perf_counter()
    call_command(
        "migrate_schemas",
        "--tenant",
        "--executor=multiprocessing",
        verbosity=0,
    )
    elapsed = time.perf_counter() - start
    print(
        f"migrate_schemas applying {app}.{latest} to {created} cities "
        f"(multiprocessing): {elapsed:.1f} s ({elapsed / created * 1000:.0f} ms per city)"
    )


if __name__ == "__main__":
    main()
