""" "When is this due?": the console's SLA tester, on the real SLA code.

A Diskominfo admin changing hours, holidays or a rule wants to see what a
report filed on a Friday afternoon would be promised. This answers with the
same rule lookup and calendar arithmetic the report itself gets
(:mod:`sla.services`), plus the days the clock skipped, so nobody has to
trust a second implementation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import holidays

from cityconfig.models import CityProfile, SlaRule
from sla.services import NATIONAL_TARGET, city_calendar, due_at, rule_for


@dataclass(frozen=True)
class SkippedDay:
    day: date
    reason: str  # "holiday" | "day_off" | "closed"
    name: str = ""


@dataclass(frozen=True)
class DueEstimate:
    start: datetime
    response_due: datetime
    resolution_due: datetime
    response: str  # canonical duration
    resolution: str
    clock: str
    rule: SlaRule | None  # None: the national LAPOR! rule applied
    time_zone: str
    skipped: list[SkippedDay] = field(default_factory=list)


def _skipped_days(profile: CityProfile, cal, start: datetime, end: datetime) -> list[SkippedDay]:
    zone = profile.zone
    first, last = start.astimezone(zone).date(), end.astimezone(zone).date()
    days_off = {d["date"]: d["name"] for d in profile.calendar.get("days_off", [])}
    national = profile.calendar.get("public_holidays", "ID") == "ID"
    names = (
        holidays.country_holidays("ID", years=range(first.year, last.year + 1)) if national else {}
    )
    out: list[SkippedDay] = []
    day = first
    while day <= last and len(out) < 400:
        if not cal.is_working_day(day):
            if day.isoformat() in days_off:
                out.append(SkippedDay(day, "day_off", days_off[day.isoformat()]))
            elif cal.is_public_holiday(day):
                out.append(SkippedDay(day, "holiday", names.get(day, "")))
            else:
                out.append(SkippedDay(day, "closed"))
        day += timedelta(days=1)
    return out


def estimate_due(category_id: int | None, priority: str, start: datetime) -> DueEstimate:
    """The due times a report of this category and priority filed at ``start`` gets."""
    profile = CityProfile.load()
    cal = city_calendar(profile)
    rule = rule_for(category_id, priority)
    target = (
        {"response": rule.response, "resolution": rule.resolution, "clock": rule.clock}
        if rule
        else dict(NATIONAL_TARGET)
    )
    response_due = due_at(cal, start, target["response"], target["clock"])
    resolution_due = due_at(cal, start, target["resolution"], target["clock"])
    skipped = (
        _skipped_days(profile, cal, start, max(response_due, resolution_due))
        if target["clock"] == "working"
        else []
    )
    return DueEstimate(
        start=start,
        response_due=response_due,
        resolution_due=resolution_due,
        response=target["response"],
        resolution=target["resolution"],
        clock=target["clock"],
        rule=rule,
        time_zone=profile.time_zone,
        skipped=skipped,
    )
