"""Log context: every record carries the city slug and the request (or job) id.

``request_id_middleware`` (outermost) takes a well-formed ``X-Request-ID`` header
or makes a new id, binds it for the request and echoes it in the response;
``CityMiddleware`` binds the city's slug once it knows the host; Celery city
jobs (``kanal.jobs.CityTask``) bind their city and task id. ``ContextFilter``,
on the log handler, copies both onto each record as ``city`` and
``request_id`` ("-" when unknown), for the JSON and the text format alike.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from asgiref.sync import iscoroutinefunction
from django.core.signals import request_finished
from django.utils.decorators import sync_and_async_middleware

request_id_var: ContextVar[str | None] = ContextVar("kanal_request_id", default=None)
city_var: ContextVar[str | None] = ContextVar("kanal_city", default=None)

REQUEST_ID_HEADER = "X-Request-ID"
# Accepted from clients and proxies as is; anything else (too long, spaces,
# control characters that could forge log lines) is replaced by a new id.
VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")


def new_request_id() -> str:
    return uuid.uuid4().hex


def clean_request_id(value: str | None) -> str:
    if value and VALID_REQUEST_ID.match(value):
        return value
    return new_request_id()


def bind_city(slug: str | None) -> None:
    """Tag what this request (or job) logs from now on with the city."""
    city_var.set(slug)


@contextmanager
def log_context(*, city: str | None = None, request_id: str | None = None) -> Iterator[None]:
    """Bind city and request id for a block (jobs, commands), restoring them after."""
    city_token = city_var.set(city)
    request_token = request_id_var.set(request_id)
    try:
        yield
    finally:
        request_id_var.reset(request_token)
        city_var.reset(city_token)


class ContextFilter(logging.Filter):
    """Adds ``city`` and ``request_id`` to every record that passes the handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "city"):
            record.city = city_var.get() or "-"
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get() or "-"
        return True


def _start(request) -> str:
    request_id = clean_request_id(request.headers.get(REQUEST_ID_HEADER))
    request.request_id = request_id
    request_id_var.set(request_id)
    city_var.set(None)
    return request_id


def _clear(**kwargs) -> None:
    request_id_var.set(None)
    city_var.set(None)


request_finished.connect(_clear, dispatch_uid="kanal.logs.clear")


@sync_and_async_middleware
def request_id_middleware(get_response):
    """Outermost middleware: one id per request, honoured from ``X-Request-ID``.

    The context is cleared when the response is closed (``request_finished``),
    not when this middleware returns, so Django's own request logging (4xx/5xx
    warnings, written after the middleware chain) still carries the id and city.
    """
    if iscoroutinefunction(get_response):

        async def middleware(request):
            request_id = _start(request)
            response = await get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            return response

    else:

        def middleware(request):
            request_id = _start(request)
            response = get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            return response

    return middleware
