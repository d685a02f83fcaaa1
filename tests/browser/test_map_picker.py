"""The report form's location in a real browser: a pin placed precisely on a
zoomed-in street map (Leaflet), the area picker as the way without the map
(keyboard only; the report carries the area and reaches its kelurahan), a
point outside the city warned about before sending, narrow screens."""

from __future__ import annotations

import math
import re
import secrets

import pytest
from django.db import connection

from tests.browser.conftest import run_in_thread
from tests.browser.test_map_tiles import tiles  # noqa: F401  (a local tile server for web-pkp)
from tests.browser.test_web_app import CITIES, MOBILE, app_config, fresh_photo

PHONE = {"width": 412, "height": 915}
DESKTOP = {"width": 1440, "height": 900}

# The screen pixel → (lat, lon) of the tiles under it: a tile's z/x/y (from its
# URL, the local TileServer's) and its rectangle on screen give Web Mercator
# coordinates independently of the app's own projection code.
LATLON_AT = """([px, py]) => {
  for (const img of document.querySelectorAll('.citymap img.leaflet-tile-loaded')) {
    const r = img.getBoundingClientRect();
    if (px < r.left || px >= r.right || py < r.top || py >= r.bottom) continue;
    const path = new URL(img.src).pathname;
    const [z, x, y] = path.match(/(\\d+)\\/(\\d+)\\/(\\d+)\\.png$/).slice(1).map(Number);
    const n = 2 ** z;
    const X = x + (px - r.left) / r.width, Y = y + (py - r.top) / r.height;
    return [Math.atan(Math.sinh(Math.PI * (1 - 2 * Y / n))) * 180 / Math.PI, X / n * 360 - 180, z];
  }
  return null;
}"""
# The tiles on screen are all of one zoom and loaded (no zoom animation left).
SETTLED = """() => {
  const imgs = [...document.querySelectorAll('.citymap img.leaflet-tile')]
    .filter((i) => i.style.visibility !== 'hidden');
  const zs = new Set(imgs.map((i) => new URL(i.src).pathname.split('/')[2]));
  const loaded = imgs.every((i) => i.classList.contains('leaflet-tile-loaded'));
  const still = !document.querySelector('.leaflet-zoom-anim');
  return imgs.length > 0 && zs.size === 1 && loaded && still;
}"""


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    dlat = math.radians(b[0] - a[0])
    dlon = math.radians(b[1] - a[1]) * math.cos(math.radians(a[0]))
    return 6_371_000 * math.hypot(dlat, dlon)


def open_form(browser, server, slug: str, viewport=MOBILE, locale="id-ID", where=None):
    """The new-report form, anonymously (both test cities allow it); with
    ``where`` the device reports that position, without it no position."""
    context = browser.new_context(viewport=viewport, locale=locale, has_touch=True)
    if where:
        context.grant_permissions(["geolocation"], origin=server.url(slug, "").rstrip("/"))
        context.set_geolocation({"latitude": where[0], "longitude": where[1], "accuracy": 5})
    page = context.new_page()
    page.goto(server.url(slug, "/lapor/baru?anonim=1"))
    page.wait_for_selector(".citymap path.map-boundary")
    page.wait_for_selector(
        '#location-status[data-state="found"], #location-status[data-state="failed"]'
    )
    return context, page


def report_row(web_cities, django_db_blocker, slug: str, code: str) -> dict:
    from reports.models import Report

    def lookup():
        connection.set_tenant(web_cities[slug])
        report = Report.objects.select_related("area", "opd__area").get(tracking_code=code)
        return {
            "lat": report.latitude,
            "lon": report.longitude,
            "area": report.area.code if report.area else None,
            "area_source": getattr(report, "area_source", None),
            "opd_area": report.opd.area.code if report.opd and report.opd.area else None,
            "status": report.status,
        }

    return run_in_thread(django_db_blocker, lookup)


