"""When a service Kanal needs is down, say so in a way a client can act on.

A PostgreSQL or Redis outage used to surface as HTML 500 pages. It is not a
bug of the request: the same request will work once the service is back. So
the answer is **503 with Retry-After**, JSON with code ``SERVICE_UNAVAILABLE``
on the API (a page in the visitor's language elsewhere), and since every write
is one transaction, nothing half-written stays behind. ``/readyz`` fails at
the same time (kanal/health.py), so the load balancer stops sending traffic.

Three places catch outages, because Django turns an exception into a response
at each middleware layer: :class:`OutageMiddleware` (views and the middleware
after it), ``kanal.middleware.CityMiddleware`` (the host lookup, the first
query of every request) and the GraphQL view (resolvers' errors).
"""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


def _outage_types() -> tuple[type[BaseException], ...]:
    types: list[type[BaseException]] = [OperationalError, InterfaceError]
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError

        types += [RedisConnectionError, RedisTimeoutError]
    except ImportError:  # pragma: no cover - redis is a dependency
        pass
    try:
        from django_redis.exceptions import ConnectionInterrupted

        types.append(ConnectionInterrupted)
    except ImportError:  # pragma: no cover
        pass
    return tuple(types)


OUTAGE_TYPES = _outage_types()


def is_outage(exc: BaseException | None) -> bool:
    """True when ``exc`` (or what caused it) is a lost database or Redis connection."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, OUTAGE_TYPES):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def unavailable_message() -> str:
    return _("Layanan sedang tidak tersedia sebentar. Coba lagi dalam beberapa detik.")


def unavailable_response(request: HttpRequest, exc: BaseException | None = None) -> HttpResponse:
    from kanal.responses import error_response

    logger.warning("service unavailable: %s", type(exc).__name__ if exc else "?")
    if request.path.startswith("/graphql"):
        from kanal.responses import graphql_error_response

        response = graphql_error_response(
            status=503, code="SERVICE_UNAVAILABLE", message=unavailable_message()
        )
    else:
        response = error_response(
            request,
            status=503,
            code="SERVICE_UNAVAILABLE",
            title=_("Layanan tidak tersedia"),
            message=unavailable_message(),
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class OutageMiddleware:
    """Turns an outage raised by a view (or a later middleware) into a 503."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if is_outage(exception):
            return unavailable_response(request, exception)
        return None
