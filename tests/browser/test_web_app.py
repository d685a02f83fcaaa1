"""The reference web app in a real browser, two cities: a citizen files a
report with a fresh phone photo, the command center sees it arrive live, an
OPD responder resolves it and the citizen sees it resolved."""

from __future__ import annotations

import json
import re
import secrets
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from tests.browser.conftest import PASSWORD, WEB_CITIES, run_in_thread
from verification.samples import phone_photo

# City hall (lat, lon) and the app name each city's users see.
CITIES = {
    "web-pkp": (-2.1265, 106.1140, "Lapor Mang"),
    "web-mtr": (-8.5837, 116.1163, "Mataramku Lapor"),
}
MOBILE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}


def rgb(hex_colour: str) -> str:
    value = hex_colour.lstrip("#")
    r, g, b = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgb({r}, {g}, {b})"


def fresh_photo(tmp_path, lat: float, lon: float, name: str):
    path = tmp_path / f"{name}.jpg"
    path.write_bytes(
        phone_photo(
            seed=3000 + secrets.randbelow(3000),
            width=1200,
            height=900,
            taken_at=datetime.now(UTC) - timedelta(minutes=2),
            gps=(lat + 0.0001, lon + 0.0001),
        )
    )
    return path


def app_config(server, slug: str) -> dict:
    from tests.api.conftest import document

    body = json.dumps({"query": document("AppConfig")}).encode()
    with server.fetch(slug, "/graphql/", body, {"Content-Type": "application/json"}) as response:
        return json.loads(response.read())["data"]["appConfig"]


def staff_sign_in(page, username: str) -> None:
    page.get_by_label(re.compile("Nama pengguna|Username")).fill(username)
    page.get_by_label(re.compile("Kata sandi|Password")).fill(PASSWORD)
    page.click("#staff-sign-in")


def citizen_sign_in(page, server, prefix: str = "0812") -> str:
    """On the sign-in form: a fresh phone number, the one-time code the server
    wrote for it, signed in. Returns the number as typed."""
    phone_local = f"{prefix}{secrets.randbelow(10**8):08d}"
    page.get_by_label(re.compile("Nomor HP")).fill(phone_local)
    page.click("#send-code")
    code_input = page.get_by_label(re.compile("Kode sekali pakai"))
    code_input.wait_for()
    code_input.fill(server.otp_for("+62" + phone_local[1:]))
    page.click("#verify-code")
    return phone_local


def report_opd(web_cities, django_db_blocker, slug: str, code: str) -> str:
    from reports.models import Report

    def lookup():
        connection.set_tenant(web_cities[slug])
        return Report.objects.select_related("opd").get(tracking_code=code).opd.code

    return run_in_thread(django_db_blocker, lookup)


