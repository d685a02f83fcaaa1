"""A report's whole life in each seed city, through the services only."""

from __future__ import annotations

import pytest

from cityconfig.models import Opd
from notifications.models import OutboxMessage
from reports import actions
from reports.models import Status
from routing.services import escalation_target

PEJANGGIK = "52.71.02.1011"


def staff_of(world, report, role="opd_responder"):
    return world.staff(role, report.opd.code, username=f"{role}-{report.opd.code}")


@pytest.mark.parametrize("slug", ["pangkalpinang", "mataram", "serang"])
def test_fresh_geotagged_photo_is_verified_routed_resolved_and_confirmed(world, slug):
    city = world(slug)
    citizen = city.citizen()
    submission = city.submit(citizen)
    report = submission.report
    assert submission.created
    assert report.verdict == "auto_verified", report.checks
    assert report.status == Status.ASSIGNED
    assert report.opd is not None and report.opd.responder
    assert all(check["result"] == "pass" for check in submission.checks)

    responder = staff_of(city, report)
    actions.acknowledge(responder, report.tracking_code, "Laporan diterima, petugas dijadwalkan.")
    actions.add_progress_note(responder, report.tracking_code, "Tim sedang menambal lubang.")
    actions.resolve(responder, report.tracking_code, "Lubang sudah ditambal.", [city.photo(seed=7)])
    report.refresh_from_db()
    assert report.status == Status.RESOLVED
    assert report.photos.filter(kind="proof").count() == 1

    actions.confirm_resolution(citizen, report.tracking_code)
    actions.rate(citizen, report.tracking_code, 5, "Cepat sekali, terima kasih.")
    report.refresh_from_db()
    assert (report.status, report.rating) == (Status.CLOSED, 5)
    assert [e.action for e in report.timeline.all()] == [
        "submitted",
        "verified",
        "assigned",
        "acknowledge",
        "start_work",
        "resolve",
        "confirm",
        "rated",
    ]
    kinds = list(OutboxMessage.objects.filter(report=report).values_list("kind", flat=True))
    assert "report.assigned" in kinds and "report.resolved" in kinds


def test_jakarta_operator_then_survey_team_then_kelurahan_then_dinas(world):
    """Jakarta: operators process every report, a survey team cross-checks, the
    kelurahan receives it first and forwards it to the dinas."""
    city = world("jakarta")
    citizen = city.citizen()
    report = city.submit(citizen, area_code="31.71.01.1001").report  # Kelurahan Gambir
    assert (report.verdict, report.status) == ("needs_triage", Status.TRIAGE)

    operator = city.staff("operator")
    actions.triage_accept(operator, report.tracking_code, "Sesuai, kirim tim survei.")
    report.refresh_from_db()
    assert report.status == Status.FIELD_SURVEY

    surveyor = city.staff("survey_officer")
    actions.record_field_survey(surveyor, report.tracking_code, found=True, note="Lubang ada, 1 m.")
    report.refresh_from_db()
    assert report.status == Status.ASSIGNED
    assert report.opd.name == "Kelurahan Gambir"
    assert report.forward_hint.code == "sudin-bm-jakpus"

    lurah = staff_of(city, report)
    actions.forward(
        lurah, report.tracking_code, report.forward_hint.code, "Kewenangan Sudin Bina Marga."
    )
    report.refresh_from_db()
    assert report.opd.code.startswith("sudin-bm")

    dinas = staff_of(city, report)
    actions.acknowledge(dinas, report.tracking_code)
    actions.resolve(dinas, report.tracking_code, "Sudah diaspal.", [city.photo(seed=8)])
    actions.reopen(citizen, report.tracking_code, "Aspalnya sudah retak lagi.")
    report.refresh_from_db()
    assert (report.status, report.reopen_count) == (Status.REOPENED, 1)
    assert OutboxMessage.objects.filter(
        report=report, kind="report.reopened", opd=report.opd
    ).exists()


def test_mataram_lurah_answers_garbage_and_escalation_goes_up_the_tree(world):
    city = world("mataram")
    report = city.submit(category_code="sampah", area_code=PEJANGGIK).report
    assert report.opd.name == "Kelurahan Pejanggik", "in Mataram the Lurah answers garbage"
    head = city.staff("command_center")
    parent = escalation_target(report.opd)
    actions.escalate(head, report.tracking_code, "Tidak ditanggapi 3 hari.")
    report.refresh_from_db()
    assert report.opd == parent
    assert Opd.objects.get(pk=parent.pk).kind == "kecamatan"
    assert report.timeline.last().action == "escalate"
