"""The OPD ranking of one city with a million reports (goal: under 1 s).

    python bench/ranking.py                     # 1,000,000 reports
    python bench/ranking.py --reports 100000    # quicker, while developing
    python bench/ranking.py --reuse --explain   # same data again; EXPLAIN ANALYZE the SQL
    python bench/ranking.py --reuse --variants  # the year's SQL with other settings
    python bench/ranking.py --reuse --try-index # again with a candidate index (then dropped)

Onboards Kota Mataram (``tenant_configs/mataram.yaml``: agencies plus every
camat and lurah as responders), then loads N reports straight into its
``reports_report`` with one ``INSERT … SELECT generate_series`` per chunk
(``bulk_create`` of a million objects would take far longer than the ranking):
assigned over the last 12 complete months, spread unevenly over the responding
OPDs and the categories, mostly closed or resolved with some still open, SLA
facts (within target or not, minutes) drawn per OPD so that OPDs rank
differently, ratings 1–5 or none, a few reopens. Then ``VACUUM ANALYZE`` and
``ranking.services.compute_ranking`` for the last complete month and for the
whole year, 3 runs each after one warm-up run that counts the SQL queries
(min and median). The main figures are always with the schema as migrated; the
``--try-index`` figures come after them, clearly labelled, and the index is
dropped again. Runs in its own database, ``kanal_bench_ranking`` (the other
benchmarks recreate ``kanal_bench``); ``--reuse`` keeps it when it already holds
N reports.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
import zoneinfo
from datetime import date, datetime, timedelta
from pathlib import Path

import support
from support import ROOT, setup_django

# This file is named like the ``ranking`` app: drop bench/ from the path so
# ``import ranking`` finds the app, not this script.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

GOAL_SECONDS = 1.0
# Its own database: the other benchmarks drop and recreate ``kanal_bench``.
BENCH_DB = "kanal_bench_ranking"
CHUNK = 200_000
CITY = "mataram"
TIME_ZONE = zoneinfo.ZoneInfo("Asia/Makassar")  # Mataram's (WITA)
# Well inside Mataram's boundary polygon.
LAT_RANGE = (-8.62, -8.56)
LON_RANGE = (116.07, 116.16)
CANDIDATE_INDEX = "bench_candidate_ranking_idx"

# One row per report; every NOT NULL column of reports_report is given (Django
# sets no database defaults). %(...)s are psycopg2 parameters.
INSERT = """
-- Each level is a subquery fenced with OFFSET 0 so that its values are computed
-- once per row (inlined, every reference would recompute them).
WITH t AS (
  SELECT m.*,
         CASE WHEN responded THEN assigned + resp_min * interval '2 minutes' END AS acked,
         CASE WHEN was_resolved
              THEN assigned + (coalesce(resp_min, 0) + reso_min) * interval '2 minutes'
         END AS resolved
  FROM (
    SELECT f.*,
           CASE WHEN responded THEN
             CASE WHEN resp_ok THEN 5 + r_min1 * 1435 ELSE 1440 + r_min1 * 2880 END
           END AS resp_min,
           CASE WHEN was_resolved THEN
             CASE WHEN reso_ok THEN 60 + r_min2 * 4740 ELSE 4800 + r_min2 * 7200 END
           END AS reso_min
    FROM (
      SELECT s.*,
             status <> 'assigned' AS responded,
             status IN ('resolved', 'closed', 'reopened') AS was_resolved,
             r_resp < q AS resp_ok,
             r_reso < q - 0.04 AS reso_ok
      FROM (
        SELECT o.*,
               (%(opds)s::bigint[])[k] AS opd,
               (%(quality)s::float8[])[k] AS q,
               CASE
                 WHEN assigned > %(until)s::timestamptz - interval '3 days' THEN
                   CASE WHEN r_status < 0.5 THEN 'assigned'
                        WHEN r_status < 0.8 THEN 'acknowledged'
                        ELSE 'in_progress' END
                 WHEN assigned > %(until)s::timestamptz - interval '21 days' THEN
                   CASE WHEN r_status < 0.45 THEN 'closed' WHEN r_status < 0.75 THEN 'resolved'
                        WHEN r_status < 0.9 THEN 'in_progress' ELSE 'acknowledged' END
                 ELSE
                   CASE WHEN r_status < 0.86 THEN 'closed' WHEN r_status < 0.94 THEN 'resolved'
                        WHEN r_status < 0.97 THEN 'in_progress'
                        WHEN r_status < 0.99 THEN 'reopened'
                        ELSE 'acknowledged' END
               END AS status
        FROM (
          SELECT g.*,
                 -- skewed: the first OPDs (agencies) receive more than the last lurah
                 1 + floor(power(r_opd, 1.6) * cardinality(%(opds)s::bigint[]))::int AS k,
                 %(since)s::timestamptz
                   + (%(until)s::timestamptz - %(since)s::timestamptz)
                     * ((i - 1 + r_jitter) / %(total)s::float8) AS assigned
          FROM (
            SELECT i,
                   random() AS r_opd, random() AS r_cat, random() AS r_status,
                   random() AS r_resp, random() AS r_reso, random() AS r_rate,
                   random() AS r_min1, random() AS r_min2, random() AS r_lat, random() AS r_lon,
                   random() AS r_reopen, random() AS r_jitter
            FROM generate_series(%(lo)s::int, %(hi)s::int) AS i
          ) AS g OFFSET 0
        ) AS o OFFSET 0
      ) AS s OFFSET 0
    ) AS f OFFSET 0
  ) AS m OFFSET 0
)
INSERT INTO reports_report (
    tracking_code, category_id, description, public_description, latitude, longitude,
    accuracy_m, address, area_id, area_source, channel, reporter_id, anonymous, contact_name,
    entered_by_id, status, status_before_info, opd_id, forward_hint_id, priority, is_public,
    hidden, verdict, checks, possible_duplicates, merged_into_id, idempotency_key, rating,
    rating_comment, reopen_count, merged_count, created_at, updated_at, verified_at,
    assigned_at, acknowledged_at, resolved_at, closed_at, sla_targets, response_due_at,
    resolution_due_at, response_at_risk_at, resolution_at_risk_at, sla_next_check_at,
    paused_at, paused_minutes, sla_state, response_minutes, resolution_minutes,
    responded_within_sla, resolved_within_sla, responding_opd_id, escalations
)
SELECT
    'B' || lpad(to_hex(i), 11, '0'),
    (%(categories)s::bigint[])[1 + floor(r_cat * cardinality(%(categories)s::bigint[]))::int],
    'Laporan uji beban nomor ' || i || ': jalan berlubang, sampah menumpuk, lampu mati.',
    '',
    %(lat0)s + r_lat * %(dlat)s,
    %(lon0)s + r_lon * %(dlon)s,
    5 + r_lat * 20,
    '', NULL, '', 'app', NULL, false, '', NULL,
    status, '', opd, NULL, '', true, false, 'auto_verified', '[]'::jsonb, '[]'::jsonb,
    NULL, NULL,
    CASE WHEN status = 'closed' AND r_rate < 0.7
         THEN least(5, greatest(1, round(1 + 4 * q + (r_rate / 0.7 - 0.5) * 3)))::smallint
    END,
    '',
    CASE WHEN status = 'reopened' OR (was_resolved AND r_reopen < 0.03 + (0.85 - q) * 0.3)
         THEN 1 ELSE 0 END,
    0,
    assigned - interval '7 minutes',
    coalesce(resolved + CASE WHEN status = 'closed' THEN interval '3 days' END, resolved,
             acked, assigned),
    assigned - interval '2 minutes',
    assigned,
    acked,
    resolved,
    CASE WHEN status = 'closed' THEN resolved + interval '3 days' END,
    '{"response": "3d", "resolution": "10d", "clock": "working"}'::jsonb,
    assigned + interval '3 days',
    assigned + interval '14 days',
    assigned + interval '2 days 9 hours',
    assigned + interval '11 days',
    CASE WHEN NOT was_resolved THEN
         CASE WHEN responded THEN assigned + interval '11 days'
              ELSE assigned + interval '2 days 9 hours' END
    END,
    NULL, 0,
    CASE WHEN (responded AND NOT resp_ok) OR (was_resolved AND NOT reso_ok) THEN 'breached'
         ELSE 'on_track' END,
    resp_min,
    reso_min,
    CASE WHEN responded THEN resp_ok END,
    CASE WHEN was_resolved THEN reso_ok END,
    CASE WHEN responded THEN opd END,
    '[]'::jsonb
