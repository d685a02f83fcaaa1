"""OPD rankings for a period, red report cards, and publishing them.

Every figure comes from one SQL aggregate over the period's reports (the facts
were stored on each report when they happened, see :mod:`sla.services`), so a
city with a million reports ranks in one query. Territorial offices
(kecamatan, kelurahan) are ranked alongside the agencies when they respond.
"""

from __future__ import annotations

import hashlib
import json
import zoneinfo
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import Aggregate, Avg, Count, FloatField, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityconfig.models import CityProfile, Opd
from cityconfig.schema import Ranking as RankingPolicy
from kanal.errors import InvalidInput, PermissionDenied, Unavailable
from people.actors import Actor
from people.models import Role
from ranking.models import RankingSnapshot
from reports.models import Report, overdue

TERRITORIAL = {"kecamatan", "kelurahan", "desa", "kota_administrasi", "kabupaten_administrasi"}


class Percentile(Aggregate):
    """PostgreSQL's ``percentile_cont(p) WITHIN GROUP (ORDER BY x)``."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


@dataclass
class OpdRow:
    opd_code: str
    opd_name: str
    kind: str
    territorial: bool
    received: int = 0
    responded_within_pct: float | None = None
    resolved_within_pct: float | None = None
    response_median_minutes: float | None = None
    response_p90_minutes: float | None = None
    resolution_median_minutes: float | None = None
    resolution_p90_minutes: float | None = None
    reopen_rate_pct: float | None = None
    rating_avg: float | None = None
    overdue: int = 0
    score: float | None = None
    rank: int | None = None
    red_card: bool = False
    red_card_reasons: list[dict] = field(default_factory=list)


@dataclass
class RankingResult:
    period_start: date
    period_end: date
    weights: dict
    rows: list[OpdRow]

    @property
    def total_reports(self) -> int:
        return sum(row.received for row in self.rows)

    def rows_json(self) -> list[dict]:
        return [asdict(row) for row in self.rows]


def period_bounds(kind: str, today: date) -> tuple[date, date]:
    """The last complete week (Mon–Sun) or month before ``today``."""
    if kind == "weekly":
        end = today - timedelta(days=today.weekday() + 1)
        return end - timedelta(days=6), end
    first_this_month = today.replace(day=1)
    end = first_this_month - timedelta(days=1)
    return end.replace(day=1), end


def rankings_published(profile: CityProfile | None = None) -> bool:
    """Whether the city publishes rankings (``features.published_rankings``)."""
    from cityconfig.schema import Features

    return Features.model_validate((profile or CityProfile.load()).features).published_rankings


def _reports_between(start: date, end: date, tz: zoneinfo.ZoneInfo) -> bool:
    since, until = _utc_range(start, end, tz)
    return Report.objects.filter(
        assigned_at__gte=since, assigned_at__lt=until, opd__isnull=False
    ).exists()


def default_period(today: date) -> tuple[date, date]:
    """A period worth previewing: the last full month if it had reports, else
    the last 30 days, else the month of the most recent assigned report.

    A preview of an empty month (the old default) looks like a broken screen.
    """
    tz = CityProfile.load().zone
    start, end = period_bounds("monthly", today)
    if _reports_between(start, end, tz):
        return start, end
    recent = (today - timedelta(days=29), today)
    if _reports_between(*recent, tz):
        return recent
    latest = (
        Report.objects.filter(assigned_at__isnull=False, opd__isnull=False)
        .order_by("-assigned_at")
        .values_list("assigned_at", flat=True)
        .first()
    )
    if latest is None:
        return start, end
    day = latest.astimezone(tz).date()
    first = day.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return first, last


def _utc_range(start: date, end: date, tz: zoneinfo.ZoneInfo) -> tuple[datetime, datetime]:
    if end < start:
        raise InvalidInput(
            field="period",
            code="PERIOD_REVERSED",
            message=_("Akhir periode sebelum awal periode."),
        )
    return (
        datetime.combine(start, time.min, tz),
        datetime.combine(end + timedelta(days=1), time.min, tz),
    )


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def compute_ranking(start: date, end: date, *, now: datetime | None = None) -> RankingResult:
    """Rank every responding OPD for reports assigned in [start, end] (city dates)."""
    now = now or timezone.now()
    profile = CityProfile.load()
    policy = RankingPolicy.model_validate(profile.ranking or {})
    tz = profile.zone
    since, until = _utc_range(start, end, tz)
    figures = {
        row["opd_id"]: row
        for row in Report.objects.filter(
            assigned_at__gte=since, assigned_at__lt=until, opd__isnull=False
        )
        .values("opd_id")
        .annotate(
            received=Count("id"),
            responded_within=Count("id", filter=Q(responded_within_sla=True)),
            resolved_within=Count("id", filter=Q(resolved_within_sla=True)),
            resolved=Count("id", filter=Q(resolved_at__isnull=False)),
            reopened=Count("id", filter=Q(reopen_count__gt=0)),
            rating_avg=Avg("rating"),
            response_p50=Percentile("response_minutes", 0.5),
            response_p90=Percentile("response_minutes", 0.9),
            resolution_p50=Percentile("resolution_minutes", 0.5),
            resolution_p90=Percentile("resolution_minutes", 0.9),
            overdue=Count("id", filter=overdue(now)),
        )
        .order_by()
    }
    weights = policy.weights.model_dump()
    rows = []
    for opd in Opd.objects.active().filter(Q(responder=True) | Q(pk__in=list(figures))):
        data = figures.get(opd.pk)
        row = OpdRow(opd.code, opd.name, opd.kind, opd.kind in TERRITORIAL)
        if data:
            _fill(row, data, weights)
        _red_card(row, policy)
        rows.append(row)
    _rank(rows)
    return RankingResult(start, end, weights, rows)


def _fill(row: OpdRow, data: dict, weights: dict) -> None:
    received = data["received"]
    row.received = received
    row.responded_within_pct = _pct(data["responded_within"], received)
    row.resolved_within_pct = _pct(data["resolved_within"], received)
    row.reopen_rate_pct = _pct(data["reopened"], data["resolved"])
    row.rating_avg = round(data["rating_avg"], 2) if data["rating_avg"] is not None else None
    row.overdue = data["overdue"]
    for name, key in (
        ("response_median_minutes", "response_p50"),
        ("response_p90_minutes", "response_p90"),
        ("resolution_median_minutes", "resolution_p50"),
        ("resolution_p90_minutes", "resolution_p90"),
    ):
        setattr(row, name, round(data[key], 1) if data[key] is not None else None)
    components = {
        "response_within_sla": row.responded_within_pct / 100 if received else None,
        "resolution_within_sla": row.resolved_within_pct / 100 if received else None,
        "citizen_rating": (row.rating_avg - 1) / 4 if row.rating_avg is not None else None,
        "reopen_rate": 1 - row.reopen_rate_pct / 100 if row.reopen_rate_pct is not None else None,
    }
    # Components without data (no ratings yet) drop out instead of counting as zero.
    used = {k: v for k, v in components.items() if v is not None and weights.get(k, 0) > 0}
    total = sum(weights[k] for k in used)
    row.score = (
        round(100 * sum(weights[k] * v for k, v in used.items()) / total, 1) if total else None
    )


def _red_card(row: OpdRow, policy: RankingPolicy) -> None:
    card = policy.red_card
    if row.received < card.min_reports:
        return
    checks = [
        (
            card.resolution_within_sla_below,
            row.resolved_within_pct,
            "Penyelesaian tepat waktu {v}% (di bawah {t}%)",
            "Resolved on time {v}% (below {t}%)",
        ),
        (
            card.response_within_sla_below,
            row.responded_within_pct,
            "Respons tepat waktu {v}% (di bawah {t}%)",
            "Responded on time {v}% (below {t}%)",
        ),
    ]
    for threshold, value, text_id, text_en in checks:
        if threshold is not None and value is not None and value < threshold * 100:
            t = round(threshold * 100)
            row.red_card_reasons.append(
                {"id": text_id.format(v=value, t=t), "en": text_en.format(v=value, t=t)}
            )
    limit = card.overdue_backlog_above
    if limit is not None and row.overdue > limit:
        row.red_card_reasons.append(
            {
                "id": f"{row.overdue} laporan melewati tenggat (batas {limit})",
                "en": f"{row.overdue} reports overdue (limit {limit})",
            }
        )
    row.red_card = bool(row.red_card_reasons)


def _rank(rows: list[OpdRow]) -> None:
    """Competition ranking by score (ties share a rank); OPDs without reports last."""
    rows.sort(key=lambda r: (r.score is None, -(r.score or 0), -r.received, r.opd_name))
    previous, rank = None, 0
    for index, row in enumerate(rows, start=1):
        if row.score is None:
            continue
        if row.score != previous:
            rank, previous = index, row.score
        row.rank = rank


def content_hash(result: RankingResult, title: str) -> str:
    canonical = json.dumps(
        {
            "city": connection.schema_name,
            "title": title,
            "period": [result.period_start.isoformat(), result.period_end.isoformat()],
            "weights": result.weights,
            "rows": result.rows_json(),
        },
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def publish_ranking(actor: Actor, start: date, end: date, title: str = "") -> RankingSnapshot:
    """Freeze the ranking of a period as a new public version (Diskominfo only)."""
    if not actor.has_role(Role.DISKOMINFO_ADMIN):
        raise PermissionDenied(
            message=_("Hanya admin Diskominfo yang dapat menerbitkan peringkat."),
        )
    if not rankings_published():
        raise Unavailable(
            code="RANKINGS_NOT_PUBLISHED",
            message=_(
                "Kota ini memilih tidak menerbitkan peringkat OPD (fitur “peringkat publik” "
                "dimatikan di konfigurasi kota). Pratinjau tetap bisa dilihat."
            ),
        )
    result = compute_ranking(start, end)
    if result.total_reports == 0:
        raise InvalidInput(
            field="period",
            code="EMPTY_RANKING",
            message=_("Tidak ada laporan pada periode ini; peringkat kosong tidak diterbitkan."),
        )
    name = CityProfile.load().name
    title = title.strip() or f"Peringkat OPD {name} {start:%d/%m/%Y}–{end:%d/%m/%Y}"
    with transaction.atomic():
        with connection.cursor() as cursor:  # one version number at a time
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('kanal.ranking.publish'))")
        version = (
            RankingSnapshot.objects.order_by("-version").values_list("version", flat=True).first()
            or 0
        ) + 1
        return RankingSnapshot.objects.create(
            version=version,
            period_start=start,
            period_end=end,
            title=title,
            published_by=actor.label,
            weights=result.weights,
            rows=result.rows_json(),
            content_sha256=content_hash(result, title),
        )
