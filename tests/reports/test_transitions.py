"""The transition table per role: who may move a report from where."""

from __future__ import annotations

import pytest

from cityconfig.models import Category, Opd
from kanal.errors import PermissionDenied
from people.actors import Actor
from reports.actions import transit
from reports.models import Report

REPORTER, OTHER_CITIZEN, ANONYMOUS = "reporter", "other_citizen", "anonymous"
OPERATOR, SURVEYOR, COMMAND = "operator", "survey_officer", "command_center"
OWN_OPD, OWN_HEAD, OTHER_OPD, SYSTEM = "own_opd", "own_head", "other_opd", "system"
EVERYONE = {
    REPORTER,
    OTHER_CITIZEN,
    ANONYMOUS,
    OPERATOR,
    SURVEYOR,
    COMMAND,
    OWN_OPD,
    OWN_HEAD,
    OTHER_OPD,
    SYSTEM,
}

# (transition, from status, extra kwargs, who may) — everyone else is refused.
TABLE = [
    ("auto_verify", "submitted", {}, {SYSTEM}),
    ("accept", "triage", {"survey": False}, {OPERATOR, COMMAND}),
    ("send_to_survey", "triage", {}, {OPERATOR, COMMAND}),
    ("confirm_survey", "field_survey", {}, {SURVEYOR, OPERATOR, COMMAND}),
    ("reject", "triage", {}, {OPERATOR, COMMAND}),
    ("reject", "field_survey", {}, {SURVEYOR, OPERATOR, COMMAND}),
    ("request_info", "triage", {}, {OPERATOR, COMMAND}),
    ("request_info", "acknowledged", {}, {OWN_OPD, OWN_HEAD, OPERATOR, COMMAND}),
    ("provide_info", "needs_info", {}, {REPORTER, OPERATOR, COMMAND}),
    ("assign", "verified", {}, {SYSTEM, OPERATOR, COMMAND}),
    ("acknowledge", "assigned", {}, {OWN_OPD, OWN_HEAD}),
    ("start_work", "acknowledged", {}, {OWN_OPD, OWN_HEAD}),
    ("resolve", "in_progress", {}, {OWN_OPD, OWN_HEAD}),
    ("forward", "acknowledged", {}, {OWN_OPD, OWN_HEAD, OPERATOR, COMMAND}),
    ("escalate", "assigned", {}, {SYSTEM, COMMAND, OWN_HEAD}),
    ("confirm", "resolved", {}, {REPORTER, OPERATOR, COMMAND}),
    ("auto_close", "resolved", {}, {SYSTEM}),
    ("reopen", "closed", {}, {REPORTER, OPERATOR, COMMAND}),
    ("merge", "assigned", {}, {OPERATOR, COMMAND}),
]


@pytest.fixture
def actors(world):
    city = world("kotacontoh")
    return {
        REPORTER: city.citizen("+6281100000001"),
        OTHER_CITIZEN: city.citizen("+6281100000002"),
        ANONYMOUS: Actor.anonymous(),
        OPERATOR: city.staff("operator"),
        SURVEYOR: city.staff("survey_officer"),
        COMMAND: city.staff("command_center"),
        OWN_OPD: city.staff("opd_responder", "dlh"),
        OWN_HEAD: city.staff("opd_head", "dlh"),
        OTHER_OPD: city.staff("opd_responder", "dinas-pupr"),
        SYSTEM: Actor.system("test"),
    }


def report_in(status: str, reporter: Actor) -> Report:
    return Report.objects.create(
        tracking_code=f"TEST-{status[:4].upper()}",
        category=Category.objects.get(code="sampah"),
        description="Sampah menumpuk di pinggir jalan.",
        latitude=-8.58,
        longitude=116.10,
        channel="app",
        reporter=reporter.citizen,
        opd=Opd.objects.get(code="dlh"),
        status=status,
        status_before_info="acknowledged" if status == "needs_info" else "",
    )


CASES = [
    (name, source, kwargs, who, who in allowed)
    for name, source, kwargs, allowed in TABLE
    for who in sorted(EVERYONE)
]


@pytest.mark.parametrize(
    ("name", "source", "kwargs", "who", "allowed"),
    CASES,
    ids=[f"{c[0]}-from-{c[1]}-by-{c[3]}" for c in CASES],
)
def test_transition_permission(actors, name, source, kwargs, who, allowed):
    report = report_in(source, actors[REPORTER])
    if allowed:
        transit(report, actors[who], name, **kwargs)
        assert report.timeline.get().action == name
    else:
        with pytest.raises(PermissionDenied):
            transit(report, actors[who], name, **kwargs)
        report.refresh_from_db()
        assert report.status == source
        assert not report.timeline.exists()


def test_a_transition_from_the_wrong_status_is_a_clear_conflict(actors):
    from kanal.errors import Conflict

    report = report_in("closed", actors[REPORTER])
    with pytest.raises(Conflict) as caught:
        transit(report, actors[OWN_OPD], "acknowledge")
    assert caught.value.code == "INVALID_TRANSITION"
    assert "Ditutup" in caught.value.message_in("id")
