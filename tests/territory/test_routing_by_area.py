"""The area of a report, always: the polygon holding the point, else the
reporter's chosen area, else an operator sets it (triage, "wilayah belum
diketahui"); and the city's area rules route it (Mataram's Lurah, Jakarta's
kelurahan that checks first). All over the GraphQL API."""

from __future__ import annotations

from django.db import connection

from cityconfig.models import Area
from tests.territory.conftest import inside, photo

SUBMIT = """
mutation($input: SubmitReportInput!, $photos: [Upload!]) {
  submitReport(input: $input, photos: $photos) {
    report {
      trackingCode status opd { code } area { code } timeline { action note }
      verification { verdict checks { name result reason } }
    }
    errors { field code message }
  }
}"""
TRACK = (
    "query($code: String!) { report(trackingCode: $code) { status opd { code } area { code } } }"
)
TRIAGE = """mutation($code: String!) { triageReport(trackingCode: $code, decision: ACCEPT) {
  report { status opd { code } } errors { code } } }"""
SURVEY = """mutation($code: String!) {
  recordFieldSurvey(trackingCode: $code, found: true, note: "Sesuai.") {
  report { status opd { code } } errors { code } } }"""
SET_AREA = """mutation($code: String!, $area: String!) {
  setReportArea(trackingCode: $code, areaCode: $area) {
  report { status area { code } opd { code } } errors { field code message } } }"""


def submit(api, slug, token, category, lat, lon, area_code=None, language="id"):
    variables = {
        "input": {
            "categoryCode": category,
            "description": "Laporan uji wilayah: mohon ditindaklanjuti.",
            "latitude": lat,
            "longitude": lon,
            "channel": "app",
            "areaCode": area_code,
        }
    }
    response = api(slug, token, language=language).raw(
        SUBMIT, variables, files=[("photos.0", photo(lat, lon))]
    )
    payload = response.json()["data"]["submitReport"]
    assert payload["errors"] == [], payload["errors"]
    return payload["report"]


def test_mataram_point_in_ampenan_tengah_goes_to_its_lurah(api, tokens):
    people = tokens("mataram")
    lat, lon = inside("52.71.01.1005")
    report = submit(api, "mataram", people.citizen, "sampah", lat, lon)
    assert report["area"]["code"] == "52.71.01.1005"
    assert report["status"] == "assigned"
    assert report["opd"]["code"] == "wil-52-71-01-1005"  # Kantor Lurah Ampenan Tengah
    # Banjir is the Camat's (@kecamatan), except in Ampenan where BPBD takes it directly.
    lat, lon = inside("52.71.03.1005")
    flood = submit(api, "mataram", people.citizen, "banjir", lat, lon)
    assert flood["opd"]["code"] == "wil-52-71-03"
    connection.set_tenant(people_city("mataram"))
    lat, lon = inside("52.71.01.1006")
    assert submit(api, "mataram", people.citizen, "banjir", lat, lon)["opd"]["code"] == "bpbd"


def people_city(slug):
    from tenants.models import City

    return City.objects.get(slug=slug)


def test_mataram_chosen_area_when_no_polygon_holds_the_point(api, tokens):
    people = tokens("mataram")
    lat, lon = inside("52.71.01.1005")
    # Ampenan without polygons: the point now lies in none, the reporter's choice counts.
    Area.objects.filter(code__startswith="52.71.01").update(boundary=None)
    report = submit(api, "mataram", people.citizen, "sampah", lat, lon, area_code="52.71.01.1005")
    assert report["area"]["code"] == "52.71.01.1005"
    assert report["opd"]["code"] == "wil-52-71-01-1005"


def _through_triage_and_survey(api, people, code):
    triaged = api("jakarta", people.operator).raw(TRIAGE, {"code": code}).json()
    assert triaged["data"]["triageReport"]["errors"] == []
    surveyed = api("jakarta", people.surveyor).raw(SURVEY, {"code": code}).json()
    assert surveyed["data"]["recordFieldSurvey"]["errors"] == []
    return surveyed["data"]["recordFieldSurvey"]["report"]


