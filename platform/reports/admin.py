"""Admin screens for a city's reports: read-mostly; every change goes through
:mod:`reports.actions` (the API, responder and command-center apps)."""

from django.contrib import admin

from reports.models import Photo, Report, ResponseTemplate, TimelineEntry


class TimelineInline(admin.TabularInline):
    model = TimelineEntry
    extra = 0
    can_delete = False
    fields = ("created_at", "actor_label", "action", "from_status", "to_status", "note", "public")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class PhotoInline(admin.TabularInline):
    model = Photo
    extra = 0
    can_delete = False
    fields = (
        "kind",
        "position",
        "format",
        "width",
        "height",
        "taken_at",
        "gps_latitude",
        "gps_longitude",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = (
        "tracking_code",
        "category",
        "status",
        "opd",
        "verdict",
        "sla_state",
        "created_at",
    )
    list_filter = ("status", "verdict", "sla_state", "channel", "category")
    search_fields = ("tracking_code", "description", "address")
    list_select_related = ("category", "opd")
    date_hierarchy = "created_at"
    inlines = [PhotoInline, TimelineInline]
    readonly_fields = [f.name for f in Report._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ResponseTemplate)
class ResponseTemplateAdmin(admin.ModelAdmin):
    list_display = ("title", "code", "opd", "active")
    list_filter = ("active", "opd")
    search_fields = ("title", "body")
