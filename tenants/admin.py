"""Vendor admin (public schema): cities, domains, plans, subscriptions, Stripe events.

These screens exist only on the vendor's site. A city's admin runs with the
city's schema first on the search path and ``public`` after it, so without the
guard below a city's superuser could read every city's billing.

Cities are created by onboarding ("Tambah kota" opens its wizard) and never
deleted here; their status changes only through suspend / resume / archive,
which record the reason.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import get_public_schema_name

from kanal.errors import InvalidInput, ServiceError
from tenants.billing import create_customer_and_subscription, sync_plans
from tenants.models import (
    SUSPENSION_MANUAL,
    City,
    CityStatus,
    Domain,
    Plan,
    StripeEvent,
    Subscription,
)
from tenants.suspension import archive_city, resume_city, suspend_city


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


class CityStatusForm(forms.Form):
    """Suspend / resume / archive from the city's own page."""

    reason = forms.CharField(label=_("Alasan"), required=False, max_length=200)
    confirm_archive = forms.BooleanField(
        label=_(
            "Saya mengerti: kota ini berhenti dilayani untuk seterusnya (data tetap disimpan)."
        ),
        required=False,
    )


class BillingForm(forms.Form):
    plan = forms.ModelChoiceField(
        label=_("Paket"), queryset=Plan.objects.filter(active=True), empty_label=None
    )
    trial_days = forms.IntegerField(
        label=_("Masa uji coba (hari)"), required=False, min_value=0, max_value=365
    )


@admin.register(City)
class CityAdmin(PublicSchemaAdmin):
    """A city's page on the vendor site. Names and the time zone come from the
    city's config (they change through it); here the vendor manages the city's
    service: status, billing (and, from onboarding, domains and its first admin)."""

    list_display = ("slug", "name", "province", "status", "status_reason", "subscription_status")
    list_filter = ("status",)
    search_fields = ("slug", "name", "official_name")
    fields = (
        "slug",
        "schema",
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
    readonly_fields = fields
    list_select_related = ("subscription",)
    action_form = CityActionForm
    actions = ["suspend", "resume"]
    change_form_template = "tenants/city_change_form.html"
    change_list_template = "tenants/city_change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(schema_name=get_public_schema_name())

    def has_add_permission(self, request):
        # Adding is the onboarding wizard (schema, config, domains), never a bare row.
        return (
            self.on_public_site()
            and request.user.is_active
            and request.user.is_staff
            and (request.user.has_perm("tenants.add_city"))
        )

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        return HttpResponseRedirect(reverse("admin:onboarding_new_city"))

    def has_delete_permission(self, request, obj=None):
        return False  # a city's data is never deleted here

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/layanan/", view(self.status_view), name="tenants_city_status"),
            path("<int:pk>/penagihan/", view(self.billing_view), name="tenants_city_billing"),
            *super().get_urls(),
        ]

    def _city_or_404(self, request, pk: int) -> City:
        city = self.get_queryset(request).filter(pk=pk).first()
        if city is None or not self.has_change_permission(request, city):
            raise Http404
        return city

    def _back(self, city: City) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:tenants_city_change", args=[city.pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        city = self.get_object(request, object_id)
        extra = {"show_save": False, "show_save_and_continue": False}
        if city is not None:
            extra.update(self.city_context(request, city))
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def city_context(self, request, city: City) -> dict:
        """What the city page shows besides its fields (subclasses add more)."""
        subscription = Subscription.objects.filter(city=city).select_related("plan").first()
        return {
            "city": city,
            "status_form": CityStatusForm(),
            "billing_form": BillingForm(),
            "subscription": subscription,
            "can_bill": not (subscription and subscription.stripe_subscription_id)
            or subscription.status in ("canceled", "incomplete_expired"),
            "is_archived": city.status == CityStatus.ARCHIVED,
            "is_suspended": city.status == CityStatus.SUSPENDED,
        }

    @staticmethod
    def refusal(exc: ServiceError) -> str:
        return exc.message

    def status_view(self, request, pk: int):
        city = self._city_or_404(request, pk)
        if request.method != "POST":
            return self._back(city)
        form = CityStatusForm(request.POST)
        form.is_valid()
        reason = form.cleaned_data.get("reason", "").strip()
        actor = request.user.get_username()
        what = request.POST.get("do", "")
        try:
            if what == "suspend":
                if not reason:
                    raise InvalidInput(field="reason", message=_("Isi alasan penangguhan."))
                if suspend_city(city, kind=SUSPENSION_MANUAL, note=reason, actor=actor):
                    self.log_change(request, city, f"ditangguhkan (manual): {reason}")
                    messages.success(request, _("%(city)s ditangguhkan.") % {"city": city.name})
            elif what == "resume":
                if resume_city(city, note=reason or "-", actor=actor):
                    self.log_change(request, city, f"dipulihkan: {reason or '-'}")
                    messages.success(request, _("%(city)s dipulihkan.") % {"city": city.name})
            elif what == "archive":
                if not form.cleaned_data.get("confirm_archive"):
                    raise InvalidInput(
                        field="confirm_archive",
                        message=_("Centang konfirmasi untuk mengarsipkan kota."),
                    )
                if archive_city(city, note=reason, actor=actor):
                    self.log_change(request, city, f"diarsipkan: {reason}")
                    messages.success(request, _("%(city)s diarsipkan.") % {"city": city.name})
            else:
                raise InvalidInput(field="do", message=_("Tindakan tidak dikenal."))
        except ServiceError as exc:
            messages.error(request, self.refusal(exc))
        return self._back(city)

    def billing_view(self, request, pk: int):
        city = self._city_or_404(request, pk)
        if request.method != "POST":
            return self._back(city)
        form = BillingForm(request.POST)
        if not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                messages.error(request, f"{label}: {' '.join(errors)}")
            return self._back(city)
        plan = form.cleaned_data["plan"]
        try:
            sub = create_customer_and_subscription(
                city, plan, trial_days=form.cleaned_data.get("trial_days") or None
            )
        except ServiceError as exc:
            messages.error(request, self.refusal(exc))
            return self._back(city)
        self.log_change(request, city, f"penagihan dimulai: {plan.code}")
        messages.success(
            request,
            _("Penagihan %(city)s dimulai: paket %(plan)s, status %(status)s.")
            % {"city": city.name, "plan": plan.name, "status": sub.get_status_display()},
        )
        return self._back(city)

    @admin.display(description=_("skema database"))
    def schema(self, city: City) -> str:
        return city.schema_name

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
    """All host names; each city's are managed on its page (config and rows together)."""

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
