"""Assigning a verified report to the OPD its city's rules name."""

from __future__ import annotations

from django.utils import timezone

import sla.services as sla
from people.actors import Actor
from reports.models import Report
from reports.timeline import record, tell_opd, tell_reporters
from routing.services import route


def route_and_assign(
    report: Report, actor: Actor, *, opd=None, note: str = "", notify_reporter: bool = True
) -> None:
    """verified → assigned, to ``opd`` or to where the routing rules send it."""
    decision = None
    if opd is None:
        decision = route(report.category, report.area)
        opd = decision.opd
    old = report.status
    report.assign()
    report.opd = opd
    report.forward_hint = decision.forward_to if decision else None
    report.assigned_at = timezone.now()
    sla.start_clocks(report, report.assigned_at)
    report.save()
    record(
        report,
        actor,
        "assigned",
        from_status=old,
        to_status=report.status,
        note=note,
        data={"opd": opd.code, "rule": decision.reason if decision else "manual"},
    )
    tell_opd(report, "report.assigned")
    if notify_reporter:
        tell_reporters(report, "report.status_changed")
