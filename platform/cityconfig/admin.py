"""Admin screens for a city's Diskominfo: its own configuration, in its own schema.

Structural config (categories, OPDs, areas, rules) is owned by the reviewed
YAML and onboarding; edits here are possible for urgent fixes and are picked
up by ``export_config``.
"""

from django.contrib import admin
from django.db import transaction
from django.forms.models import model_to_dict

from cityconfig.admin_forms import ConfigCheckedForm
from cityconfig.models import (
    Area,
    Category,
    CategoryGroup,
    CityProfile,
    ConfigRevision,
    Opd,
    RoutingRule,
    SlaRule,
)


class RecordedAdmin(admin.ModelAdmin):
    """Edits made in the admin are checked by the city-config model
    (``admin_forms``), recorded as config revisions (who, when, what) like an
    onboarding apply, and ``export_config`` writes them back to YAML."""

    form = ConfigCheckedForm

    def save_model(self, request, obj, form, change):
        before = model_to_dict(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else {}
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            after = model_to_dict(obj)
            fields = {
                k: [_plain(before.get(k)), _plain(v)]
                for k, v in after.items()
                if before.get(k) != v
            }
            _record(request, "update" if change else "create", obj, fields)

    def delete_model(self, request, obj):
        with transaction.atomic():
            _record(request, "delete", obj, {})
            super().delete_model(request, obj)


def _plain(value):
    return value if isinstance(value, str | int | float | bool | type(None)) else str(value)


def _record(request, action: str, obj, fields: dict) -> None:
    from cityconfig.export import config_sha256, current_config

    config = current_config(request.tenant.slug)
    ConfigRevision.objects.create(
        actor=f"{request.user.get_username()} (admin)",
        source="admin",
        config_sha256=config_sha256(config),
        changes=[
            {"action": action, "kind": obj._meta.model_name, "key": str(obj), "fields": fields}
        ],
        config=config.model_dump(mode="json"),
    )


@admin.register(CategoryGroup)
class CategoryGroupAdmin(RecordedAdmin):
    list_display = ("code", "name_id", "name_en", "active", "position")
    list_filter = ("active",)
    search_fields = ("code", "name_id", "name_en")


@admin.register(Category)
class CategoryAdmin(RecordedAdmin):
    list_display = ("code", "name_id", "name_en", "group", "photo_required", "emergency", "active")
    list_filter = ("active", "group", "emergency")
    search_fields = ("code", "name_id", "name_en")
    list_select_related = ("group",)


@admin.register(Area)
class AreaAdmin(RecordedAdmin):
    list_display = ("code", "name", "level", "parent", "active")
    list_filter = ("level", "active")
    search_fields = ("code", "name")
    list_select_related = ("parent",)


@admin.register(Opd)
class OpdAdmin(RecordedAdmin):
    list_display = ("code", "name", "kind", "parent", "responder", "generated", "active")
    list_filter = ("kind", "responder", "generated", "active")
    search_fields = ("code", "name", "short_name")
    list_select_related = ("parent",)


@admin.register(RoutingRule)
class RoutingRuleAdmin(RecordedAdmin):
    list_display = ("category", "area", "opd", "opd_token", "forward_to", "active")
    list_filter = ("active",)
    list_select_related = ("category", "area", "opd", "forward_to")


@admin.register(SlaRule)
class SlaRuleAdmin(RecordedAdmin):
    list_display = ("category", "priority", "response", "resolution", "clock", "active")
    list_filter = ("clock", "active")
    list_select_related = ("category",)


@admin.register(CityProfile)
class CityProfileAdmin(RecordedAdmin):
    readonly_fields = ("updated_at",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ConfigRevision)
class ConfigRevisionAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor", "source", "config_sha256")
    readonly_fields = ("created_at", "actor", "source", "config_sha256", "changes", "config")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
