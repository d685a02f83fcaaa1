"""Diskominfo's ranking screens: preview any period (staff only), publish it."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kanal.console import Tool, register_tool
from kanal.errors import ServiceError
from people.actors import Actor
from ranking.models import RankingSnapshot
from ranking.services import compute_ranking, default_period, publish_ranking, rankings_published

# ``<input type=date>`` only shows an ISO value; the locale's dd-mm-yyyy renders empty.
_DATE_INPUT = {"format": "%Y-%m-%d", "attrs": {"type": "date"}}
_DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"]


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=_("Awal periode"),
        widget=forms.DateInput(**_DATE_INPUT),
        input_formats=_DATE_FORMATS,
    )
    end = forms.DateField(
        label=_("Akhir periode"),
        widget=forms.DateInput(**_DATE_INPUT),
        input_formats=_DATE_FORMATS,
    )
    title = forms.CharField(label=_("Judul"), required=False, max_length=200)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", gettext("Akhir periode harus setelah awal periode."))
        elif data.get("start") and data.get("end") and (data["end"] - data["start"]).days > 366:
            self.add_error("end", gettext("Periode paling panjang satu tahun."))
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
        start, end = default_period(timezone.localdate())
        form = PeriodForm(request.POST or None, initial={"start": start, "end": end})
        can_publish = rankings_published()
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
                    messages.success(
                        request,
                        gettext("Peringkat versi %(version)s diterbitkan.")
                        % {"version": snapshot.version},
                    )
                    return redirect("admin:ranking_rankingsnapshot_changelist")
            result = compute_ranking(start, end)
        elif request.method == "GET":
            result = compute_ranking(start, end)
        rows = [r for r in result.rows if r.received] if result else []
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Pratinjau peringkat OPD"),
            "form": form,
            "result": result,
            "rows": rows,
            "quiet_opds": len(result.rows) - len(rows) if result else 0,
            "can_publish": can_publish,
            "today": date.today(),
        }
        return TemplateResponse(request, "ranking/admin_preview.html", context)


register_tool(
    Tool(
        url_name="admin:ranking_preview",
        label=_("Peringkat OPD"),
        help=_("Pratinjau peringkat OPD untuk suatu periode dan terbitkan."),
        permission="ranking.view_rankingsnapshot",
        order=60,
    )
)
