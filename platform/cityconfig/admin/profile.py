"""The city profile: identity, branding, channels, policies."""

from django.contrib import admin

from cityconfig.admin.base import RecordedAdmin
from cityconfig.models import CityProfile


@admin.register(CityProfile)
class CityProfileAdmin(RecordedAdmin):
    readonly_fields = ("updated_at",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
