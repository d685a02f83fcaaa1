"""The Content-Security-Policy in Chromium: the citizen app, the command
center (live WebSocket), a city's map tiles, the admin, the ranking pages, the
error page and GraphiQL run under it and nothing is blocked (no
securitypolicyviolation event, no console report); no request leaves the test
server, so GraphiQL is shown to work offline. The headers: tests/test_csp.py."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import run_in_thread
from tests.browser.test_map_tiles import tiles  # noqa: F401  (a tile server for web-pkp)
from tests.browser.test_web_app import CITIES, app_config, rgb, staff_sign_in

PHONE = {"width": 412, "height": 915}
DESKTOP = {"width": 1280, "height": 900}
# Every violation, as the page itself sees it (before any page script runs).
LISTEN = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(
  {directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample}));
"""


class Watch:
    """A browser context whose pages report CSP violations (event and
    console) and in which no request may leave the test server."""

    def __init__(self, browser, server, viewport, also=()):
        self.console: list[str] = []
        self.foreign: list[str] = []
        self.ports = {server.port, *also}
        self.context = browser.new_context(viewport=viewport, locale="id-ID")
        self.context.add_init_script(LISTEN)
        self.context.route("**/*", self._only_the_server)

    def _only_the_server(self, route):
        url = urlsplit(route.request.url)
        local = url.hostname in ("127.0.0.1",) or (url.hostname or "").endswith("localhost")
        if url.scheme in ("data", "blob") or (local and url.port in self.ports):
            route.continue_()
        else:
            self.foreign.append(route.request.url)
            route.abort("internetdisconnected")

    def _console(self, message) -> None:
        if re.search(r"Content[ -]Security[ -]Policy", message.text):
            self.console.append(message.text)

    def page(self):
        page = self.context.new_page()
        page.on("console", self._console)
        return page

    def assert_clean(self, *pages):
        violations = [v for page in pages for v in page.evaluate("window.__csp")]
        assert violations == [], violations
        assert self.console == [], self.console
        assert self.foreign == [], self.foreign

    def close(self):
        self.context.close()


@pytest.fixture
def watch(browser, server):
    contexts = []

    def make(viewport=PHONE, also=()) -> Watch:
        contexts.append(Watch(browser, server, viewport, also))
        return contexts[-1]

    yield make
    for context in contexts:
        context.close()


def test_the_watch_sees_what_the_policy_blocks(db, server, watch):
    """The control: an inline script, an inline style attribute and a foreign
    image are blocked and reported, so a clean page below means something."""
    w = watch(PHONE)
    page = w.page()
    page.goto(server.url("web-mtr", "/"))
    page.wait_for_selector("#app-name")
    page.evaluate(
        """() => {
          const script = document.createElement('script');
          script.textContent = 'window.__ran = true';
          document.body.append(script);
          const div = document.createElement('div');
          div.setAttribute('style', 'color: red');
          document.body.append(div);
          const img = document.createElement('img');
          img.src = 'https://tiles.example.net/0/0/0.png';
          document.body.append(img);
        }"""
    )
    page.wait_for_function("() => window.__csp.length >= 3")
    assert page.evaluate("window.__ran") is None
    directives = {v["directive"] for v in page.evaluate("window.__csp")}
    assert {"script-src-elem", "style-src-attr", "img-src"} <= directives
    assert w.console  # Chromium's own console messages are seen too
    assert w.foreign == []  # blocked by the policy before any request was made


def test_citizen_app_runs_under_the_policy(db, server, watch, shot):
    config = app_config(server, "web-mtr")
    w = watch(PHONE)
    page = w.page()
    response = page.goto(server.url("web-mtr", "/"))
    header = dict(
        d.strip().split(" ", 1) for d in response.headers["content-security-policy"].split(";")
    )
    assert header["script-src"] == "'self'" and header["style-src"].startswith("'self' 'sha256-")
    page.wait_for_selector("#app-name")
    assert page.locator("#app-name").inner_text() == CITIES["web-mtr"][2]
    # The city's colours arrived (the inline <style>, allowed by its hash: a
    # mismatch would be a violation below; then the app's CSSOM).
    primary = rgb(config["branding"]["colors"]["primary"])
    assert (
        page.eval_on_selector("header.top", "e => getComputedStyle(e).backgroundColor") == primary
    )
    assert page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--primary')")
    shot(page, "csp-web-mtr-412-home")
    page.goto(server.url("web-mtr", "/lapor/publik"))
    page.wait_for_selector(".citymap path.map-boundary")
    page.wait_for_load_state("networkidle")
    shot(page, "csp-web-mtr-412-public-map")
    w.assert_clean(page)


