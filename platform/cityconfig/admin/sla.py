"""SLA rules."""

from django.contrib import admin

from cityconfig.admin.base import RecordedAdmin
from cityconfig.models import SlaRule


@admin.register(SlaRule)
class SlaRuleAdmin(RecordedAdmin):
    list_display = ("category", "priority", "response", "resolution", "clock", "active")
    list_filter = ("clock", "active")
    list_select_related = ("category",)
