"""Issue 16 task 7 in Chromium, as a Mataram Diskominfo admin: invite an
operator by phone, read the temporary password once, and that person signs in
to /kerja/ in another browser; an operator opening /admin/ is told, in
Indonesian, that the console is Diskominfo's and where their app is; the menu
has no security plumbing."""

from __future__ import annotations

import re
import secrets

from django.db import connection

from tests.browser.conftest import PASSWORD, SCREENSHOTS, run_in_thread
from tests.browser.console_helpers import console_sign_in

DESK = {"width": 1440, "height": 900}
PHONE = {"width": 412, "height": 915}
SLUG = "web-mtr"


def _phone() -> str:
    return f"0813 {secrets.randbelow(10**4):04d} {secrets.randbelow(10**4):04d}"


def _account(city, username: str):
    from django.contrib.auth import get_user_model

    connection.set_tenant(city)
    user = get_user_model().objects.get(username=username)
    return user.is_staff, list(user.kanal_roles.values_list("role", flat=True))


def test_an_invited_operator_signs_in_to_kerja_with_the_shown_password(
    db, server, browser, web_cities, console_admin, django_db_blocker
):
    admin = console_admin(SLUG)
    page = browser.new_page(viewport=DESK)
    console_sign_in(page, server, SLUG, admin, path="/admin/people/staffmember/")
    page.locator(".object-tools a.addlink").click()
    page.wait_for_url(re.compile(r"/invite/$"))
    name = f"Lalu Operator {secrets.token_hex(2)}"
    # A hurried first try: an OPD role without its OPD, a phone number with a letter.
    page.locator("#id_name").fill(name)
    page.locator("#id_phone").fill("0812 3456 78O0")
    page.locator("#id_roles-0-role").select_option("opd_responder")
    page.locator("input[type=submit]").click()
    assert "Nomor telepon tidak valid" in page.locator(".staff-field.errors").first.inner_text()
    assert "Pilih OPD" in page.locator("#staff-roles .errorlist").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "console-staff-invite-errors-1440.png"), full_page=True)
    page.locator("#id_phone").fill(_phone())
    page.locator("#id_roles-0-role").select_option("operator")
    page.locator("input[type=submit]").click()
    page.wait_for_selector("#temporary-password")
    username = page.locator("#new-username").inner_text().strip()
    password = page.locator("#new-password").inner_text().strip()
    assert len(password) == 12
    page.screenshot(path=str(SCREENSHOTS / "console-staff-password-1440.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(SCREENSHOTS / "console-staff-password-412.png"), full_page=True)
    assert run_in_thread(django_db_blocker, _account, web_cities[SLUG], username) == (
        False,
        ["operator"],
    )  # no "Status staf" tick, yet the apps will let them in

    page.set_viewport_size(DESK)
    page.goto(server.url(SLUG, "/admin/people/staffmember/"))
    row = page.locator("#result_list tr", has_text=name)
    assert "Operator" in row.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "console-staff-list-1440.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(SCREENSHOTS / "console-staff-list-412.png"), full_page=True)

    other = browser.new_context(viewport=PHONE, locale="id-ID")
    kerja = other.new_page()
    kerja.goto(server.url(SLUG, "/kerja/"))
    kerja.get_by_label(re.compile("Nama pengguna|Username")).fill(username)
    kerja.get_by_label(re.compile("Kata sandi|Password")).fill(password)
    kerja.click("#staff-sign-in")
    kerja.wait_for_selector("#work-queue", timeout=15000)
    kerja.screenshot(path=str(SCREENSHOTS / "console-staff-kerja-412.png"), full_page=True)
    other.close()
    page.close()


def test_an_operator_opening_the_console_is_told_where_to_work(
    db, server, browser, web_cities, staff_user
):
    username = staff_user(SLUG, "operator")  # is_staff ticked the old way: still no console
    for locale, expected in (("id-ID", "Konsol khusus admin Diskominfo"), ("en-US", "Diskominfo")):
        context = browser.new_context(viewport=DESK, locale=locale)
        page = context.new_page()
        page.goto(server.url(SLUG, "/admin/"))
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(PASSWORD)
        page.get_by_role("button", name=re.compile("Masuk|Log in")).click()
        page.wait_for_selector("#not-console")
        box = page.locator("#not-console")
        assert expected in page.locator("#content").inner_text()
        assert box.locator('a[href="/kerja/"]').count() == 1
        assert "permission" not in page.content().lower()
        page.screenshot(
            path=str(SCREENSHOTS / f"console-staff-not-console-{locale}-1440.png"), full_page=True
        )
        page.set_viewport_size(PHONE)
        page.screenshot(
            path=str(SCREENSHOTS / f"console-staff-not-console-{locale}-412.png"), full_page=True
        )
        # Nothing of the console opens for them.
        for path in ("/admin/people/staffmember/", "/admin/cityconfig/category/"):
            page.goto(server.url(SLUG, path))
            assert page.locator("#result_list").count() == 0
        context.close()


def test_the_console_menu_has_no_axes_or_otp_entries(db, server, browser, console_admin):
    admin = console_admin(SLUG)
    page = browser.new_page(viewport=DESK)
    console_sign_in(page, server, SLUG, admin)
    content = page.locator("#content-main").inner_text()
    for plumbing in ("Axes", "AXES", "OTP", "TOTP", "Access attempt", "Percobaan akses"):
        assert plumbing not in content, plumbing
    assert page.locator('a[href="/admin/people/staffmember/"]').count() >= 1
    assert page.locator('a[href^="/admin/auth/"]').count() == 0
    page.screenshot(path=str(SCREENSHOTS / "console-staff-menu-1440.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(SCREENSHOTS / "console-staff-menu-412.png"), full_page=True)
    page.close()
