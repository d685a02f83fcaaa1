"""A city's configuration, as applied by onboarding from ``tenant_configs/``.

These rows live in the city's own schema. Nothing here is ever deleted by a
config change: entities that leave the YAML are *retired* (``active=False``) so
reports and history that point at them stay intact.
"""

from __future__ import annotations

import zoneinfo

from django.db import models
from django.utils.translation import gettext_lazy as _

from kanal.i18n import pick


class ActiveQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class Retirable(models.Model):
    active = models.BooleanField(_("aktif"), default=True)
    position = models.PositiveIntegerField(_("urutan"), default=0)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["position", "pk"]


class LocalizedName(models.Model):
    name_id = models.CharField(_("nama (Indonesia)"), max_length=300)
    name_en = models.CharField(_("nama (Inggris)"), max_length=300)

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        """The name in the active language, Indonesian first."""
        return pick(self.name_id, self.name_en)


class CategoryGroup(Retirable, LocalizedName):
    code = models.SlugField(_("kode"), max_length=63, unique=True)

    class Meta(Retirable.Meta):
        verbose_name = _("kelompok kategori")
        verbose_name_plural = _("kelompok kategori")

    def __str__(self) -> str:
        return self.name_id


class Category(Retirable, LocalizedName):
    code = models.SlugField(_("kode"), max_length=63, unique=True)
    group = models.ForeignKey(
        CategoryGroup,
        on_delete=models.PROTECT,
        related_name="categories",
        verbose_name=_("kelompok"),
    )
    description_id = models.TextField(_("keterangan (Indonesia)"), blank=True)
    description_en = models.TextField(_("keterangan (Inggris)"), blank=True)
    photo_required = models.BooleanField(
        _("wajib foto"),
        null=True,
        blank=True,
        help_text=_("Kosong: ikuti kebijakan verifikasi kota."),
    )
    emergency = models.BooleanField(_("darurat"), default=False)

    class Meta(Retirable.Meta):
        verbose_name = _("kategori")
        verbose_name_plural = _("kategori")

    def __str__(self) -> str:
        return self.name_id


class AreaLevel(models.TextChoices):
    KOTA_ADMINISTRASI = "kota_administrasi", _("Kota Administrasi")
    KABUPATEN_ADMINISTRASI = "kabupaten_administrasi", _("Kabupaten Administrasi")
    KECAMATAN = "kecamatan", _("Kecamatan")
    KELURAHAN = "kelurahan", _("Kelurahan")
    DESA = "desa", _("Desa")


class Area(Retirable):
    """A territorial unit (Kemendagri code), optionally with its polygon."""

    code = models.CharField(_("kode wilayah"), max_length=20, unique=True)
    name = models.CharField(_("nama"), max_length=300)
    level = models.CharField(_("tingkat"), max_length=24, choices=AreaLevel.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    boundary = models.JSONField(_("batas wilayah (GeoJSON)"), null=True, blank=True)
    # "Distrik Abepura" where the default "Kecamatan <name>" would be wrong.
    office_name = models.CharField(_("nama kantor wilayah"), max_length=300, blank=True)

    class Meta(Retirable.Meta):
        verbose_name = _("wilayah")
        verbose_name_plural = _("wilayah")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.name}"


class Opd(Retirable):
    """An agency (dinas, badan, bidang, UPT) or a territorial office (Camat, Lurah)."""

    code = models.SlugField(_("kode"), max_length=63, unique=True)
    name = models.CharField(_("nama"), max_length=300)
    short_name = models.CharField(_("singkatan"), max_length=300, blank=True)
    kind = models.CharField(_("jenis"), max_length=32)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("induk"),
    )
    area = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opds",
        help_text=_("Untuk kantor kecamatan/kelurahan: wilayah yang dilayani."),
    )
    responder = models.BooleanField(_("menindaklanjuti laporan"), default=True)
    generated = models.BooleanField(
        _("dibuat dari wilayah"),
        default=False,
        help_text=_("Kantor camat/lurah dari daftar wilayah."),
    )
    head = models.CharField(_("kepala"), max_length=300, blank=True)
    phone = models.CharField(_("telepon"), max_length=40, blank=True)
    email = models.EmailField(_("surel"), max_length=254, blank=True)

    class Meta(Retirable.Meta):
        verbose_name = _("OPD")
        verbose_name_plural = _("OPD")

    def __str__(self) -> str:
        return self.short_name or self.name