FROM t
"""


def months_back(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def check_columns(cursor) -> None:
    """Fail loudly if the table gained a NOT NULL column the INSERT does not fill."""
    cursor.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = 'reports_report' "
        "AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'"
    )
    listed = INSERT.split("INSERT INTO reports_report (", 1)[1].split(")", 1)[0]
    given = {name.strip() for name in listed.split(",")}
    missing = sorted(row[0] for row in cursor.fetchall() if row[0] not in given)
    if missing:
        raise SystemExit(f"reports_report has NOT NULL columns the loader misses: {missing}")


def secondary_indexes(cursor) -> dict[str, str]:
    """The table's indexes that back no constraint (name → CREATE INDEX statement)."""
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes "
        "WHERE schemaname = current_schema() AND tablename = 'reports_report' "
        "AND indexname NOT IN (SELECT conname FROM pg_constraint "
        "WHERE conrelid = 'reports_report'::regclass)"
    )
    return dict(cursor.fetchall())


def load_reports(total: int, since: datetime, until: datetime) -> tuple[float, float]:
    """Insert the reports; returns (seconds inserting, seconds rebuilding indexes).

    The usual bulk-load order: the indexes that back no constraint are dropped
    first and rebuilt afterwards from their own definitions (far quicker than
    maintaining them row by row); the schema ends exactly as migrated.
    """
    from django.db import connection, transaction

    from cityconfig.models import Category, Opd

    opds = list(
        Opd.objects.active()
        .filter(responder=True)
        .order_by("position", "pk")
        .values_list("pk", flat=True)
    )
    categories = list(Category.objects.active().values_list("pk", flat=True))
    # Each OPD's on-time rate between 0.70 and 0.87, scattered so ranks differ.
    quality = [0.70 + 0.17 * ((index * 37) % 23) / 22 for index in range(len(opds))]
    print(f"{len(opds)} responding OPDs, {len(categories)} categories", flush=True)
    start = time.perf_counter()
    with connection.cursor() as cursor:
        check_columns(cursor)
        indexes = secondary_indexes(cursor)
        for name in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET jit = off")  # compiling this statement's expressions costs more
        cursor.execute("SELECT setseed(0.42)")
        for lo in range(1, total + 1, CHUNK):
            hi = min(total, lo + CHUNK - 1)
            with transaction.atomic():
                cursor.execute(
                    INSERT,
                    {
                        "lo": lo,
                        "hi": hi,
                        "total": total,
                        "since": since,
                        "until": until,
                        "opds": opds,
                        "quality": quality,
                        "categories": categories,
                        "lat0": LAT_RANGE[0],
                        "dlat": LAT_RANGE[1] - LAT_RANGE[0],
                        "lon0": LON_RANGE[0],
                        "dlon": LON_RANGE[1] - LON_RANGE[0],
                    },
                )
            print(f"  {hi:,} reports inserted, {time.perf_counter() - start:.0f} s", flush=True)
        cursor.execute("RESET jit")  # the rankings run with the server's settings
        inserted = time.perf_counter() - start
        for statement in indexes.values():
            cursor.execute(statement)
        if secondary_indexes(cursor) != indexes:
            raise SystemExit("the rebuilt indexes differ from the migrated ones")
        indexed = time.perf_counter() - start - inserted
        print(f"  {len(indexes)} indexes rebuilt, {indexed:.0f} s", flush=True)
        cursor.execute("VACUUM (ANALYZE) reports_report")
    return inserted, indexed


