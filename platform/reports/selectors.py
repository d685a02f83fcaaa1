"""Finding reports the way each kind of caller may see them.

As in Zulip's ``access_*`` helpers, "missing" and "not yours" give the same
NotFound, so tracking codes cannot be probed.
"""

from __future__ import annotations

import math
from datetime import datetime

from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from kanal.errors import NotFound
from people.actors import Actor
from reports.access import SEES_ALL
from reports.models import OPEN_STATUSES, Photo, Report, Status
from reports.tracking import normalize_tracking_code
from verification.geometry import distance_m


def public_reports() -> QuerySet[Report]:
    """What anyone may see in the public feed."""
    return Report.objects.filter(is_public=True, hidden=False).exclude(
        status__in=[Status.REJECTED, Status.MERGED, Status.SUBMITTED]
    )


def is_public_report(report: Report) -> bool:
    """The same rule as :func:`public_reports`, for one report in hand."""
    return (
        report.is_public
        and not report.hidden
        and report.status not in (Status.REJECTED, Status.MERGED, Status.SUBMITTED)
    )


def visible_reports(actor: Actor) -> QuerySet[Report]:
    """Reports the actor may open (beyond the public feed)."""
    if actor.is_system or actor.has_role(*SEES_ALL):
        return Report.objects.all()
    if actor.is_staff and actor.opd_ids:
        return Report.objects.filter(opd_id__in=actor.opd_ids)
    if actor.citizen is not None:
        return Report.objects.filter(reporter=actor.citizen)
    return Report.objects.none()


def report_for(actor: Actor, tracking_code: str, *, for_update: bool = False) -> Report:
    code = normalize_tracking_code(tracking_code)
    queryset = visible_reports(actor) | public_reports()
    if for_update:
        queryset = Report.objects.select_for_update(of=("self",)).filter(
            pk__in=queryset.filter(tracking_code=code).values("pk")
        )
    report = queryset.filter(tracking_code=code).select_related("category", "opd", "area").first()
    if report is None:
        raise NotFound(
            field="tracking_code",
            message=_("Laporan %(code)s tidak ditemukan."),
            params={"code": code},
        )
    return report


def phash_bands(phash: int) -> list[int]:
    """Eight 8-bit bands tagged with their index: two hashes within Hamming
    distance 7 share at least one band (pigeonhole), so a GIN index on the bands
    finds reuse candidates without scanning every photo."""
    unsigned = phash & 0xFFFFFFFFFFFFFFFF
    return [index * 256 + ((unsigned >> (8 * index)) & 0xFF) for index in range(8)]


def similar_photo_hashes(phash: int, max_distance: int, *, exclude_report_id: int | None = None):
    """(tracking code, phash) of report photos within ``max_distance`` bits."""
    queryset = Photo.objects.filter(kind="report")
    if max_distance <= 7:
        queryset = queryset.filter(phash_bands__overlap=phash_bands(phash))
    if exclude_report_id:
        queryset = queryset.exclude(report_id=exclude_report_id)
    distance = RawSQL("bit_count((phash # %s)::bit(64))", [phash])
    return list(
        queryset.annotate(distance=distance)
        .filter(distance__lte=max_distance)
        .order_by("distance")
        .values_list("report__tracking_code", "phash")[:5]
    )


def open_reports_in_area(*, category_id: int, area_id: int, since: datetime) -> list[str]:
    """Tracking codes of open reports of one category in one area (newest first):
    the duplicate candidates where the area has no polygon to measure distance in."""
    return list(
        Report.objects.filter(
            status__in=OPEN_STATUSES - {Status.SUBMITTED},
            created_at__gte=since,
            category_id=category_id,
            area_id=area_id,
        )
        .order_by("-created_at")
        .values_list("tracking_code", flat=True)[:5]
    )


def nearby_open_reports(
    *, category_id: int | None, latitude: float, longitude: float, radius_m: float, since: datetime
) -> list[tuple[Report, float]]:
    """Open reports within ``radius_m`` (nearest first), for duplicate warnings."""
    dlat = radius_m / 111_320
    dlon = radius_m / (111_320 * max(math.cos(math.radians(latitude)), 0.01))
    queryset = Report.objects.filter(
        status__in=OPEN_STATUSES - {Status.SUBMITTED},
        created_at__gte=since,
        latitude__range=(latitude - dlat, latitude + dlat),
        longitude__range=(longitude - dlon, longitude + dlon),
    ).select_related("category")
    if category_id is not None:
        queryset = queryset.filter(category_id=category_id)
    found = [(r, distance_m(latitude, longitude, r.latitude, r.longitude)) for r in queryset[:200]]
    return sorted([(r, d) for r, d in found if d <= radius_m], key=lambda pair: pair[1])
