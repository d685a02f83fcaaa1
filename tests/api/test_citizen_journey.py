"""The citizen journey in each seed city, over HTTP with the city's host."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from people.otp import MemorySender
from verification.samples import phone_photo

CENTERS = {
    "pangkalpinang": (-2.1265, 106.1140),
    "mataram": (-8.5837, 116.1163),
    "serang": (-6.1180, 106.1570),
    "jakarta": (-6.1815, 106.8283),
}
APP_NAMES = {
    "pangkalpinang": "Lapor Mang",
    "mataram": "Mataramku Lapor",
    "serang": "RABEG",
    "jakarta": "Jakarta Smart City",
}


def photo(lat: float, lon: float, seed: int) -> bytes:
    return phone_photo(
        seed=seed,
        width=800,
        height=600,
        taken_at=datetime.now(UTC) - timedelta(minutes=5),
        gps=(lat + 0.0001, lon + 0.0001),
    )


def sign_in(api, slug: str, phone: str) -> str:
    from django.test import TestCase

    MemorySender.sent.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):  # the code is sent after commit
        sent = api.op("RequestOtp", {"phone": phone})["data"]["requestOtp"]
    assert sent["sent"] and not sent["errors"]
    code = MemorySender.sent[-1][1]
    verified = api.op("VerifyOtp", {"phone": phone, "code": code})["data"]["verifyOtp"]
    assert verified["errors"] == []
    assert verified["token"].startswith(f"knl_{slug}_")
    return verified["token"]


def staff_token(world, api, slug: str, username: str, role: str, opd: str | None = None) -> str:
    from django.contrib.auth import get_user_model
    from django.db import connection

    city = world(slug)
    actor = city.staff(role, opd, username=username)
    user = actor.user
    user.is_staff = True
    user.set_password("Rahasia-Kota-2026")
    user.save()
    connection.set_schema_to_public()
    result = api.op("StaffLogin", {"username": username, "password": "Rahasia-Kota-2026"})
    assert get_user_model() and result["data"]["staffLogin"]["errors"] == []
    return result["data"]["staffLogin"]["token"]


@pytest.fixture(autouse=True)
def memory_otp(settings):
    settings.KANAL_OTP_SENDER = "people.otp.MemorySender"


@pytest.mark.parametrize("slug", ["pangkalpinang", "mataram", "serang", "jakarta"])
def test_citizen_journey_over_http(world, api, slug):
    app = api(slug)
    config = app.op("AppConfig")["data"]["appConfig"]
    assert config["appName"] == APP_NAMES[slug]
    # The seeds name OpenStreetMap's tiles; the boundary is drawn without them.
    assert config["mapTiles"] == {
        "tileUrl": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "attribution": "© OpenStreetMap contributors",
        "maxZoom": 19,
    }
    token = sign_in(app, slug, "0812-7777-0001")
    citizen = api(slug, token)
    lat, lon = CENTERS[slug]
    area = {"jakarta": "31.71.01.1001"}.get(slug)
    submitted = citizen.op(
        "SubmitReport",
        {
            "input": {
                "categoryCode": "jalan-rusak",
                "description": "Jalan berlubang besar di depan sekolah.",
                "latitude": lat,
                "longitude": lon,
                "accuracyMeters": 6.5,
                "channel": "app",
                "areaCode": area,
                "idempotencyKey": f"journey-{slug}",
            }
        },
        files=[("photos.0", photo(lat, lon, 501))],
    )["data"]["submitReport"]
    assert submitted["errors"] == [], submitted["errors"]
    report = submitted["report"]
    code = report["trackingCode"]
    assert report["isMine"] and report["verification"]["checks"]
    assert {c["name"] for c in report["verification"]["checks"]} >= {"photo_fresh", "inside_city"}
    assert report["photos"][0]["url"].endswith(".jpg")

    tracked = api(slug).op("TrackReport", {"trackingCode": code.lower().replace("-", "")})
    public_view = tracked["data"]["report"]
    assert public_view["trackingCode"] == code
    assert public_view["verification"] is None  # private to the reporter and staff

    if slug == "jakarta":  # operator and survey team first
        operator = api(slug, staff_token(world, app, slug, "op-jkt", "operator"))
        assert (
            operator.op("TriageReport", {"trackingCode": code, "decision": "ACCEPT"})["data"][
                "triageReport"
            ]["errors"]
            == []
        )
        surveyor = api(slug, staff_token(world, app, slug, "sv-jkt", "survey_officer"))
        surveyed = surveyor.op(
            "RecordFieldSurvey", {"trackingCode": code, "found": True, "note": "Sesuai."}
        )
        assert surveyed["data"]["recordFieldSurvey"]["errors"] == []
    tracked = citizen.op("TrackReport", {"trackingCode": code})["data"]["report"]
    assert tracked["status"] == "assigned"
    opd = tracked["opd"]["code"]

    responder = api(slug, staff_token(world, app, slug, f"petugas-{slug}", "opd_responder", opd))
    acked = responder.op("AcknowledgeReport", {"trackingCode": code, "note": "Diterima."})
    assert acked["data"]["acknowledgeReport"]["report"]["status"] == "acknowledged"
    resolved = responder.op(
        "ResolveReport",
        {"trackingCode": code, "note": "Sudah ditambal."},
        files=[("photos.0", photo(lat, lon, 502))],
    )["data"]["resolveReport"]
    assert resolved["errors"] == [], resolved["errors"]
    assert resolved["report"]["status"] == "resolved"

    if slug in ("mataram", "jakarta"):
        reopened = citizen.op("ReopenReport", {"trackingCode": code, "reason": "Masih berlubang."})
        assert reopened["data"]["reopenReport"]["report"]["status"] == "reopened"
    else:
        confirmed = citizen.op("ConfirmResolution", {"trackingCode": code})
        assert confirmed["data"]["confirmResolution"]["report"]["status"] == "closed"
        rated = citizen.op("RateReport", {"trackingCode": code, "rating": 5})
        assert rated["data"]["rateReport"]["report"]["rating"] == 5


@pytest.mark.isolation
def test_a_mataram_token_is_refused_on_pangkalpinang(world, api):
    token = sign_in(api("mataram"), "mataram", "0812-7777-0002")
    result = api("pangkalpinang", token).op("ConfirmResolution", {"trackingCode": "AAAA-BBBB"})[
        "data"
    ]["confirmResolution"]
    assert result["errors"][0]["code"] == "TOKEN_OTHER_CITY"
    mine = api("pangkalpinang", token).op("MyReports")
    assert mine["data"] is None or mine["data"]["myReports"] is None


def test_categories_follow_accept_language_and_the_lang_argument(world, api):
    indonesian = api("mataram").op("Categories")["data"]["categories"]
    english = api("mataram", language="en").op("Categories")["data"]["categories"]
    forced = api("mataram").op("Categories", {"lang": "en"})["data"]["categories"]
    assert indonesian[0]["categories"][0]["name"] == "Jalan Rusak"
    assert (
        english[0]["categories"][0]["name"] == forced[0]["categories"][0]["name"] == "Damaged Road"
    )


def test_bad_input_gets_field_code_and_message_never_a_500(world, api):
    token = sign_in(api("mataram"), "mataram", "0812-7777-0003")
    result = api("mataram", token).op(
        "SubmitReport",
        {
            "input": {
                "categoryCode": "tidak-ada",
                "description": "Uraian yang cukup panjang.",
                "latitude": -8.58,
                "longitude": 116.1,
            }
        },
    )["data"]["submitReport"]
    assert result["report"] is None
    assert result["errors"] == [
        {
            "field": "categoryCode",
            "code": "UNKNOWN_CATEGORY",
            "message": "Kategori 'tidak-ada' tidak ada atau sudah tidak dipakai.",
        }
    ]
