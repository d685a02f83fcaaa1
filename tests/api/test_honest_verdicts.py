"""What the citizen is told (issue 14 §5–6): the verdict as it stands now, in
plain words, with the photos of a rejected report visible to its reporter only,
and the numbers to call on emergency categories."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.api.test_citizen_journey import CENTERS, photo, sign_in, staff_token
from verification.samples import phone_photo


@pytest.fixture(autouse=True)
def memory_otp(settings):
    settings.KANAL_OTP_SENDER = "people.otp.MemorySender"


def submit(citizen, slug: str, key: str, image: bytes, category: str = "jalan-rusak") -> dict:
    lat, lon = CENTERS[slug]
    result = citizen.op(
        "SubmitReport",
        {
            "input": {
                "categoryCode": category,
                "description": "Jalan berlubang besar di depan sekolah.",
                "latitude": lat,
                "longitude": lon,
                "channel": "app",
                "areaCode": {"jakarta": "31.71.01.1001"}.get(slug),
                "idempotencyKey": key,
            }
        },
        files=[("photos.0", image)],
    )["data"]["submitReport"]
    assert result["errors"] == [], result["errors"]
    return result["report"]


def old_photo(slug: str, seed: int) -> bytes:
    lat, lon = CENTERS[slug]
    return phone_photo(
        seed=seed,
        width=800,
        height=600,
        taken_at=datetime.now(UTC) - timedelta(days=30),
        gps=(lat + 0.0001, lon + 0.0001),
    )


def test_a_photo_rejection_says_why_offers_a_retry_and_shows_the_photo_to_its_reporter(world, api):
    slug = "mataram"
    citizen = api(slug, sign_in(api(slug), slug, "0812-7777-0101"))
    report = submit(citizen, slug, "rejected-old-photo", old_photo(slug, 611))
    assert report["status"] == "rejected"
    outcome = report["outcome"]
    assert outcome["state"] == "rejected"
    assert outcome["headline"] == "Laporan ditolak oleh pemeriksaan otomatis."
    assert outcome["canRetryPhoto"] is True
    assert any("foto" in reason.lower() for reason in outcome["reasons"])
    assert [e["label"] for e in report["timeline"]] == [
        "Laporan dikirim",
        "Ditolak oleh pemeriksaan otomatis",
    ]

    # The reporter's photo link works; the bare path (the public one) does not.
    url = report["photos"][0]["url"]
    assert "?t=" in url
    shown = citizen.client.get(url)
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    assert shown["Cache-Control"].startswith("private")
    assert citizen.client.get(url.split("?")[0]).status_code == 404
    tampered = url[:-3] + ("AAA" if not url.endswith("AAA") else "BBB")
    assert citizen.client.get(tampered).status_code == 404

    # Someone else tracking the code gets neither the verdict nor a photo link.
    stranger = api(slug).op("TrackReport", {"trackingCode": report["trackingCode"]})
    assert stranger["data"]["report"] is None or stranger["data"]["report"]["outcome"] is None


def test_a_signed_photo_link_of_one_city_opens_nothing_in_another(world, api):
    mataram = api("mataram", sign_in(api("mataram"), "mataram", "0812-7777-0102"))
    report = submit(mataram, "mataram", "rejected-elsewhere", old_photo("mataram", 612))
    url = report["photos"][0]["url"]
    # Same path and token on another city's host: the signature is bound to the city.
    assert api("pangkalpinang").client.get(url).status_code == 404


def test_english_reader_reads_the_outcome_and_timeline_in_english(world, api):
    slug = "pangkalpinang"
    token = sign_in(api(slug), slug, "0812-7777-0103")
    report = submit(api(slug, token), slug, "sent-en", photo(*CENTERS[slug], 613))
    english = api(slug, token, language="en").op(
        "TrackReport", {"trackingCode": report["trackingCode"]}
    )["data"]["report"]
    assert english["outcome"]["state"] == "sent"
    assert english["outcome"]["headline"].startswith("The report was sent and passed to ")
    labels = [e["label"] for e in english["timeline"]]
    assert labels[:2] == ["Report sent", "Passed the automatic checks"]
    assert not any(label in ("submitted", "verified", "assigned") for label in labels)


def test_jakarta_says_that_an_operator_checks_every_report_and_the_decision_replaces_it(world, api):
    slug = "jakarta"
    token = sign_in(api(slug), slug, "0812-7777-0104")
    citizen = api(slug, token)
    report = submit(citizen, slug, "triage-jkt", photo(*CENTERS[slug], 614))
    assert report["status"] == "triage"
    assert report["outcome"]["state"] == "review"
    assert report["outcome"]["reasons"] == [
        "Di kota ini setiap laporan diperiksa operator sebelum diteruskan ke OPD."
    ]
    operator = api(slug, staff_token(world, api(slug), slug, "op-verdict", "operator"))
    refused = operator.op(
        "TriageReport",
        {"trackingCode": report["trackingCode"], "decision": "REJECT", "note": "Bukan jalan kota."},
    )["data"]["triageReport"]
    assert refused["errors"] == []
    now = citizen.op("TrackReport", {"trackingCode": report["trackingCode"]})["data"]["report"]
    assert now["outcome"] == {
        "state": "rejected",
        "headline": "Laporan ditolak oleh operator.",
        "reasons": ["Bukan jalan kota."],
        "canRetryPhoto": False,
    }


def test_emergency_numbers_reach_the_app_in_the_readers_language(world, api):
    support = api("jakarta", language="en").op("AppConfig")["data"]["appConfig"]["branding"][
        "support"
    ]
    numbers = {n["number"]: n["name"] for n in support["emergency"]}
    assert numbers["112"] == "Emergency call (Jakarta Siaga 112)"
    assert numbers["113"] == "Fire brigade"
    indonesian = api("jakarta").op("AppConfig")["data"]["appConfig"]["branding"]["support"]
    assert {n["number"]: n["name"] for n in indonesian["emergency"]}["113"] == "Pemadam kebakaran"


def test_the_reporter_of_a_merged_duplicate_is_pointed_to_the_main_report(world, api):
    slug = "pangkalpinang"
    first = api(slug, sign_in(api(slug), slug, "0812-7777-0105"))
    second_token = sign_in(api(slug), slug, "0812-7777-0106")
    second = api(slug, second_token)
    main = submit(first, slug, "merge-main", photo(*CENTERS[slug], 615))
    twin = submit(second, slug, "merge-twin", photo(*CENTERS[slug], 616))
    operator = api(slug, staff_token(world, api(slug), slug, "op-merge", "operator"))
    merged = operator.op(
        "MergeReports", {"duplicateCode": twin["trackingCode"], "intoCode": main["trackingCode"]}
    )["data"]["mergeReports"]
    assert merged["errors"] == []
    seen = second.op("TrackReport", {"trackingCode": twin["trackingCode"]})["data"]["report"]
    assert seen["mergedIntoCode"] == main["trackingCode"]
    assert main["trackingCode"] in seen["outcome"]["headline"]
    english = api(slug, second_token, language="en").op(
        "TrackReport", {"trackingCode": twin["trackingCode"]}
    )["data"]["report"]
    assert english["outcome"]["headline"].startswith("This report was merged into")
    # The main report itself is not "merged into" anything.
    assert (
        first.op("TrackReport", {"trackingCode": main["trackingCode"]})["data"]["report"][
            "mergedIntoCode"
        ]
        is None
    )