def send(page, tmp_path, category: str, lat: float, lon: float) -> str:
    page.get_by_label("Kategori").select_option(category)
    page.get_by_label("Uraian masalah").fill(
        f"Uji peta {secrets.token_hex(3)}: masalah di titik ini."
    )
    page.set_input_files('input[name="photos"]', str(fresh_photo(tmp_path, lat, lon, "foto")))
    page.click("#send-report")
    page.wait_for_selector("#tracking-code, #submit-result .alert", timeout=30000)
    assert page.locator("#tracking-code").count(), page.locator("#submit-result").inner_text()
    return page.locator("#tracking-code").inner_text().strip()


def pin_position(page) -> tuple[float, float]:
    label = page.locator(".citymap .map-pin").get_attribute("aria-label")
    lat, lon = re.search(r"(-?\d+\.\d+), (-?\d+\.\d+)$", label).groups()
    return float(lat), float(lon)


def test_a_pin_placed_zoomed_in_lands_where_it_was_clicked(
    db,
    server,
    browser,
    tiles,  # noqa: F811
    web_cities,
    django_db_blocker,
    tmp_path,
    shot,
):
    lat, lon, _ = CITIES["web-pkp"]
    context, page = open_form(browser, server, "web-pkp", where=(lat, lon))
    page.wait_for_function(SETTLED)
    start_zoom = page.evaluate(LATLON_AT, [*center(page)])[2]
    # Zoom in with the keyboard (Leaflet's handler on the focused map).
    page.focus(".citymap")
    page.keyboard.press("+")
    page.keyboard.press("+")
    at_17 = "document.querySelector('.citymap img.leaflet-tile').src.includes('/17/')"
    page.wait_for_function(f"() => ({SETTLED})() && {at_17}")  # the server's deepest
    px, py = center(page)
    target = (px + 57, py - 41)  # off the pin (which sits at the centre)
    expected_lat, expected_lon, zoom = page.evaluate(LATLON_AT, list(target))
    assert zoom > start_zoom
    page.mouse.click(*target)
    placed = pin_position(page)
    assert metres(placed, (expected_lat, expected_lon)) < 2, placed
    shot(page, "map-picker-01-zoomed-pin")
    code = send(page, tmp_path, "jalan-rusak", expected_lat, expected_lon)
    row = report_row(web_cities, django_db_blocker, "web-pkp", code)
    assert metres((row["lat"], row["lon"]), (expected_lat, expected_lon)) < 3, row
    context.close()


def center(page) -> tuple[float, float]:
    page.locator(".citymap").scroll_into_view_if_needed()
    box = page.locator(".citymap").bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def mataram_area(server, code: str) -> dict:
    import json

    from tests.api.conftest import document

    body = json.dumps({"query": document("Areas"), "variables": {}}).encode()
    with server.fetch("web-mtr", "/graphql/", body, {"Content-Type": "application/json"}) as r:
        areas = json.loads(r.read())["data"]["areas"]
    return next(a for a in areas if a["code"] == code)


