"""Open311 on top of the report core: POSTed service requests, tokens, the feed.

No business rule lives here: a POST becomes a ``reports.intake.submit_report``
call on the ``open311`` channel, so the city's verification policy, anonymous
rule and routing apply exactly as in the apps.
"""

from __future__ import annotations

import hashlib
import re
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as time_of_day

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cityconfig.models import Category, CityProfile
from cityconfig.selectors import features
from kanal.errors import InvalidInput, NotFound, PermissionDenied
from kanal.i18n import reads_english
from open311.models import Open311ApiKey, Open311RequestToken
from people.actors import Actor
from people.otp import normalize_phone
from reports.intake import ReportInput, Submission, Upload, submit_report
from reports.models import Channel, Photo, PhotoKind, Report, Status, TimelineEntry, Verdict
from reports.selectors import public_reports
from reports.tracking import normalize_tracking_code
from reports.uploads import check_uploads

MAX_TOKEN_LENGTH = 64
TOKEN_PATTERN = re.compile(r"[^\s/]+")  # it must fit in GET tokens/<token>.json


# --- POST requests -------------------------------------------------------------


@dataclass(frozen=True)
class PostedRequest:
    submission: Submission
    notice: str


def post_service_request(
    api_key: Open311ApiKey, fields: Mapping[str, str], files: list
) -> PostedRequest:
    """Create a service request from the spec's form fields and the uploaded
    ``media`` files. Raises InvalidInput or Conflict (400)."""
    profile = CityProfile.load()
    if Channel.OPEN311 not in profile.channels:
        raise InvalidInput(
            field="channel",
            code="CHANNEL_NOT_ENABLED",
            message=_("Kanal tidak dibuka: kota ini tidak menerima laporan lewat Open311."),
        )
    category_code = (fields.get("service_code") or "").strip()
    if not category_code:
        raise InvalidInput(
            field="service_code",
            code="SERVICE_CODE_REQUIRED",
            message=_("service_code wajib diisi."),
        )
    token = _request_token(fields.get("request_token"))
    latitude, longitude = _coordinates(fields)
    data = ReportInput(
        category_code=category_code,
        description=fields.get("description") or "",
        latitude=latitude,
        longitude=longitude,
        address=fields.get("address_string") or "",
        channel=Channel.OPEN311,
        idempotency_key=_idempotency_key(api_key, token) if token else None,
        contact_name=" ".join(
            part.strip() for part in (fields.get("first_name"), fields.get("last_name")) if part
        ),
        contact_phone=_contact_phone(fields.get("phone")),
    )
    media = read_media(files, profile)
    # Whoever holds the API key can type any number: the request stays anonymous
    # (so the city's anonymous_reports setting applies) and the number is only a
    # contact, never a signed-in citizen.
    submission = submit_report(Actor.anonymous(), data, media)
    if token:
        Open311RequestToken.objects.get_or_create(
            api_key=api_key, token=token, defaults={"report": submission.report}
        )
    return PostedRequest(submission, verdict_notice(submission.report))


def read_media(files: list, profile: CityProfile | None = None) -> list[Upload]:
    """Uploaded ``media`` files as intake uploads, refusing oversized files
    before reading them into memory."""
    check_uploads([upload.size for upload in files], profile)
    return [Upload(upload.read(), upload.name or "") for upload in files]


def _request_token(raw: str | None) -> str:
    token = (raw or "").strip()
    if token and (
        len(token) > MAX_TOKEN_LENGTH
        or not token.isprintable()
        or not TOKEN_PATTERN.fullmatch(token)
    ):
        raise InvalidInput(
            field="request_token",
            code="REQUEST_TOKEN_INVALID",
            message=_("request_token maksimal %(longest)s karakter, tanpa spasi atau '/'."),
            params={"longest": MAX_TOKEN_LENGTH},
        )
    return token


def _idempotency_key(api_key: Open311ApiKey, token: str) -> str:
    # Per key: two clients choosing the same token never collide.
    return "open311:" + hashlib.sha256(f"{api_key.key_sha256}:{token}".encode()).hexdigest()


