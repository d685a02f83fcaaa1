"""Cities (tenants), the host names that select them, and their Stripe billing.

A City row lives in the public schema and owns one PostgreSQL schema holding
all of its data. Its primary key is only meaningful in the public schema; use
the slug in URLs, logs and cache keys (ISOLATION.md #8). Plans, subscriptions
and received Stripe events live in the public schema too (docs/billing.md).
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
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


# City.status_reason starts with one of these, so a payment lifts only a
# suspension that billing made, never one that vendor staff made by hand.
SUSPENSION_BILLING = "billing"
SUSPENSION_MANUAL = "manual"


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

    @property
    def suspended_for_billing(self) -> bool:
        return self.status == CityStatus.SUSPENDED and self.status_reason.startswith(
            SUSPENSION_BILLING + ":"
        )

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


class BillingInterval(models.TextChoices):
    MONTH = "month", _("bulanan")
    YEAR = "year", _("tahunan")


class Plan(models.Model):
    """A price a city can subscribe to, mirrored from a Stripe *plan* (the
    catalogue here is kept in step with Stripe by ``tenants.billing.sync_plans``)."""

    code = models.SlugField(_("kode"), max_length=40, unique=True)
    name = models.CharField(_("nama"), max_length=200)
    stripe_plan_id = models.CharField(_("ID plan Stripe"), max_length=100, unique=True)
    # In the currency's smallest unit as Stripe counts it (for IDR: sen, x100).
    amount = models.PositiveBigIntegerField(_("jumlah (satuan terkecil Stripe)"))
    currency = models.CharField(_("mata uang"), max_length=3, default="idr")
    interval = models.CharField(
        _("periode"), max_length=8, choices=BillingInterval.choices, default=BillingInterval.MONTH
    )
    active = models.BooleanField(_("aktif"), default=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)

    class Meta:
        verbose_name = _("paket")
        verbose_name_plural = _("paket")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class SubscriptionStatus(models.TextChoices):
    """Stripe's subscription statuses, mirrored as they are."""

    TRIALING = "trialing", _("masa uji coba")
    ACTIVE = "active", _("aktif")
    PAST_DUE = "past_due", _("lewat jatuh tempo")
    CANCELED = "canceled", _("dibatalkan")
    UNPAID = "unpaid", _("belum dibayar")
    INCOMPLETE = "incomplete", _("belum lengkap")
    INCOMPLETE_EXPIRED = "incomplete_expired", _("kedaluwarsa sebelum lengkap")
    PAUSED = "paused", _("dijeda")


GOOD_STANDING = frozenset({SubscriptionStatus.TRIALING, SubscriptionStatus.ACTIVE})


class Subscription(models.Model):
    """A city's Stripe customer and subscription, as the webhook last told us."""

    city = models.OneToOneField(
        City, on_delete=models.PROTECT, related_name="subscription", verbose_name=_("kota")
    )
    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("paket")
    )
    stripe_customer_id = models.CharField(_("ID pelanggan Stripe"), max_length=100, unique=True)
    stripe_subscription_id = models.CharField(
        _("ID langganan Stripe"), max_length=100, blank=True, default=""
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=SubscriptionStatus.choices,
        default=SubscriptionStatus.INCOMPLETE,
    )
    current_period_start = models.DateTimeField(_("awal periode"), null=True, blank=True)
    current_period_end = models.DateTimeField(_("akhir periode"), null=True, blank=True)
    # Set at the first failed payment (or cancellation); the daily job suspends
    # the city once it has passed. Cleared when the city is in good standing.
    grace_until = models.DateTimeField(_("masa tenggang sampai"), null=True, blank=True)
    # Stripe ``event.created`` of the last event applied: an older event that
    # arrives later never overwrites newer state.
    last_event_created = models.DateTimeField(_("waktu event terakhir"), null=True, blank=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)

    class Meta:
        verbose_name = _("langganan")
        verbose_name_plural = _("langganan")
        ordering = ["city__slug"]
        constraints = [
            models.UniqueConstraint(
                fields=["stripe_subscription_id"],
                condition=~Q(stripe_subscription_id=""),
                name="tenants_subscription_stripe_id_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.city.slug}: {self.status}"

    @property
    def in_good_standing(self) -> bool:
        return self.status in GOOD_STANDING


class EventOutcome(models.TextChoices):
    APPLIED = "applied", _("diterapkan")
    STALE = "stale", _("lebih lama dari keadaan tersimpan")
    IGNORED = "ignored", _("diabaikan")
    UNKNOWN_CUSTOMER = "unknown_customer", _("pelanggan tidak dikenal")


class StripeEvent(models.Model):
    """Every verified Stripe webhook event, once: the event id makes the
    webhook idempotent (a replay is acknowledged and not applied again)."""

    event_id = models.CharField(_("ID event"), max_length=100, unique=True)
    type = models.CharField(_("jenis"), max_length=100)
    created = models.DateTimeField(_("dibuat di Stripe"))
    received_at = models.DateTimeField(_("diterima"), auto_now_add=True)
    processed_at = models.DateTimeField(_("diproses"), null=True, blank=True)
    outcome = models.CharField(_("hasil"), max_length=20, choices=EventOutcome.choices)
    subscription = models.ForeignKey(
        Subscription,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("langganan"),
    )
    payload = models.JSONField(_("isi"))

    class Meta:
        verbose_name = _("event Stripe")
        verbose_name_plural = _("event Stripe")
        ordering = ["-created", "-received_at"]

    def __str__(self) -> str:
        return f"{self.event_id} {self.type}"
