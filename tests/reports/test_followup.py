"""Merging duplicates, moderation, the append-only timeline, the outbox and
isolation of reports between cities."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from kanal.errors import InvalidInput, NotFound, PermissionDenied
from notifications.models import OutboxMessage
from reports import actions
from reports.models import Status, TimelineEntry
from reports.selectors import public_reports, report_for


def test_merged_duplicate_reporter_hears_about_the_main_report(world):
    city = world("mataram")
    first_citizen, second_citizen = city.citizen("+6281200000001"), city.citizen("+6281200000002")
    main = city.submit(first_citizen).report
    duplicate = city.submit(second_citizen).report
    assert duplicate.possible_duplicates == [main.tracking_code]
    operator = city.staff("operator")
    actions.merge_reports(operator, duplicate.tracking_code, main.tracking_code, "Lokasi sama.")
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into) == (Status.MERGED, main)
    responder = city.staff("opd_responder", main.opd.code)
    actions.acknowledge(responder, main.tracking_code)
    told = OutboxMessage.objects.filter(report=main, kind="report.status_changed")
    assert {m.citizen.phone for m in told if m.citizen} >= {"+6281200000001", "+6281200000002"}


def test_operator_hides_edits_text_and_blurs_a_photo_with_history(world):
    from PIL import Image

    city = world("mataram")
    report = city.submit(description="Nomor polisi B 1234 XYZ parkir di trotoar depan toko.").report
    operator = city.staff("operator")
    before = report.photos.get().public.read()
    actions.edit_public_text(
        operator, report.tracking_code, "Mobil parkir di trotoar depan toko.", "Plat nomor"
    )
    actions.blur_photo_region(
        operator, report.tracking_code, 0, {"x": 0.1, "y": 0.1, "w": 0.3, "h": 0.2}, "Wajah"
    )
    actions.set_hidden(operator, report.tracking_code, True, "Data pribadi")
    report.refresh_from_db()
    photo = report.photos.get()
    assert report.shown_description == "Mobil parkir di trotoar depan toko."
    assert photo.public.read() != before and photo.redactions
    with Image.open(photo.original.path) as original:
        assert original.size == (800, 600)  # the original is untouched
    assert not public_reports().filter(pk=report.pk).exists()
    history = [(e.action, e.public) for e in report.timeline.filter(public=False)]
    assert history == [("public_text_edited", False), ("photo_blurred", False), ("hidden", False)]


def test_a_responder_cannot_moderate_or_reach_another_opds_report(world):
    city = world("mataram")
    report = city.submit().report
    other = city.staff("opd_responder", "satpol-pp")
    with pytest.raises(PermissionDenied):
        actions.set_hidden(other, report.tracking_code, True, "x")
    report.is_public = False
    report.save()
    with pytest.raises(NotFound):
        report_for(other, report.tracking_code)


def test_forward_to_a_missing_opd_is_refused_and_changes_nothing(world):
    city = world("mataram")
    report = city.submit().report
    responder = city.staff("opd_responder", report.opd.code)
    with pytest.raises(InvalidInput) as caught:
        actions.forward(responder, report.tracking_code, "dinas-khayalan", "Salah alamat")
    assert caught.value.field == "opdCode"
    report.refresh_from_db()
    assert report.status == Status.ASSIGNED and report.timeline.last().action == "assigned"


def test_the_timeline_cannot_be_rewritten(world):
    city = world("mataram")
    entry = city.submit().report.timeline.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        TimelineEntry.objects.filter(pk=entry.pk).update(note="diubah")
    with pytest.raises(IntegrityError), transaction.atomic():
        TimelineEntry.objects.filter(pk=entry.pk).delete()


def test_resolved_report_closes_itself_after_the_citys_waiting_time(world):
    from datetime import timedelta

    from django.utils import timezone

    city = world("kotacontoh")
    report = city.submit().report
    responder = city.staff("opd_responder", report.opd.code)
    actions.acknowledge(responder, report.tracking_code)
    actions.resolve(responder, report.tracking_code, "Selesai.", [city.photo(seed=9)])
    assert actions.auto_close_resolved(now=timezone.now() + timedelta(days=9)) == 0
    assert actions.auto_close_resolved(now=timezone.now() + timedelta(days=11)) == 1
    report.refresh_from_db()
    assert report.status == Status.CLOSED


def test_proof_photo_taken_elsewhere_is_refused(world):
    city = world("mataram")
    report = city.submit().report
    responder = city.staff("opd_responder", report.opd.code)
    actions.acknowledge(responder, report.tracking_code)
    lat, lon = city.center
    with pytest.raises(InvalidInput) as caught:
        actions.resolve(
            responder, report.tracking_code, "Selesai", [city.photo(near=(lat + 0.02, lon))]
        )
    assert caught.value.code == "PROOF_CHECK_FAILED"
    report.refresh_from_db()
    assert report.status == Status.ACKNOWLEDGED


@pytest.mark.isolation
def test_a_mataram_report_does_not_exist_on_pangkalpinang(world, cities):
    mataram = world("mataram")
    report = mataram.submit().report
    operator = mataram.staff("operator")
    assert report_for(operator, report.tracking_code) == report
    connection.set_tenant(cities["pangkalpinang"])
    with pytest.raises(NotFound):
        report_for(world("pangkalpinang").staff("operator"), report.tracking_code)
    assert not OutboxMessage.objects.filter(payload__tracking_code=report.tracking_code).exists()


@pytest.mark.isolation
def test_a_mataram_photo_is_served_on_mataram_only(world, city_client):
    report = world("mataram").submit().report
    assert report.is_public and report.status == Status.ASSIGNED
    path = f"/media/laporan/{report.tracking_code}/{report.photos.get().kind}/0.jpg"
    assert city_client("mataram").get(path).status_code == 200
    assert city_client("pangkalpinang").get(path).status_code == 404
