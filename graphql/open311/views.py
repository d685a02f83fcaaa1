"""Open311 GeoReport v2 endpoints on the city's host (the city is picked by the host).

Every endpoint answers ``.json`` and ``.xml`` from the same dicts; every
expected failure is an Open311 error array with its HTTP status.
"""

from __future__ import annotations

import logging
import zoneinfo
from collections.abc import Callable
from datetime import datetime
from functools import wraps

from django.core.exceptions import RequestDataTooBig, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from cityconfig.models import Category, CityProfile, ConfigRevision
from cityconfig.selectors import category_tree
from kanal.errors import NotFound, PermissionDenied, RateLimited, ServiceError, Unavailable
from open311 import keys, services
from open311.serializers import FORMATS, render
from reports.models import Report

logger = logging.getLogger(__name__)

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# Our field names → the spec's, so errors name what the client sent.
FIELD_NAMES = {
    "categoryCode": "service_code",
    "latitude": "lat",
    "longitude": "long",
    "photos": "media",
    "anonymous": "phone",
    "idempotencyKey": "request_token",
}


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


def errors(fmt: str, status: int, description: str) -> HttpResponse:
    return render([{"code": status, "description": description}], fmt, root="errors", status=status)


def _status_for(exc: ServiceError) -> int:
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, PermissionDenied):
        return 403
    if isinstance(exc, RateLimited):
        return 429
    if isinstance(exc, Unavailable):
        return 503  # e.g. CITY_SUSPENDED: a non-emergency report while suspended
    return 400


def _describe(exc: ServiceError) -> str:
    base = (exc.field or "").split("[", 1)[0]
    name = FIELD_NAMES.get(base, base)
    message = exc.message_in("en")  # Open311 (GeoReport v2) speaks English
    return f"{name}: {message}" if name else message


def endpoint(*methods: str) -> Callable:
    """Format check, allowed methods and error mapping for one Open311 view."""
    allowed = {*methods, "HEAD"} if "GET" in methods else set(methods)

    def decorate(view: Callable) -> Callable:
        @csrf_exempt  # authenticated by api_key, never by a cookie
        @wraps(view)
        def wrapper(request: HttpRequest, fmt: str, **kwargs) -> HttpResponse:
            if fmt not in FORMATS:
                return errors("json", 404, f"Unknown format '{fmt}': use .json or .xml.")
            if request.method not in allowed:
                response = errors(fmt, 405, f"Method {request.method} is not allowed here.")
                response["Allow"] = ", ".join(sorted(allowed))
                return response
            try:
                return view(request, fmt, **kwargs)
            except Open311Error as exc:
                return errors(fmt, exc.status, exc.description)
            except ServiceError as exc:
                return errors(fmt, _status_for(exc), _describe(exc))
            except RequestDataTooBig:
                return errors(fmt, 413, "The request is too large.")
            except (TooManyFilesSent, MultiPartParserError) as exc:
                return errors(fmt, 400, f"The request body could not be read: {exc}")

        return wrapper

    return decorate


