"""Command-center figures: live counts, overdue by OPD, reports by kecamatan, trend.

Each is a single SQL aggregate; the API and the command-center screen read these.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import BooleanField, Case, Count, F, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from cityconfig.models import Area, CityProfile
from reports.models import OPEN_STATUSES, Report, Status, overdue


def counts_by_status() -> dict[str, int]:
    counts = dict(Report.objects.values_list("status").annotate(n=Count("id")).order_by())
    return {status: counts.get(status, 0) for status in Status.values}


def overdue_by_opd(now: datetime | None = None) -> list[dict]:
    now = now or timezone.now()
    rows = (
        Report.objects.filter(overdue(now))
        .values(opd_code=F("opd__code"), opd_name=F("opd__name"))
        .annotate(overdue=Count("id"))
        .order_by("-overdue", "opd_name")
    )
    return list(rows)


def reports_by_kecamatan() -> list[dict]:
    """Open reports per kecamatan: the report's area when it is a kecamatan, else
    its nearest ancestor of that level (a kelurahan counts for its kecamatan)."""
    kecamatan = Case(
        When(area__level="kecamatan", then=F("area_id")),
        When(area__parent__level="kecamatan", then=F("area__parent_id")),
        When(area__parent__parent__level="kecamatan", then=F("area__parent__parent_id")),
        default=None,
    )
    rows = (
        Report.objects.filter(status__in=list(OPEN_STATUSES), area__isnull=False)
        .annotate(kecamatan_id=kecamatan)
        .values("kecamatan_id")
        .annotate(open=Count("id"))
        .order_by()
    )
    names = dict(Area.objects.filter(level="kecamatan").values_list("pk", "name"))
    codes = dict(Area.objects.filter(level="kecamatan").values_list("pk", "code"))
    return sorted(
        (
            {"code": codes[r["kecamatan_id"]], "name": names[r["kecamatan_id"]], "open": r["open"]}
            for r in rows
            if r["kecamatan_id"] in names
        ),
        key=lambda r: -r["open"],
    )


def open_reports(limit: int = 3000, now: datetime | None = None) -> list[dict]:
    """Open reports for the command center's map, newest first."""
    now = now or timezone.now()
    rows = (
        Report.objects.filter(status__in=list(OPEN_STATUSES))
        .annotate(
            late=Case(When(overdue(now), then=True), default=False, output_field=BooleanField())
        )
        .order_by("-created_at")
        .values("tracking_code", "status", "latitude", "longitude", "late")[:limit]
    )
    return [{**{k: v for k, v in r.items() if k != "late"}, "overdue": r["late"]} for r in rows]


def daily_trend(days: int = 30, now: datetime | None = None) -> list[dict]:
    """Reports received and resolved per day, in the city's own dates."""
    now = now or timezone.now()
    tz = CityProfile.load().zone
    since = now - timedelta(days=days)
    received = dict(
        Report.objects.filter(created_at__gte=since)
        .annotate(day=TruncDate("created_at", tzinfo=tz))
        .values_list("day")
        .annotate(n=Count("id"))
        .order_by()
    )
    resolved = dict(
        Report.objects.filter(resolved_at__gte=since)
        .annotate(day=TruncDate("resolved_at", tzinfo=tz))
        .values_list("day")
        .annotate(n=Count("id"))
        .order_by()
    )
    today = now.astimezone(tz).date()
    return [
        {"date": day, "received": received.get(day, 0), "resolved": resolved.get(day, 0)}
        for day in (today - timedelta(days=offset) for offset in range(days - 1, -1, -1))
    ]
