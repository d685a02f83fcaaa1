"""Content-Security-Policy on every kind of page, and HSTS in production.

One strict policy (settings, "Content Security Policy"): scripts, styles,
fonts and connections from the page's own origin, no inline script or style
unless the response names it by hash or nonce, no plugins, no framing. The
web app shell adds its city's colour-style hash, tile server and WebSocket;
GraphiQL (development) its WebSocket and data: fonts (kanal/csp.py). The same
pages in a real browser: tests/browser/test_csp_in_browser.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import sys
from datetime import date

import pytest
from django.test import Client, override_settings

from kanal import csp
from tests.ranking.test_ranking import fixture  # noqa: F401  (a city with a rankable week)
from tests.test_settings import ROOT, SAFE

STRICT = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
STYLE_BLOCK = re.compile(r"<style([^>]*)>(.*?)</style>", re.S)


def policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        assert name not in directives, f"{name} twice in {header}"
        directives[name] = sources
    return directives


def sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def assert_strict(response, *, style_extra: int = 0) -> dict[str, list[str]]:
    """The base policy, nothing loosened; each inline <style> of the page
    allowed by its own hash or nonce (and nothing else inline)."""
    directives = policy(response)
    for name, sources in STRICT.items():
        assert directives[name] == sources, (name, directives[name])
    assert directives["img-src"][:3] == ["'self'", "data:", "blob:"]
    assert directives["connect-src"][0] == "'self'"
    assert directives["style-src"][0] == "'self'"
    assert directives["font-src"][0] == "'self'"
    for sources in directives.values():
        assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources
        assert "*" not in sources and "https:" not in sources and "http:" not in sources
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html).group(0)
    assert not re.search(r"\sstyle=", html), "inline style attribute"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"
    allowed = set(directives["style-src"][1:])
    for attrs, body in STYLE_BLOCK.findall(html):
        nonce = re.search(r'nonce="([^"]+)"', attrs)
        assert sha256(body) in allowed or (nonce and f"'nonce-{nonce[1]}'" in allowed), attrs
    assert len(allowed) == len(STYLE_BLOCK.findall(html)) + style_extra, allowed
    return directives


# --- the citizen web app -------------------------------------------------------


def test_web_app_shell_allows_only_its_own_colour_style(cities, city_client):
    response = city_client("mataram").get("/")
    assert response.status_code == 200
    directives = assert_strict(response)
    assert len(directives["style-src"]) == 2  # 'self' + the hash of the city's colours
    # The seed's tile server (branding.map: OpenStreetMap), nothing else.
    assert directives["img-src"] == ["'self'", "data:", "blob:", "https://tile.openstreetmap.org"]
    assert directives["connect-src"] == ["'self'", "ws://mataram.localhost"]
    html = response.content.decode()
    assert re.search(r'<script type="module" crossorigin src="/static/assets/index-\w+\.js">', html)
    # Another city, other colours: another hash.
    other = policy(city_client("pangkalpinang").get("/lapor/publik"))
    assert other["style-src"][1] != directives["style-src"][1]
    assert other["connect-src"] == ["'self'", "ws://pangkalpinang.localhost"]


def test_web_app_over_https_names_wss_only(cities, city_client):
    directives = policy(city_client("mataram").get("/", secure=True))
    assert directives["connect-src"] == ["'self'", "wss://mataram.localhost"]


def test_a_city_tile_server_is_allowed_for_images_in_that_city_only(world, city_client):
    from cityconfig.models import CityProfile

    world("serang")
    profile = CityProfile.load()
    map_settings = {"tile_url": "https://peta.serangkota.go.id:8443/xyz/{z}/{x}/{y}.png"}
    profile.branding = {**profile.branding, "map": {**map_settings, "attribution": "© Serang"}}
    profile.save()
    serang = policy(city_client("serang").get("/"))
    assert serang["img-src"] == ["'self'", "data:", "blob:", "https://peta.serangkota.go.id:8443"]
    mataram = policy(city_client("mataram").get("/"))["img-src"]
    assert mataram == ["'self'", "data:", "blob:", "https://tile.openstreetmap.org"]


@pytest.mark.parametrize(
    ("template", "source"),
    [
        ("https://tiles.kota.go.id/{z}/{x}/{y}.png", "https://tiles.kota.go.id"),
        ("http://10.0.0.5:8080/{z}/{x}/{y}.png", "http://10.0.0.5:8080"),
        ("https://{z}.tiles.kota.go.id/{x}/{y}.png", "https://*.tiles.kota.go.id"),
        ("https://user:pw@tiles.kota.go.id/{z}/{x}/{y}", "https://tiles.kota.go.id"),
        ("https://tiles.kota.go.id;script-src *//{z}/{x}/{y}", None),
        ("https://tiles kota/{z}/{x}/{y}", None),
        ("javascript:alert(1)//{z}{x}{y}", None),
        ("", None),
        (None, None),
    ],
)
def test_tile_sources_are_origins_or_nothing(template, source):
    assert csp.tile_source(template) == source


# --- admin, error pages, rankings, the vendor's site ---------------------------


def test_admin_login_page(cities, city_client):
    response = city_client("mataram").get("/admin/login/")
    assert response.status_code == 200
    directives = assert_strict(response)
    assert directives["style-src"] == ["'self'"]  # the admin has no inline style
    assert 'action="/admin/login/' in response.content.decode()
    assert response.headers["X-Frame-Options"] == "DENY"


def test_unknown_host_error_page_styles_itself_with_a_nonce(db):
    response = Client(HTTP_HOST="atlantis.localhost").get("/")
    assert response.status_code == 404
    directives = assert_strict(response)
    nonce = re.search(r'<style nonce="([^"]+)">', response.content.decode())[1]
    assert directives["style-src"] == ["'self'", f"'nonce-{nonce}'"]
    again = Client(HTTP_HOST="atlantis.localhost").get("/")
    assert re.search(r'<style nonce="([^"]+)">', again.content.decode())[1] != nonce


def test_suspended_city_error_page(cities):
    from tenants.suspension import suspend_city

    suspend_city(cities["pangkalpinang"], kind="manual", note="uji CSP", actor="pytest")
    response = Client(HTTP_HOST="pangkalpinang.localhost").get("/")
    assert response.status_code == 503 and "Layanan ditangguhkan" in response.content.decode()
    assert_strict(response)


def test_json_refusals_carry_the_policy_too(db):
    response = Client(HTTP_HOST="atlantis.localhost").get("/", HTTP_ACCEPT="application/json")
    assert response.status_code == 404 and response.json()["error"]["code"] == "UNKNOWN_HOST"
    assert policy(response)["default-src"] == ["'self'"]


def test_ranking_pages_link_their_stylesheet(fixture, world, city_client):  # noqa: F811
    from ranking.services import publish_ranking

    admin = world("kotacontoh").staff("diskominfo_admin")
    snapshot = publish_ranking(admin, date(2026, 10, 5), date(2026, 10, 11))
    browser = city_client("kotacontoh")
    for path in ("/peringkat/", f"/peringkat/v{snapshot.version}/"):
        response = browser.get(path)
        assert response.status_code == 200, path
        directives = assert_strict(response)
        assert directives["style-src"] == ["'self'"], path
        assert (
            '<link rel="stylesheet" href="/static/ranking/pages.css">' in response.content.decode()
        )
    assert (ROOT / "platform" / "ranking" / "static" / "ranking" / "pages.css").is_file()


def test_vendor_home_page(db):
    response = Client(HTTP_HOST="localhost").get("/")
    assert response.status_code == 200
    assert_strict(response)


# --- GraphiQL (development) ------------------------------------------------------


@override_settings(DEBUG=True)
def test_graphiql_comes_from_kanal_itself(cities, city_client):
    response = city_client("mataram").get("/graphql/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    directives = assert_strict(response, style_extra=1)
    # Only the fixed scroll-lock style its dialogs insert (see the view).
    assert directives["style-src"] == [
        "'self'",
        "'sha256-Y/huXlwoYkVyQlxwSVcCi1RCDGDCSVBzDt0hYP9qlTc='",
    ]
    assert directives["font-src"] == ["'self'", "data:"]  # GraphiQL's embedded fonts
    assert directives["connect-src"] == ["'self'", "ws://mataram.localhost"]
    html = response.content.decode()
    assert "<title>GraphiQL · Kota Mataram · Kanal</title>" in html
    assert not re.search(r"(src|href)=\"(https?:)?//", html), "a file from another host"
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert scripts == [
        "/static/graphiql/react.production.min.js",
        "/static/graphiql/react-dom.production.min.js",
        "/static/graphiql/graphiql.min.js",
        "/static/api/graphiql.js",
    ]
    assert (ROOT / "graphql" / "api" / "static" / "api" / "graphiql.js").is_file()


def test_graphiql_is_not_served_outside_development(cities, city_client):
    response = city_client("mataram").get("/graphql/", HTTP_ACCEPT="text/html")
    assert "GraphiQL" not in response.content.decode()


# --- HSTS ------------------------------------------------------------------------

PRINT_SECURITY = (
    "import json, kanal, kanal.settings as s; print(json.dumps({k: getattr(s, k) for k in "
    "['SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_HSTS_PRELOAD', "
    "'SECURE_REFERRER_POLICY', 'SECURE_PROXY_SSL_HEADER', 'MIDDLEWARE', "
    "'CONTENT_SECURITY_POLICY']}, default=str))"
)


def security_settings(**env: str) -> dict:
    """kanal.settings as a process with these variables loads them (the way
    tests/test_settings.py loads production settings)."""
    import os

    environ = {k: v for k, v in os.environ.items() if k not in SAFE and k != "KANAL_ENV"}
    environ.update(env)
    result = subprocess.run(
        [sys.executable, "-c", PRINT_SECURITY],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_sends_hsts_for_a_year_with_subdomains_without_preload(db):
    production = security_settings(**SAFE)
    assert production["SECURE_HSTS_SECONDS"] == 31_536_000
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SECURE_HSTS_PRELOAD"] is False
    assert production["SECURE_REFERRER_POLICY"] == "strict-origin-when-cross-origin"
    middleware = production["MIDDLEWARE"]
    assert middleware.index("csp.middleware.CSPMiddleware") < middleware.index(
        "kanal.middleware.CityMiddleware"
    )
    assert "'unsafe-inline'" not in json.dumps(production["CONTENT_SECURITY_POLICY"])

    # Those settings on a real response: HTTPS as the ingress forwards it.
    with override_settings(
        SECURE_HSTS_SECONDS=production["SECURE_HSTS_SECONDS"],
        SECURE_HSTS_INCLUDE_SUBDOMAINS=production["SECURE_HSTS_INCLUDE_SUBDOMAINS"],
        SECURE_HSTS_PRELOAD=production["SECURE_HSTS_PRELOAD"],
        SECURE_PROXY_SSL_HEADER=tuple(production["SECURE_PROXY_SSL_HEADER"]),
    ):
        browser = Client(HTTP_HOST="mataram.localhost")
        https = browser.get("/admin/login/", HTTP_X_FORWARDED_PROTO="https")
        assert https.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        assert https.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        plain = browser.get("/admin/login/")  # HSTS over plain HTTP means nothing
        assert "Strict-Transport-Security" not in plain.headers


def test_development_and_tests_send_no_hsts():
    for env in ("development", "test"):
        values = security_settings(KANAL_ENV=env)
        assert values["SECURE_HSTS_SECONDS"] == 0, env
        assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False, env
