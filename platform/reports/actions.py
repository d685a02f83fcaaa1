"""Everything that changes a report after intake: triage, survey, the OPD
workflow, the citizen's confirmation, merging and moderation.

Each action locks the report row, checks the transition and the actor's right
to make it (:mod:`reports.permissions`), changes it, and writes the timeline and
outbox in the same transaction. Failures are ServiceErrors; nothing is
half-changed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed, has_transition_perm

import sla.services as sla
from cityconfig.models import Area, Opd
from cityconfig.selectors import city_profile, verification_policy
from kanal.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from people.actors import Actor
from reports import events
from reports.access import may_note_progress
from reports.models import OPEN_STATUSES, Report, Status
from reports.routing_step import route_and_assign
from reports.selectors import report_for
from reports.timeline import record, tell_opd, tell_reporters
from routing.services import escalation_target, route


def _status_label(value: str) -> str:
    return str(Status(value).label) if value in Status.values else value


def transit(
    report: Report,
    actor: Actor,
    name: str,
    *,
    note: str = "",
    public: bool = True,
    data: dict | None = None,
    **kwargs,
) -> str:
    """Make transition ``name`` as ``actor``; returns the previous status."""
    method = check_transition(report, actor, name)
    old = report.status
    method(**kwargs)
    report.save()
    record(
        report,
        actor,
        name,
        from_status=old,
        to_status=report.status,
        note=note,
        public=public,
        data=data,
    )
    return old


def check_transition(report: Report, actor: Actor, name: str) -> Callable:
    """The transition method ``name`` if the report's state allows it and
    ``actor`` may make it; else Conflict / PermissionDenied."""
    method = getattr(report, name)
    if not can_proceed(method):
        raise Conflict(
            code="INVALID_TRANSITION",
            message=_("Laporan berstatus '%(status)s' tidak bisa diproses (%(name)s)."),
            params={"status": _status_label(report.status), "name": name},
            details={"status": report.status, "transition": name},
        )
    if not has_transition_perm(method, actor):
        raise PermissionDenied(
            message=_("Anda tidak berwenang melakukan tindakan ini pada laporan ini."),
            details={"transition": name},
        )
    return method


def locked(func: Callable) -> Callable:
    """Run ``func(actor, report, ...)`` in a transaction on the row-locked report."""

    @wraps(func)
    def wrapper(actor: Actor, tracking_code: str, *args, **kwargs):
        with events.batched(), transaction.atomic():
            report = report_for(actor, tracking_code, for_update=True)
            return func(actor, report, *args, **kwargs)

    return wrapper


def _required(value: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(
            field=field,
            code="REQUIRED",
            message=_("Wajib diisi."),
        )
    if len(value) > 5000:
        raise InvalidInput(
            field=field,
            code="TOO_LONG",
            message=_("Teks terlalu panjang."),
        )
    return value


# --- operator triage and field survey ----------------------------------------


@locked
def triage_accept(actor: Actor, report: Report, note: str = "") -> Report:
    survey = verification_policy().field_survey == "always"
    transit(report, actor, "accept", note=note, survey=survey)
    if report.status == Status.VERIFIED:
        report.verified_at = timezone.now()
        report.save()
        tell_reporters(report, "report.status_changed")
        route_and_assign(report, Actor.system("disposisi"))
    return report


@locked
def send_to_survey(actor: Actor, report: Report, note: str = "") -> Report:
    transit(report, actor, "send_to_survey", note=note)
    return report


@locked
def record_field_survey(
    actor: Actor,
    report: Report,
    *,
    found: bool,
    note: str,
    photos: list | None = None,
    idempotency_key: str = "",
) -> Report:
    """The survey team's finding: confirmed (→ verified → routed) or not found (→ rejected).

    ``photos`` (optional) are checked like proof photos (fresh, taken at the
    report's location) and kept as survey photos. ``idempotency_key``: a finding
    sent again with the same key (a phone retrying after a lost answer) returns
    the report as it is instead of recording twice."""
    from reports.proof import store_proof

    key = (idempotency_key or "").strip()[:64]
    if key and report.timeline.filter(data__survey_key=key).exists():
        return report
    note = _required(note, "note")
    check_transition(report, actor, "confirm_survey" if found else "reject")
    data: dict = {"survey": "confirmed" if found else "not_found"}
    if key:
        data["survey_key"] = key
    if photos:
        from reports.models import PhotoKind

        data["photo_checks"] = store_proof(report, photos, PhotoKind.SURVEY)
    if found:
        transit(report, actor, "confirm_survey", note=note, data=data)
        report.verified_at = timezone.now()
        report.save()
        route_and_assign(report, Actor.system("disposisi"))
    else:
        transit(report, actor, "reject", note=note, data=data)
        tell_reporters(report, "report.rejected", reason=note)
    return report


@locked
def reject(actor: Actor, report: Report, reason: str) -> Report:
    transit(report, actor, "reject", note=_required(reason, "reason"))
    tell_reporters(report, "report.rejected", reason=reason)
    return report


@locked
def request_info(actor: Actor, report: Report, question: str) -> Report:
    transit(report, actor, "request_info", note=_required(question, "question"))
    sla.pause(report, timezone.now())
    report.save()
    tell_reporters(report, "report.needs_info", question=question)
    return report


@locked
def provide_info(actor: Actor, report: Report, answer: str) -> Report:
    transit(report, actor, "provide_info", note=_required(answer, "answer"))
    sla.resume(report, timezone.now())
    report.save()
    tell_opd(report, "report.info_provided")
    return report


@locked
def assign(actor: Actor, report: Report, opd_code: str, note: str = "") -> Report:
    """Manual assignment of a verified report (operators)."""
    if not has_transition_perm(report.assign, actor):
        raise PermissionDenied(
            message=_("Hanya operator yang dapat mendisposisikan."),
        )
    route_and_assign(report, actor, opd=_responder_opd(opd_code), note=note)
    return report


def _check_operator_edit(actor: Actor, report: Report, name: str, refusal) -> None:
    """An operator's edit of an open report (its area, its priority)."""
    from reports.permissions import operator

    if not operator(report, actor):
        raise PermissionDenied(message=refusal)
    if report.status not in OPEN_STATUSES:
        raise Conflict(
            code="INVALID_TRANSITION",
            message=_("Laporan berstatus '%(status)s' tidak bisa diproses (%(name)s)."),
            params={"status": _status_label(report.status), "name": name},
            details={"status": report.status, "transition": name},
        )


def _move_to_opd(report: Report, actor: Actor, target: Opd, *, note: str, data: dict) -> None:
    """Forward the report to ``target``: the timeline, a fresh assignment and SLA
    clock there, and the new OPD told. Shared by ``forward`` and ``set_area``."""
    previous = report.opd
    transit(
        report,
        actor,
        "forward",
        note=note,
        data={"from_opd": previous.code if previous else None, "to_opd": target.code, **data},
    )
    report.opd = target
    report.assigned_at = timezone.now()
    report.acknowledged_at = None
    sla.on_forward(report, report.assigned_at)
    report.save()
    tell_opd(report, "report.assigned", forwarded_from=previous.code if previous else None)


@locked
def set_area(actor: Actor, report: Report, area_code: str, note: str = "") -> Report:
    """An operator sets the report's area (the point lay in no polygon, or in the
    wrong one). A report already with an OPD, not yet acknowledged there, is
    re-routed by the city's rules for its new area; otherwise the area counts
    from the next routing (triage accept, survey confirmation)."""
    _check_operator_edit(
        actor, report, "set_area", _("Hanya operator yang dapat menentukan wilayah laporan.")
    )
    area = Area.objects.active().filter(code=(area_code or "").strip()).first()
    if area is None:
        raise InvalidInput(
            field="areaCode",
            code="UNKNOWN_AREA",
            message=_("Wilayah '%(area_code)s' tidak dikenal."),
            params={"area_code": area_code},
        )
    previous = report.area
    report.area = area
    report.area_source = "operator"
    report.save()
    record(
        report,
        actor,
        "area_set",
        note=(note or "").strip()[:5000],
        data={"from_area": previous.code if previous else None, "to_area": area.code},
    )
    if report.status == Status.ASSIGNED:
        decision = route(report.category, area)
        if decision.opd.pk != report.opd_id:
            report.forward_hint = decision.forward_to
            _move_to_opd(
                report,
                actor,
                decision.opd,
                note=f"Wilayah laporan ditetapkan: {area.name}.",
                data={"rule": decision.reason},
            )
    return report


@locked
def set_priority(actor: Actor, report: Report, priority: str, note: str = "") -> Report:
    """An operator sets the report's priority: one of the city's ``priorities``
    ("" clears it). Recorded on the timeline (staff only)."""
    _check_operator_edit(
        actor, report, "set_priority", _("Hanya operator yang dapat menentukan prioritas laporan.")
    )
    priority = (priority or "").strip()
    if priority and priority not in city_profile().priorities:
        raise InvalidInput(
            field="priority",
            code="UNKNOWN_PRIORITY",
            message=_("Prioritas '%(priority)s' tidak dikenal di kota ini."),
            params={"priority": priority},
        )
    previous = report.priority
    report.priority = priority
    report.save()
    record(
        report,
        actor,
        "priority_set",
        note=(note or "").strip()[:5000],
        public=False,
        data={"from_priority": previous, "to_priority": priority},
    )
    return report


# --- the OPD workflow ----------------------------------------------------------


@locked
def acknowledge(actor: Actor, report: Report, note: str = "") -> Report:
    transit(report, actor, "acknowledge", note=note)
    report.acknowledged_at = report.acknowledged_at or timezone.now()
    sla.record_response(report, report.acknowledged_at)
    report.save()
    tell_reporters(report, "report.status_changed")
    return report


@locked
def add_progress_note(actor: Actor, report: Report, note: str, *, public: bool = True) -> Report:
    """A note on the work; the first one moves an acknowledged report to in progress."""
    note = _required(note, "note")
    if not may_note_progress(actor, report):
        raise PermissionDenied(
            message=_("Hanya petugas OPD penanggung jawab yang dapat menambah catatan."),
        )
    if report.status == Status.ACKNOWLEDGED and actor.acts_for_opd(report.opd_id):
        transit(report, actor, "start_work", note=note, public=public)
    elif report.status in OPEN_STATUSES:
        record(report, actor, "progress_note", note=note, public=public)
    else:
        raise Conflict(
            code="INVALID_TRANSITION",
            message=_("Laporan ini sudah tidak terbuka."),
        )
    if public:
        tell_reporters(report, "report.progress", note=note)
    return report


def resolve(actor: Actor, tracking_code: str, note: str, proof_photos: list) -> Report:
    """Resolve with proof photos, which are verified like report photos (fresh, taken
    at the report's location); a proof that fails a check is refused."""
    from reports.proof import store_proof

    note = _required(note, "note")
    if not proof_photos:
        raise InvalidInput(
            field="photos",
            code="PROOF_REQUIRED",
            message=_("Sertakan foto bukti penyelesaian."),
        )
    with events.batched(), transaction.atomic():
        report = report_for(actor, tracking_code, for_update=True)
        if not can_proceed(report.resolve) or not has_transition_perm(report.resolve, actor):
            transit(report, actor, "resolve")  # raises the precise error
        checks = store_proof(report, proof_photos)
        transit(report, actor, "resolve", note=note, data={"proof_checks": checks})
        report.resolved_at = timezone.now()
        sla.record_resolution(report, report.resolved_at)
        report.save()
        tell_reporters(report, "report.resolved", note=note)
    return report


@locked
def forward(actor: Actor, report: Report, opd_code: str, reason: str) -> Report:
    target = _responder_opd(opd_code)
    if target.pk == report.opd_id:
        raise InvalidInput(
            field="opdCode",
            code="SAME_OPD",
            message=_("Laporan sudah berada di OPD tersebut."),
        )
    _move_to_opd(report, actor, target, note=_required(reason, "reason"), data={})
    return report


@locked
def escalate(actor: Actor, report: Report, reason: str) -> Report:
    target = check_escalate(actor, report)
    do_escalate(report, actor, target, note=_required(reason, "reason"))
    return report


def check_escalate(actor: Actor, report: Report, profile=None) -> Opd:
    """Zulip's check half: may ``actor`` escalate ``report`` now? Returns where it
    would go (the parent OPD, or the city's default at the top of the tree)."""
    check_transition(report, actor, "escalate")
    return escalation_target(report.opd, profile)


def do_escalate(
    report: Report,
    actor: Actor,
    target: Opd,
    *,
    note: str,
    data: dict | None = None,
    save: bool = True,
    **tell,
) -> None:
    """The do half, shared by the API, the admin and the SLA sweep: the
    transition, the new OPD, the timeline entry and the OPDs' outbox message.
    The sweep passes ``save=False`` and writes its reports in one UPDATE."""
    previous, old = report.opd, report.status
    report.escalate()
    report.opd = target
    if save:
        report.save()
    record(
        report,
        actor,
        "escalate",
        from_status=old,
        to_status=report.status,
        note=note,
        data={"from_opd": previous.code, "to_opd": target.code, **(data or {})},
    )
    tell_opd(report, "report.escalated", from_opd=previous.code, **tell)


def _responder_opd(code: str) -> Opd:
    opd = Opd.objects.active().filter(code=code, responder=True).first()
    if opd is None:
        raise InvalidInput(
            field="opdCode",
            code="UNKNOWN_OPD",
            message=_("OPD '%(code)s' tidak ada atau tidak menangani laporan."),
            params={"code": code},
        )
    return opd


# --- the citizen's word ----------------------------------------------------------


@locked
def confirm_resolution(actor: Actor, report: Report, note: str = "") -> Report:
    transit(report, actor, "confirm", note=note)
    report.closed_at = timezone.now()
    report.save()
    tell_opd(report, "report.closed")
    return report


@locked
def reopen(actor: Actor, report: Report, reason: str) -> Report:
    transit(report, actor, "reopen", note=_required(reason, "reason"))
    report.closed_at = None
    sla.on_reopen(report, timezone.now())
    report.save()
    tell_opd(report, "report.reopened", reason=reason)
    return report


@locked
def rate(actor: Actor, report: Report, rating: int, comment: str = "") -> Report:
    if not actor.is_reporter_of(report):
        raise PermissionDenied(
            message=_("Hanya pelapor yang dapat memberi nilai."),
        )
    if report.status not in (Status.RESOLVED, Status.CLOSED):
        raise Conflict(
            code="NOT_RESOLVED",
            message=_("Nilai diberikan setelah laporan selesai."),
        )
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise InvalidInput(
            field="rating",
            code="RATING_RANGE",
            message=_("Nilai 1 sampai 5."),
        )
    report.rating, report.rating_comment = rating, (comment or "").strip()[:2000]
    report.save()
    record(report, actor, "rated", note=report.rating_comment, data={"rating": rating})
    return report


def auto_close_resolved(now=None) -> int:
    """Close resolved reports the citizen did not answer within the city's
    ``sla.auto_close_after`` (a job runs this). Returns how many were closed."""
    from datetime import timedelta

    from cityconfig.schema import duration_minutes

    now = now or timezone.now()
    after = timedelta(minutes=duration_minutes(city_profile().sla_settings["auto_close_after"]))
    system = Actor.system("tutup otomatis")
    closed = 0
    for pk in Report.objects.filter(
        status=Status.RESOLVED, resolved_at__lte=now - after
    ).values_list("pk", flat=True):
        with transaction.atomic():
            report = (
                Report.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=Status.RESOLVED)
                .first()
            )
            if report is None:
                continue
            transit(report, system, "auto_close", note="Tidak ada tanggapan pelapor.")
            report.closed_at = now
            report.save()
            tell_reporters(report, "report.closed")
            closed += 1
    return closed


