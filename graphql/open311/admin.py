"""The city's Open311 keys: issue (the key is shown once), see use, revoke."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpResponse
from django.template import engines

from open311.keys import new_key_material, revoke_key
from open311.models import Open311ApiKey

ISSUED_PAGE = """{% extends "admin/base_site.html" %}
{% block content %}
<p>Kunci API Open311 untuk <strong>{{ api_key.name }}</strong>. Salin sekarang: kunci ini
hanya ditampilkan sekali dan tidak dapat dilihat lagi.</p>
<p><code style="font-size:1.2em;user-select:all">{{ key }}</code></p>
<p><a href="{% url 'admin:open311_open311apikey_changelist' %}">Kembali ke daftar kunci</a></p>
{% endblock %}"""


@admin.register(Open311ApiKey)
class Open311ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "created_at", "created_by", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("name", "prefix")
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("name",)
        return ("name", "prefix", "created_at", "created_by", "last_used_at", "revoked_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("prefix", "created_at", "created_by", "last_used_at", "revoked_at")

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: tokens and logs still name the key

    def save_model(self, request, obj, form, change):
        if not change:
            key, obj.prefix, obj.key_sha256 = new_key_material(request.tenant.slug)
            obj.created_by = f"{request.user.get_username()} (admin)"[:150]
            request._open311_key = key  # shown once by response_add, never stored
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        key = getattr(request, "_open311_key", None)
        if key is None:
            return super().response_add(request, obj, post_url_continue)
        page = engines["django"].from_string(ISSUED_PAGE)
        context = {
            **self.admin_site.each_context(request),
            "title": "Kunci API Open311 diterbitkan",
            "api_key": obj,
            "key": key,
        }
        response = HttpResponse(page.render(context, request))
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description="Cabut kunci terpilih")
    def revoke(self, request, queryset):
        for api_key in queryset.filter(revoked_at__isnull=True):
            revoke_key(api_key)
        messages.success(request, "Kunci terpilih dicabut.")
