"""Diskominfo's ranking screens: preview any period (staff only), publish it."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from kanal.errors import ServiceError
from people.actors import Actor
from ranking.models import RankingSnapshot
from ranking.services import compute_ranking, period_bounds, publish_ranking


class PeriodForm(forms.Form):
    start = forms.DateField(label="Awal periode", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="Akhir periode", widget=forms.DateInput(attrs={"type": "date"}))
    title = forms.CharField(label="Judul", required=False, max_length=200)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError("Akhir periode harus setelah awal periode.")
        return data


@admin.register(RankingSnapshot)
class RankingSnapshotAdmin(admin.ModelAdmin):
    list_display = (
        "version",
        "title",
        "period_start",
        "period_end",
        "published_at",
        "published_by",
    )
    readonly_fields = [f.name for f in RankingSnapshot._meta.fields]
    change_list_template = "ranking/admin_changelist.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path("preview/", self.admin_site.admin_view(self.preview), name="ranking_preview"),
            *super().get_urls(),
        ]

    def preview(self, request):
        start, end = period_bounds("monthly", timezone.localdate())
        form = PeriodForm(request.POST or None, initial={"start": start, "end": end})
        result = None
        if form.is_valid():
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
            if "publish" in request.POST:
                try:
                    snapshot = publish_ranking(
                        Actor.for_staff(request.user), start, end, form.cleaned_data["title"]
                    )
                except ServiceError as exc:
                    messages.error(request, exc.message)
                else:
                    messages.success(request, f"Peringkat versi {snapshot.version} diterbitkan.")
                    return redirect("admin:ranking_rankingsnapshot_changelist")
            result = compute_ranking(start, end)
        elif request.method == "GET":
            result = compute_ranking(start, end)
        context = {
            **self.admin_site.each_context(request),
            "title": "Pratinjau peringkat OPD",
            "form": form,
            "result": result,
            "today": date.today(),
        }
        return TemplateResponse(request, "ranking/admin_preview.html", context)