def _coordinates(fields: Mapping[str, str]) -> tuple[float, float]:
    raw_lat, raw_long = (fields.get(name, "").strip() for name in ("lat", "long"))
    if not raw_lat or not raw_long:
        if (fields.get("address_string") or "").strip():
            raise InvalidInput(
                field="lat",
                code="LOCATION_REQUIRED",
                message=_("lat dan long wajib diisi: alamat saja tidak dapat dipetakan."),
            )
        raise InvalidInput(
            field="lat",
            code="LOCATION_REQUIRED",
            message=_("lat dan long wajib diisi."),
        )
    values = []
    for name, raw in (("lat", raw_lat), ("long", raw_long)):
        try:
            values.append(float(raw))
        except ValueError:
            raise InvalidInput(
                field=name,
                code="COORDINATE_INVALID",
                message=_("%(name)s harus berupa angka desimal."),
                params={"name": name},
            ) from None
    return values[0], values[1]


def _contact_phone(raw_phone: str | None) -> str:
    if not (raw_phone or "").strip():
        return ""
    return normalize_phone(raw_phone)  # INVALID_PHONE on field "phone"


def verdict_notice(report: Report) -> str:
    """What happened to the request, in the active language (Indonesian first)."""
    english = reads_english()
    if report.verdict == Verdict.AUTO_VERIFIED:
        opd = report.opd.name if report.opd_id else ""
        if english:
            return f"Report verified and sent to {opd}." if opd else "Report verified."
        return (
            f"Laporan terverifikasi dan diteruskan ke {opd}." if opd else "Laporan terverifikasi."
        )
    if report.verdict == Verdict.NEEDS_TRIAGE:
        if english:
            return "Report received; an operator will check it."
        return "Laporan diterima dan akan diperiksa operator."
    reasons = [
        check["reason_en" if english else "reason_id"]
        for check in report.checks
        if check.get("result") == "fail"
    ]
    if english:
        return "Report rejected: " + "; ".join(reasons) if reasons else "Report rejected."
    return "Laporan ditolak: " + "; ".join(reasons) if reasons else "Laporan ditolak."


# --- tokens --------------------------------------------------------------------


def tokens_for(token: str, api_key: Open311ApiKey | None = None) -> list[Open311RequestToken]:
    """The requests created with ``token`` (by one key's client when given)."""
    found = Open311RequestToken.objects.filter(token=token).select_related("report")
    if api_key is not None:
        found = found.filter(api_key=api_key)
    return list(found)


# --- GET requests --------------------------------------------------------------

# Work done and awaiting (or past) the citizen's confirmation: Open311 apps show it as fixed.
CLOSED_FOR_OPEN311 = frozenset({Status.RESOLVED, Status.CLOSED})
MAX_REQUESTS = 1000
MAX_WINDOW = timedelta(days=90)
STATUSES = ("open", "closed")


@dataclass(frozen=True)
class RequestQuery:
    tracking_codes: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    statuses: frozenset[str] = frozenset()


def parse_request_query(params: Mapping[str, str], tz: zoneinfo.ZoneInfo) -> RequestQuery:
    """The spec's filters, validated. ``service_request_id`` overrides the others;
    without dates the last 90 days are searched, and a range may not span more.
    Raises InvalidInput (400)."""
    codes = _comma_list(params.get("service_request_id"))
    if codes:
        return RequestQuery(
            tracking_codes=tuple(normalize_tracking_code(c) for c in codes[:MAX_REQUESTS])
        )
    service_codes = _comma_list(params.get("service_code"))
    known = set(Category.objects.filter(code__in=service_codes).values_list("code", flat=True))
    for code in service_codes:
        if code not in known:
            raise InvalidInput(
                field="service_code",
                code="UNKNOWN_SERVICE",
                message=_("service_code '%(code)s' tidak dikenal."),
                params={"code": code},
            )
    statuses = {s.lower() for s in _comma_list(params.get("status"))}
    if not statuses <= set(STATUSES):
        raise InvalidInput(
            field="status",
            code="UNKNOWN_STATUS",
            message=_("status harus open atau closed."),
        )
    start, end = (
        parse_iso_datetime(params[name], name, tz) if (params.get(name) or "").strip() else None
        for name in ("start_date", "end_date")
    )
    if start is None and end is None:
        end = timezone.now()
    try:
        start = start if start is not None else end - MAX_WINDOW
        end = end if end is not None else start + MAX_WINDOW
    except OverflowError:
        raise InvalidInput(
            field="start_date" if start is not None else "end_date",
            code="DATE_OUT_OF_RANGE",
            message=_("Tanggal di luar jangkauan."),
        ) from None
    if end < start:
        raise InvalidInput(
            field="end_date",
            code="DATE_RANGE_INVALID",
            message=_("end_date lebih awal dari start_date."),
        )
    if end - start > MAX_WINDOW:
        raise InvalidInput(
            field="end_date",
            code="DATE_RANGE_TOO_LONG",
            message=_("Rentang start_date–end_date paling lama 90 hari."),
        )
    return RequestQuery(
        service_codes=tuple(service_codes), start=start, end=end, statuses=frozenset(statuses)
    )


