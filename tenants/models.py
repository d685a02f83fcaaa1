"""Cities (tenants) and the host names that select them.

A City row lives in the public schema and owns one PostgreSQL schema holding
all of its data. Its primary key is only meaningful in the public schema; use
the slug in URLs, logs and cache keys (ISOLATION.md #8).
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

SLUG_PATTERN = r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$"
slug_validator = RegexValidator(
    SLUG_PATTERN,
    _("Gunakan huruf kecil, angka dan tanda hubung, diawali huruf (mis. 'kota-bogor')."),
)


class CityStatus(models.TextChoices):
    ACTIVE = "active", _("Aktif")
    SUSPENDED = "suspended", _("Ditangguhkan")
    ARCHIVED = "archived", _("Diarsipkan")


class City(TenantMixin):
    """A city, regency or province subscribed to Kanal: one tenant, one schema."""

    slug = models.CharField(_("slug"), max_length=40, unique=True, validators=[slug_validator])
    name = models.CharField(_("nama"), max_length=300)
    official_name = models.CharField(_("nama resmi"), max_length=300)
    province = models.CharField(_("provinsi"), max_length=300)
    time_zone = models.CharField(_("zona waktu"), max_length=40, default="Asia/Jakarta")
    default_locale = models.CharField(_("bahasa bawaan"), max_length=8, default="id")
    status = models.CharField(
        _("status"), max_length=12, choices=CityStatus.choices, default=CityStatus.ACTIVE
    )
    status_reason = models.CharField(_("alasan status"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)

    # Schemas are created explicitly by onboarding.services.create_city, which
    # picks the fastest measured way (see README "City creation").
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        verbose_name = _("kota")
        verbose_name_plural = _("kota")
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name or self.schema_name

    @property
    def is_public(self) -> bool:
        return self.schema_name == "public"

    @staticmethod
    def schema_for_slug(slug: str) -> str:
        """The PostgreSQL schema of a city: its slug, prefixed so it can never
        collide with ``public`` or PostgreSQL's own schemas."""
        return "kota_" + slug.replace("-", "_")


class Domain(DomainMixin):
    """A host name serving one city (``mataram.kanal.id``, ``lapor.mataramkota.go.id``)."""

    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domain")
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain
