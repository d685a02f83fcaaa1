"""The SLA sweep: mark reports at risk and breached, escalate, notify.

Cheap when nothing is due: each report carries ``sla_next_check_at`` (the next
threshold), so a city costs one indexed query. Idempotent: fired stages are
recorded on the report. Safe to run twice at once: the due rows are locked
and read in one ``SELECT … FOR UPDATE SKIP LOCKED``, so a concurrent sweep takes
only the others. A burst of due reports costs few round trips: events go out
together after the commit, timeline and outbox rows in one INSERT per table,
the reports in one UPDATE.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from cityconfig.models import CityProfile
from kanal.bulk import deferred_inserts
from notifications.services import notify
from people.actors import Actor
from reports import events
from reports.actions import check_escalate, do_escalate
from reports.models import ACTIVE, Report
from reports.timeline import record, tell_opd
from sla.services import next_check, policy

logger = logging.getLogger(__name__)
BATCH = 500
# Every field the sweep changes on a report (stages, state, escalation).
SWEPT_FIELDS = ["escalations", "sla_state", "sla_next_check_at", "status", "opd", "updated_at"]
LEVEL_TEXT = {"breached": "terlewati", "at_risk": "hampir habis"}


@dataclass
class SweepResult:
    at_risk: int = 0
    breached: int = 0
    escalated: int = 0
    failed: int = 0
    reports: list[str] = field(default_factory=list)

    def add(self, other: SweepResult) -> None:
        self.at_risk += other.at_risk
        self.breached += other.breached
        self.escalated += other.escalated
        self.failed += other.failed
        self.reports += other.reports


def _stages_due(report: Report, now: datetime) -> list[str]:
    done = set(report.escalations)
    stages = []
    awaiting_response = report.acknowledged_at is None and report.responded_within_sla is None
    for kind, at_risk_at, due_at, pending in (
        ("response", report.response_at_risk_at, report.response_due_at, awaiting_response),
        (
            "resolution",
            report.resolution_at_risk_at,
            report.resolution_due_at,
            report.resolved_within_sla is None,
        ),
    ):
        if not pending:
            continue
        if due_at and now >= due_at and f"{kind}_breached" not in done:
            stages.append(f"{kind}_breached")
        elif at_risk_at and now >= at_risk_at and f"{kind}_at_risk" not in done:
            stages.append(f"{kind}_at_risk")
    return stages


def sweep_city(now: datetime | None = None) -> SweepResult:
    """Sweep the active city (its schema must be set).

    The due reports are locked and loaded in one query (``SKIP LOCKED``: a
    concurrent sweep takes the others) inside one transaction; each report then
    fires under a savepoint of its own, so one failing report is logged and
    retried next time without holding back the rest."""
    now = now or timezone.now()
    result = SweepResult()
    if not Report.objects.filter(sla_next_check_at__lte=now, status__in=ACTIVE).exists():
        return result  # the common case: one indexed query
    profile = CityProfile.load()
    rules = policy(profile)["escalation"]
    system = Actor.system("SLA")
    # Events go out after the commit, together; timeline entries and outbox
    # messages are written with one INSERT per table at the end (kanal.bulk).
    with events.batched(), transaction.atomic(), deferred_inserts() as inserts:
        reports = list(
            Report.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("opd__parent", "category")  # read by escalation and events
            .filter(sla_next_check_at__lte=now, status__in=ACTIVE)
            .order_by("sla_next_check_at")[:BATCH]
        )
        swept = []
        for report in reports:
            try:
                # The savepoint also drops the events of a report that fails.
                with transaction.atomic(), inserts.savepoint():
                    _sweep_report(report, now, rules, system, profile, result)
            except Exception:
                logger.exception("SLA sweep failed for report %s", report.tracking_code)
                result.failed += 1
            else:
                swept.append(report)
        changed_at = timezone.now()
        for report in swept:
            report.updated_at = changed_at  # auto_now is not applied by bulk_update
        Report.objects.bulk_update(swept, SWEPT_FIELDS)
    return result


def _sweep_report(report: Report, now: datetime, rules, system, profile, result) -> None:
    """Fire the report's due stages in memory (its row is locked by the caller; the
    caller writes the changed fields of every swept report in one UPDATE)."""
    for stage in _stages_due(report, now):
        _fire(report, stage, rules, system, profile, result)
    report.sla_next_check_at = next_check(report)


def _fire(report: Report, stage: str, rules, system, profile, result: SweepResult) -> None:
    kind, level = stage.split("_", 1)  # ("response", "at_risk")
    passed = [stage] if level == "at_risk" else [f"{kind}_at_risk", stage]  # a breach passes both
    report.escalations = [*report.escalations, *[s for s in passed if s not in report.escalations]]
    report.sla_state = (
        "breached" if level == "breached" or report.sla_state == "breached" else level
    )
    if level == "breached":
        result.breached += 1
    else:
        result.at_risk += 1
    result.reports.append(report.tracking_code)
    due = report.response_due_at if kind == "response" else report.resolution_due_at
    record(
        report,
        system,
        f"sla_{level}",
        public=False,
        data={"target": kind, "due_at": due.isoformat() if due else None},
    )
    tell_opd(report, f"sla.{level}", target=kind)
    for rule in rules:
        if rule["when"] != level:
            continue
        if rule["to"] == "parent_opd" and report.opd is not None:
            target = check_escalate(system, report, profile)
            if target.pk != report.opd_id:
                do_escalate(
                    report,
                    system,
                    target,
                    note=f"Target {kind} SLA {LEVEL_TEXT[level]}.",
                    data={"stage": stage},
                    save=False,  # the sweep writes its reports in one UPDATE per city
                    stage=stage,
                )
                result.escalated += 1
        elif rule["to"] == "command_center" and profile.default_opd_id:
            notify("sla.command_center", report=report, opd=profile.default_opd, stage=stage)
            result.escalated += 1
