"""Mutations: check input shape, call one core service, return a payload with
typed errors. No business rule lives here."""

from __future__ import annotations

import enum
import logging
from datetime import date, datetime
from functools import wraps

import strawberry
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import is_ratelimited
from strawberry.file_uploads import Upload

from api import types as t
from api.errors import Error, error_from
from api.inbox import InboxMutation
from api.queries import require_staff
from kanal.errors import InvalidInput, PermissionDenied, RateLimited, ServiceError
from kanal.outage import OUTAGE_TYPES
from people import otp, tokens
from people.models import Role
from reports import actions
from reports.intake import ReportInput, replayed_submission, submit_report
from reports.intake import Upload as PhotoUpload
from reports.uploads import check_uploads

logger = logging.getLogger(__name__)


@strawberry.type
class RequestOtpPayload:
    sent: bool = False
    resend_after: datetime | None = None
    errors: list[Error] = strawberry.field(default_factory=list)


@strawberry.type
class TokenPayload:
    token: str | None = None
    expires_at: datetime | None = None
    errors: list[Error] = strawberry.field(default_factory=list)


@strawberry.type
class ReportPayload:
    report: t.Report | None = None
    errors: list[Error] = strawberry.field(default_factory=list)


@strawberry.type
class SubmitReportPayload:
    report: t.Report | None = None
    created: bool = False
    errors: list[Error] = strawberry.field(default_factory=list)


@strawberry.type
class PublishRankingPayload:
    ranking: t.OpdRanking | None = None
    errors: list[Error] = strawberry.field(default_factory=list)


@strawberry.input
class SubmitReportInput:
    category_code: str
    description: str
    latitude: float
    longitude: float
    accuracy_meters: float | None = None
    address: str = ""
    area_code: str | None = None
    channel: str = "app"
    anonymous: bool = False
    public: bool = True
    priority: str = ""
    idempotency_key: str | None = None


@strawberry.input(description="A region of a photo, in fractions (0–1) of its width and height.")
class PhotoBox:
    x: float
    y: float
    width: float
    height: float


@strawberry.enum
class TriageDecision(enum.Enum):
    ACCEPT = "accept"
    REJECT = "reject"
    NEEDS_INFO = "needs_info"
    FIELD_SURVEY = "field_survey"


def _limit(info: strawberry.Info, group: str, rate: str, key: str | None = None) -> None:
    """Shared-across-processes rate limit (Redis through Django's cache)."""
    request = info.context.request
    try:
        limited = is_ratelimited(
            request, group=group, key=(lambda g, r: key) if key else "ip", rate=rate, increment=True
        )
    except OUTAGE_TYPES:
        # Redis is down: let the citizen through (an emergency channel must not
        # close because its counters are gone), and tell the operators.
        logger.exception("rate limit %s not counted: Redis unavailable", group)
        limited = False
    if limited:
        raise RateLimited(
            retry_after=60,
            message=_("Terlalu banyak permintaan. Coba lagi sebentar lagi."),
        )


def _require_auth(info: strawberry.Info) -> None:
    context = info.context
    actor = context.actor  # resolves the token, recording any auth error
    if context.auth_error is not None:
        raise context.auth_error
    if actor.kind == "anonymous":
        raise PermissionDenied(
            code="UNAUTHENTICATED",
            message=_("Silakan masuk dulu."),
        )


def _read_uploads(uploads: list[Upload] | None) -> list[PhotoUpload]:
    files = uploads or []
    for index, upload in enumerate(files):
        # The Upload scalar takes any value: a JSON body's "photos": ["0"] arrives
        # here as a string (it raised AttributeError: no .size, a masked crash).
        if not isinstance(upload, UploadedFile):
            raise InvalidInput(
                field=f"photos[{index}]",
                code="NOT_A_FILE",
                message=_("Foto harus dikirim sebagai berkas (unggahan multipart)."),
            )
    check_uploads([upload.size for upload in files])  # before reading any into memory
    return [PhotoUpload(upload.read(), upload.name or "") for upload in files]


def _report_payload(func):
    @wraps(func)
    def wrapper(*args, **kwargs) -> ReportPayload:
        try:
            return ReportPayload(report=func(*args, **kwargs))
        except ServiceError as exc:
            return ReportPayload(errors=[error_from(exc)])

    return wrapper


