"""The citizen app when things are not simple (issue 14 §5–8), in Debian Chromium
on a phone-sized screen: an emergency without a photo, a report rejected for its
photo and sent again, a big camera photo shrunk in the browser that still passes
the time and place checks, a send that fails and goes later from the kept
draft, the timeline in both languages, and narrow screens without sideways
scrolling."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from tests.browser.conftest import run_in_thread
from tests.browser.test_web_app import CITIES, citizen_sign_in
from verification.samples import phone_photo

PHONE = {"width": 412, "height": 915}
SLUG = "web-mtr"
# Half a kilometre north of the city hall, where the other browser tests report:
# their reports must not find these as nearby duplicates (nor these theirs).
LAT, LON = CITIES[SLUG][0] + 0.005, CITIES[SLUG][1]


def known_hashes(web_cities, django_db_blocker) -> list[int]:
    """Perceptual hashes of the photos the test city already holds."""
    from reports.models import Photo

    def lookup():
        connection.set_tenant(web_cities[SLUG])
        return list(Photo.objects.values_list("phash", flat=True))

    return run_in_thread(django_db_blocker, lookup)


def photo_file(tmp_path, name: str, *, age: timedelta, size=(1200, 900), avoid=()):
    """A phone photo taken ``age`` ago at the test spot. With ``avoid`` (hashes
    already on file), a scene clearly unlike them, so the reuse check cannot
    refuse it by a chance resemblance between two synthetic scenes."""
    from verification.photos import inspect_photo

    lat, lon = LAT, LON
    path = tmp_path / f"{name}.jpg"
    for _attempt in range(50):
        data = phone_photo(
            seed=6000 + secrets.randbelow(3000),
            width=size[0],
            height=size[1],
            taken_at=datetime.now(UTC) - age,
            gps=(lat + 0.0001, lon + 0.0001),
        )
        if not avoid:
            break
        phash = inspect_photo(
            data, city_tz=UTC, max_bytes=len(data) + 1, max_pixels=size[0] * size[1] + 1
        ).phash
        if all(((phash ^ other) & (2**64 - 1)).bit_count() >= 16 for other in avoid):
            break
    path.write_bytes(data)
    return path


@pytest.fixture
def phone(db, browser, server, web_cities):
    """A signed-in citizen on a 412 px phone at Mataram's city hall."""
    lat, lon = LAT, LON
    context = browser.new_context(viewport=PHONE, locale="id-ID", has_touch=True)
    context.grant_permissions(["geolocation"], origin=server.url(SLUG, "").rstrip("/"))
    context.set_geolocation({"latitude": lat, "longitude": lon, "accuracy": 8})
    page = context.new_page()
    page.goto(server.url(SLUG, "/lapor/masuk?next=/lapor/baru"))
    citizen_sign_in(page, server, prefix="0813")
    page.wait_for_url(re.compile(r"/lapor/baru$"))
    page.wait_for_selector('#location-status[data-state="found"]', timeout=15000)
    yield page
    context.close()


def fill(page, category: str, description: str) -> None:
    page.get_by_label("Kategori").select_option(category)
    page.get_by_label("Uraian masalah").fill(description)


def stored(web_cities, django_db_blocker, code: str) -> dict:
    from reports.models import Report

    def lookup():
        connection.set_tenant(web_cities[SLUG])
        report = Report.objects.get(tracking_code=code)
        photo = report.photos.order_by("position").first()
        return {
            "status": report.status,
            "verdict": report.verdict,
            "checks": {c["name"]: c["result"] for c in report.checks},
            "photo": photo and (photo.width, photo.height),
            "uploaded_bytes": photo and photo.original.size,
            "description": report.description,
        }

    return run_in_thread(django_db_blocker, lookup)


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_emergency_shows_the_numbers_first_and_goes_without_a_photo(phone, shot):
    page = phone
    fill(page, "kebakaran", "Asap tebal dari gudang di belakang pasar, api terlihat.")
    numbers = page.locator("#emergency-numbers")
    numbers.wait_for()
    assert "112" in numbers.inner_text() and "113" in numbers.inner_text()
    assert page.locator("#emergency-numbers a[href='tel:112']").count() == 1
    assert page.locator("#photo-rule").inner_text() == "Foto tidak wajib untuk kategori ini."
    shot(page, "web-mtr-10-emergency-numbers")
    page.click("#send-report")
    page.wait_for_selector("#tracking-code", timeout=30000)
    assert page.locator("h1").inner_text() != "Laporan ditolak"
    assert "halaman lacak" in page.locator("#how-informed").inner_text()

    # Pungli: the category's own note (identity kept secret) is shown.
    page.goto(page.url.split("/lapor")[0] + "/lapor/baru")
    page.get_by_label("Kategori").select_option("pungli")
    assert "rahasia" in page.locator(".category-description").inner_text().lower()
    assert page.locator("#emergency-numbers").count() == 0


