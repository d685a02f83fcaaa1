"""One SLA sweep over 550 cities (goal: under 10 s).

    python bench/sla_sweep.py                       # 550 cities, 200 reports each
    python bench/sla_sweep.py --cities 50           # quicker, while developing
    python bench/sla_sweep.py --reuse               # keep the cities already created
    python bench/sla_sweep.py --reuse --profile     # cProfile the sweeps, top functions

Creates N cities by full onboarding of the small test city
(``tests/fixtures/kotacontoh.yaml`` under another slug; ~0.6 s each, so ~6 min
for 550; ``--reuse`` keeps those already in the database). Each run then adds
R reports per city straight with SQL (``INSERT … SELECT generate_series``),
about 5 % of them due: assigned to an OPD, ``sla_next_check_at`` past, half of
them with the response target already passed (breached → escalated to the
parent OPD, per the city's rule) and half only past the at-risk mark; the rest
closed or open with thresholds still ahead. Then ``call_command("sla_sweep")``
in-process, twice: the first sweep (due reports to mark and escalate) and a
second right after (nothing due: the idle cost per city). Prints total
seconds, ms per city and the reports marked, with the ratio to the 10 s goal.

Runs in its own database, ``kanal_bench_sla`` (the other benchmarks recreate
``kanal_bench``).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import re
import time

import support
from support import ROOT, setup_django

GOAL_SECONDS = 10.0
BENCH_DB = "kanal_bench_sla"
CONFIG = (ROOT / "tests" / "fixtures" / "kotacontoh.yaml").read_text()
# Inside the test city's boundary (116.05..116.16 E, -8.62..-8.52 S).
LAT_RANGE = (-8.60, -8.54)
LON_RANGE = (116.07, 116.14)

# Every NOT NULL column of reports_report is given (Django sets no database
# defaults). Values are computed once per row (subqueries fenced with OFFSET 0).
INSERT = """
INSERT INTO reports_report (
    tracking_code, category_id, description, public_description, latitude, longitude,
    accuracy_m, address, area_source, channel, anonymous, contact_name, status,
    status_before_info, opd_id, priority, is_public, hidden, verdict, checks,
    possible_duplicates, rating, rating_comment, reopen_count, merged_count, created_at,
    updated_at, verified_at, assigned_at, acknowledged_at, resolved_at, closed_at,
    sla_targets, response_due_at, resolution_due_at, response_at_risk_at,
    resolution_at_risk_at, sla_next_check_at, paused_minutes, sla_state, response_minutes,
    resolution_minutes, responded_within_sla, resolved_within_sla, responding_opd_id,
    escalations
)
SELECT
    'S' || lpad(to_hex(%(base)s::bigint + i), 11, '0'),
    (%(categories)s::bigint[])[1 + floor(r_cat * cardinality(%(categories)s::bigint[]))::int],
    'Laporan uji sapuan SLA nomor ' || i || ': drainase tersumbat, air meluap ke jalan.',
    '',
    %(lat0)s + r_lat * %(dlat)s,
    %(lon0)s + r_lon * %(dlon)s,
    10,
    '', '', 'app', false, '', status, '', opd, '', true, false, 'auto_verified',
    '[]'::jsonb, '[]'::jsonb,
    CASE WHEN status = 'closed' THEN 1 + floor(r_lat * 5)::smallint END,
    '', 0, 0,
    assigned - interval '10 minutes',
    coalesce(closed, acked, assigned),
    assigned - interval '5 minutes',
    assigned,
    acked,
    CASE WHEN status = 'closed' THEN closed - interval '3 days' END,
    closed,
    '{"response": "3d", "resolution": "10d", "clock": "working"}'::jsonb,
    response_due,
    resolution_due,
    response_risk,
    resolution_risk,
    CASE
        WHEN status = 'closed' THEN NULL
        WHEN acked IS NULL THEN response_risk
        ELSE resolution_risk
    END,
    0,
    'on_track',
    CASE WHEN acked IS NOT NULL THEN 120 END,
    CASE WHEN status = 'closed' THEN 2400 END,
    CASE WHEN acked IS NOT NULL THEN true END,
    CASE WHEN status = 'closed' THEN true END,
    CASE WHEN acked IS NOT NULL THEN opd END,
    '[]'::jsonb
