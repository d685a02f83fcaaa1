"""The white-label web app's shell, served on every city's host.

The app itself (webapp/, built by Vite into webapp/dist) talks only to the
public GraphQL API. This view only dresses the built ``index.html`` as the
city: title, theme colour, manifest link and a <noscript> summary (name, app
name, active categories), so it installs as that city's PWA and reads well
without JavaScript.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.html import escape
from django.views.decorators.http import require_GET

from cityconfig.selectors import category_tree, city_profile
from kanal import csp

DIST = Path(settings.BASE_DIR) / "webapp" / "dist"
HEAD_MARK = "<!--kanal:head-->"
NOSCRIPT_MARK = "<!--kanal:noscript-->"
FALLBACK = f"""<!doctype html>
<html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">{HEAD_MARK}</head>
<body>{NOSCRIPT_MARK}
<p>Aplikasi web belum dibangun (cd webapp &amp;&amp; npm ci &amp;&amp; npm run build).</p>
</body></html>"""


@lru_cache(maxsize=4)
def _built(name: str, mtime: float) -> str:
    return (DIST / name).read_text(encoding="utf-8")


def _dist_file(name: str) -> str | None:
    path = DIST / name
    try:
        return _built(name, path.stat().st_mtime)
    except FileNotFoundError:
        return None


def _branding(request: HttpRequest) -> dict:
    profile = city_profile()
    branding = profile.branding or {}
    colors = branding.get("colors") or {}
    return {
        "city": request.tenant,
        "app_name": branding.get("app_name") or request.tenant.name,
        "primary": colors.get("primary") or "#0B5FA5",
        "secondary": colors.get("secondary") or "#F2A900",
        "on_primary": colors.get("text_on_primary") or "#FFFFFF",
        "tagline": (branding.get("tagline") or {}).get("id", ""),
        "tile_url": (branding.get("map") or {}).get("tile_url"),
    }


@require_GET
def shell(request: HttpRequest, rest: str = "") -> HttpResponse:
    b = _branding(request)
    city = b["city"]
    # The city's colours, inline so the first paint is already the city's; the
    # CSP allows exactly this text by its hash (kanal/csp.py).
    theme = (
        f":root{{--primary:{escape(b['primary'])};--secondary:{escape(b['secondary'])};"
        f"--on-primary:{escape(b['on_primary'])}}}"
    )
    head = (
        f"<title>{escape(b['app_name'])} · {escape(city.name)}</title>"
        f'<meta name="theme-color" content="{escape(b["primary"])}">'
        f'<meta name="description" content="{escape(b["tagline"] or city.official_name)}">'
        f'<meta name="application-name" content="{escape(b["app_name"])}">'
        '<link rel="manifest" href="/manifest.webmanifest">'
        '<link rel="icon" href="/config/logo">'
        f"<style>{theme}</style>"
    )
    categories = "".join(
        f"<li>{escape(c.name)}</li>" for group in category_tree() for c in group.categories
    )
    noscript = (
        f'<noscript><header class="ns"><h1>{escape(b["app_name"])}</h1>'
        f"<p>{escape(city.official_name)} · {escape(city.name)}</p></header>"
        "<p>Aplikasi ini membutuhkan JavaScript. Kategori laporan:</p>"
        f"<ul>{categories}</ul></noscript>"
    )
    html = (_dist_file("index.html") or FALLBACK).replace(HEAD_MARK, head, 1)
    html = html.replace(NOSCRIPT_MARK, noscript, 1)
    response = HttpResponse(html)
    response["Cache-Control"] = "no-cache"
    return csp.add_sources(
        response,
        style_src=[csp.inline_hash(theme)],
        img_src=[csp.tile_source(b["tile_url"])],  # the city's map tiles, if any
        connect_src=csp.websocket_sources(request),  # the command center's live feed
    )


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    b = _branding(request)
    data = {
        "name": f"{b['app_name']} · {b['city'].name}",
        "short_name": b["app_name"],
        "description": b["tagline"] or b["city"].official_name,
        "lang": "id",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": b["primary"],
        "icons": [{"src": "/config/logo", "sizes": "any", "purpose": "any"}],
    }
    return HttpResponse(
        json.dumps(data, ensure_ascii=False), content_type="application/manifest+json"
    )


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    source = _dist_file("sw.js")
    if source is None:
        raise Http404("sw.js")
    response = HttpResponse(source, content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response
