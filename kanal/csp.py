"""Per-response additions to the Content-Security-Policy (django-csp).

The policy itself is one strict set of directives in settings
(``CONTENT_SECURITY_POLICY``, the "Content Security Policy" block): everything
from the page's own origin, no inline script, no inline style, no framing.
A few responses need a little more, and say so here by *adding* sources to
that policy (django-csp's ``response._csp_update``, merged into the header by
``csp.middleware.CSPMiddleware``); nothing here can remove a directive:

* the web app shell: the SHA-256 of the city's colour ``<style>`` (fixed per
  city, so it survives the service worker's cached copy, unlike a nonce), the
  city's tile server for ``img-src`` (``branding.map.tile_url``) and its own
  host's WebSocket URLs for the live GraphQL subscriptions;
* GraphiQL (development only): WebSockets, and fonts from ``data:`` URLs (its
  stylesheet embeds them).
"""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponseBase

# What a host-source may hold: a host name or IP literal and a port. Anything
# else (spaces, quotes, ';', ',') could end a source list early: refused.
_HOST = re.compile(r"^(\*\.)?[A-Za-z0-9.-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$")


def add_sources(response: HttpResponseBase, **directives: list[str]) -> HttpResponseBase:
    """Add sources to directives of this response's policy (``img_src=[...]``
    for ``img-src``). Repeated calls accumulate."""
    update = dict(getattr(response, "_csp_update", None) or {})
    for name, sources in directives.items():
        key = name.replace("_", "-")
        update[key] = [*update.get(key, []), *[s for s in sources if s]]
    response._csp_update = update
    return response


def inline_hash(text: str) -> str:
    """The CSP source that allows exactly this inline ``<style>``/``<script>`` body."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def websocket_sources(request: HttpRequest) -> list[str]:
    """The page's own host over WebSocket (GraphQL subscriptions on /graphql/).
    CSP Level 3 lets 'self' match ws(s) on the same host; older browsers
    (Safari before 15.4) want it spelled out. The scheme follows the page's, as
    the apps do (``wss:`` under HTTPS, ``ws:`` on a development server)."""
    host = request.get_host()  # validated against ALLOWED_HOSTS
    if not _HOST.match(host):
        return []
    return [f"{'wss' if request.is_secure() else 'ws'}://{host}"]


def tile_source(tile_url: str | None) -> str | None:
    """The origin of a city's XYZ tile template (``https://tiles.kota.go.id``),
    as a CSP host-source; ``None`` when there is no usable one. A ``{z}``,
    ``{x}`` or ``{y}`` in the first label of the host becomes a ``*.`` wildcard."""
    if not tile_url:
        return None
    parts = urlsplit(tile_url)
    netloc = parts.netloc.rpartition("@")[2]  # never a user name in a header
    if parts.scheme not in ("https", "http") or not netloc:
        return None
    first, dot, rest = netloc.partition(".")
    if "{" in first and dot and "{" not in rest:
        netloc = f"*.{rest}"
    if not _HOST.match(netloc):
        return None
    return f"{parts.scheme}://{netloc}"
