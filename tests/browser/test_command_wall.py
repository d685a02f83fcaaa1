"""The command center on the wall: open reports on the map from the first paint,
a new report live within 2 s, wall mode on 1920×1080 and 1440×900 with nothing
below the fold, and the live feed kept across the switch."""

from __future__ import annotations

import json
import secrets
import time

import pytest
import requests
from django.db import connection

from tests.api.conftest import document
from tests.browser.conftest import run_in_thread
from tests.browser.test_web_app import CITIES, fresh_photo, staff_sign_in

SLUG = "web-mtr"
WALLS = [{"width": 1920, "height": 1080}, {"width": 1440, "height": 900}]


@pytest.fixture
def history(web_cities, django_db_blocker) -> int:
    """A month of demo reports in the city (idempotent: seeded once per database)."""

    def seed():
        from reports.demo_history import seed_history
        from reports.models import OPEN_STATUSES, Report

        connection.set_tenant(web_cities[SLUG])
        seed_history(SLUG, CITIES[SLUG][:2], count=150)
        return Report.objects.filter(status__in=list(OPEN_STATUSES)).count()

    return run_in_thread(django_db_blocker, seed)


def _post(server, body: dict, token: str | None = None, files=None) -> dict:
    headers = {"Host": f"{SLUG}.localhost:{server.port}"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    url = f"http://127.0.0.1:{server.port}/graphql/"
    if files:
        mapping = {str(i): [f"variables.photos.{i}"] for i in range(len(files))}
        data = {"operations": json.dumps(body), "map": json.dumps(mapping)}
        response = requests.post(url, data=data, files=files, headers=headers, timeout=20)
    else:
        response = requests.post(url, json=body, headers=headers, timeout=20)
    assert response.status_code == 200, response.text[:400]
    return response.json()


def submit_through_api(server, tmp_path) -> str:
    lat, lon, _ = CITIES[SLUG]
    phone = f"+62812{secrets.randbelow(10**8):08d}"
    sent = _post(server, {"query": document("RequestOtp"), "variables": {"phone": phone}})
    assert sent["data"]["requestOtp"]["sent"], sent
    code = server.otp_for(phone)
    verified = _post(
        server, {"query": document("VerifyOtp"), "variables": {"phone": phone, "code": code}}
    )
    token = verified["data"]["verifyOtp"]["token"]
    photo = fresh_photo(tmp_path, lat + 0.003, lon - 0.002, "wall")
    variables = {
        "input": {
            "categoryCode": "pju",
            "description": "Lampu jalan mati di depan taman kota.",
            "latitude": lat + 0.003,
            "longitude": lon - 0.002,
            "accuracyMeters": 8,
            "idempotencyKey": f"wall-{secrets.token_hex(6)}",
        },
        "photos": [None],
    }
    with photo.open("rb") as handle:
        result = _post(
            server,
            {"query": document("SubmitReport"), "variables": variables},
            token,
            files={"0": ("wall.jpg", handle, "image/jpeg")},
        )
    payload = result["data"]["submitReport"]
    assert payload["errors"] == [], payload
    return payload["report"]["trackingCode"]


def markers(page) -> int:
    return page.locator(".citymap .leaflet-marker-icon").count()


def test_command_center_open_reports_at_load_and_live(
    db, server, browser, staff_user, history, tmp_path, shot
):
    assert history > 20
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="id-ID")
    page = context.new_page()
    page.goto(server.url(SLUG, "/command/"))
    staff_sign_in(page, staff_user(SLUG, "command_center"))
    page.wait_for_selector(".citymap .leaflet-marker-icon", timeout=15000)
    assert markers(page) > 0  # clustered points, drawn with the first figures
    page.wait_for_selector("#live-status.connected", timeout=15000)
    assert page.locator("#area-counts li").count() >= 3
    assert page.locator("#overdue-counts li").count() >= 1
    assert page.locator("#ranking-rows tbody tr").count() >= 1
    assert page.locator("#trend rect").count() == 30
    assert "🟥" not in page.locator("main").inner_text()
    shot(page, "command-desk-1440x900")

    code = submit_through_api(server, tmp_path)
    started = time.monotonic()
    line = page.locator(f'#live-feed li[data-code="{code}"]').first
    line.wait_for(timeout=2000)
    assert time.monotonic() - started < 2.0
    text = page.locator(f'#live-feed li[data-code="{code}"]').all_inner_texts()
    text = " ".join(text)
    assert "assigned" not in text and "→" not in text
    assert "Didisposisikan ke OPD" in text or "Laporan dikirim" in text, text
    context.close()


@pytest.mark.parametrize("viewport", WALLS, ids=lambda v: f"{v['width']}x{v['height']}")
def test_wall_mode_fits_and_keeps_the_feed(
    viewport, db, server, browser, staff_user, history, tmp_path, shot
):
    context = browser.new_context(viewport=viewport, locale="id-ID")
    page = context.new_page()
    page.goto(server.url(SLUG, "/command/"))
    staff_sign_in(page, staff_user(SLUG, "command_center"))
    page.wait_for_selector("#live-status.connected", timeout=15000)
    page.wait_for_selector(".citymap .leaflet-marker-icon", timeout=15000)
    code = submit_through_api(server, tmp_path)
    page.locator(f'#live-feed li[data-code="{code}"]').first.wait_for(timeout=5000)
    before = page.locator("#live-feed li").count()

    page.click("#wall-toggle")
    page.wait_for_selector("body.wall")
    page.wait_for_timeout(600)  # the map resizes to its cell
    assert "wall=1" in page.url
    assert page.locator("#live-feed li").count() >= before
    assert page.locator(f'#live-feed li[data-code="{code}"]').count() >= 1
    fits = page.evaluate("document.documentElement.scrollHeight <= innerHeight")
    wide = page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    assert fits and wide, page.evaluate("[document.documentElement.scrollHeight, innerHeight]")
    box = page.locator(".cc-map .citymap").bounding_box()
    assert box and box["height"] > viewport["height"] * 0.35
    assert markers(page) > 0
    shot(page, f"command-wall-{viewport['width']}x{viewport['height']}")

    # English on request, the same wall
    page.click("#wall-toggle")
    page.wait_for_selector("body:not(.wall)")
    assert page.locator(f'#live-feed li[data-code="{code}"]').count() >= 1
    context.close()