def test_an_area_chosen_by_keyboard_goes_with_the_report_to_its_kelurahan(
    db, server, browser, web_cities, django_db_blocker, tmp_path, shot
):
    kelurahan = mataram_area(server, "52.71.01.1005")  # Ampenan Tengah, kecamatan Ampenan
    assert kelurahan["boundary"], "the Mataram seed gives its kelurahan polygons"
    context, page = open_form(browser, server, "web-mtr")  # no device position
    page.wait_for_selector("#area-picker")
    # Keyboard only: from "use my location", Tab to the area search; a query in
    # another case with a diacritic still finds it; Enter chooses the first match.
    page.focus("#use-my-location")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "area-search"
    page.keyboard.type("AMPÉNAN teng")
    assert "1 wilayah cocok" in page.locator("#area-count").inner_text()
    page.keyboard.press("Enter")
    shown = page.locator("#area-shown")
    assert shown.inner_text() == "Wilayah: Ampenan Tengah, Ampenan"
    assert page.locator("#area-top").input_value() == "52.71.01"
    assert page.locator("#area-sub").input_value() == "52.71.01.1005"
    # The selects themselves by keyboard: another kelurahan, then back.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "area-sub"
    page.keyboard.press("ArrowDown")
    assert page.locator("#area-sub").input_value() != "52.71.01.1005"
    page.keyboard.press("ArrowUp")
    assert page.locator("#area-sub").input_value() == "52.71.01.1005"
    assert shown.inner_text() == "Wilayah: Ampenan Tengah, Ampenan"
    # No pin of the citizen's own: the point went to the middle of the area,
    # which the map now shows.
    pin = pin_position(page)
    assert page.evaluate(
        """([geo, lat, lon]) => {
          let inside = false;
          for (const ring of geo.coordinates) {
            for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
              const [xi, yi] = ring[i], [xj, yj] = ring[j];
              const crosses = (yi > lat) !== (yj > lat);
              if (crosses && lon < (xj - xi) * (lat - yi) / (yj - yi) + xi) inside = !inside;
            }
          }
          return inside;
        }""",
        [kelurahan["boundary"], *pin],
    )
    assert page.locator("#location-status").get_attribute("data-state") == "area"
    shot(page, "map-picker-02-area-by-keyboard")
    code = send(page, tmp_path, "sampah", *pin)  # Mataram: sampah → @kelurahan
    row = report_row(web_cities, django_db_blocker, "web-mtr", code)
    assert row["area"] == "52.71.01.1005", row
    assert row["opd_area"] == "52.71.01.1005", row  # the Lurah of Ampenan Tengah
    context.close()


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_point_outside_the_city_is_warned_about_before_sending(db, server, browser, lang, shot):
    context, page = open_form(browser, server, "web-pkp")
    city = app_config(server, "web-pkp")["cityName"]
    if lang == "en":
        page.select_option("#lang", "en")
        page.wait_for_selector("html[lang=en] #location-status[data-state]")
    # The map's top-right corner is outside the boundary (a polygon, drawn inset).
    page.locator(".citymap").scroll_into_view_if_needed()
    box = page.locator(".citymap").bounding_box()
    page.mouse.click(box["x"] + box["width"] - 12, box["y"] + 12)
    warning = page.locator("#outside-warning")
    warning.wait_for()
    text = (
        f"Titik berada di luar wilayah {city}." if lang == "id" else f"The point is outside {city}."
    )
    assert warning.inner_text().startswith(text)
    page.get_by_label(re.compile("Kategori|Category")).select_option("jalan-rusak")
    page.get_by_label(re.compile("Uraian masalah|Description")).fill(
        "Jalan rusak di perbatasan kota."
    )
    page.click("#send-report")
    refusal = page.locator("#submit-result .alert.error")
    refusal.wait_for()
    assert text in refusal.inner_text()  # not sent silently
    assert page.locator("#tracking-code").count() == 0
    # Back inside the city: the warning goes.
    x, y = center(page)
    page.mouse.click(x + 30, y + 20)  # beside the pin
    warning.wait_for(state="hidden", timeout=5000)
    context.close()


@pytest.mark.parametrize("width", [412, 320])
def test_the_map_and_picker_fit_narrow_screens(db, server, browser, width, shot):
    context, page = open_form(browser, server, "web-mtr", viewport={"width": width, "height": 800})
    page.wait_for_selector("#area-picker")
    fits = "document.documentElement.scrollWidth <= window.innerWidth"
    assert page.evaluate(fits), page.evaluate("document.documentElement.scrollWidth")
    for selector in (".citymap", "#area-top", "#area-sub", "#area-search"):
        box = page.locator(selector).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (selector, box)
    shot(page, f"map-picker-03-mtr-{width}")
    context.close()


@pytest.mark.parametrize("lang", ["id", "en"])
def test_screenshots_phone_and_desktop(db, server, browser, lang, shot):
    lat, lon, _ = CITIES["web-mtr"]
    for name, viewport in (("412", PHONE), ("1440", DESKTOP)):
        context, page = open_form(browser, server, "web-mtr", viewport, where=(lat, lon))
        if lang == "en":
            page.select_option("#lang", "en")
            page.wait_for_selector("html[lang=en] #area-picker")
        page.wait_for_selector("#area-shown:not(:empty)")
        assert re.match(r"(Wilayah|Area): ", page.locator("#area-shown").inner_text())
        shot(page, f"map-picker-04-mtr-{name}-{lang}")
        context.close()