@strawberry.type
class Mutation(InboxMutation):  # the operators' inbox: api/inbox.py
    @strawberry.mutation
    def request_otp(self, info: strawberry.Info, phone: str) -> RequestOtpPayload:
        try:
            _limit(info, "otp-request-ip", "10/m")
            sent = otp.request_otp(phone, client_ip=info.context.client_ip() or None)
        except ServiceError as exc:
            return RequestOtpPayload(errors=[error_from(exc)])
        return RequestOtpPayload(sent=True, resend_after=sent.resend_after)

    @strawberry.mutation
    def verify_otp(self, info: strawberry.Info, phone: str, code: str) -> TokenPayload:
        try:
            _limit(info, "otp-verify-ip", "20/m")
            citizen = otp.verify_otp(phone, code)
            issued = tokens.issue_token(info.context.city.slug, citizen=citizen)
        except ServiceError as exc:
            return TokenPayload(errors=[error_from(exc)])
        return TokenPayload(token=issued.token, expires_at=issued.expires_at)

    @strawberry.mutation
    def staff_login(
        self, info: strawberry.Info, username: str, password: str, otp_code: str = ""
    ) -> TokenPayload:
        try:
            _limit(info, "staff-login-ip", "10/m")
            issued = tokens.staff_login(
                info.context.city.slug, username, password, info.context.request, otp_code
            )
        except ServiceError as exc:
            return TokenPayload(errors=[error_from(exc)])
        return TokenPayload(token=issued.token, expires_at=issued.expires_at)

    @strawberry.mutation
    def submit_report(
        self,
        info: strawberry.Info,
        input: SubmitReportInput,
        photos: list[Upload] | None = None,
    ) -> SubmitReportPayload:
        try:
            context = info.context
            actor = context.actor
            if context.auth_error is not None:
                raise context.auth_error
            replay = replayed_submission(actor, input.idempotency_key)
            if replay is not None:  # a retry: its report, before any rate limit counts it
                return SubmitReportPayload(report=replay, created=False)
            who = f"citizen:{actor.citizen.pk}" if actor.citizen else None
            _limit(info, "submit-ip", "30/m")
            if who:
                _limit(info, "submit-citizen", "10/m", key=who)
            submission = submit_report(
                actor,
                ReportInput(
                    category_code=input.category_code,
                    description=input.description,
                    latitude=input.latitude,
                    longitude=input.longitude,
                    accuracy_m=input.accuracy_meters,
                    address=input.address,
                    area_code=input.area_code,
                    channel=input.channel,
                    anonymous=input.anonymous,
                    is_public=input.public,
                    priority=input.priority,
                    idempotency_key=input.idempotency_key,
                ),
                _read_uploads(photos),
            )
        except ServiceError as exc:
            return SubmitReportPayload(errors=[error_from(exc)])
        return SubmitReportPayload(report=submission.report, created=submission.created)

    @strawberry.mutation
    @_report_payload
    def confirm_resolution(
        self, info: strawberry.Info, tracking_code: str, note: str = ""
    ) -> ReportPayload:
        _require_auth(info)
        return actions.confirm_resolution(info.context.actor, tracking_code, note)

    @strawberry.mutation
    @_report_payload
    def reopen_report(
        self, info: strawberry.Info, tracking_code: str, reason: str
    ) -> ReportPayload:
        _require_auth(info)
        return actions.reopen(info.context.actor, tracking_code, reason)

    @strawberry.mutation
    @_report_payload
    def rate_report(
        self, info: strawberry.Info, tracking_code: str, rating: int, comment: str = ""
    ) -> ReportPayload:
        _require_auth(info)
        return actions.rate(info.context.actor, tracking_code, rating, comment)

    @strawberry.mutation
    @_report_payload
    def provide_information(
        self, info: strawberry.Info, tracking_code: str, answer: str
    ) -> ReportPayload:
        _require_auth(info)
        return actions.provide_info(info.context.actor, tracking_code, answer)

    # --- staff -----------------------------------------------------------------

    @strawberry.mutation
    @_report_payload
    def triage_report(
        self, info: strawberry.Info, tracking_code: str, decision: TriageDecision, note: str = ""
    ) -> ReportPayload:
        _require_auth(info)
        actor = info.context.actor
        if decision == TriageDecision.ACCEPT:
            return actions.triage_accept(actor, tracking_code, note)
        if decision == TriageDecision.REJECT:
            return actions.reject(actor, tracking_code, note)
        if decision == TriageDecision.NEEDS_INFO:
            return actions.request_info(actor, tracking_code, note)
        return actions.send_to_survey(actor, tracking_code, note)

    @strawberry.mutation(
        description="Survey officers: found or not found, with optional photos checked like "
        "proof photos; a retry with the same idempotencyKey records nothing twice."
    )
    @_report_payload
    def record_field_survey(
        self,
        info: strawberry.Info,
        tracking_code: str,
        found: bool,
        note: str,
        photos: list[Upload] | None = None,
        idempotency_key: str = "",
    ) -> ReportPayload:
        _require_auth(info)
        return actions.record_field_survey(
            info.context.actor,
            tracking_code,
            found=found,
            note=note,
            photos=_read_uploads(photos),
            idempotency_key=idempotency_key,
        )

    @strawberry.mutation
    @_report_payload
    def assign_report(
        self, info: strawberry.Info, tracking_code: str, opd_code: str, note: str = ""
    ) -> ReportPayload:
        _require_auth(info)
        return actions.assign(info.context.actor, tracking_code, opd_code, note)

    @strawberry.mutation(
        description="Operators: set the report's area (re-routes a report not yet acknowledged)."
    )
    @_report_payload
    def set_report_area(
        self, info: strawberry.Info, tracking_code: str, area_code: str, note: str = ""
    ) -> ReportPayload:
        _require_auth(info)
        return actions.set_area(info.context.actor, tracking_code, area_code, note)

    @strawberry.mutation
    @_report_payload
    def forward_report(
        self, info: strawberry.Info, tracking_code: str, opd_code: str, reason: str
    ) -> ReportPayload:
        _require_auth(info)
        return actions.forward(info.context.actor, tracking_code, opd_code, reason)

    @strawberry.mutation
    @_report_payload
    def acknowledge_report(
        self, info: strawberry.Info, tracking_code: str, note: str = ""
    ) -> ReportPayload:
        _require_auth(info)
        return actions.acknowledge(info.context.actor, tracking_code, note)

    @strawberry.mutation
    @_report_payload
    def add_progress_note(
        self, info: strawberry.Info, tracking_code: str, note: str, public: bool = True
    ) -> ReportPayload:
        _require_auth(info)
        return actions.add_progress_note(info.context.actor, tracking_code, note, public=public)

    @strawberry.mutation
    @_report_payload
    def request_information(
        self, info: strawberry.Info, tracking_code: str, question: str
    ) -> ReportPayload:
        _require_auth(info)
        return actions.request_info(info.context.actor, tracking_code, question)

    @strawberry.mutation
    @_report_payload
    def resolve_report(
        self, info: strawberry.Info, tracking_code: str, note: str, photos: list[Upload]
    ) -> ReportPayload:
        _require_auth(info)
        return actions.resolve(info.context.actor, tracking_code, note, _read_uploads(photos))

    @strawberry.mutation
    @_report_payload
    def merge_reports(
        self, info: strawberry.Info, duplicate_code: str, into_code: str, note: str = ""
    ) -> ReportPayload:
        _require_auth(info)
        return actions.merge_reports(info.context.actor, duplicate_code, into_code, note)

    # --- the operator workbench: priority and moderation --------------------------

    @strawberry.mutation(description='Operators: one of the city\'s priorities ("" clears it).')
    @_report_payload
    def set_report_priority(
        self, info: strawberry.Info, tracking_code: str, priority: str, note: str = ""
    ) -> ReportPayload:
        _require_auth(info)
        return actions.set_priority(info.context.actor, tracking_code, priority, note)

    @strawberry.mutation(description="Moderators: hide the report from the public (kept).")
    @_report_payload
    def hide_report(self, info: strawberry.Info, tracking_code: str, reason: str) -> ReportPayload:
        _require_auth(info)
        return actions.set_hidden(info.context.actor, tracking_code, True, reason)

    @strawberry.mutation(description="Moderators: show a hidden report to the public again.")
    @_report_payload
    def unhide_report(
        self, info: strawberry.Info, tracking_code: str, reason: str
    ) -> ReportPayload:
        _require_auth(info)
        return actions.set_hidden(info.context.actor, tracking_code, False, reason)

    @strawberry.mutation(description="Moderators: the text the public reads; the original is kept.")
    @_report_payload
    def edit_public_text(
        self, info: strawberry.Info, tracking_code: str, text: str, reason: str
    ) -> ReportPayload:
        _require_auth(info)
        return actions.edit_public_text(info.context.actor, tracking_code, text, reason)

    @strawberry.mutation(
        description="Moderators: blur a box of a photo's public copy; the original stays private."
    )
    @_report_payload
    def blur_photo_region(
        self,
        info: strawberry.Info,
        tracking_code: str,
        position: int,
        box: PhotoBox,
        reason: str,
        kind: str = "report",
    ) -> ReportPayload:
        _require_auth(info)
        region = {"x": box.x, "y": box.y, "w": box.width, "h": box.height}
        return actions.blur_photo_region(
            info.context.actor, tracking_code, position, region, reason, kind=kind
        )

    @strawberry.mutation
    def publish_ranking(
        self, info: strawberry.Info, start: date, end: date, title: str = ""
    ) -> PublishRankingPayload:
        from ranking.services import publish_ranking

        try:
            _require_auth(info)
            require_staff(info, Role.DISKOMINFO_ADMIN)
            snapshot = publish_ranking(info.context.actor, start, end, title)
        except ServiceError as exc:
            return PublishRankingPayload(errors=[error_from(exc)])
        return PublishRankingPayload(
            ranking=t.OpdRanking(
                period_start=snapshot.period_start,
                period_end=snapshot.period_end,
                published=True,
                version=snapshot.version,
                title=snapshot.title,
                content_sha256=snapshot.content_sha256,
                rows=t.ranking_rows(snapshot.rows),
            )
        )


__all__ = ["Mutation"]
