"""Vendor admin (public schema): cities, domains, plans, subscriptions, Stripe events.

These screens exist only on the vendor's site. A city's admin runs with the
city's schema first on the search path and ``public`` after it, so without the
guard below a city's superuser could read every city's billing.

Cities are created by onboarding and never deleted here; their status changes
only through the "suspend" / "resume" actions, which record the reason.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import connection
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import get_public_schema_name

from kanal.errors import ServiceError
from tenants.billing import sync_plans
from tenants.models import SUSPENSION_MANUAL, City, Domain, Plan, StripeEvent, Subscription
from tenants.suspension import resume_city, suspend_city


class PublicSchemaAdmin(admin.ModelAdmin):
    """Visible only on the vendor's public site, never in a city's admin."""

    @staticmethod
    def on_public_site() -> bool:
        return connection.schema_name == get_public_schema_name()

    def has_module_permission(self, request):
        return self.on_public_site() and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self.on_public_site() and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return self.on_public_site() and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.on_public_site() and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.on_public_site() and super().has_delete_permission(request, obj)


class ReadOnlyAdmin(PublicSchemaAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CityActionForm(helpers.ActionForm):
    reason = forms.CharField(
        label=_("Alasan"), required=False, max_length=200, help_text=_("wajib untuk menangguhkan")
    )


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0
    fields = ("domain", "is_primary")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(City)
class CityAdmin(PublicSchemaAdmin):
    list_display = ("slug", "name", "province", "status", "status_reason", "subscription_status")
    list_filter = ("status",)
    search_fields = ("slug", "name", "official_name")
    readonly_fields = ("slug", "schema_name", "status", "status_reason", "created_at", "updated_at")
    fields = (
        "slug",
        "schema_name",
        "name",
        "official_name",
        "province",
        "time_zone",
        "default_locale",
        "status",
        "status_reason",
        "created_at",
        "updated_at",
    )
    list_select_related = ("subscription",)
    inlines = [DomainInline]
    action_form = CityActionForm
    actions = ["suspend", "resume"]

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(schema_name=get_public_schema_name())

    def has_add_permission(self, request):
        return False  # manage.py onboard creates cities (schema, config, domains)

    def has_delete_permission(self, request, obj=None):
        return False  # a city's data is never deleted here

    @admin.display(description=_("langganan"))
    def subscription_status(self, city: City) -> str:
        sub = getattr(city, "subscription", None)
        return sub.get_status_display() if sub else "-"

    @admin.action(description=_("Tangguhkan kota terpilih (manual)"))
    def suspend(self, request, queryset):
        reason = request.POST.get("reason", "").strip()
        if not reason:
            self.message_user(request, _("Isi alasan penangguhan."), messages.ERROR)
            return
        actor = request.user.get_username()
        for city in queryset:
            try:
                changed = suspend_city(city, kind=SUSPENSION_MANUAL, note=reason, actor=actor)
            except ServiceError as exc:
                self.message_user(request, f"{city.slug}: {exc.message}", messages.ERROR)
                continue
            if changed:
                self.log_change(request, city, f"ditangguhkan (manual): {reason}")
                self.message_user(request, f"{city.slug}: ditangguhkan.", messages.SUCCESS)

    @admin.action(description=_("Pulihkan kota terpilih"))
    def resume(self, request, queryset):
        reason = request.POST.get("reason", "").strip() or "-"
        actor = request.user.get_username()
        for city in queryset:
            if resume_city(city, note=reason, actor=actor):
                self.log_change(request, city, f"dipulihkan: {reason}")
                self.message_user(request, f"{city.slug}: dipulihkan.", messages.SUCCESS)


@admin.register(Domain)
class DomainAdmin(ReadOnlyAdmin):
    """Domains come from each city's reviewed YAML (``manage.py onboard``)."""

    list_display = ("domain", "tenant", "is_primary")
    search_fields = ("domain", "tenant__slug")


@admin.register(Plan)
class PlanAdmin(PublicSchemaAdmin):
    list_display = ("code", "name", "stripe_plan_id", "amount", "currency", "interval", "active")
    list_filter = ("active", "interval")
    actions = ["sync_with_stripe"]

    def has_delete_permission(self, request, obj=None):
        return False  # subscriptions keep pointing at retired plans: deactivate instead

    @admin.action(description=_("Sinkronkan paket dengan Stripe"))
    def sync_with_stripe(self, request, queryset):
        try:
            result = sync_plans()
        except ServiceError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        self.message_user(
            request,
            f"Dibuat di Stripe: {result.created_in_stripe or '-'}; diimpor: "
            f"{result.imported or '-'}; diperbarui: {result.updated or '-'}",
            messages.SUCCESS,
        )


@admin.register(Subscription)
class SubscriptionAdmin(PublicSchemaAdmin):
    """Mirrors Stripe: only the grace period can be changed here (to give a
    city more time); everything else changes in Stripe and arrives by webhook."""

    list_display = ("city", "plan", "status", "grace_until", "current_period_end", "updated_at")
    list_filter = ("status", "plan")
    search_fields = ("city__slug", "stripe_customer_id", "stripe_subscription_id")
    list_select_related = ("city", "plan")
    fields = (
        "city",
        "plan",
        "stripe_customer_id",
        "stripe_subscription_id",
        "status",
        "current_period_start",
        "current_period_end",
        "grace_until",
        "last_event_created",
        "created_at",
        "updated_at",
    )
    readonly_fields = tuple(f for f in fields if f != "grace_until")

    def has_add_permission(self, request):
        return False  # tenants.billing.create_customer_and_subscription

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdmin):
    list_display = ("event_id", "type", "created", "outcome", "subscription", "received_at")
    list_filter = ("outcome", "type")
    search_fields = ("event_id", "type", "subscription__city__slug")
    list_select_related = ("subscription__city",)
    fields = (
        "event_id",
        "type",
        "created",
        "received_at",
        "processed_at",
        "outcome",
        "subscription",
        "pretty_payload",
    )
    readonly_fields = fields

    @admin.display(description=_("isi"))
    def pretty_payload(self, event: StripeEvent) -> str:
        return format_html("<pre>{}</pre>", json.dumps(event.payload, indent=2, sort_keys=True))
