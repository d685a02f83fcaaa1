"""Reports, their photos and their append-only timeline (tenant schema).

The lifecycle is a django-fsm state machine on ``Report.status``; every
transition names who may make it (:mod:`reports.permissions`). Transitions are
only ever called through :mod:`reports.actions`, which also writes the timeline
and the outbox in the same transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import GET_STATE, RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from reports import permissions as may
from reports.storage import PrivateCityStorage


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Diterima")
    NEEDS_INFO = "needs_info", _("Menunggu informasi pelapor")
    TRIAGE = "triage", _("Diperiksa operator")
    FIELD_SURVEY = "field_survey", _("Survei lapangan")
    REJECTED = "rejected", _("Ditolak")
    VERIFIED = "verified", _("Terverifikasi")
    ASSIGNED = "assigned", _("Didisposisikan ke OPD")
    ACKNOWLEDGED = "acknowledged", _("Diterima OPD")
    IN_PROGRESS = "in_progress", _("Sedang dikerjakan")
    RESOLVED = "resolved", _("Selesai dikerjakan")
    CLOSED = "closed", _("Ditutup")
    REOPENED = "reopened", _("Dibuka kembali")
    MERGED = "merged", _("Digabung")


S = Status
CLOSED_STATUSES = {S.REJECTED, S.CLOSED, S.MERGED}
OPEN_STATUSES = {s for s in S if s not in CLOSED_STATUSES}
WITH_OPD = [S.ASSIGNED, S.ACKNOWLEDGED, S.IN_PROGRESS, S.REOPENED]
# The one definition of "active": an OPD holds the report and its SLA clock runs.
# A report waiting for the citizen (needs_info) is not the OPD's backlog.
ACTIVE = tuple(WITH_OPD)


def overdue(now) -> models.Q:
    """The one definition of "overdue", for the dashboard, the overdue queue and
    the ranking's backlog alike: active, and past its resolution due time, or
    past its response due time without having been acknowledged."""
    return models.Q(status__in=ACTIVE) & (
        models.Q(resolution_due_at__lt=now)
        | models.Q(response_due_at__lt=now, acknowledged_at=None)
    )


class Verdict(models.TextChoices):
    AUTO_VERIFIED = "auto_verified", _("Terverifikasi otomatis")
    NEEDS_TRIAGE = "needs_triage", _("Perlu diperiksa operator")
    REJECTED = "rejected", _("Ditolak")


class Channel(models.TextChoices):
    APP = "app", _("Aplikasi")
    WEB = "web", _("Web")
    SMS = "sms", "SMS"
    WHATSAPP = "whatsapp", "WhatsApp"
    TELEGRAM = "telegram", "Telegram"
    EMAIL = "email", _("Surel")
    FACEBOOK = "facebook", "Facebook"
    TWITTER = "twitter", "Twitter/X"
    INSTAGRAM = "instagram", "Instagram"
    YOUTUBE = "youtube", "YouTube"
    CALL_112 = "call_112", _("Panggilan 112")
    CALL_CENTER = "call_center", _("Call center")
    WALK_IN = "walk_in", _("Datang langsung")
    LETTER = "letter", _("Surat")
    LAPOR_SP4N = "lapor_sp4n", "LAPOR! SP4N"
    QLUE = "qlue", "Qlue"
    OPEN311 = "open311", "Open311"


class Report(ConcurrentTransitionMixin, models.Model):
    tracking_code = models.CharField(_("kode lacak"), max_length=12, unique=True)
    category = models.ForeignKey(
        "cityconfig.Category", on_delete=models.PROTECT, related_name="reports"
    )
    description = models.TextField(_("uraian"))
    public_description = models.TextField(
        _("uraian publik"), blank=True, help_text=_("Diisi moderator bila uraian asli disunting.")
    )
    latitude = models.FloatField(_("lintang"))
    longitude = models.FloatField(_("bujur"))
    accuracy_m = models.FloatField(_("akurasi GPS (m)"), null=True, blank=True)
    address = models.CharField(_("alamat"), max_length=300, blank=True)
    area = models.ForeignKey(
        "cityconfig.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    area_source = models.CharField(max_length=12, blank=True)  # "polygon" | "reporter" | ""
    channel = models.CharField(_("kanal"), max_length=16, choices=Channel.choices)
    reporter = models.ForeignKey(
        "people.Citizen", null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    anonymous = models.BooleanField(_("anonim"), default=False)
    contact_name = models.CharField(_("nama kontak"), max_length=120, blank=True)
    # A number an outside system (Open311) passed along: never verified, so it
    # never signs anyone in and never links the report to a citizen's account.
    contact_phone = models.CharField(
        _("telepon kontak (belum diverifikasi)"), max_length=20, blank=True
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = FSMField(_("status"), default=S.SUBMITTED, choices=S.choices, protected=True)
    status_before_info = models.CharField(max_length=16, blank=True)
    opd = models.ForeignKey(
        "cityconfig.Opd", null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    forward_hint = models.ForeignKey(
        "cityconfig.Opd",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Ke mana OPD pertama meneruskan (mis. kelurahan → dinas di Jakarta)."),
    )
    priority = models.CharField(_("prioritas"), max_length=63, blank=True)
    is_public = models.BooleanField(_("tampil di publik"), default=True)
    hidden = models.BooleanField(_("disembunyikan moderator"), default=False)
    verdict = models.CharField(max_length=16, choices=Verdict.choices, blank=True)
    checks = models.JSONField(_("hasil pemeriksaan"), default=list)
    possible_duplicates = models.JSONField(default=list)  # tracking codes offered to operators
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_reports"
    )
    idempotency_key = models.CharField(max_length=80, null=True, blank=True, unique=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    rating_comment = models.TextField(blank=True)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    merged_count = models.PositiveSmallIntegerField(default=0)  # duplicates merged into this one
    created_at = models.DateTimeField(_("dilaporkan"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    assigned_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    # --- SLA (platform/sla): targets frozen at assignment, facts for the ranking ----
    sla_targets = models.JSONField(default=dict, blank=True)  # {"response", "resolution", "clock"}
    response_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    response_at_risk_at = models.DateTimeField(null=True, blank=True)
    resolution_at_risk_at = models.DateTimeField(null=True, blank=True)
    sla_next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_minutes = models.FloatField(default=0)
    sla_state = models.CharField(max_length=10, default="", blank=True)  # on_track|at_risk|breached
    response_minutes = models.FloatField(null=True, blank=True)  # in the target's clock
    resolution_minutes = models.FloatField(null=True, blank=True)
    responded_within_sla = models.BooleanField(null=True, blank=True)
    resolved_within_sla = models.BooleanField(null=True, blank=True)
    responding_opd = models.ForeignKey(
        "cityconfig.Opd",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("OPD yang merespons (untuk peringkat)."),
    )
    escalations = models.JSONField(default=list, blank=True)  # stages already escalated

    class Meta:
        verbose_name = _("laporan")
        verbose_name_plural = _("laporan")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["opd", "status"]),
            models.Index(fields=["category", "status", "created_at"]),
            models.Index(fields=["latitude", "longitude"]),
            models.Index(fields=["opd", "assigned_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__gte=-90, latitude__lte=90)
                & models.Q(longitude__gte=-180, longitude__lte=180),
                name="report_coordinates_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="report_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_code

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def shown_description(self) -> str:
        return self.public_description or self.description

    # --- verification -------------------------------------------------------
    @transition(status, source=S.SUBMITTED, target=S.VERIFIED, permission=may.system_only)
    def auto_verify(self) -> None: ...

    @transition(status, source=S.SUBMITTED, target=S.TRIAGE, permission=may.system_only)
    def send_to_triage(self) -> None: ...

    @transition(status, source=S.SUBMITTED, target=S.REJECTED, permission=may.system_only)
    def auto_reject(self) -> None: ...

    @transition(
        status,
        source=S.TRIAGE,
        target=RETURN_VALUE(S.VERIFIED, S.FIELD_SURVEY),
        permission=may.operator,
    )
    def accept(self, *, survey: bool) -> str:
        return S.FIELD_SURVEY if survey else S.VERIFIED

    @transition(status, source=S.TRIAGE, target=S.FIELD_SURVEY, permission=may.operator)
    def send_to_survey(self) -> None: ...

    @transition(status, source=S.FIELD_SURVEY, target=S.VERIFIED, permission=may.survey_officer)
    def confirm_survey(self) -> None: ...

    @transition(
        status, source=[S.TRIAGE, S.FIELD_SURVEY], target=S.REJECTED, permission=may.rejecter
    )
    def reject(self) -> None: ...

    @transition(
        status, source=[S.TRIAGE, *WITH_OPD], target=S.NEEDS_INFO, permission=may.info_requester
    )
    def request_info(self) -> None:
        self.status_before_info = self.status

    @transition(
        status,
        source=S.NEEDS_INFO,
        target=GET_STATE(
            lambda self: self.status_before_info or S.TRIAGE, states=[S.TRIAGE, *WITH_OPD]
        ),
        permission=may.reporter_or_operator,
    )
    def provide_info(self) -> None: ...

    # --- the OPD workflow -----------------------------------------------------
    @transition(status, source=S.VERIFIED, target=S.ASSIGNED, permission=may.operator_or_system)
    def assign(self) -> None: ...

    @transition(
        status, source=[S.ASSIGNED, S.REOPENED], target=S.ACKNOWLEDGED, permission=may.opd_staff
    )
    def acknowledge(self) -> None: ...

    @transition(status, source=S.ACKNOWLEDGED, target=S.IN_PROGRESS, permission=may.opd_staff)
    def start_work(self) -> None: ...

    @transition(
        status,
        source=[S.ACKNOWLEDGED, S.IN_PROGRESS, S.REOPENED],
        target=S.RESOLVED,
        permission=may.opd_staff,
    )
    def resolve(self) -> None: ...

    @transition(status, source=WITH_OPD, target=S.ASSIGNED, permission=may.forwarder)
    def forward(self) -> None: ...

    @transition(status, source=WITH_OPD, target=S.ASSIGNED, permission=may.escalator)
    def escalate(self) -> None: ...

    # --- the citizen's word -------------------------------------------------
    @transition(status, source=S.RESOLVED, target=S.CLOSED, permission=may.reporter_or_operator)
    def confirm(self) -> None: ...

    @transition(status, source=S.RESOLVED, target=S.CLOSED, permission=may.system_only)
    def auto_close(self) -> None: ...

    @transition(
        status,
        source=[S.RESOLVED, S.CLOSED],
        target=S.REOPENED,
        permission=may.reporter_or_operator,
    )
    def reopen(self) -> None:
        self.reopen_count += 1

    @transition(status, source=list(OPEN_STATUSES), target=S.MERGED, permission=may.operator)
    def merge(self) -> None: ...


class PhotoKind(models.TextChoices):
    REPORT = "report", _("Foto laporan")
    PROOF = "proof", _("Bukti penyelesaian")
    SURVEY = "survey", _("Foto survei lapangan")


def _original_path(photo: Photo, filename: str) -> str:
    return f"reports/{photo.report.tracking_code}/original/{photo.sha256[:16]}.{photo.extension}"


def _public_path(photo: Photo, filename: str) -> str:
    return f"reports/{photo.report.tracking_code}/public/{photo.sha256[:16]}.jpg"


class Photo(models.Model):
    """A photo as uploaded (kept private, with its metadata) and its public copy
    (metadata stripped, regions blurred by moderators)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(max_length=8, choices=PhotoKind.choices, default=PhotoKind.REPORT)
    original = models.FileField(
        upload_to=_original_path, storage=PrivateCityStorage(), max_length=300
    )
    public = models.FileField(upload_to=_public_path, storage=PrivateCityStorage(), max_length=300)
    format = models.CharField(max_length=8)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size_bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    phash = models.BigIntegerField()
    phash_bands = ArrayField(models.IntegerField(), size=8)  # see selectors.phash_bands
    taken_at = models.DateTimeField(null=True, blank=True)
    gps_latitude = models.FloatField(null=True, blank=True)
    gps_longitude = models.FloatField(null=True, blank=True)
    metadata = models.JSONField(default=dict)
    redactions = models.JSONField(default=list)  # [{"x", "y", "w", "h"} as fractions]
    position = models.PositiveSmallIntegerField(default=0)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("foto")
        verbose_name_plural = _("foto")
        ordering = ["report", "kind", "position"]
        indexes = [GinIndex(fields=["phash_bands"], name="photo_phash_bands")]

    def __str__(self) -> str:
        return f"{self.report.tracking_code} #{self.position + 1}"

    @property
    def extension(self) -> str:
        return {"JPEG": "jpg", "PNG": "png", "HEIF": "heic"}.get(self.format, "bin")


class TimelineEntry(models.Model):
    """One event in a report's life. Append-only: a database trigger refuses
    UPDATE and DELETE (see migration 0002), so history cannot be rewritten."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="timeline")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor_kind = models.CharField(max_length=10)
    actor_label = models.CharField(max_length=150)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    citizen = models.ForeignKey(
        "people.Citizen", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=32)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    note = models.TextField(blank=True)
    public = models.BooleanField(default=True)
    data = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("riwayat laporan")
        verbose_name_plural = _("riwayat laporan")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.action} {self.from_status}→{self.to_status}"


class ResponseTemplate(models.Model):
    """A reply an OPD sends often ("Petugas kami sudah menuju lokasi...")."""

    opd = models.ForeignKey(
        "cityconfig.Opd", null=True, blank=True, on_delete=models.CASCADE, related_name="templates"
    )
    code = models.SlugField(max_length=63)
    title = models.CharField(_("judul"), max_length=120)
    body = models.TextField(_("isi"))
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("templat balasan")
        verbose_name_plural = _("templat balasan")
        constraints = [
            models.UniqueConstraint(
                fields=["opd", "code"], nulls_distinct=False, name="response_template_unique"
            )
        ]

    def __str__(self) -> str:
        return self.title