def time_ranking(start: date, end: date, runs: int) -> tuple[list[float], int, object]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ranking.services import compute_ranking

    with CaptureQueriesContext(connection) as captured:  # first run: counts the SQL
        result = compute_ranking(start, end)
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        result = compute_ranking(start, end)
        times.append(time.perf_counter() - began)
    return times, len(captured.captured_queries), (result, captured.captured_queries)


def report_line(label: str, times: list[float], queries: int, reports: int) -> None:
    best, median = min(times), statistics.median(times)
    print(
        f"{label}: {reports:,} reports, {queries} SQL queries; "
        f"min {best:.3f} s, median {median:.3f} s "
        f"(goal {GOAL_SECONDS:g} s, ratio {median / GOAL_SECONDS:.2f})"
    )


def aggregate_sql(queries: list[dict]) -> str:
    return next(q["sql"] for q in queries if "percentile_cont" in q["sql"])


def explain(sql: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        print("\n".join(row[0] for row in cursor.fetchall()))


def time_sql(sql: str, runs: int, settings: tuple[str, ...] = ()) -> list[float]:
    """Wall time of one raw statement, with SET LOCAL settings in its transaction."""
    from django.db import connection, transaction

    times = []
    for _ in range(runs):
        with transaction.atomic(), connection.cursor() as cursor:
            for setting in settings:
                cursor.execute(f"SET LOCAL {setting}")
            began = time.perf_counter()
            cursor.execute(sql)
            cursor.fetchall()
            times.append(time.perf_counter() - began)
    return times


def variants(sql: str, runs: int) -> None:
    """Where the year's aggregate spends its time (nothing here changes the app)."""
    pattern = r"percentile_cont\([^)]*\) WITHIN GROUP \([^)]*\)"
    without_percentiles = re.sub(pattern, "NULL", sql)
    only_percentiles = (
        'SELECT "reports_report"."opd_id", '
        + ", ".join(re.findall(pattern, sql))
        + " FROM "
        + sql.split(" FROM ", 1)[1]
    )
    print("\n[variants of the year's aggregate, raw SQL; not what the app runs]")
    for label, statement, settings in (
        ("as the app runs it", sql, ()),
        ("jit = off", sql, ("jit = off",)),
        ("jit = off, work_mem = 64MB", sql, ("jit = off", "work_mem = '64MB'")),
        ("jit = off, without the 4 percentiles", without_percentiles, ("jit = off",)),
        ("jit = off, only the 4 percentiles", only_percentiles, ("jit = off",)),
        (
            "jit = off, work_mem = 64MB, only the 4 percentiles",
            only_percentiles,
            ("jit = off", "work_mem = '64MB'"),
        ),
    ):
        times = time_sql(statement, runs, settings)
        print(f"  {label}: min {min(times):.3f} s, median {statistics.median(times):.3f} s")


def count_reports() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM reports_report")
        return cursor.fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3, help="timed rankings per period")
    parser.add_argument("--reuse", action="store_true", help="keep the database if it has N")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the aggregates")
    parser.add_argument(
        "--variants", action="store_true", help="time the year's SQL with other settings"
    )
    parser.add_argument(
        "--try-index",
        action="store_true",
        help="afterwards, time again with a candidate index (dropped at the end)",
    )
    args = parser.parse_args()
    support.BENCH_DB = BENCH_DB
    setup_django(fresh=not args.reuse)
    from django.db import connection

    from onboarding.loading import load_config
    from onboarding.services import apply_config, ensure_public_tenant
    from ranking.services import period_bounds
    from tenants.models import City

    ensure_public_tenant()
    city = City.objects.filter(slug=CITY).first()
    if city is None:
        apply_config(load_config(ROOT / "tenant_configs" / f"{CITY}.yaml"), actor="bench")
        city = City.objects.get(slug=CITY)
    connection.set_tenant(city)

    today = datetime.now(TIME_ZONE).date()
    month_start, month_end = period_bounds("monthly", today)
    year_start = months_back(month_start, 11)
    since = datetime.combine(year_start, datetime.min.time(), TIME_ZONE)
    until = datetime.combine(month_end + timedelta(days=1), datetime.min.time(), TIME_ZONE)

    if count_reports() == args.reports:
        print(f"reusing {args.reports:,} reports in {BENCH_DB}.kota_{CITY}")
    else:
        if count_reports():
            raise SystemExit(f"{BENCH_DB} holds another number of reports; run without --reuse")
        print(f"loading {args.reports:,} reports into {BENCH_DB}.kota_{CITY}…", flush=True)
        inserted, indexed = load_reports(args.reports, since, until)
        loaded = inserted + indexed
        print(
            f"loaded {args.reports:,} reports in {loaded:.1f} s "
            f"({args.reports / loaded:,.0f}/s; insert {inserted:.1f} s, "
            f"index rebuild {indexed:.1f} s)"
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), pg_relation_size('reports_report'), "
            "pg_total_relation_size('reports_report'), current_setting('work_mem'), "
            "current_setting('shared_buffers'), current_setting('jit'), "
            "current_setting('max_parallel_workers_per_gather'), version() FROM reports_report"
        )
        rows, heap, total, work_mem, buffers, jit, workers, version = cursor.fetchone()
    print(
        f"reports_report: {rows:,} rows, heap {heap / 2**20:,.0f} MiB, with indexes "
        f"{total / 2**20:,.0f} MiB; {version.split(' on ')[0]}, shared_buffers {buffers}, "
        f"work_mem {work_mem}, jit {jit}, parallel workers per gather {workers}"
    )

    periods = [
        (f"month {month_start:%Y-%m}", month_start, month_end),
        (f"year {year_start:%Y-%m}..{month_end:%Y-%m}", year_start, month_end),
    ]
    statements = {}
    for label, start, end in periods:
        times, queries, (result, captured) = time_ranking(start, end, args.runs)
        report_line(f"ranking {label}", times, queries, result.total_reports)
        statements[label] = aggregate_sql(captured)
        ranked = [row for row in result.rows if row.rank is not None]
        if ranked:
            top, bottom = ranked[0], ranked[-1]
            print(
                f"  {len(ranked)} OPDs ranked; #1 {top.opd_code} score {top.score}, "
                f"#{bottom.rank} {bottom.opd_code} score {bottom.score}; "
                f"{sum(row.red_card for row in result.rows)} red cards"
            )

    if args.explain:
        for label, sql in statements.items():
            print(f"\nEXPLAIN (ANALYZE, BUFFERS) of the {label} aggregate:")
            explain(sql)

    if args.variants:
        variants(statements[periods[-1][0]], args.runs)

    if args.try_index:
        # NOT part of the schema: a candidate index, timed here only to show its effect.
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE INDEX {CANDIDATE_INDEX} ON reports_report (assigned_at)")
            cursor.execute("ANALYZE reports_report")
        print(f"\n[candidate, NOT in the schema] with index {CANDIDATE_INDEX} (assigned_at):")
        try:
            for label, start, end in periods:
                times, queries, (result, _) = time_ranking(start, end, args.runs)
                report_line(f"  ranking {label}", times, queries, result.total_reports)
            if args.explain:
                for label, sql in statements.items():
                    print(f"\nEXPLAIN (ANALYZE, BUFFERS) of the {label} aggregate, candidate:")
                    explain(sql)
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP INDEX {CANDIDATE_INDEX}")


if __name__ == "__main__":
    main()