FROM (
    SELECT d.*,
           -- due: response breached (first half) or only at risk (second half)
           CASE WHEN kind = 'due' THEN
               CASE WHEN r_half < 0.5 THEN now() - interval '1 hour'
                    ELSE now() + interval '6 hours' END
               ELSE assigned + interval '3 days' END AS response_due,
           CASE WHEN kind = 'due' THEN now() - interval '10 hours'
               ELSE assigned + interval '2 days 9 hours' END AS response_risk,
           assigned + interval '14 days' AS resolution_due,
           assigned + interval '11 days' AS resolution_risk,
           CASE WHEN kind = 'open_acked' OR kind = 'closed'
               THEN assigned + interval '2 hours' END AS acked,
           CASE WHEN kind = 'closed' THEN assigned + interval '5 days' END AS closed,
           CASE WHEN kind = 'closed' THEN 'closed'
                WHEN kind = 'open_acked' THEN 'in_progress'
                ELSE 'assigned' END AS status
    FROM (
        SELECT c.*,
               (%(opds)s::bigint[])[1 + floor(r_opd * cardinality(%(opds)s::bigint[]))::int]
                   AS opd,
               CASE WHEN kind = 'due' THEN now() - interval '4 days'
                    WHEN kind = 'closed' THEN now() - interval '40 days' * r_age
                    ELSE now() - interval '20 hours' * r_age END AS assigned
        FROM (
            SELECT b.*,
                   CASE WHEN r_kind < %(due)s THEN 'due'
                        WHEN r_kind < %(due)s + 0.10 THEN 'open_new'
                        WHEN r_kind < %(due)s + 0.15 THEN 'open_acked'
                        ELSE 'closed' END AS kind
            FROM (
                SELECT i, random() AS r_kind, random() AS r_opd, random() AS r_cat,
                       random() AS r_age, random() AS r_half, random() AS r_lat,
                       random() AS r_lon
                FROM generate_series(1, %(count)s::int) AS i
            ) AS b OFFSET 0
        ) AS c OFFSET 0
    ) AS d OFFSET 0
) AS e
"""


def city_config(index: int):
    from onboarding.loading import parse_config

    slug = f"sla{index:04d}"
    text = CONFIG.replace("slug: kotacontoh", f"slug: {slug}").replace(
        "lapor.kotacontoh.go.id", f"lapor.{slug}.go.id"
    )
    return parse_config(text)


def ensure_cities(count: int) -> list:
    """The bench cities, onboarding those missing (the others are reused as they are)."""
    from onboarding.services import apply_config, ensure_public_tenant
    from tenants.models import City

    ensure_public_tenant()
    existing = set(City.objects.filter(slug__startswith="sla").values_list("slug", flat=True))
    missing = [i for i in range(count) if f"sla{i:04d}" not in existing]
    if missing:
        print(f"onboarding {len(missing)} cities ({len(existing)} reused)…", flush=True)
        start = time.perf_counter()
        for done, index in enumerate(missing, start=1):
            apply_config(city_config(index), actor="bench")
            if done % 50 == 0 or done == len(missing):
                elapsed = time.perf_counter() - start
                print(
                    f"  {done} onboarded, {elapsed:.0f} s ({elapsed / done * 1000:.0f} ms each)",
                    flush=True,
                )
    else:
        print(f"reusing {len(existing)} cities")
    extra = City.objects.filter(slug__startswith="sla").exclude(
        slug__in=[f"sla{i:04d}" for i in range(count)]
    )
    if extra.exists():
        raise SystemExit(f"{BENCH_DB} holds more than {count} bench cities; run without --reuse")
    return list(City.objects.filter(slug__startswith="sla").order_by("slug"))


def add_reports(cities: list, per_city: int, due_fraction: float) -> tuple[int, float]:
    """Insert ``per_city`` reports in every city; returns (due reports, seconds)."""
    from django.db import connection

    from cityconfig.models import Category, Opd

    start, due = time.perf_counter(), 0
    for city in cities:
        connection.set_tenant(city)
        opds = list(Opd.objects.active().filter(responder=True).values_list("pk", flat=True))
        categories = list(Category.objects.active().values_list("pk", flat=True))
        with connection.cursor() as cursor:
            cursor.execute("SELECT coalesce(max(id), 0) FROM reports_report")
            base = cursor.fetchone()[0]
            cursor.execute(
                INSERT,
                {
                    "base": base,
                    "count": per_city,
                    "due": due_fraction,
                    "opds": opds,
                    "categories": categories,
                    "lat0": LAT_RANGE[0],
                    "dlat": LAT_RANGE[1] - LAT_RANGE[0],
                    "lon0": LON_RANGE[0],
                    "dlon": LON_RANGE[1] - LON_RANGE[0],
                },
            )
            cursor.execute(
                "SELECT count(*) FROM reports_report WHERE sla_next_check_at <= now() "
                "AND status IN ('assigned', 'acknowledged', 'in_progress', 'reopened')"
            )
            due += cursor.fetchone()[0]
            cursor.execute("ANALYZE reports_report")
    connection.set_schema_to_public()
    return due, time.perf_counter() - start


def sweep(profiler: cProfile.Profile | None) -> tuple[float, str, int | None]:
    """One in-process ``manage.py sla_sweep``: (seconds, its output, SQL queries if profiled)."""
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    out = io.StringIO()
    if profiler is None:
        start = time.perf_counter()
        call_command("sla_sweep", stdout=out)
        return time.perf_counter() - start, out.getvalue(), None
    with CaptureQueriesContext(connection) as captured:
        start = time.perf_counter()
        profiler.enable()
        call_command("sla_sweep", stdout=out)
        profiler.disable()
        elapsed = time.perf_counter() - start
    return elapsed, out.getvalue(), len(captured.captured_queries)


def totals(output: str) -> dict[str, int]:
    line = next(line for line in output.splitlines() if line.startswith("SLA sweep:"))
    found = re.search(r"(\d+) at risk, (\d+) breached, (\d+) escalations", line)
    return dict(zip(("at_risk", "breached", "escalated"), map(int, found.groups()), strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cities", type=int, default=550)
    parser.add_argument("--reports", type=int, default=200, help="reports added per city")
    parser.add_argument("--due", type=float, default=0.05, help="fraction of them due")
    parser.add_argument("--reuse", action="store_true", help="keep the cities already created")
    parser.add_argument("--profile", action="store_true", help="cProfile the sweeps")
    args = parser.parse_args()
    support.BENCH_DB = BENCH_DB
    setup_django(fresh=not args.reuse)
    import logging

    logging.getLogger("reports").setLevel(logging.WARNING)
    from django.db import connection

    cities = ensure_cities(args.cities)
    due, seconds = add_reports(cities, args.reports, args.due)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('shared_buffers'), current_setting('jit'), version()"
        )
        buffers, jit, version = cursor.fetchone()
    print(
        f"{len(cities)} cities; added {args.reports} reports each in {seconds:.1f} s, "
        f"{due} due in all ({due / len(cities):.1f} per city); "
        f"{version.split(' on ')[0]}, shared_buffers {buffers}, jit {jit}"
    )

    profiler = cProfile.Profile() if args.profile else None
    note = " (under cProfile)" if profiler else ""
    for label in ("first sweep (due reports)", "second sweep (nothing due)"):
        elapsed, output, queries = sweep(profiler)
        marked = totals(output)
        count = marked["at_risk"] + marked["breached"]
        print(
            f"{label}{note}: {len(cities)} cities in {elapsed:.2f} s "
            f"({elapsed / len(cities) * 1000:.1f} ms per city; goal {GOAL_SECONDS:g} s, "
            f"ratio {elapsed / GOAL_SECONDS:.2f}); {count} reports marked "
            f"({marked['at_risk']} at risk, {marked['breached']} breached), "
            f"{marked['escalated']} escalations"
        )
        if queries is not None:
            print(f"  {queries} SQL queries")
        if count:
            print(f"  {elapsed / count * 1000:.1f} ms per marked report")
    if profiler:
        stream = io.StringIO()
        stats = pstats.Stats(profiler, stream=stream)
        stats.sort_stats("cumulative").print_stats(30)
        stats.sort_stats("tottime").print_stats(15)
        print(stream.getvalue())


if __name__ == "__main__":
    main()
