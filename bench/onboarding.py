"""City creation time as cities multiply, and one migration across all of them.

    python bench/onboarding.py              # up to 50 cities
    python bench/onboarding.py --cities 500
    python bench/onboarding.py --regions 50 # scaffold + apply real regions

Each creation is a full onboarding (City row, schema, tables, config, domains,
revision) of a small city config. Before each timed set PostgreSQL is settled
(CHECKPOINT, autovacuum idle), the same at 5 and at N cities. Prints the
creation time with 5 cities and with N existing, their ratio (flat ≈ 1.0), and
the wall time of
``migrate_schemas --executor=multiprocessing`` applying one migration to all.

``--regions N`` measures onboarding from official data instead: scaffold +
apply of five real kabupaten of ~300 desa each (against the 5 s goal and the
small test city measured in the same run), then N real regions spread over
the country scaffolded and applied end to end by ``onboard``'s parallel path.
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


# Kabupaten with about 300 kelurahan/desa (Kepmendagri 2025), over three zones.
KABUPATEN_300 = ("35.16", "33.29", "18.06", "12.21", "95.06")
GOAL_SECONDS = 5.0


def scaffold_and_apply(code: str) -> tuple[float, int]:
    from onboarding.scaffold import scaffold_city
    from onboarding.services import apply_config

    start = time.perf_counter()
    result = scaffold_city(code)
    apply_config(result.config, actor="bench")
    return time.perf_counter() - start, len(result.config.areas)


def regions(count: int, jobs: int) -> None:
    from onboarding.bulk import apply_many
    from onboarding.regions import all_regencies
    from onboarding.scaffold import scaffold_city

    small = [create(i) for i in range(3)]
    print(f"small test city (4 areas), for scale: {summary(small)}")
    timed = [scaffold_and_apply(code) for code in KABUPATEN_300]
    seconds = [t for t, _areas in timed]
    areas = ", ".join(str(a) for _t, a in timed)
    print(f"scaffold + apply one kabupaten of ~300 desa ({areas} areas): {summary(seconds)}")
    median = sorted(seconds)[len(seconds) // 2]
    print(
        f"  ratio to the {GOAL_SECONDS:.0f} s goal: {median / GOAL_SECONDS:.2f}; "
        f"to the small city: {median / sorted(small)[1]:.2f}"
    )

    taken = set(KABUPATEN_300)
    every = [r for r in all_regencies() if r.code not in taken]
    step = max(1, len(every) // count)
    chosen = every[::step][:count]
    start = time.perf_counter()
    scaffolds = [scaffold_city(r.code) for r in chosen]
    scaffolded = time.perf_counter() - start
    configs = [(f"{s.slug}.yaml", s.config) for s in scaffolds]
    start = time.perf_counter()
    results = apply_many(configs, actor="bench", jobs=jobs)
    applied = time.perf_counter() - start
    failed = [r for r in results if not r.ok]
    villages = sum(len(s.config.areas) for s in scaffolds)
    per_city = [r.seconds for r in results if r.ok]
    print(
        f"{len(chosen)} real regions ({villages} areas, {len({r.province for r in chosen})} "
        f"provinces): scaffold {scaffolded:.1f} s, apply with {jobs} processes {applied:.1f} s, "
        f"end to end {scaffolded + applied:.1f} s; failed: {len(failed)}"
    )
    print(
        f"  per city while in parallel: {summary(per_city)}; "
        f"parallel speed-up (sum of city times / wall time): {sum(per_city) / applied:.2f}"
    )
    for result in failed:
        print(f"  FAILED {result.slug}: {result.error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cities", type=int, default=50)
    parser.add_argument("--regions", type=int, default=0, help="scaffold + apply N real regions")
    parser.add_argument("--jobs", type=int, default=2, help="onboard processes for --regions")
    parser.add_argument("--sample", type=int, default=5, help="creations timed per checkpoint")
    parser.add_argument("--processes", type=int, default=2, help="migrate_schemas processes")
    args = parser.parse_args()
    setup_django()
    from django.core.management import call_command

    from onboarding.services import ensure_public_tenant

    ensure_public_tenant()
    if args.regions:
        regions(args.regions, args.jobs)
        return
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
