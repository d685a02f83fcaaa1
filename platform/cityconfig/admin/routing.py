"""Routing rules: category × area → OPD."""

from django.contrib import admin

from cityconfig.admin.base import RecordedAdmin
from cityconfig.models import RoutingRule


@admin.register(RoutingRule)
class RoutingRuleAdmin(RecordedAdmin):
    list_display = ("category", "area", "opd", "opd_token", "forward_to", "active")
    list_filter = ("active",)
    list_select_related = ("category", "area", "opd", "forward_to")
