"""Issue 16 tasks 1 and 6 in Chromium: a Mataram Diskominfo admin changes the
city's primary colour, sees the citizen app's header change in the preview
before saving, saves, and the citizen app wears it; the verification screen
explains each check and shows the last 30 days' counts."""

from __future__ import annotations

import random
import re

import pytest
from django.db import connection
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS, run_in_thread
from tests.browser.console_helpers import console_sign_in

SLUG = "web-mtr"
BRANDING = "/admin/cityconfig/cityprofile/section/branding/"
VERIFICATION = "/admin/cityconfig/cityprofile/section/verification/"


@pytest.fixture
def branding_restored(web_cities, django_db_blocker):
    """The other browser tests expect web-mtr to look like Mataram: put its
    branding back afterwards (as a recorded change, so caches hear of it)."""
    from cityconfig.models import CityProfile
    from cityconfig.revisions import recorded_change

    def read():
        connection.set_tenant(web_cities[SLUG])
        return dict(CityProfile.load().branding)

    def restore(branding):
        connection.set_tenant(web_cities[SLUG])
        with recorded_change("pytest", source="test cleanup"):
            profile = CityProfile.load()
            profile.branding = branding
            profile.save()

    saved = run_in_thread(django_db_blocker, read)
    yield
    run_in_thread(django_db_blocker, restore, saved)


def _rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def test_primary_colour_previewed_saved_and_worn_by_the_citizen_app(
    server, browser, console_admin, shot, branding_restored
):
    username = console_admin(SLUG)
    colour = f"#{random.randint(0, 120):02X}{random.randint(0, 120):02X}96"
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="id-ID")
    page = context.new_page()
    console_sign_in(page, server, SLUG, username, path=BRANDING)
    header = page.get_by_test_id("preview-header")
    expect(header).to_be_visible()

    # A hurried person types the hex without '#', in lower case.
    field = page.get_by_label(re.compile(r"^Warna utama:?$"))
    field.fill(colour[1:].lower())
    expect(header).to_have_css("background-color", _rgb(colour))
    page.get_by_label(re.compile(r"^Nama aplikasi:?$")).fill("Lapor Mataram Uji")
    expect(page.locator("#preview-app-name")).to_have_text("Lapor Mataram Uji")
    shot(page, "console-profile-branding-1440")
    page.screenshot(path=str(SCREENSHOTS / "console-profile-branding-1440.png"), full_page=True)

    page.get_by_role("button", name="Simpan").click()
    expect(page.locator(".messagelist")).to_contain_text("disimpan")
    expect(page.get_by_label(re.compile(r"^Warna utama:?$"))).to_have_value(colour)

    page.set_viewport_size({"width": 412, "height": 900})
    page.screenshot(path=str(SCREENSHOTS / "console-profile-branding-412.png"), full_page=True)

    citizen = context.new_page()
    citizen.goto(server.url(SLUG, "/"))
    expect(citizen.locator("header.top")).to_have_css("background-color", _rgb(colour))
    expect(citizen.locator("#app-name")).to_have_text("Lapor Mataram Uji")
    context.close()


def test_verification_screen_explains_checks_and_shows_counts(server, browser, console_admin, shot):
    username = console_admin(SLUG)
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="id-ID")
    page = context.new_page()
    console_sign_in(page, server, SLUG, username, path=VERIFICATION)
    expect(
        page.get_by_text(re.compile("Foto yang diambil lebih lama dari ini ditolak"))
    ).to_be_visible()
    expect(
        page.get_by_role("heading", name=re.compile("Hasil pemeriksaan 30 hari terakhir"))
    ).to_be_visible()
    expect(page.get_by_text(re.compile(r"\d+ laporan diperiksa"))).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "console-profile-verification-1440.png"), full_page=True)

    # "kemarin" is no duration: a field error in Indonesian, nothing saved.
    page.get_by_label("Umur foto paling lama").fill("kemarin")
    page.get_by_role("button", name="Simpan").click()
    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator(".has-error").first).to_contain_text("Tulis angka dan satuan")
    page.set_viewport_size({"width": 412, "height": 900})
    page.screenshot(path=str(SCREENSHOTS / "console-profile-verification-412.png"), full_page=True)

    # English on request.
    page.get_by_role("button", name="English").click()
    page.goto(server.url(SLUG, VERIFICATION))
    expect(page.get_by_role("button", name="Bahasa Indonesia")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "console-profile-verification-en.png"), full_page=True)
    context.close()