class RoutingRule(Retirable):
    """Category × area → responsible OPD. ``opd_token`` (``@kelurahan``...) routes to
    the territorial office of the report's own area."""

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="routing_rules")
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT)
    opd = models.ForeignKey(
        Opd, null=True, blank=True, on_delete=models.PROTECT, related_name="routing_rules"
    )
    opd_token = models.CharField(max_length=32, blank=True)
    forward_to = models.ForeignKey(
        Opd, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta(Retirable.Meta):
        verbose_name = _("aturan disposisi")
        verbose_name_plural = _("aturan disposisi")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "area"], nulls_distinct=False, name="routing_rule_unique_key"
            ),
            models.CheckConstraint(
                condition=(models.Q(opd__isnull=False) & models.Q(opd_token=""))
                | (models.Q(opd__isnull=True) & ~models.Q(opd_token="")),
                name="routing_rule_one_target",
            ),
        ]

    def __str__(self) -> str:
        target = self.opd_token or str(self.opd)
        return f"{self.category} @ {self.area or '*'} → {target}"


class Clock(models.TextChoices):
    WORKING = "working", _("Jam kerja")
    CALENDAR = "calendar", _("Waktu kalender")


class SlaRule(Retirable):
    """Response and resolution targets. No category = the city's default; a
    priority only where the city uses priority classes."""

    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="sla_rules"
    )
    priority = models.CharField(_("prioritas"), max_length=63, blank=True)
    response = models.CharField(_("target respons"), max_length=16)
    resolution = models.CharField(_("target penyelesaian"), max_length=16)
    clock = models.CharField(_("jam"), max_length=10, choices=Clock.choices, default=Clock.WORKING)

    class Meta(Retirable.Meta):
        verbose_name = _("aturan SLA")
        verbose_name_plural = _("aturan SLA")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "priority"], nulls_distinct=False, name="sla_rule_unique_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category or '*'}/{self.priority or '*'}: {self.response} / {self.resolution}"


class CityProfile(models.Model):
    """The city's policies and branding: one row per schema. Each field holds
    one validated section of :class:`cityconfig.schema.CityConfig`."""

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    identity = models.JSONField(default=dict)
    domains = models.JSONField(default=list)
    branding = models.JSONField(default=dict)
    channels = models.JSONField(default=list)
    features = models.JSONField(default=dict)
    priorities = models.JSONField(default=list)
    territorial_opds = models.JSONField(default=dict)
    default_opd = models.ForeignKey(Opd, null=True, on_delete=models.PROTECT, related_name="+")
    sla_policy = models.JSONField(default=dict)
    calendar = models.JSONField(default=dict)
    verification = models.JSONField(default=dict)
    ranking = models.JSONField(default=dict)
    # Where the messaging channels connect (ids and secret *names*, never secrets).
    messaging = models.JSONField(default=dict)
    boundary = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("profil kota")
        verbose_name_plural = _("profil kota")

    def __str__(self) -> str:
        return self.name or "—"

    # Typed accessors: callers never index the JSON sections by hand.
    @property
    def name(self) -> str:
        return self.identity.get("name", "")

    @property
    def time_zone(self) -> str:
        """The city's IANA zone (WIB/WITA/WIT): every time is shown in it."""
        return self.identity["time_zone"]

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def identity_config(self):
        """The identity section as the config model (``cityconfig.schema.Identity``)."""
        from cityconfig.schema import Identity

        return Identity.model_validate(self.identity)

    @property
    def branding_config(self):
        """The branding section as the config model (``cityconfig.schema.Branding``)."""
        from cityconfig.schema import Branding

        return Branding.model_validate(self.branding)

    @property
    def messaging_config(self):
        """The messaging section as the config model (``cityconfig.schema.Messaging``)."""
        from cityconfig.schema import Messaging

        return Messaging.model_validate(self.messaging or {})

    @property
    def sla_settings(self) -> dict:
        """The SLA settings with the config model's defaults for what is unset."""
        from cityconfig.schema import sla_policy_defaults

        return {**sla_policy_defaults(), **self.sla_policy}

    @classmethod
    def load(cls) -> CityProfile:
        return cls.objects.select_related("default_opd").get(singleton=True)


class ConfigRevision(models.Model):
    """One applied config change: who, when, from which file, and the diff."""

    created_at = models.DateTimeField(_("waktu"), auto_now_add=True)
    actor = models.CharField(_("oleh"), max_length=150)
    source = models.CharField(_("sumber"), max_length=300, blank=True)
    config_sha256 = models.CharField(max_length=64)
    changes = models.JSONField(_("perubahan"), default=list)
    config = models.JSONField(_("konfigurasi lengkap"))

    class Meta:
        verbose_name = _("revisi konfigurasi")
        verbose_name_plural = _("revisi konfigurasi")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        from django.utils import timezone

        return f"{timezone.localtime(self.created_at):%Y-%m-%d %H:%M} · {self.actor}"
