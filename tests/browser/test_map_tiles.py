"""Maps: a city's tile server (``branding.map`` in its config) under the boundary
and points; without one, or when it cannot be reached, the boundary on a plain
background (the map never needs the internet)."""

from __future__ import annotations

import io
import math
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from PIL import Image

from tests.browser.conftest import run_in_thread
from tests.browser.test_web_app import CITIES, MOBILE, app_config

TILE_PATH = re.compile(r"^/tiles/(\d+)/(\d+)/(\d+)\.png$")


def tile_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (200, 230, 200)).save(buffer, "PNG")
    return buffer.getvalue()


class TileServer:
    """A tile server on 127.0.0.1 that records which tiles were asked for."""

    def __init__(self) -> None:
        png, requested = tile_png(), []
        self.requested: list[tuple[int, int, int]] = requested

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                match = TILE_PATH.match(self.path)
                if not match:
                    self.send_error(404)
                    return
                requested.append(tuple(int(part) for part in match.groups()))
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(png)))
                self.end_headers()
                self.wfile.write(png)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/tiles/{{z}}/{{x}}/{{y}}.png"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.httpd.socket.fileno() != -1:
            self.httpd.shutdown()
            self.httpd.server_close()


def tile_of(lat: float, lon: float, zoom: int) -> tuple[int, int]:
    n = 2**zoom
    r = math.radians(lat)
    return int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(r)) / math.pi) / 2 * n)


def set_map(django_db_blocker, city, tiles: dict | None) -> None:
    """The city's ``branding.map`` as onboarding stores it (committed: the server
    is another process)."""

    def update():
        from django.db import connection

        from cityconfig.models import CityProfile

        connection.set_tenant(city)
        profile = CityProfile.load()
        profile.branding = {**profile.branding, "map": tiles}
        profile.save()

    run_in_thread(django_db_blocker, update)


@pytest.fixture
def tiles(web_cities, django_db_blocker) -> Iterator[TileServer]:
    server = TileServer()
    settings = {"tile_url": server.url, "attribution": "© Peta Kota Uji", "max_zoom": 17}
    set_map(django_db_blocker, web_cities["web-pkp"], settings)
    try:
        yield server
    finally:
        set_map(django_db_blocker, web_cities["web-pkp"], None)
        server.stop()


def test_a_city_with_a_tile_server_shows_its_tiles_and_credit(db, server, browser, tiles, shot):
    config = app_config(server, "web-pkp")
    assert config["mapTiles"] == {
        "tileUrl": tiles.url,
        "attribution": "© Peta Kota Uji",
        "maxZoom": 17,
    }
    context = browser.new_context(viewport=MOBILE, locale="id-ID")
    page = context.new_page()
    page.goto(server.url("web-pkp", "/lapor/publik"))
    page.wait_for_selector(".citymap.with-tiles path.map-boundary")
    page.wait_for_function(
        "() => document.querySelectorAll('.citymap img.leaflet-tile-loaded').length > 0"
    )
    page.wait_for_load_state("networkidle")
    shown = {
        tuple(int(part) for part in TILE_PATH.match(urlsplit(src).path).groups())
        for src in page.eval_on_selector_all(
            ".citymap img.leaflet-tile-loaded", "els => els.map((e) => e.src)"
        )
    }
    assert shown <= set(tiles.requested)  # every tile shown came from the city's server
    assert page.locator(".map-attribution").inner_text() == "© Peta Kota Uji"
    zooms = {z for z, _, _ in shown}
    assert len(zooms) == 1 and 10 <= next(iter(zooms)) <= 17  # one zoom, city scale
    zoom = zooms.pop()
    lat, lon, _ = CITIES["web-pkp"]
    # City hall's tile is among those shown; the map asks for a screenful, not the world.
    assert (zoom, *tile_of(lat, lon, zoom)) in shown
    assert len(set(tiles.requested)) <= 64
    shot(page, "web-pkp-10-map-with-tiles")

    # The other city has no tile server: its map is drawn offline, no credit line.
    other = context.new_page()
    other.goto(server.url("web-mtr", "/lapor/publik"))
    other.wait_for_selector(".citymap path.map-boundary")
    assert other.locator(".citymap img.leaflet-tile").count() == 0
    assert other.locator(".map-attribution").count() == 0
    assert "with-tiles" not in other.locator(".citymap").get_attribute("class")
    context.close()


def test_an_unreachable_tile_server_leaves_the_offline_map(db, server, browser, tiles, shot):
    tiles.stop()
    context = browser.new_context(viewport=MOBILE, locale="id-ID")
    page = context.new_page()
    page.goto(server.url("web-pkp", "/lapor/publik"))
    page.wait_for_selector(".citymap path.map-boundary")
    # Every tile fails and is hidden; the boundary (a vector layer, drawn on the
    # plain background) and the scale stay, and the map still zooms.
    page.wait_for_selector(".citymap.tiles-failing", timeout=15000)
    assert page.locator(".citymap img.leaflet-tile-loaded").count() == 0
    box = page.locator(".citymap path.map-boundary").bounding_box()
    assert box and box["width"] > 100 and box["height"] > 100
    assert page.locator(".citymap .leaflet-control-scale").count() == 1
    page.locator(".leaflet-control-zoom-in").click()
    page.wait_for_timeout(400)
    bigger = page.locator(".citymap path.map-boundary").bounding_box()
    assert bigger["width"] > box["width"] * 1.5
    shot(page, "web-pkp-11-map-tiles-failing")
    context.close()