def test_command_center_live_feed_and_bars_under_the_policy(
    db, server, watch, web_cities, staff_user, django_db_blocker
):
    """The live feed's WebSocket (connect-src) and the bar charts, whose widths
    are set through CSSOM (webapp/src/dom.ts): a style attribute is blocked."""
    from tests.factories import CityWorld

    # A report for the charts, away from city hall and of another category than
    # test_web_app.py's (which must not look like a duplicate of it).
    lat, lon, _ = CITIES["web-pkp"]
    near = (lat + 0.003, lon + 0.003)
    run_in_thread(
        django_db_blocker,
        lambda: CityWorld(web_cities["web-pkp"]).submit(category_code="pju", near=near),
    )
    w = watch(DESKTOP)
    page = w.page()
    page.goto(server.url("web-pkp", "/command/"))
    staff_sign_in(page, staff_user("web-pkp", "command_center"))
    page.wait_for_selector("#live-status.connected", timeout=15000)
    page.wait_for_selector("#status-counts .bar")
    # (Queried afresh: the charts are redrawn whenever the figures refresh.)
    bars = page.evaluate(
        """() => [...document.querySelectorAll('#status-counts .bar')].map(
          (bar) => [bar.style.getPropertyValue('--w'), getComputedStyle(bar).backgroundImage])"""
    )
    assert "100%" in [width for width, _ in bars]  # the largest count's bar
    assert all(width.endswith("%") and "linear-gradient" in image for width, image in bars)
    w.assert_clean(page)


def test_city_tiles_load_under_the_policy(db, server, watch, tiles):  # noqa: F811
    tile_port = tiles.httpd.server_address[1]
    w = watch(PHONE, also=[tile_port])
    page = w.page()
    response = page.goto(server.url("web-pkp", "/lapor/publik"))
    assert (
        f"img-src 'self' data: blob: http://127.0.0.1:{tile_port}"
        in (response.headers["content-security-policy"])
    )
    page.wait_for_selector(".citymap.with-tiles path.map-boundary")
    page.wait_for_function(
        "() => document.querySelectorAll('.citymap img.leaflet-tile-loaded').length > 0"
    )
    page.wait_for_load_state("networkidle")
    assert tiles.requested  # fetched, not blocked
    assert page.locator(".citymap.tiles-failing").count() == 0  # and none failed
    w.assert_clean(page)


def test_admin_and_ranking_pages_under_the_policy(db, server, watch, shot):
    w = watch(DESKTOP)
    page = w.page()
    page.goto(server.url("web-mtr", "/admin/login/"))
    page.wait_for_selector("#login-form")
    # The admin's stylesheets applied: its header is coloured, the form boxed.
    assert page.eval_on_selector("#header", "e => getComputedStyle(e).backgroundColor") not in (
        "rgba(0, 0, 0, 0)",
        "rgb(255, 255, 255)",
    )
    shot(page, "csp-admin-login")
    ranking = w.page()
    assert ranking.goto(server.url("web-pkp", "/peringkat/")).status == 200  # Mataram: none
    # Its own stylesheet applied: the list is a centred column of 48rem.
    assert ranking.eval_on_selector("main", "e => getComputedStyle(e).maxWidth") == "768px"
    w.assert_clean(page, ranking)


def test_error_page_styles_itself_under_the_policy(
    db, server, watch, web_cities, django_db_blocker
):
    """The suspended-city page (CityMiddleware answers it, static files are
    refused too): its own <style>, allowed by the request's nonce."""
    from tenants.suspension import resume_city, suspend_city

    city = web_cities["web-mtr"]
    run_in_thread(
        django_db_blocker, lambda: suspend_city(city, kind="manual", note="uji", actor="pytest")
    )
    try:
        w = watch(PHONE)
        page = w.page()
        response = page.goto(server.url("web-mtr", "/"))
        assert response.status == 503
        assert "'nonce-" in response.headers["content-security-policy"]
        assert page.locator("h1").inner_text() == "Layanan ditangguhkan"
        assert page.eval_on_selector(".code", "e => getComputedStyle(e).fontSize") == "14px"
        w.assert_clean(page)
    finally:
        run_in_thread(django_db_blocker, lambda: resume_city(city, note="uji", actor="pytest"))


def test_graphiql_renders_and_runs_a_query_offline(db, server, watch, shot):
    """GraphiQL (DEBUG, as the test server runs) from Kanal's own static files,
    with every other host unreachable."""
    w = watch(DESKTOP)
    page = w.page()
    response = page.goto(server.url("web-pkp", "/graphql/"))
    assert response.status == 200
    assert "font-src 'self' data:" in response.headers["content-security-policy"]
    page.wait_for_selector(".graphiql-container .graphiql-query-editor .CodeMirror")
    # Its embedded fonts are in use (font-src data:), not a fallback.
    page.wait_for_function("() => document.fonts.check('16px \"Fira Code\"')")
    page.click(".graphiql-execute-button")
    page.wait_for_function(
        "() => /web-pkp/.test(document.querySelector('.graphiql-response')?.innerText || '')"
    )
    assert '"citySlug": "web-pkp"' in page.locator(".graphiql-response").inner_text()
    # Introspection reached the IDE: the docs explorer lists the root types.
    page.click("button[aria-label='Show Documentation Explorer']")
    page.wait_for_selector(".graphiql-doc-explorer-root-type >> text=Query")
    shot(page, "csp-graphiql")
    # A dialog (its scroll-lock <style>, allowed by hash) and autocompletion.
    page.click("button[aria-label='Open settings dialog']")
    page.wait_for_selector(".graphiql-dialog")
    page.keyboard.press("Escape")
    page.wait_for_selector(".graphiql-dialog", state="detached")
    page.click(".graphiql-query-editor .CodeMirror")
    page.keyboard.press("Control+End")
    page.keyboard.type("\nquery Short { appCo")
    page.wait_for_selector(".CodeMirror-hints >> text=appConfig")
    w.assert_clean(page)
