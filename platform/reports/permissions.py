"""Who may move a report along which transition.

Each function takes ``(report, actor)`` and is the ``permission`` of one
transition in :mod:`reports.models`; the transition table per role is tested
in ``tests/reports/test_transitions.py``.
"""

from __future__ import annotations

from people.models import Role

OPERATORS = (Role.OPERATOR, Role.COMMAND_CENTER, Role.DISKOMINFO_ADMIN)


def system_only(report, actor) -> bool:
    return actor.is_system


def operator(report, actor) -> bool:
    return actor.has_role(*OPERATORS)


def operator_or_system(report, actor) -> bool:
    return actor.is_system or operator(report, actor)


def survey_officer(report, actor) -> bool:
    return actor.has_role(Role.SURVEY_OFFICER, *OPERATORS)


def rejecter(report, actor) -> bool:
    """Operators reject in triage; survey officers reject what the survey did not find."""
    if report.status == "field_survey":
        return survey_officer(report, actor)
    return operator(report, actor)


def opd_staff(report, actor) -> bool:
    """Staff of the OPD the report is assigned to."""
    return actor.acts_for_opd(report.opd_id)


def info_requester(report, actor) -> bool:
    if report.status == "triage":
        return operator(report, actor)
    return opd_staff(report, actor) or operator(report, actor)


def reporter(report, actor) -> bool:
    return actor.is_reporter_of(report)


def reporter_or_operator(report, actor) -> bool:
    """The reporter, or an operator acting on a citizen's behalf (phone, counter)."""
    return reporter(report, actor) or operator(report, actor)


def forwarder(report, actor) -> bool:
    return opd_staff(report, actor) or operator(report, actor)


def escalator(report, actor) -> bool:
    return (
        actor.is_system
        or actor.has_role(Role.COMMAND_CENTER, Role.DISKOMINFO_ADMIN)
        or (actor.has_role(Role.OPD_HEAD) and actor.acts_for_opd(report.opd_id))
    )


def moderator(report, actor) -> bool:
    return operator(report, actor)
