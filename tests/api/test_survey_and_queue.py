"""The field survey's photo and retry guard, the responder queue's server-side
filters and the response templates, over the API (issue 15 §2, §3)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from people.otp import MemorySender  # noqa: F401  (the OTP sender the API tests use)
from tests.api.test_citizen_journey import photo, staff_token


@pytest.fixture(autouse=True)
def memory_otp(settings):
    settings.KANAL_OTP_SENDER = "people.otp.MemorySender"


def _in_survey(world):
    from reports import actions

    city = world("jakarta")
    report = city.submit(city.citizen("+6281299990001"), category_code="jalan-rusak").report
    if report.status == "triage":
        actions.triage_accept(city.staff("operator", username="op-survey"), report.tracking_code)
    report.refresh_from_db()
    assert report.status == "field_survey"
    connection.set_schema_to_public()
    return city, report


def test_a_survey_photo_is_kept_and_a_retry_with_the_same_key_records_once(world, api):
    from reports.models import Report

    _city, report = _in_survey(world)
    lat, lon = report.latitude, report.longitude
    surveyor = api(
        "jakarta", staff_token(world, api("jakarta"), "jakarta", "sv-1", "survey_officer")
    )
    variables = {
        "trackingCode": report.tracking_code,
        "found": True,
        "note": "Lubang ada, sekitar 1 m.",
        "idempotencyKey": "survey-key-1",
    }
    first = surveyor.op("RecordFieldSurvey", variables, files=[("photos.0", photo(lat, lon, 901))])
    payload = first["data"]["recordFieldSurvey"]
    assert payload["errors"] == [], payload["errors"]
    assert payload["report"]["status"] == "assigned"
    assert [p["kind"] for p in payload["report"]["photos"]].count("survey") == 1
    again = surveyor.op("RecordFieldSurvey", variables, files=[("photos.0", photo(lat, lon, 902))])
    assert again["data"]["recordFieldSurvey"]["errors"] == []
    assert again["data"]["recordFieldSurvey"]["report"]["status"] == "assigned"
    world("jakarta")
    stored = Report.objects.get(pk=report.pk)
    assert stored.timeline.filter(action="confirm_survey").count() == 1
    assert stored.photos.filter(kind="survey").count() == 1
    # Without the key, a second finding is a conflict, not a second record.
    connection.set_schema_to_public()
    other = surveyor.op("RecordFieldSurvey", {**variables, "idempotencyKey": "another"})
    assert other["data"]["recordFieldSurvey"]["errors"][0]["code"] == "INVALID_TRANSITION"


def test_a_survey_photo_from_elsewhere_is_refused_and_nothing_changes(world, api):
    from reports.models import Report

    _city, report = _in_survey(world)
    surveyor = api(
        "jakarta", staff_token(world, api("jakarta"), "jakarta", "sv-2", "survey_officer")
    )
    far = photo(report.latitude + 0.05, report.longitude, 903)  # ~5 km away
    result = surveyor.op(
        "RecordFieldSurvey",
        {"trackingCode": report.tracking_code, "found": True, "note": "Ada."},
        files=[("photos.0", far)],
    )["data"]["recordFieldSurvey"]
    assert result["errors"][0]["code"] == "PROOF_CHECK_FAILED"
    world("jakarta")
    assert Report.objects.get(pk=report.pk).status == "field_survey"


def test_an_opd_responder_may_not_record_a_survey(world, api):
    _city, report = _in_survey(world)
    responder = api(
        "jakarta",
        staff_token(world, api("jakarta"), "jakarta", "rs-1", "opd_responder", "dinas-bina-marga"),
    )
    result = responder.op(
        "RecordFieldSurvey", {"trackingCode": report.tracking_code, "found": True, "note": "x"}
    )["data"]["recordFieldSurvey"]
    assert result["errors"][0]["code"] == "FORBIDDEN"


def _queue(client, **filter_) -> list[str]:
    data = client.op("ReportQueue", {"kind": "MY_OPD", "first": 50, "filter": filter_})
    return [e["node"]["trackingCode"] for e in data["data"]["reportQueue"]["edges"]]


def test_queue_filters_and_search_narrow_the_list_on_the_server(world, api):
    from reports.models import Report

    city = world("pangkalpinang")
    lat, lon = city.center
    a = city.submit(
        city.citizen("+6281299990011"), description="Lubang besar di Jalan Merdeka dekat pasar."
    ).report
    b = city.submit(
        city.citizen("+6281299990012"),
        description="Aspal mengelupas di depan sekolah dasar negeri.",
        near=(lat + 0.002, lon + 0.002),
    ).report
    assert a.opd_id == b.opd_id
    opd = a.opd.code
    now = timezone.now()
    Report.objects.filter(pk=a.pk).update(resolution_due_at=now - timedelta(hours=1))
    Report.objects.filter(pk=b.pk).update(
        resolution_due_at=now + timedelta(hours=3), resolution_at_risk_at=now - timedelta(hours=1)
    )
    area = Report.objects.get(pk=a.pk).area
    connection.set_schema_to_public()
    responder = api(
        "pangkalpinang",
        staff_token(world, api("pangkalpinang"), "pangkalpinang", "q-1", "opd_responder", opd),
    )
    both = {a.tracking_code, b.tracking_code}
    assert set(_queue(responder)) >= both
    assert _queue(responder, search="merdeka") == [a.tracking_code]
    assert _queue(responder, search=b.tracking_code.lower().replace("-", "")) == [b.tracking_code]
    assert _queue(responder, overdue=True) == [a.tracking_code]
    assert _queue(responder, dueSoon=True) == [b.tracking_code]
    assert _queue(responder, categoryCode="sampah") == []
    assert _queue(responder, status="acknowledged") == []
    if area is not None:
        assert a.tracking_code in _queue(responder, areaCode=area.code)
        if area.parent_id:
            assert a.tracking_code in _queue(responder, areaCode=area.parent.code)


def test_response_templates_are_the_citys_own_then_built_in_ones_in_the_readers_language(
    world, api
):
    from cityconfig.models import Opd
    from reports.models import ResponseTemplate

    world("mataram")
    opd = Opd.objects.filter(active=True).first()
    ResponseTemplate.objects.create(
        opd=opd, code="cek", title="Sudah dicek", body="Laporan {kode} sudah dicek {opd}."
    )
    ResponseTemplate.objects.create(opd=None, code="off", title="Lama", body="x", active=False)
    connection.set_schema_to_public()
    token = staff_token(world, api("mataram"), "mataram", "tpl-1", "opd_responder", opd.code)
    indonesian = api("mataram", token).op("ResponseTemplates")["data"]["responseTemplates"]
    assert indonesian[0] == {
        "code": "cek",
        "use": "any",
        "title": "Sudah dicek",
        "body": "Laporan {kode} sudah dicek {opd}.",
        "city": True,
    }
    assert "off" not in {t["code"] for t in indonesian}
    assert {t["use"] for t in indonesian} >= {"note", "ask", "resolve"}
    english = api("mataram", token, language="en").op("ResponseTemplates")["data"][
        "responseTemplates"
    ]
    resolved = next(t for t in english if t["code"] == "selesai")
    assert resolved["body"].startswith("Report {kode} was handled by {opd} on {tanggal}")
    citizen = api("mataram").op("ResponseTemplates")
    assert citizen["data"] is None