def test_jakarta_kelurahan_checks_first_by_point_and_by_choice(api, tokens):
    people = tokens("jakarta")
    lat, lon = inside("31.71.01.1001")
    report = submit(api, "jakarta", people.citizen, "jalan-rusak", lat, lon)
    assert report["area"]["code"] == "31.71.01.1001" and report["status"] == "triage"
    assigned = _through_triage_and_survey(api, people, report["trackingCode"])
    assert assigned["status"] == "assigned"
    assert assigned["opd"]["code"] == "wil-31-71-01-1001"  # Kelurahan Gambir

    connection.set_tenant(people_city("jakarta"))
    lat, lon = inside("31.74.01.1001")
    Area.objects.update(boundary=None)  # no polygons at all: the chosen area decides
    chosen = submit(api, "jakarta", people.citizen, "sampah", lat, lon, area_code="31.74.01.1001")
    assert chosen["area"]["code"] == "31.74.01.1001"
    assigned = _through_triage_and_survey(api, people, chosen["trackingCode"])
    assert assigned["opd"]["code"] == "wil-31-74-01-1001"


def test_unknown_area_with_a_territorial_rule_goes_to_triage_with_the_reason(api, tokens):
    people = tokens("mataram")
    lat, lon = inside("52.71.05.1003")
    Area.objects.update(boundary=None)
    report = submit(api, "mataram", people.citizen, "sampah", lat, lon)
    assert report["status"] == "triage" and report["opd"] is None and report["area"] is None
    [check] = [c for c in report["verification"]["checks"] if c["name"] == "area_known"]
    assert check["result"] == "WARN"
    assert check["reason"].startswith("Wilayah belum diketahui")
    assert any(
        e["action"] == "sent_to_triage" and "Wilayah belum diketahui" in e["note"]
        for e in report["timeline"]
    )
    english = api("mataram", people.citizen, language="en").raw(
        "query($c: String!) { report(trackingCode: $c) { verification { checks { name reason } } }"
        " }",
        {"c": report["trackingCode"]},
    )
    reasons = {
        c["name"]: c["reason"] for c in english.json()["data"]["report"]["verification"]["checks"]
    }
    assert reasons["area_known"].startswith("Area not known yet")

    # A citizen may not set the area; the operator does, then accepts: the Lurah gets it.
    code = report["trackingCode"]
    refused = api("mataram", people.citizen).raw(SET_AREA, {"code": code, "area": "52.71.05.1003"})
    assert refused.json()["data"]["setReportArea"]["errors"][0]["code"] == "FORBIDDEN"
    unknown = api("mataram", people.operator).raw(SET_AREA, {"code": code, "area": "99.99"})
    assert unknown.json()["data"]["setReportArea"]["errors"][0]["code"] == "UNKNOWN_AREA"
    done = api("mataram", people.operator).raw(SET_AREA, {"code": code, "area": "52.71.05.1003"})
    assert done.json()["data"]["setReportArea"] == {
        "report": {"status": "triage", "area": {"code": "52.71.05.1003"}, "opd": None},
        "errors": [],
    }
    accepted = api("mataram", people.operator).raw(TRIAGE, {"code": code}).json()
    assert accepted["data"]["triageReport"]["report"]["opd"]["code"] == "wil-52-71-05-1003"
    connection.set_tenant(people_city("mataram"))
    from reports.models import Report

    assert Report.objects.get(tracking_code=code).area_source == "operator"


def test_unknown_area_without_territorial_rule_is_routed_as_usual(api, tokens):
    people = tokens("mataram")
    lat, lon = inside("52.71.05.1003")
    Area.objects.update(boundary=None)
    report = submit(api, "mataram", people.citizen, "jalan-rusak", lat, lon)
    assert report["status"] == "assigned" and report["opd"]["code"] == "bidang-bina-marga"
    assert "area_known" not in {c["name"] for c in report["verification"]["checks"]}


def test_setting_the_area_of_an_assigned_report_reroutes_it(api, tokens):
    people = tokens("mataram")
    lat, lon = inside("52.71.01.1005")
    report = submit(api, "mataram", people.citizen, "sampah", lat, lon)
    assert report["opd"]["code"] == "wil-52-71-01-1005"
    moved = api("mataram", people.operator).raw(
        SET_AREA, {"code": report["trackingCode"], "area": "52.71.06.1002"}
    )
    assert moved.json()["data"]["setReportArea"]["report"] == {
        "status": "assigned",
        "area": {"code": "52.71.06.1002"},
        "opd": {"code": "wil-52-71-06-1002"},
    }


def test_open_reports_count_for_their_kecamatan(world, tokens, api):
    people = tokens("mataram")
    lat, lon = inside("52.71.03.1005")
    submit(api, "mataram", people.citizen, "sampah", lat, lon)
    connection.set_tenant(people_city("mataram"))
    from reports.figures import reports_by_kecamatan

    counts = {row["code"]: row["open"] for row in reports_by_kecamatan()}
    assert counts.get("52.71.03", 0) >= 1