def parse_iso_datetime(raw: str, name: str, tz: zoneinfo.ZoneInfo) -> datetime:
    """An ISO 8601 date-time (a date alone means its midnight in the city; no
    offset means the city's time). Raises InvalidInput naming the parameter."""
    # An unencoded "+" in a query string arrives as a space: "…T16:55:00 08:00".
    text = re.sub(r" (\d{2}:?\d{2})$", r"+\1", raw.strip())
    value = None
    try:
        value = parse_datetime(text)
        if value is None and (day := parse_date(text)) is not None:
            value = datetime.combine(day, time_of_day.min)
    except ValueError:
        value = None
    if value is None:
        raise InvalidInput(
            field=name,
            code="INVALID_DATE",
            message=_("%(name)s harus tanggal-waktu ISO 8601, mis. 2026-11-23T16:55:00+08:00."),
            params={"name": name},
        )
    return timezone.make_aware(value, tz) if timezone.is_naive(value) else value


def _comma_list(raw: str | None) -> list[str]:
    return [part.strip() for part in (raw or "").split(",") if part.strip()]


def published_requests() -> QuerySet[Report]:
    """The public feed with what a service request shows: the last public note
    and the first report photo. Raises PermissionDenied if the city keeps its
    feed closed."""
    if not features().public_feed:
        raise PermissionDenied(
            code="FEED_NOT_PUBLIC",
            message=_("Kota ini tidak menerbitkan laporan."),
        )
    last_note = (
        TimelineEntry.objects.filter(report=OuterRef("pk"), public=True)
        .exclude(note="")
        .order_by("-created_at", "-pk")
        .values("note")[:1]
    )
    first_photo = (
        Photo.objects.filter(report=OuterRef("pk"), kind=PhotoKind.REPORT)
        .order_by("position")
        .values("position")[:1]
    )
    return (
        public_reports()
        .select_related("category", "opd")
        .annotate(last_public_note=Subquery(last_note), first_photo=Subquery(first_photo))
    )


def find_requests(query: RequestQuery) -> list[Report]:
    reports = published_requests()
    if query.tracking_codes:
        return list(reports.filter(tracking_code__in=query.tracking_codes)[:MAX_REQUESTS])
    reports = reports.filter(created_at__gte=query.start, created_at__lte=query.end)
    if query.service_codes:
        reports = reports.filter(category__code__in=query.service_codes)
    if query.statuses == {"open"}:
        reports = reports.exclude(status__in=CLOSED_FOR_OPEN311)
    elif query.statuses == {"closed"}:
        reports = reports.filter(status__in=CLOSED_FOR_OPEN311)
    return list(reports.order_by("-created_at", "-pk")[:MAX_REQUESTS])


def find_request(service_request_id: str) -> Report:
    """One public service request. Raises NotFound (404) for missing and private alike."""
    code = normalize_tracking_code(service_request_id)
    report = published_requests().filter(tracking_code=code).first()
    if report is None:
        raise NotFound(
            field="service_request_id",
            message=pgettext_lazy("open311", "Laporan %(code)s tidak ditemukan."),
            params={"code": code},
        )
    return report
