"""SLA clocks: targets from the city's rules, due times in its working calendar.

Targets are frozen on the report when it is assigned, so a later rule change
does not move deadlines already promised. Every fact the ranking needs
(minutes to respond and resolve, within target or not) is stored on the report
once, when it happens, so rankings are SQL aggregates.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from django.db import connection
from django.db.models import Q

from cityconfig.models import CityProfile, SlaRule
from cityconfig.schema import Calendar, parse_duration
from sla.calendar import WorkingCalendar


@lru_cache(maxsize=1024)
def _calendar(schema: str, stamp: str, calendar_json: str, time_zone: str) -> WorkingCalendar:
    import json

    return WorkingCalendar.from_config(
        Calendar.model_validate(json.loads(calendar_json)), time_zone
    )


def city_calendar(profile: CityProfile | None = None) -> WorkingCalendar:
    """The active city's calendar, cached per city and config version."""
    import json

    profile = profile or CityProfile.load()
    return _calendar(
        connection.schema_name,
        profile.updated_at.isoformat(),
        json.dumps(profile.calendar, sort_keys=True),
        profile.time_zone,
    )


def policy(profile: CityProfile | None = None) -> dict:
    """The city's SLA settings, each default from the config model."""
    return (profile or CityProfile.load()).sla_settings


# The national LAPOR! rule, for a city without any rule that applies.
NATIONAL_TARGET = {"response": "3d", "resolution": "10d", "clock": "working"}


def rule_for(category_id: int | None, priority: str | None) -> SlaRule | None:
    """The most specific SLA rule: category+priority, category, priority, default."""
    rules = {
        (r.category_id, r.priority): r
        for r in SlaRule.objects.active().filter(
            Q(category_id=category_id) | Q(category__isnull=True)
        )
    }
    priority = priority or ""
    for key in ((category_id, priority), (category_id, ""), (None, priority), (None, "")):
        rule = rules.get(key)
        if rule is not None:
            return rule
    return None


def target_for(report) -> dict:
    """The targets of the most specific SLA rule (see :func:`rule_for`)."""
    rule = rule_for(report.category_id, report.priority)
    if rule is None:
        return dict(NATIONAL_TARGET)
    return {"response": rule.response, "resolution": rule.resolution, "clock": rule.clock}


def due_at(cal: WorkingCalendar, start: datetime, duration: str, clock: str) -> datetime:
    """When a target of ``duration`` started at ``start`` falls due, in ``clock``."""
    return _due(cal, start, duration, clock)


def _due(cal: WorkingCalendar, start: datetime, duration: str, clock: str) -> datetime:
    amount, unit = parse_duration(duration)
    return cal.add(start, amount, unit, clock)


def _at_risk(cal: WorkingCalendar, start: datetime, due: datetime, clock: str, ratio: float):
    """The instant when ``ratio`` of the time to ``due`` is used, in the target's clock."""
    total = cal.elapsed(start, due, clock)
    return cal.add(start, max(1, round(total * ratio)), "m", clock)


def start_clocks(report, now: datetime, *, resolution_only: bool = False) -> None:
    """Set due times from ``now`` (assignment, a restart on forward, a reopen)."""
    profile = CityProfile.load()
    cal, ratio = city_calendar(profile), policy(profile)["at_risk_ratio"]
    target = report.sla_targets if resolution_only and report.sla_targets else target_for(report)
    clock = target["clock"]
    report.sla_targets = target
    if not resolution_only:
        report.response_due_at = _due(cal, now, target["response"], clock)
        report.response_at_risk_at = _at_risk(cal, now, report.response_due_at, clock, ratio)
        report.responded_within_sla = None
        report.response_minutes = None
    report.resolution_due_at = _due(cal, now, target["resolution"], clock)
    report.resolution_at_risk_at = _at_risk(cal, now, report.resolution_due_at, clock, ratio)
    report.resolved_within_sla = None
    report.resolution_minutes = None
    report.paused_minutes = 0
    report.sla_state = "on_track"
    report.escalations = []
    report.sla_next_check_at = next_check(report)


def next_check(report) -> datetime | None:
    """The next threshold the sweep has to look at (none once all have fired)."""
    done = set(report.escalations)
    pending = []
    if report.responded_within_sla is None and report.acknowledged_at is None:
        if "response_at_risk" not in done and report.response_at_risk_at:
            pending.append(report.response_at_risk_at)
        if "response_breached" not in done and report.response_due_at:
            pending.append(report.response_due_at)
    if report.resolved_within_sla is None:
        if "resolution_at_risk" not in done and report.resolution_at_risk_at:
            pending.append(report.resolution_at_risk_at)
        if "resolution_breached" not in done and report.resolution_due_at:
            pending.append(report.resolution_due_at)
    return min(pending) if pending and report.paused_at is None else None


def pause(report, now: datetime) -> None:
    """Waiting for the citizen stops the clock where the city's policy says so."""
    if report.response_due_at and policy()["pause_while_waiting_for_citizen"]:
        report.paused_at = now
        report.sla_next_check_at = None


def resume(report, now: datetime) -> None:
    """Push every pending due time by the time spent waiting (in the target's clock)."""
    if report.paused_at is None:
        return
    cal = city_calendar()
    clock = report.sla_targets.get("clock", "working")
    waited = round(cal.elapsed(report.paused_at, now, clock))
    report.paused_minutes += waited
    if waited > 0:
        for name in (
            "response_due_at",
            "response_at_risk_at",
            "resolution_due_at",
            "resolution_at_risk_at",
        ):
            value = getattr(report, name)
            if value is not None:
                setattr(report, name, cal.add(value, waited, "m", clock))
    report.paused_at = None
    report.sla_next_check_at = next_check(report)


def _minutes(report, since: datetime | None, now: datetime) -> float:
    cal = city_calendar()
    clock = report.sla_targets.get("clock", "working")
    return max(0.0, cal.elapsed(since or now, now, clock) - report.paused_minutes)


def record_response(report, now: datetime) -> None:
    if report.response_due_at is None or report.responded_within_sla is not None:
        return
    report.response_minutes = _minutes(report, report.assigned_at, now)
    report.responded_within_sla = now <= report.response_due_at
    report.responding_opd = report.opd
    report.sla_next_check_at = next_check(report)


def record_resolution(report, now: datetime) -> None:
    if report.resolution_due_at is None:
        return
    report.resolution_minutes = _minutes(report, report.assigned_at, now)
    report.resolved_within_sla = now <= report.resolution_due_at
    report.sla_next_check_at = None
    if report.sla_state != "breached":
        report.sla_state = "on_track"


def on_forward(report, now: datetime) -> None:
    if policy()["restart_on_forward"]:
        start_clocks(report, now)


def on_reopen(report, now: datetime) -> None:
    """A reopened report gets a fresh resolution target; the first verdict stays
    in the record (reopen rate is counted separately)."""
    if report.resolution_due_at is not None:
        kept = [e for e in report.escalations if e.startswith("response")]
        start_clocks(report, now, resolution_only=True)
        report.escalations = kept
        report.sla_next_check_at = next_check(report)
