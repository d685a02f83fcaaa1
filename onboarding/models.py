"""The record of every onboarding run (public schema): who brought which config
to which city, from where, with what plan and what came of it.

A run is written outside the apply's transaction (``onboarding.runs``), so an
apply that fails and rolls back everything still leaves its row behind.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RunSource(models.TextChoices):
    SCAFFOLD = "scaffold", _("kerangka dari kode Kemendagri")
    TEMPLATE = "template", _("templat")
    UPLOAD = "upload", _("unggahan YAML")
    CLI = "cli", _("manage.py onboard")


class RunStatus(models.TextChoices):
    PLANNED = "planned", _("direncanakan")
    APPLIED = "applied", _("diterapkan")
    FAILED = "failed", _("gagal")
    NO_CHANGES = "no_changes", _("tidak ada perubahan")


class OnboardingRun(models.Model):
    """One plan (and, once applied, its outcome) of a whole city config."""

    actor = models.CharField(_("oleh"), max_length=150)
    created_at = models.DateTimeField(_("waktu"), auto_now_add=True)
    source_kind = models.CharField(_("sumber"), max_length=12, choices=RunSource.choices)
    file_name = models.CharField(_("nama berkas"), max_length=300, blank=True)
    region_code = models.CharField(_("kode wilayah"), max_length=20, blank=True)
    template = models.CharField(_("templat"), max_length=63, blank=True)
    city_slug = models.CharField(_("slug kota"), max_length=40, blank=True, db_index=True)
    yaml_text = models.TextField(_("isi YAML"), blank=True)
    creates_city = models.BooleanField(_("membuat kota baru"), default=False)
    plan = models.JSONField(_("rencana"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=RunStatus.choices, default=RunStatus.PLANNED
    )
    error = models.TextField(_("galat"), blank=True)
    duration_ms = models.PositiveIntegerField(_("durasi (ms)"), null=True, blank=True)
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)

    class Meta:
        verbose_name = _("proses onboarding")
        verbose_name_plural = _("proses onboarding")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.city_slug or '?'} · {self.get_status_display()}"