def _city_tz(request: HttpRequest) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(request.tenant.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("Asia/Jakarta")


def _time(value: datetime | None, tz: zoneinfo.ZoneInfo) -> str | None:
    """ISO 8601 with the city's offset, e.g. 2026-11-23T16:55:00+08:00."""
    return timezone.localtime(value, tz).isoformat(timespec="seconds") if value else None


# --- discovery and services ---------------------------------------------------


@endpoint("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    profile = CityProfile.load()
    tz = _city_tz(request)
    revision = ConfigRevision.objects.order_by("-created_at").first()
    changeset = _time(revision.created_at if revision else profile.updated_at, tz)
    support = profile.branding.get("support") or {}
    contact = ", ".join(
        value
        for value in (
            profile.identity.get("official_name") or request.tenant.official_name,
            support.get("email"),
            support.get("phone"),
            support.get("website"),
        )
        if value
    )
    document = {
        "changeset": changeset,
        "contact": contact,
        "key_service": (
            f"Kunci API diterbitkan oleh {request.tenant.official_name} "
            "(Diskominfo) untuk setiap aplikasi Open311."
        ),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": request.build_absolute_uri("/open311/v2"),
                "changeset": changeset,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(document, fmt, root="discovery")


def _service(category: Category) -> dict:
    group = category.group
    return {
        "service_code": category.code,
        "service_name": category.name_id,
        "description": category.description_id or category.name_id,
        "metadata": False,
        "type": "realtime",
        "keywords": ", ".join(
            dict.fromkeys(v for v in (category.name_en, group.name_id, group.name_en) if v)
        ),
        "group": group.name_id,
    }


@endpoint("GET")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    services_ = [_service(c) for entry in category_tree() for c in entry.categories]
    return render(services_, fmt, root="services")


@endpoint("GET")
def service_definition(request: HttpRequest, fmt: str, service_code: str) -> HttpResponse:
    category = Category.objects.active().filter(code=service_code).first()
    if category is None:
        raise Open311Error(404, f"Unknown service_code '{service_code}'.")
    return render({"service_code": category.code, "attributes": []}, fmt, root="service_definition")


# --- service requests ------------------------------------------------------------


def _service_request(request: HttpRequest, report: Report, tz: zoneinfo.ZoneInfo) -> dict:
    media = None
    if report.first_photo is not None:
        media = request.build_absolute_uri(
            f"/open311/media/{report.tracking_code}/{report.first_photo}.jpg"
        )
    return {
        "service_request_id": report.tracking_code,
        "status": "closed" if report.status in services.CLOSED_FOR_OPEN311 else "open",
        "status_notes": report.last_public_note or None,
        "service_name": report.category.name_id,
        "service_code": report.category.code,
        "description": report.shown_description,
        "agency_responsible": report.opd.name if report.opd_id else None,
        "service_notice": str(report.get_status_display()),
        "requested_datetime": _time(report.created_at, tz),
        "updated_datetime": _time(report.updated_at, tz),
        "expected_datetime": _time(report.resolution_due_at, tz),
        "address": report.address or None,
        "lat": report.latitude,
        "long": report.longitude,
        "media_url": media,
    }


@endpoint("GET", "POST")
def service_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _post_request(request, fmt)
    tz = _city_tz(request)
    query = services.parse_request_query(request.GET, tz)
    found = services.find_requests(query)
    return render([_service_request(request, r, tz) for r in found], fmt, root="service_requests")


@endpoint("GET")
def request_detail(request: HttpRequest, fmt: str, service_request_id: str) -> HttpResponse:
    report = services.find_request(service_request_id)
    return render(
        [_service_request(request, report, _city_tz(request))], fmt, root="service_requests"
    )


def _post_request(request: HttpRequest, fmt: str) -> HttpResponse:
    api_key = keys.authenticate(request.POST.get("api_key"))
    try:
        posted = services.post_service_request(
            api_key, request.POST, request.FILES.getlist("media")
        )
    except ServiceError as exc:
        description = _describe(exc)
        if (exc.field or "").startswith("photos") and request.POST.get("media_url"):
            description += " (media_url is not fetched: upload the photo as the field 'media'.)"
        raise Open311Error(_status_for(exc), description) from exc
    report = posted.submission.report
    logger.info("open311 request %s via key %s", report.tracking_code, api_key.prefix)
    return render(
        [
            {
                "service_request_id": report.tracking_code,
                "service_notice": posted.notice,
                "account_id": None,
            }
        ],
        fmt,
        root="service_requests",
    )


@endpoint("GET")
def token(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    api_key = keys.authenticate(request.GET["api_key"]) if request.GET.get("api_key") else None
    found = services.tokens_for(token, api_key)
    if not found:
        raise Open311Error(404, f"No service request was created with token '{token}'.")
    return render(
        [{"service_request_id": t.report.tracking_code, "token": t.token} for t in found],
        fmt,
        root="service_requests",
    )


def unknown(request: HttpRequest, rest: str = "") -> HttpResponse:
    return errors("json", 404, "Unknown Open311 resource; see /open311/v2/discovery.json.")
