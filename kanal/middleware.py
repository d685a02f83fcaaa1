"""Picks the city from the request's host name and guards its status.

Runs first in the middleware stack. Unknown hosts and unavailable cities are
answered here, before any view can touch a schema. A suspended city still
serves its API for emergency reports and tracking, with
``request.city_suspended = True`` (docs/billing.md).
"""

from __future__ import annotations

import zoneinfo

from django.core.exceptions import DisallowedHost
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import remove_www

from kanal.health import PROBE_PATHS, probe_response
from kanal.logs import bind_city
from kanal.observability import tag_city
from kanal.outage import is_outage, unavailable_response
from kanal.responses import error_response
from tenants.models import CityStatus
from tenants.service_policy import is_suspended, serves_path_while_suspended


def allowed_while_suspended(request: HttpRequest) -> bool:
    """What a suspended city still serves (docs/billing.md): the apps' API, so
    citizens can report emergencies and track reports. The services behind it
    refuse the rest (``reports.intake``: emergency categories only; the GraphQL
    guard ``api.suspension``: reporting and tracking operations only). The
    site, the admin and GET /graphql/ (the IDE) stay at 503."""
    return serves_path_while_suspended(request.path, request.method)


class CityMiddleware(TenantMainMiddleware):
    """django-tenants' host → schema selection, plus clear answers for unknown
    hosts, suspended and archived cities, and the city's time zone."""

    @staticmethod
    def hostname_from_request(request: HttpRequest) -> str:
        """Host names are case-insensitive (RFC 4343): ``MATARAM.LOCALHOST`` is
        Mataram. Normalised once here; domains are stored in lower case."""
        domain, _port = split_domain_port(request.get_host())
        return remove_www(domain.lower().rstrip("."))

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        if request.path_info in PROBE_PATHS:  # any host, even the pod IP (kanal.health)
            connection.set_schema_to_public()
            return probe_response(request)
        # The answers below come before LocaleMiddleware: speak the visitor's
        # language, and never the previous request's (the language is per thread).
        translation.activate(translation.get_language_from_request(request))
        try:
            request.get_host()
        except DisallowedHost:
            return error_response(
                request,
                status=404,
                code="UNKNOWN_HOST",
                title=_("Kota tidak ditemukan"),
                message=_("Alamat ini tidak dilayani Kanal."),
            )
        try:
            response = super().process_request(request)  # the first query of the request
        except Exception as exc:
            if is_outage(exc):
                return unavailable_response(request, exc)
            raise
        if response is not None:
            return response
        city = request.tenant
        tag_city(city.slug)
        bind_city(city.slug)
        request.city_suspended = is_suspended(city)
        if request.city_suspended and not allowed_while_suspended(request):
            return error_response(
                request,
                status=503,
                code="CITY_SUSPENDED",
                title=_("Layanan ditangguhkan"),
                message=_(
                    "Layanan Kanal untuk %(city)s sedang ditangguhkan. Data laporan tetap "
                    "tersimpan dan akan tersedia kembali setelah layanan dipulihkan. "
                    "Untuk keadaan darurat hubungi 112."
                )
                % {"city": city.name},
            )
        if city.status == CityStatus.ARCHIVED:
            return error_response(
                request,
                status=410,
                code="CITY_ARCHIVED",
                title=_("Layanan tidak lagi tersedia"),
                message=_("%(city)s tidak lagi menggunakan Kanal.") % {"city": city.name},
            )
        try:
            timezone.activate(zoneinfo.ZoneInfo(city.time_zone))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        return None

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        timezone.deactivate()
        translation.deactivate()
        return response

    def no_tenant_found(self, request: HttpRequest, hostname: str) -> HttpResponse:
        return error_response(
            request,
            status=404,
            code="UNKNOWN_HOST",
            title=_("Kota tidak ditemukan"),
            message=_("Tidak ada kota yang dilayani Kanal di alamat %(host)s.")
            % {"host": hostname},
        )


class ConsoleLanguageMiddleware:
    """The console speaks Indonesian unless its user chose English.

    A browser's Accept-Language says what its maker shipped more often than
    what a Diskominfo officer reads (headless and many office machines send
    ``en-US``), so on ``/admin/`` only the language switch (Django's language
    cookie) counts; everything else keeps LocaleMiddleware's choice.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        from django.conf import settings

        if request.path.startswith("/admin/"):
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            codes = {code for code, _name in settings.LANGUAGES}
            language = chosen if chosen in codes else settings.LANGUAGE_CODE
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
