"""Who may see and watch what, in one place (Zulip's ``access_*`` habit).

The API's types and queries, its live subscription, Open311, the figures and
the services all ask these functions; nobody re-derives a rule. The
transitions' own permissions (who may make which move) are in
:mod:`reports.permissions`.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from people.actors import Actor
from people.models import Role
from reports.models import ACTIVE, Report, Status, overdue
from reports.permissions import OPERATORS

# Staff who see every report of their city (triage, survey, command center, Diskominfo).
SEES_ALL = (Role.OPERATOR, Role.SURVEY_OFFICER, Role.COMMAND_CENTER, Role.DISKOMINFO_ADMIN)
# Staff who watch the city's live events and its dashboard.
WATCHERS = (Role.COMMAND_CENTER, Role.DISKOMINFO_ADMIN, Role.OPERATOR)


def can_see_private(actor: Actor, report: Report) -> bool:
    """The reporter, staff who see everything, and the OPD holding the report may
    see its private parts (the whole timeline, the verification's reasons)."""
    return (
        actor.is_reporter_of(report)
        or actor.has_role(*SEES_ALL)
        or actor.acts_for_opd(report.opd_id)
    )


def may_watch_city(actor: Actor) -> bool:
    """Live report events and the command-center dashboard."""
    return actor.has_role(*WATCHERS)


def may_note_progress(actor: Actor, report: Report) -> bool:
    """The OPD holding the report, and operators (who include the command center
    and Diskominfo: ``permissions.OPERATORS``)."""
    return actor.acts_for_opd(report.opd_id) or actor.has_role(*OPERATORS)


def work_queue(reports: QuerySet[Report], actor: Actor, kind: str, now: datetime):
    """One of the staff work queues, from the reports ``actor`` may open:
    ``triage``, ``field_survey``, ``needs_info``, ``my_opd`` (active reports of
    the actor's OPDs) or ``overdue`` (``reports.models.overdue``)."""
    if kind == "triage":
        return reports.filter(status=Status.TRIAGE)
    if kind == "field_survey":
        return reports.filter(status=Status.FIELD_SURVEY)
    if kind == "needs_info":
        return reports.filter(status=Status.NEEDS_INFO)
    if kind == "my_opd":
        return reports.filter(opd_id__in=actor.opd_ids, status__in=ACTIVE)
    if kind == "overdue":
        return reports.filter(overdue(now))
    raise ValueError(f"unknown queue {kind!r}")