# --- duplicates -------------------------------------------------------------------


def merge_reports(actor: Actor, duplicate_code: str, into_code: str, note: str = "") -> Report:
    """Merge a duplicate into the main report; its reporter follows the main one from now on."""
    with events.batched(), transaction.atomic():
        main = report_for(actor, into_code, for_update=True)
        duplicate = report_for(actor, duplicate_code, for_update=True)
        if main.pk == duplicate.pk:
            raise InvalidInput(
                field="intoCode",
                code="SAME_REPORT",
                message=_("Tidak bisa digabung ke dirinya sendiri."),
            )
        if not main.is_open:
            raise Conflict(
                code="MAIN_CLOSED",
                message=_("Laporan %(code)s sudah tertutup."),
                params={"code": main.tracking_code},
            )
        transit(duplicate, actor, "merge", note=note, data={"into": main.tracking_code})
        duplicate.merged_into = main
        duplicate.save()
        main.merged_count += 1
        main.save()
        record(
            main, actor, "merged_duplicate", note=note, data={"duplicate": duplicate.tracking_code}
        )
        if duplicate.reporter_id:
            from notifications.services import notify

            notify(
                "report.merged",
                report=duplicate,
                citizen_id=duplicate.reporter_id,
                into=main.tracking_code,
            )
    return main