def test_a_report_rejected_for_its_photo_says_why_shows_it_and_can_go_again(
    phone, tmp_path, web_cities, django_db_blocker, shot
):
    page = phone
    fill(page, "jalan-rusak", "Jalan berlubang besar di depan kantor wali kota.")
    page.set_input_files(
        'input[name="photos"]', str(photo_file(tmp_path, "lama", age=timedelta(days=40)))
    )
    page.click("#send-report")
    page.wait_for_selector("#tracking-code", timeout=30000)
    assert page.locator("h1").inner_text() == "Laporan ditolak"
    outcome = page.locator("#outcome")
    assert "pemeriksaan otomatis" in outcome.inner_text()
    assert outcome.locator(".reasons li").count() >= 1
    rejected = page.locator("#tracking-code").inner_text().strip()
    shot(page, "web-mtr-11-rejected-with-reason")

    # Its reporter sees the photo on the tracking page (not a broken image).
    page.click("a.button[href^='/lapor/lacak/']")
    image = page.locator(".photos-report img").first
    image.wait_for()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    assert page.locator(".photos-report figcaption").first.inner_text() == "Foto laporan 1"

    page.click("#retry-photo")
    page.wait_for_selector("#retry-intro")
    assert rejected in page.locator("#retry-intro").inner_text()
    assert (
        page.get_by_label("Uraian masalah").input_value()
        == "Jalan berlubang besar di depan kantor wali kota."
    )
    assert page.get_by_label("Kategori").input_value() == "jalan-rusak"
    page.set_input_files(
        'input[name="photos"]',
        str(
            photo_file(
                tmp_path,
                "baru",
                age=timedelta(minutes=2),
                avoid=known_hashes(web_cities, django_db_blocker),
            )
        ),
    )
    page.click("#send-report")
    page.wait_for_selector("#tracking-code", timeout=30000)
    again = page.locator("#tracking-code").inner_text().strip()
    assert again != rejected
    assert stored(web_cities, django_db_blocker, again)["status"] != "rejected"
    assert page.locator("h1").inner_text().startswith("Laporan terkirim")


def test_a_big_camera_photo_is_shrunk_in_the_browser_and_still_passes_time_and_place(
    phone, tmp_path, web_cities, django_db_blocker
):
    page = phone
    big = photo_file(
        tmp_path,
        "kamera",
        age=timedelta(minutes=3),
        size=(4000, 3000),
        avoid=known_hashes(web_cities, django_db_blocker),
    )
    fill(page, "jalan-rusak", "Trotoar amblas dekat halte, berbahaya bagi pejalan kaki.")
    page.set_input_files('input[name="photos"]', str(big))
    page.click("#send-report")
    page.wait_for_selector("#tracking-code", timeout=60000)
    code = page.locator("#tracking-code").inner_text().strip()
    report = stored(web_cities, django_db_blocker, code)
    assert max(report["photo"]) <= 1600
    assert report["checks"]["photo_fresh"] == "pass", report["checks"]
    assert report["checks"]["photo_location"] == "pass", report["checks"]
    upload = report["uploaded_bytes"]  # the server keeps exactly what it received
    original = big.stat().st_size
    print(f"photo bytes sent: {upload} of {original} ({upload / original:.0%})")
    assert upload < original / 2


def test_a_send_that_fails_is_kept_on_the_phone_and_sent_later_without_retyping(
    phone, tmp_path, web_cities, django_db_blocker, shot
):
    page = phone
    description = f"Lampu jalan mati sejak tiga hari ({secrets.token_hex(3)})."
    fill(page, "jalan-rusak", description)
    page.set_input_files(
        'input[name="photos"]',
        str(
            photo_file(
                tmp_path,
                "draf",
                age=timedelta(minutes=2),
                avoid=known_hashes(web_cities, django_db_blocker),
            )
        ),
    )
    failures = {"left": 1}

    def flaky(route):
        body = route.request.post_data_buffer or b""
        if failures["left"] and b"SubmitReport" in body:
            failures["left"] -= 1
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route("**/graphql/", flaky)
    page.click("#send-report")
    kept = page.locator("#submit-result .alert")
    kept.wait_for(timeout=30000)
    assert "disimpan di perangkat ini" in kept.inner_text()
    assert page.evaluate("document.activeElement.getAttribute('role')") == "alert"
    shot(page, "web-mtr-12-draft-kept")

    page.reload()
    banner = page.locator("#draft")
    banner.wait_for(timeout=15000)
    assert description[:40] in banner.inner_text()
    page.click("#send-draft")
    page.wait_for_selector("#tracking-code", timeout=30000)
    code = page.locator("#tracking-code").inner_text().strip()
    assert stored(web_cities, django_db_blocker, code)["description"] == description
    page.goto(page.url.split("/lapor")[0] + "/lapor/baru")
    page.wait_for_selector("#send-report")
    assert page.locator("#draft").count() == 0  # sent: nothing left to send


def test_the_timeline_reads_in_plain_words_in_both_languages_and_fits_320_px(phone, tmp_path, shot):
    page = phone
    long_word = "Jalanberlubang" * 12
    fill(page, "jalan-rusak", f"{long_word} di depan kantor wali kota.")
    page.set_input_files(
        'input[name="photos"]', str(photo_file(tmp_path, "tl", age=timedelta(minutes=2)))
    )
    page.click("#send-report")
    page.wait_for_selector("#tracking-code", timeout=30000)
    page.click("a.button[href^='/lapor/lacak/']")
    timeline = page.locator(".timeline")
    timeline.wait_for()
    text = timeline.inner_text()
    assert text.count(" · ") >= 2 and "Laporan dikirim" in text
    for raw in ("submitted", "verified", "assigned", "in_progress"):
        assert raw not in text
    page.set_viewport_size({"width": 320, "height": 720})
    assert no_sideways_scroll(page)
    shot(page, "web-mtr-13-timeline-320")
    page.locator(".lang select").select_option("en")
    page.wait_for_function(
        "() => document.querySelector('.timeline')?.innerText.includes('Report sent')"
    )
    english = page.locator(".timeline").inner_text()
    assert "Laporan dikirim" not in english
    assert no_sideways_scroll(page)
    shot(page, "web-mtr-14-timeline-english")
    page.set_viewport_size(PHONE)
    page.goto(page.url.split("/lapor")[0] + "/")
    page.wait_for_selector("header nav a")
    assert no_sideways_scroll(page)
    nav_height = page.eval_on_selector("header nav", "e => e.scrollWidth <= e.clientWidth")
    assert nav_height, "the menu must not hide links off to the side"
