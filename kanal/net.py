"""The client's address: one answer for the lockout, every rate limit and every
stored address.

A forwarding header (``X-Forwarded-For``) is only believed when the peer that
sent it is one of ``KANAL_TRUSTED_PROXIES`` (CIDRs; empty by default, so no
header is believed). The address is then the right-most hop of the header that
is not itself a trusted proxy: a client can prepend anything it likes, but it
cannot remove what our own proxies appended. uvicorn is started with the same
list (``--forwarded-allow-ips``, see :func:`uvicorn_proxy_args`) and resolves
the same way, so resolving again here gives the same answer.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: Iterable[str], *, setting: str = "KANAL_TRUSTED_PROXIES") -> tuple:
    """CIDRs (or single addresses) → networks; ``*`` and garbage are refused by name."""
    networks = []
    for raw in values:
        value = raw.strip()
        if not value:
            continue
        if value == "*":
            raise ImproperlyConfigured(
                f"{setting} may not be '*': any client could then forge its address. "
                "List the proxies' networks (e.g. 10.0.0.0/8)."
            )
        try:
            networks.append(ipaddress.ip_network(value, strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"{setting}: {value!r} is not an IP address or CIDR network."
            ) from exc
    return tuple(networks)


@lru_cache(maxsize=8)
def _trusted(values: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(values)


def trusted_networks() -> tuple[Network, ...]:
    return _trusted(tuple(settings.KANAL_TRUSTED_PROXIES))


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def is_trusted(address, networks: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in networks)


def resolve_client_ip(peer: str, forwarded_for: str, networks: tuple[Network, ...]) -> str:
    """The client's address from the socket peer and an ``X-Forwarded-For`` value.

    Pure, so it is tested on its own: the peer unless it is trusted; then the
    right-most untrusted hop; a malformed hop ends the walk (what lies left of
    it is the client's own claim)."""
    peer_address = _address(peer)
    if not is_trusted(peer_address, networks) or not forwarded_for:
        return str(peer_address) if peer_address is not None else ""
    client = peer_address
    for hop in reversed(forwarded_for.split(",")):
        address = _address(hop)
        if address is None:
            break
        client = address
        if not is_trusted(address, networks):
            break
    return str(client)


def client_ip(request: HttpRequest) -> str:
    """The address of whoever sent ``request`` (cached on the request)."""
    cached = getattr(request, "_kanal_client_ip", None)
    if cached is None:
        cached = resolve_client_ip(
            request.META.get("REMOTE_ADDR", ""),
            request.META.get("HTTP_X_FORWARDED_FOR", ""),
            trusted_networks(),
        )
        request._kanal_client_ip = cached
    return cached


def uvicorn_proxy_args(trusted: Iterable[str]) -> list[str]:
    """uvicorn's flags for the same trust: no proxy headers at all when nothing
    is trusted (uvicorn would otherwise trust 127.0.0.1 by default)."""
    networks = parse_networks(trusted)
    if not networks:
        return ["--no-proxy-headers"]
    return ["--proxy-headers", "--forwarded-allow-ips", ",".join(str(n) for n in networks)]


def ratelimit_ip(request: HttpRequest) -> str:
    """django-ratelimit's ``RATELIMIT_IP_META_KEY``: the same address, and one
    bucket for requests without any (a Unix socket peer)."""
    return client_ip(request) or "0.0.0.0"  # noqa: S104 (a bucket name, not a bind)


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """django-axes' answer to a locked sign-in. The API's own answer already
    says ``ACCOUNT_LOCKED`` in its payload (``people.tokens.staff_login``), so
    it is kept; a person at the admin gets a page in their language."""
    from django.utils.translation import gettext as _

    from kanal.responses import error_response, wants_json

    if original_response is not None and wants_json(request):
        return original_response
    response = error_response(
        request,
        status=429,
        code="ACCOUNT_LOCKED",
        title=_("Akun dikunci sementara"),
        message=_("Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam %(minutes)d menit.")
        % {"minutes": lockout_minutes()},
    )
    response["Retry-After"] = str(lockout_minutes() * 60)
    return response


def lockout_minutes() -> int:
    return max(1, round(float(settings.AXES_COOLOFF_TIME) * 60))