# --- moderation ------------------------------------------------------------------


def _moderator(actor: Actor, report: Report) -> None:
    from reports.permissions import moderator

    if not moderator(report, actor):
        raise PermissionDenied(
            message=_("Hanya operator yang dapat memoderasi."),
        )


@locked
def set_hidden(actor: Actor, report: Report, hidden: bool, reason: str) -> Report:
    _moderator(actor, report)
    report.hidden = hidden
    report.save()
    record(
        report,
        actor,
        "hidden" if hidden else "unhidden",
        note=_required(reason, "reason"),
        public=False,
    )
    return report


@locked
def edit_public_text(actor: Actor, report: Report, text: str, reason: str) -> Report:
    _moderator(actor, report)
    before = report.shown_description
    report.public_description = _required(text, "text")
    report.save()
    record(
        report,
        actor,
        "public_text_edited",
        note=_required(reason, "reason"),
        public=False,
        data={"before": before, "after": report.public_description},
    )
    return report


@locked
def blur_photo_region(
    actor: Actor,
    report: Report,
    photo_position: int,
    box: dict,
    reason: str,
    kind: str = "report",
) -> Report:
    """Blur a region (faces, number plates) of the public copy of the photo
    ``kind``/``photo_position``; the original is kept."""
    from reports.proof import blur_public_copy

    _moderator(actor, report)
    reason = _required(reason, "reason")
    photo = report.photos.filter(kind=kind, position=photo_position).first()
    if photo is None:
        raise NotFound(
            field="photoPosition",
            message=_("Foto tidak ditemukan."),
        )
    blur_public_copy(photo, box)
    record(
        report,
        actor,
        "photo_blurred",
        note=reason,
        public=False,
        data={"photo": photo_position, "kind": kind, "box": box},
    )
    return report
