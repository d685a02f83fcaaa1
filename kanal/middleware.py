"""Picks the city from the request's host name and guards its status.

Runs first in the middleware stack. Unknown hosts and unavailable cities are
answered here, before any view can touch a schema.
"""

from __future__ import annotations

import zoneinfo

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.middleware.main import TenantMainMiddleware

from kanal.observability import tag_city
from kanal.responses import error_response
from tenants.models import CityStatus


class CityMiddleware(TenantMainMiddleware):
    """django-tenants' host → schema selection, plus clear answers for unknown
    hosts, suspended and archived cities, and the city's time zone."""

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
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
        response = super().process_request(request)
        if response is not None:
            return response
        city = request.tenant
        tag_city(city.slug)
        if city.status == CityStatus.SUSPENDED:
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
