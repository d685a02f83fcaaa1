"""Admin screens for a city's Diskominfo: its own configuration, in its own schema.

Structural config (categories, OPDs, areas, rules) is owned by the reviewed
YAML and onboarding; edits here are possible for urgent fixes and are picked
up by ``export_config``.
"""

from django.contrib import admin

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


@admin.register(CategoryGroup)
class CategoryGroupAdmin(admin.ModelAdmin):
    list_display = ("code", "name_id", "name_en", "active", "position")
    list_filter = ("active",)
    search_fields = ("code", "name_id", "name_en")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name_id", "name_en", "group", "photo_required", "emergency", "active")
    list_filter = ("active", "group", "emergency")
    search_fields = ("code", "name_id", "name_en")
    list_select_related = ("group",)


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "active")
    list_filter = ("level", "active")
    search_fields = ("code", "name")
    list_select_related = ("parent",)


@admin.register(Opd)
class OpdAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent", "responder", "generated", "active")
    list_filter = ("kind", "responder", "generated", "active")
    search_fields = ("code", "name", "short_name")
    list_select_related = ("parent",)


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ("category", "area", "opd", "opd_token", "forward_to", "active")
    list_filter = ("active",)
    list_select_related = ("category", "area", "opd", "forward_to")


@admin.register(SlaRule)
class SlaRuleAdmin(admin.ModelAdmin):
    list_display = ("category", "priority", "response", "resolution", "clock", "active")
    list_filter = ("clock", "active")
    list_select_related = ("category",)


@admin.register(CityProfile)
class CityProfileAdmin(admin.ModelAdmin):
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
