"""GET requests: filters, validation, status mapping, privacy and city time zones."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from reports import actions
from reports.models import Report
from tests.open311.conftest import api

OTHER_SPOT = (-8.5600, 116.1200)  # inside Kota Contoh, away from the centre


def codes(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {r["service_request_id"] for r in response.json()}


@pytest.fixture
def feed(world):
    """Kota Contoh with: a road report (routed), a levy report (closed) and a
    garbage report made 120 days ago."""
    city = world("kotacontoh")
    road = city.submit().report
    levy = city.submit(
        category_code="pungli",
        description="Juru parkir liar menarik pungutan di depan pasar.",
        near=OTHER_SPOT,
        photos=[],
    ).report
    old = city.submit(category_code="sampah", near=(-8.5500, 116.0800)).report
    Report.objects.filter(pk=levy.pk).update(status="closed")
    Report.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=120))
    old.refresh_from_db()
    return {"city": city, "road": road, "levy": levy, "old": old}


def test_default_is_the_last_90_days(feed):
    found = codes(api("kotacontoh").get("/open311/v2/requests.json"))
    assert feed["road"].tracking_code in found and feed["levy"].tracking_code in found
    assert feed["old"].tracking_code not in found


def test_filter_by_service_code_and_status(feed):
    client = api("kotacontoh")
    road, levy = feed["road"].tracking_code, feed["levy"].tracking_code
    assert codes(client.get("/open311/v2/requests.json?service_code=pungli")) == {levy}
    both = codes(client.get("/open311/v2/requests.json?service_code=pungli,jalan-rusak"))
    assert both == {road, levy}
    assert codes(client.get("/open311/v2/requests.json?status=closed")) == {levy}
    assert codes(client.get("/open311/v2/requests.json?status=open")) == {road}
    assert codes(client.get("/open311/v2/requests.json?status=open,closed")) == {road, levy}


def test_filter_by_dates_in_iso_8601(feed):
    client = api("kotacontoh")
    old = feed["old"]
    start = (old.created_at - timedelta(days=1)).isoformat()
    end = (old.created_at + timedelta(days=1)).isoformat()
    found = codes(client.get("/open311/v2/requests.json", {"start_date": start, "end_date": end}))
    assert found == {old.tracking_code}
    # start_date alone searches the 90 days after it
    alone = codes(client.get("/open311/v2/requests.json", {"start_date": start}))
    assert old.tracking_code in alone and feed["road"].tracking_code not in alone
    # an unencoded "+" in the offset arrives as a space and is still understood
    local = timezone.localtime(
        old.created_at - timedelta(hours=1), timezone.get_fixed_timezone(480)
    )
    raw = local.strftime("%Y-%m-%dT%H:%M:%S+08:00")
    assert old.tracking_code in codes(client.get(f"/open311/v2/requests.json?start_date={raw}"))


def test_service_request_id_list_overrides_the_other_filters(feed):
    wanted = f"{feed['old'].tracking_code},{feed['levy'].tracking_code.lower().replace('-', '')}"
    found = codes(
        api("kotacontoh").get(
            "/open311/v2/requests.json", {"service_request_id": wanted, "status": "open"}
        )
    )
    assert found == {feed["old"].tracking_code, feed["levy"].tracking_code}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start_date": "2026-13-45"}, "start_date: "),
        ({"start_date": "kemarin"}, "start_date: "),
        ({"end_date": "2026-11-23T25:00:00+08:00"}, "end_date: "),
        ({"start_date": "2026-01-01", "end_date": "2026-06-01"}, "more than 90 days"),
        ({"start_date": "2026-06-01", "end_date": "2026-05-01"}, "before start_date"),
        ({"start_date": "9999-12-31"}, "start_date: The date is out of range."),
        ({"status": "pending"}, "status must be open or closed"),
        ({"service_code": "banjir-lahar"}, "Unknown service_code 'banjir-lahar'"),
    ],
)
def test_bad_filters_are_400_error_arrays(feed, params, message):
    response = api("kotacontoh").get("/open311/v2/requests.json", params)
    assert response.status_code == 400
    [error] = response.json()
    assert error["code"] == 400 and message in error["description"]


def test_bad_filter_in_xml_is_an_xml_error(feed):
    response = api("kotacontoh").get("/open311/v2/requests.xml", {"start_date": "kemarin"})
    assert response.status_code == 400
    root = ET.fromstring(response.content)
    assert root.tag == "errors" and root.findtext("error/code") == "400"
    assert "ISO 8601" in root.findtext("error/description")


def test_status_notes_show_the_last_public_note_and_resolved_reads_closed(feed):
    city, road = feed["city"], feed["road"]
    responder = city.staff("opd_responder", "pupr-bina-marga")
    actions.add_progress_note(responder, road.tracking_code, "Petugas menuju lokasi.")
    actions.add_progress_note(
        responder, road.tracking_code, "Catatan internal: aspal habis.", public=False
    )
    [item] = api("kotacontoh").get(f"/open311/v2/requests/{road.tracking_code}.json").json()
    assert item["status_notes"] == "Petugas menuju lokasi."
    assert item["status"] == "open"

    connection.set_tenant(city.city)
    Report.objects.filter(pk=road.pk).update(status="resolved")
    [item] = api("kotacontoh").get(f"/open311/v2/requests/{road.tracking_code}.json").json()
    assert item["status"] == "closed"


def test_private_hidden_and_rejected_reports_are_not_listed_and_their_media_is_404(world):
    city = world("kotacontoh")
    shown = city.submit().report
    private = city.submit(is_public=False, near=OTHER_SPOT).report
    hidden = city.submit(near=(-8.5500, 116.0800)).report
    actions.set_hidden(city.staff("operator"), hidden.tracking_code, True, "Data pribadi")
    rejected = city.submit(
        near=(-8.5400, 116.1400), photos=[city.photo(minutes_ago=3 * 24 * 60)]
    ).report
    assert rejected.status == "rejected"

    client = api("kotacontoh")
    listed = codes(client.get("/open311/v2/requests.json"))
    assert shown.tracking_code in listed
    for report in (private, hidden, rejected):
        assert report.tracking_code not in listed
        detail = client.get(f"/open311/v2/requests/{report.tracking_code}.json")
        assert detail.status_code == 404
        assert detail.json()[0]["code"] == 404
        assert client.get(f"/open311/media/{report.tracking_code}/0.jpg").status_code == 404
    assert client.get(f"/open311/media/{shown.tracking_code}/0.jpg").status_code == 200
    assert client.get(f"/open311/media/{shown.tracking_code}/3.jpg").status_code == 404


def test_a_report_is_not_visible_on_another_city_host(world):
    report = world("kotacontoh").submit().report
    assert (
        api("mataram").get(f"/open311/v2/requests/{report.tracking_code}.json").status_code == 404
    )
    assert api("mataram").get(f"/open311/media/{report.tracking_code}/0.jpg").status_code == 404


@pytest.mark.parametrize(
    ("slug", "expected"),
    [("mataram", "2026-11-23T16:55:00+08:00"), ("pangkalpinang", "2026-11-23T15:55:00+07:00")],
)
def test_times_carry_the_city_offset(world, slug, expected):
    report = world(slug).submit().report
    Report.objects.filter(pk=report.pk).update(created_at=datetime(2026, 11, 23, 8, 55, tzinfo=UTC))
    [item] = api(slug).get(f"/open311/v2/requests/{report.tracking_code}.json").json()
    assert item["requested_datetime"] == expected


def test_xml_survives_control_characters_in_a_citizens_text(world):
    report = (
        world("kotacontoh")
        .submit(description="Jalan berlubang\x0b\x1b dalam di depan sekolah, berbahaya.")
        .report
    )
    response = api("kotacontoh").get(f"/open311/v2/requests/{report.tracking_code}.xml")
    root = ET.fromstring(response.content)
    assert (
        root.findtext("request/description") == "Jalan berlubang dalam di depan sekolah, berbahaya."
    )
