"""Taking in a report from any channel: validate, verify, store, route.

``submit_report`` is what the API, Open311, staff entering a phone call and the
demo data all call. Photos are inspected before the transaction (CPU work,
no locks held); the report, its photos, timeline, outbox and routing are then
written in one transaction. The idempotency key makes a retried or doubled
submission return the first report instead of creating a second.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityconfig.models import Area, Category, CityProfile, RoutingRule
from cityconfig.schema import duration_minutes
from cityconfig.selectors import features, verification_policy
from kanal.errors import Conflict, InvalidInput, PermissionDenied, Unavailable
from kanal.i18n import lazy_pick
from kanal.metrics import count_report_submitted
from kanal.validation import check_lengths
from people.actors import Actor
from people.models import Citizen, Role
from people.otp import normalize_phone
from reports import events
from reports.models import Channel, PhotoKind, Report
from reports.photos import Upload, inspect_uploads, store_photo
from reports.routing_step import route_and_assign
from reports.selectors import (
    nearby_open_reports,
    open_reports_in_area,
    similar_photo_hashes,
)
from reports.timeline import record, tell_reporters
from reports.tracking import new_tracking_code
from reports.uploads import check_uploads
from routing.services import check_coordinates
from tenants.service_policy import accepts_report_while_suspended
from verification.checks import CheckResult
from verification.pipeline import (
    AUTO_VERIFIED,
    NEEDS_TRIAGE,
    REJECTED,
    Screening,
    policy_for,
    screen,
)

logger = logging.getLogger(__name__)

SELF_SERVICE_CHANNELS = {Channel.APP, Channel.WEB, Channel.OPEN311}
# Channels whose bot (messaging.conversation) takes reports from citizens themselves.
CONVERSATION_CHANNELS = {Channel.WHATSAPP, Channel.TELEGRAM, Channel.SMS, Channel.EMAIL}
MIN_DESCRIPTION, MAX_DESCRIPTION = 10, 5000


@dataclass(frozen=True)
class ReportInput:
    category_code: str
    description: str
    latitude: float
    longitude: float
    accuracy_m: float | None = None
    address: str = ""
    area_code: str | None = None
    channel: str = Channel.APP
    anonymous: bool = False
    is_public: bool = True
    idempotency_key: str | None = None
    priority: str = ""
    reporter_phone: str | None = None  # staff entering a report on a citizen's behalf
    contact_name: str = ""
    contact_phone: str = ""  # unverified (Open311's "phone"): stored, never trusted
    # Set only by the messaging bot (never from API input): a chat on a channel
    # whose own address verified the sender is a citizen reporting for themself.
    from_conversation: bool = False


@dataclass
class Submission:
    report: Report
    created: bool
    checks: list[dict] = field(default_factory=list)


def submit_report(actor: Actor, data: ReportInput, photos: list[Upload]) -> Submission:
    """Create, verify and route a report. Raises InvalidInput (field, code, message),
    PermissionDenied or Conflict; on any error nothing is stored."""
    if data.idempotency_key:
        existing = _existing(actor, data.idempotency_key)
        if existing is not None:
            return Submission(existing, created=False, checks=existing.checks)
    profile = CityProfile.load()
    category = _validate(actor, data, photos, profile)
    _refuse_unless_emergency_while_suspended(category)
    policy = policy_for(
        verification_policy(profile), data.channel, category_photo_required=category.photo_required
    )
    if policy.photo_required and not photos:
        raise InvalidInput(
            field="photos",
            code="PHOTO_REQUIRED",
            message=_("Laporan %(category)s wajib menyertakan foto."),
            params={"category": lazy_pick(category.name_id, category.name_en)},
        )
    city_tz = profile.zone
    verification = verification_policy(profile)
    inspected = inspect_uploads(photos, city_tz, verification)
    now = timezone.now()
    duplicates = _duplicate_check(category, data, verification, now)
    screening = screen(
        policy=policy,
        photos=[p.facts for p in inspected],
        latitude=data.latitude,
        longitude=data.longitude,
        boundary=profile.boundary,
        now=now,
        earlier_hashes=lambda phash, distance: similar_photo_hashes(phash, distance),
        duplicates=duplicates,
    )
    area, area_source = _area(data)
    screening = _with_area_check(screening, category, area)
    reporter = _reporter(actor, data)
    saved_files: list = []
    try:
        # The report's events (submitted, verified, assigned…) go out together after commit.
        with events.batched(), transaction.atomic():
            report, created = _insert(
                actor, data, category, reporter, screening, (area, area_source)
            )
            if not created:  # a concurrent submission with the same key won
                return Submission(report, created=False, checks=report.checks)
            for index, photo in enumerate(inspected):
                saved_files += store_photo(report, photo, PhotoKind.REPORT, index)
            _apply_verdict(report, actor, screening.verdict, now)
            count_report_submitted()  # Prometheus, once the transaction commits
    except Exception:
        for stored in saved_files:
            stored.storage.delete(stored.name)
        raise
    logger.info(
        "report %s submitted via %s: %s", report.tracking_code, data.channel, screening.verdict
    )
    return Submission(report, created=True, checks=screening.as_json())


def replayed_submission(actor: Actor, key: str | None) -> Report | None:
    """The report an earlier submission with ``key`` created, if any.

    Callers look this up *before* counting rate limits: an app retrying one
    submission (a flaky connection, a double tap) must get its report back,
    not "too many requests". Raises Conflict when another sender used the key."""
    if not key or len(key) > Report._meta.get_field("idempotency_key").max_length:
        return None
    return _existing(actor, key)


def _existing(actor: Actor, key: str) -> Report | None:
    report = Report.objects.filter(idempotency_key=key).first()
    if report is None:
        return None
    same_sender = (
        (actor.citizen is not None and report.reporter_id == actor.citizen.pk)
        or (actor.user is not None and report.entered_by_id == actor.user.pk)
        or (
            actor.kind == "anonymous"
            and report.reporter_id is None
            and report.entered_by_id is None
        )
    )
    if not same_sender:
        raise Conflict(
            field="idempotencyKey",
            code="IDEMPOTENCY_KEY_REUSED",
            message=_("Kunci idempotensi ini sudah dipakai untuk laporan lain."),
        )
    return report


def _validate(
    actor: Actor, data: ReportInput, photos: list[Upload], profile: CityProfile
) -> Category:
    check_lengths(
        Report,
        {
            "idempotency_key": ("idempotencyKey", data.idempotency_key),
            "address": ("address", data.address),
            "contact_name": ("contactName", data.contact_name),
            "priority": ("priority", data.priority),
        },
    )
    if data.channel not in Channel.values or data.channel not in profile.channels:
        raise InvalidInput(
            field="channel",
            code="CHANNEL_NOT_ENABLED",
            message=_("Kanal '%(channel)s' tidak dibuka di kota ini."),
            params={"channel": data.channel},
        )
    if actor.is_staff:
        if not actor.has_role(Role.OPERATOR, Role.COMMAND_CENTER, Role.DISKOMINFO_ADMIN):
            raise PermissionDenied(
                message=_("Hanya operator yang dapat mencatat laporan atas nama warga."),
            )
    elif data.channel not in SELF_SERVICE_CHANNELS and not (
        data.from_conversation and data.channel in CONVERSATION_CHANNELS
    ):
        raise InvalidInput(
            field="channel",
            code="CHANNEL_NOT_SELF_SERVICE",
            message=_("Laporan lewat kanal ini dicatat oleh petugas."),
        )
    if (actor.kind == "anonymous" or data.anonymous) and not features(profile).anonymous_reports:
        raise InvalidInput(
            field="anonymous",
            code="ANONYMOUS_NOT_ALLOWED",
            message=_("Kota ini tidak menerima laporan anonim; masuk dengan nomor telepon."),
        )
    category = Category.objects.filter(code=data.category_code).first()
    if category is None or not category.active:
        raise InvalidInput(
            field="categoryCode",
            code="UNKNOWN_CATEGORY",
            message=_("Kategori '%(category_code)s' tidak ada atau sudah tidak dipakai."),
            params={"category_code": data.category_code},
        )
    description = (data.description or "").strip()
    if not MIN_DESCRIPTION <= len(description) <= MAX_DESCRIPTION:
        raise InvalidInput(
            field="description",
            code="DESCRIPTION_LENGTH",
            message=_("Uraian harus %(shortest)s–%(longest)s karakter."),
            params={"shortest": MIN_DESCRIPTION, "longest": MAX_DESCRIPTION},
        )
    check_coordinates(data.latitude, data.longitude)
    if data.accuracy_m is not None and not 0 <= data.accuracy_m <= 100_000:
        raise InvalidInput(
            field="accuracyMeters",
            code="ACCURACY_OUT_OF_RANGE",
            message=_("Akurasi GPS tidak masuk akal."),
        )
    if data.priority and data.priority not in profile.priorities:
        raise InvalidInput(
            field="priority",
            code="UNKNOWN_PRIORITY",
            message=_("Prioritas '%(priority)s' tidak dikenal di kota ini."),
            params={"priority": data.priority},
        )
    check_uploads([len(p.data) for p in photos], profile)
    if data.area_code and not Area.objects.active().filter(code=data.area_code).exists():
        raise InvalidInput(
            field="areaCode",
            code="UNKNOWN_AREA",
            message=_("Wilayah '%(area_code)s' tidak dikenal."),
            params={"area_code": data.area_code},
        )
    return category


def _refuse_unless_emergency_while_suspended(category: Category) -> None:
    """A suspended city (docs/billing.md) still takes reports in its emergency
    categories; the city row is the one the middleware loaded for this request."""
    city = getattr(connection, "tenant", None)
    if not accepts_report_while_suspended(city, emergency=category.emergency):
        raise Unavailable(
            field="categoryCode",
            code="CITY_SUSPENDED",
            message=_(
                "Layanan %(city)s sedang ditangguhkan: hanya laporan darurat yang diterima "
                "(kategori %(category)s bukan darurat). Untuk keadaan darurat hubungi 112."
            ),
            params={"city": city.name, "category": lazy_pick(category.name_id, category.name_en)},
        )


def _unmapped_area(data: ReportInput) -> Area | None:
    """The reporter's chosen area when it has no polygon (a scaffolded city before its
    boundaries are imported): then the report's point is only the app's stand-in
    for "somewhere in that area", and distances between such points mean nothing."""
    if not data.area_code:
        return None
    return Area.objects.active().filter(code=data.area_code, boundary__isnull=True).first()


def _duplicate_check(category, data: ReportInput, verification, now: datetime) -> CheckResult:
    window = timedelta(minutes=duration_minutes(verification.duplicate_window))
    unmapped = _unmapped_area(data)
    if unmapped is not None:
        return _same_area_check(category, unmapped, now - window)
    nearby = nearby_open_reports(
        category_id=category.pk,
        latitude=data.latitude,
        longitude=data.longitude,
        radius_m=verification.duplicate_radius_m,
        since=now - window,
    )
    if not nearby:
        return CheckResult.of(
            "not_duplicate",
            "pass",
            _("Tidak ada laporan serupa yang masih terbuka di sekitar lokasi."),
            None,
            {"radius_m": verification.duplicate_radius_m},
        )
    codes = [r.tracking_code for r, _ in nearby[:5]]
    nearest = round(nearby[0][1])
    return CheckResult.of(
        "not_duplicate",
        "warn",
        _("Mungkin sama dengan laporan %(codes)s (%(meters)s m dari lokasi)."),
        {"codes": ", ".join(codes), "meters": nearest},
        {"candidates": codes, "nearest_m": nearest, "radius_m": verification.duplicate_radius_m},
    )


def _same_area_check(category, area: Area, since: datetime) -> CheckResult:
    same = open_reports_in_area(category_id=category.pk, area_id=area.pk, since=since)
    if not same:
        return CheckResult.of(
            "not_duplicate",
            "pass",
            _("Tidak ada laporan serupa yang masih terbuka di wilayah %(area)s."),
            {"area": area.name},
            {"area": area.code},
        )
    return CheckResult.of(
        "not_duplicate",
        "warn",
        _("Mungkin sama dengan laporan %(codes)s di wilayah yang sama (%(area)s)."),
        {"codes": ", ".join(same), "area": area.name},
        {"candidates": same, "area": area.code},
    )


def _reporter(actor: Actor, data: ReportInput) -> Citizen | None:
    if actor.citizen is not None:
        return actor.citizen
    if actor.is_staff and data.reporter_phone:
        citizen, _created = Citizen.objects.get_or_create(
            phone=normalize_phone(data.reporter_phone)
        )
        return citizen
    return None


def _area(data: ReportInput) -> tuple[Area | None, str]:
    from routing.services import locate_area

    found = locate_area(data.latitude, data.longitude)
    if found is not None:
        return found, "polygon"
    if data.area_code:
        return Area.objects.get(code=data.area_code), "reporter"
    return None, ""


def _with_area_check(screening: Screening, category: Category, area: Area | None) -> Screening:
    """No polygon holds the point and the reporter chose no area: where the category's
    rules depend on the area (``@kelurahan``, a rule for one kecamatan), the report
    would silently land on the default desk. An operator sets its area instead."""
    if area is not None or not _has_territorial_rule(category):
        return screening
    check = CheckResult.of(
        "area_known",
        "warn",
        _(
            "Wilayah belum diketahui: titik laporan tidak berada di dalam batas "
            "kelurahan/kecamatan mana pun dan pelapor tidak memilih wilayah; operator akan "
            "menentukan wilayahnya."
        ),
        None,
        {"category": category.code},
    )
    verdict = screening.verdict if screening.verdict == REJECTED else NEEDS_TRIAGE
    return Screening(verdict, [*screening.checks, check])


def _has_territorial_rule(category: Category) -> bool:
    """The category's rules depend on the area and none names an OPD for the whole
    city (Kotacontoh's city-wide DLH rule catches a report of unknown area; Mataram's
    ``@kelurahan`` rule for garbage cannot)."""
    rules = RoutingRule.objects.active().filter(category=category)
    territorial = rules.filter(~Q(opd_token="") | Q(area__isnull=False)).exists()
    return territorial and not rules.filter(area=None, opd__active=True).exists()


def _insert(
    actor, data: ReportInput, category, reporter, screening, located: tuple[Area | None, str]
) -> tuple[Report, bool]:
    area, area_source = located
    for _attempt in range(5):
        try:
            with transaction.atomic():
                report = Report.objects.create(
                    tracking_code=new_tracking_code(),
                    category=category,
                    description=data.description.strip(),
                    latitude=data.latitude,
                    longitude=data.longitude,
                    accuracy_m=data.accuracy_m,
                    address=data.address.strip()[:300],
                    area=area,
                    area_source=area_source,
                    channel=data.channel,
                    reporter=reporter,
                    anonymous=data.anonymous or reporter is None,
                    contact_name=data.contact_name.strip()[:120],
                    contact_phone=data.contact_phone,
                    entered_by=actor.user if actor.is_staff else None,
                    priority=data.priority,
                    is_public=data.is_public,
                    checks=screening.as_json(),
                    verdict=screening.verdict,
                    possible_duplicates=next(
                        (
                            c.details.get("candidates", [])
                            for c in screening.checks
                            if c.name == "not_duplicate"
                        ),
                        [],
                    ),
                    idempotency_key=data.idempotency_key or None,
                )
                return report, True
        except IntegrityError as exc:
            if data.idempotency_key and "idempotency_key" in str(exc):
                # A concurrent submission with the same key committed first.
                return _existing(actor, data.idempotency_key), False
            if "tracking_code" not in str(exc):
                raise
    raise RuntimeError("could not find a free tracking code")  # ~never: 8·10^11 codes


def _apply_verdict(report: Report, actor: Actor, verdict: str, now: datetime) -> None:
    system = Actor.system("verifikasi")
    record(report, actor, "submitted", to_status=report.status, data={"channel": report.channel})
    if verdict == AUTO_VERIFIED:
        report.auto_verify()
        report.verified_at = now
        record(report, system, "verified", from_status="submitted", to_status=report.status)
        route_and_assign(report, system, notify_reporter=False)  # saves the report once
        tell_reporters(report, "report.received", verdict=verdict, opd_name=report.opd.name)
    elif verdict == NEEDS_TRIAGE:
        report.send_to_triage()
        report.save()
        record(
            report,
            system,
            "sent_to_triage",
            from_status="submitted",
            to_status=report.status,
            # "wilayah belum diketahui": the operator's first job on this report.
            note="; ".join(c["reason_id"] for c in report.checks if c["name"] == "area_known"),
        )
        tell_reporters(report, "report.received", verdict=verdict)
    else:
        report.auto_reject()
        report.save()
        failed = [c for c in report.checks if c["result"] == "fail"]
        record(
            report,
            system,
            "rejected",
            from_status="submitted",
            to_status=report.status,
            note="; ".join(c["reason_id"] for c in failed),
        )
        tell_reporters(report, "report.rejected", verdict=verdict)
