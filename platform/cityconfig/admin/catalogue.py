"""Categories and their groups."""

from django.contrib import admin

from cityconfig.admin.base import RecordedAdmin
from cityconfig.models import Category, CategoryGroup


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
