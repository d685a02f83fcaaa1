"""Areas and the OPD tree."""

from django.contrib import admin

from cityconfig.admin.base import RecordedAdmin
from cityconfig.models import Area, Opd


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
