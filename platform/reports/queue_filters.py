"""Narrowing a staff work queue (``reports.access.work_queue``): by status,
category, area, deadline and a search by tracking code or text. In the
database, so a queue of thousands pages as fast as a short one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from reports.models import ACTIVE, Report, overdue
from reports.tracking import normalize_tracking_code

# A tracking code as people type it: "ab12cd34", "AB12-CD34", " ab12 cd34 ".
_CODE = re.compile(r"^[A-Za-z0-9]{4}[\s-]?[A-Za-z0-9]{4}$")


@dataclass(frozen=True)
class QueueNarrowing:
    status: str | None = None
    category_code: str | None = None
    area_code: str | None = None  # the area or any area inside it
    due_soon: bool = False  # past the city's at-risk point, not yet overdue
    overdue: bool = False
    search: str = ""


def due_soon(now: datetime) -> Q:
    """Active, not overdue, and past the at-risk moment of the clock that runs
    (the response clock until acknowledged, then the resolution clock)."""
    return (
        Q(status__in=ACTIVE)
        & ~overdue(now)
        & (
            Q(acknowledged_at=None, response_at_risk_at__lte=now)
            | Q(resolution_at_risk_at__lte=now)
        )
    )


def narrow_queue(reports: QuerySet[Report], by: QueueNarrowing, now: datetime) -> QuerySet[Report]:
    """``reports`` narrowed by ``by``; every condition given must hold."""
    if by.status:
        reports = reports.filter(status=by.status)
    if by.category_code:
        reports = reports.filter(category__code=by.category_code)
    if by.area_code:
        code = by.area_code
        reports = reports.filter(
            Q(area__code=code) | Q(area__parent__code=code) | Q(area__parent__parent__code=code)
        )
    if by.overdue:
        reports = reports.filter(overdue(now))
    if by.due_soon:
        reports = reports.filter(due_soon(now))
    text = (by.search or "").strip()[:200]
    if text:
        match = Q(description__icontains=text) | Q(address__icontains=text)
        if _CODE.match(text):
            match |= Q(tracking_code=normalize_tracking_code(text))
        reports = reports.filter(match)
    return reports