@pytest.mark.parametrize("slug", list(CITIES))  # web-jkt: test_survey_and_respond.py
def test_report_from_phone_to_command_center_to_responder_and_back(
    slug, db, server, browser, web_cities, staff_user, django_db_blocker, tmp_path, shot
):
    lat, lon, app_name = CITIES[slug]
    config = app_config(server, slug)
    assert config["appName"] == app_name

    # The command center is watching before the report exists.
    command = browser.new_context(viewport=DESKTOP, locale="id-ID")
    cc = command.new_page()
    cc.goto(server.url(slug, "/command/"))
    staff_sign_in(cc, staff_user(slug, "command_center"))
    cc.wait_for_selector("#live-status.connected", timeout=15000)
    cc.wait_for_selector("#total-count", timeout=15000)

    # A citizen on a 360 px phone, at the city hall.
    citizen = browser.new_context(viewport=MOBILE, locale="id-ID", has_touch=True)
    citizen.grant_permissions(["geolocation"], origin=server.url(slug, "").rstrip("/"))
    citizen.set_geolocation({"latitude": lat, "longitude": lon, "accuracy": 8})
    page = citizen.new_page()
    page.goto(server.url(slug, "/"))
    assert page.title() == f"{app_name} · {config['cityName']}"
    assert page.locator("#app-name").inner_text() == app_name
    assert page.locator("header .official").inner_text() == config["officialName"]
    primary = rgb(config["branding"]["colors"]["primary"])
    header_bg = page.eval_on_selector("header.top", "e => getComputedStyle(e).backgroundColor")
    assert header_bg == primary
    theme = page.get_attribute('meta[name="theme-color"]', "content")
    assert theme.lower() == config["branding"]["colors"]["primary"].lower()
    assert page.get_attribute('link[rel="manifest"]', "href") == "/manifest.webmanifest"
    shot(page, f"{slug}-01-home")

    page.click("#start-report")
    page.click("#go-sign-in")
    citizen_sign_in(page, server)
    page.wait_for_url(re.compile(r"/lapor/baru$"))
    page.wait_for_selector('#location-status[data-state="found"]', timeout=15000)
    page.get_by_label("Kategori").select_option("jalan-rusak")
    page.get_by_label("Uraian masalah").fill("Jalan berlubang besar di depan kantor wali kota.")
    photo = fresh_photo(tmp_path, lat, lon, "laporan")
    page.set_input_files('input[name="photos"]', str(photo))
    page.wait_for_selector("#nearby p, #nearby .alert", timeout=10000)
    shot(page, f"{slug}-02-new-report")
    page.click("#send-report")
    page.wait_for_selector("#tracking-code", timeout=30000)
    tracking_code = page.locator("#tracking-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", tracking_code), tracking_code
    verdict = page.locator(".verdict-label").inner_text()
    assert verdict == "Terverifikasi otomatis", page.locator(".verdict").inner_text()
    assert page.locator(".checks li").count() >= 3
    shot(page, f"{slug}-03-sent-with-verdict")

    # The command center hears it without reloading.
    cc.wait_for_selector(f'#live-feed li[data-code="{tracking_code}"]', timeout=15000)
    assert cc.evaluate("performance.getEntriesByType('navigation').length") == 1
    shot(cc, f"{slug}-04-command-center-live")

    # The OPD it was routed to acknowledges and resolves it with a proof photo.
    opd = report_opd(web_cities, django_db_blocker, slug, tracking_code)
    responder = browser.new_context(viewport=MOBILE, locale="id-ID")
    rp = responder.new_page()
    rp.goto(server.url(slug, "/respond/"))
    staff_sign_in(rp, staff_user(slug, "opd_responder", opd))
    item = rp.locator(f'li.queue-item[data-code="{tracking_code}"]')
    item.wait_for(timeout=15000)
    shot(rp, f"{slug}-05-responder-queue")
    item.locator('[data-action="acknowledge"]').click()
    rp.wait_for_selector(".alert.ok")
    item = rp.locator(f'li.queue-item[data-code="{tracking_code}"]')
    item.locator('textarea[name="resolve-note"]').fill("Lubang sudah ditambal aspal.")
    proof = fresh_photo(tmp_path, lat, lon, "bukti")
    item.locator('input[name="proof"]').set_input_files(str(proof))
    rp.locator("#action-status").evaluate("e => e.replaceChildren()")
    item.locator('[data-action="resolve"]').click()
    rp.wait_for_selector("#action-status .alert, .queue-item .alert.error", timeout=30000)
    errors = rp.locator(".queue-item .alert.error")
    assert errors.count() == 0, errors.all_inner_texts()
    cc.wait_for_selector(
        f'#live-feed li[data-code="{tracking_code}"] .status-resolved', timeout=15000
    )

    # The citizen tracks it: resolved, with the proof; confirms.
    page.goto(server.url(slug, f"/lapor/lacak/{tracking_code}"))
    page.wait_for_selector("#report-status .status-resolved", timeout=15000)
    assert page.locator(".photos img").count() >= 2
    shot(page, f"{slug}-06-citizen-sees-resolved")
    page.click("#confirm")
    page.wait_for_selector("#report-status .status-closed", timeout=15000)
    shot(cc, f"{slug}-07-command-center-after")
    for context in (command, citizen, responder):
        context.close()


def test_each_city_serves_its_own_shell_manifest_and_noscript(db, server, web_cities):
    seen = {}
    for slug in WEB_CITIES:
        config = app_config(server, slug)
        with server.fetch(slug, "/lapor/baru") as response:
            html = response.read().decode()
        with server.fetch(slug, "/manifest.webmanifest") as r:
            manifest = json.loads(r.read())
        assert f"<title>{config['appName']} · {config['cityName']}</title>" in html
        assert f'content="{config["branding"]["colors"]["primary"]}"' in html
        assert "<noscript>" in html and config["officialName"] in html
        assert manifest["short_name"] == config["appName"]
        assert manifest["theme_color"] == config["branding"]["colors"]["primary"]
        seen[slug] = manifest["theme_color"]
    with server.fetch("web-mtr", "/sw.js") as response:
        assert response.headers["Service-Worker-Allowed"] == "/"
    assert len(set(seen.values())) == len(WEB_CITIES)  # each city its own colour


def test_offline_and_refusals_are_explained(db, server, browser, web_cities, shot):
    slug = "web-mtr"
    context = browser.new_context(viewport=MOBILE, locale="id-ID")
    page = context.new_page()
    page.goto(server.url(slug, "/lapor/masuk"))
    page.get_by_label(re.compile("Nomor HP")).fill("12")
    page.click("#send-code")
    refusal = page.locator(".alert.error")
    refusal.wait_for()
    assert "Nomor telepon tidak valid" in refusal.inner_text()  # the server's errors[].message
    context.set_offline(True)
    page.get_by_label(re.compile("Nomor HP")).fill("0812 3456 7890")
    page.click("#send-code")
    offline = page.locator(".alert.offline")
    offline.wait_for()
    assert "offline" in offline.inner_text().lower()
    shot(page, f"{slug}-08-offline-message")
    context.set_offline(False)
    page.goto(server.url(slug, "/lapor/publik"))
    page.wait_for_selector(".citymap path.map-boundary")
    page.goto(server.url(slug, "/lapor/peringkat"))
    page.wait_for_selector("h1")
    shot(page, f"{slug}-09-ranking")
    context.close()
