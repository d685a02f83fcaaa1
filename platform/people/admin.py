from django.contrib import admin

from people.models import Citizen, StaffRole


@admin.register(StaffRole)
class StaffRoleAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "opd", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "opd__name")
    autocomplete_fields = ("opd",)


@admin.register(Citizen)
class CitizenAdmin(admin.ModelAdmin):
    list_display = ("__str__", "created_at", "verified_at")
    search_fields = ("phone", "name")
    readonly_fields = ("phone", "created_at", "verified_at")
