"""SLA rules, the city's SLA policy, its working calendar and the due-time tester.

A Diskominfo admin reads and types targets in words ("2 jam kerja"); the
config keeps its canonical durations. Every write is one recorded revision,
checked by the config model (``cityconfig.admin.base``).
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cityconfig.admin.base import RecordedAdmin, actor_of
from cityconfig.durations import describe_clock, describe_duration
from cityconfig.models import Category, CityProfile, SlaRule
from cityconfig.revisions import recorded_change
from cityconfig.schema import INDONESIAN_TIME_ZONES, WEEKDAYS
from cityconfig.sla_forms import (
    WEEKDAY_NAMES,
    CalendarForm,
    DayOffFormSet,
    ExtraDayFormSet,
    SlaPolicyForm,
    SlaRuleForm,
)
from cityconfig.validation import ConfigInvalid
from kanal.console import Tool, register_tool


def rule_in_words(rule: SlaRule) -> str:
    """ "Sampah, prioritas tinggi: respons 2 jam kerja, selesai 3 hari kerja"."""
    subject = rule.category.name if rule.category_id else gettext("Semua kategori (bawaan kota)")
    if rule.priority:
        subject = gettext("%(subject)s, prioritas %(priority)s") % {
            "subject": subject,
            "priority": rule.priority,
        }
    return gettext("%(subject)s: respons %(response)s, selesai %(resolution)s") % {
        "subject": subject,
        "response": describe_duration(rule.response, rule.clock),
        "resolution": describe_duration(rule.resolution, rule.clock),
    }


def _show_config_problems(form: forms.Form, exc: ConfigInvalid) -> None:
    for problem in exc.problems[:8]:
        form.add_error(
            None,
            gettext("Konfigurasi kota tidak valid di %(path)s: %(message)s")
            % {"path": problem.path or "(root)", "message": problem.message},
        )


class DueTesterForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Kategori"), queryset=Category.objects.none(), empty_label=None
    )
    priority = forms.ChoiceField(label=_("Prioritas"), required=False)
    start = forms.DateTimeField(
        label=_("Laporan masuk pada"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args, priorities: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.active().order_by("name_id")
        if priorities:
            self.fields["priority"].choices = [("", "—")] + [
                (p["code"], _localized(p.get("name")) or p["code"]) for p in priorities
            ]
        else:
            del self.fields["priority"]


def _localized(value) -> str:
    if isinstance(value, dict):
        from django.utils.translation import get_language

        lang = (get_language() or "id")[:2]
        return value.get(lang) or value.get("id") or ""
    return value or ""


@admin.register(SlaRule)
class SlaRuleAdmin(RecordedAdmin):
    form = SlaRuleForm
    list_display = ("in_words", "clock_in_words", "active")
    list_display_links = ("in_words",)
    list_filter = ("clock", "active")
    list_select_related = ("category",)
    change_list_template = "cityconfig/console/sla_changelist.html"

    @admin.display(description=_("aturan"))
    def in_words(self, rule: SlaRule) -> str:
        return rule_in_words(rule)

    @admin.display(description=_("jam"))
    def clock_in_words(self, rule: SlaRule) -> str:
        return describe_clock(rule.clock)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("kebijakan/", view(self.policy_view), name="cityconfig_sla_policy"),
            path("kalender/", view(self.calendar_view), name="cityconfig_sla_calendar"),
            path("tenggat/", view(self.due_view), name="cityconfig_sla_due"),
            *super().get_urls(),
        ]

    def _context(self, request, title: str, **extra) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            **extra,
        }

    def _require(self, request, codename: str) -> None:
        if not request.user.has_perm(f"cityconfig.{codename}"):
            raise PermissionDenied

    def policy_view(self, request):
        self._require(request, "view_slarule")
        profile = CityProfile.load()
        form = SlaPolicyForm(
            request.POST or None, initial=SlaPolicyForm.initial_from(profile.sla_settings)
        )
        if request.method == "POST":
            self._require(request, "change_slarule")
            if form.is_valid():
                try:
                    with recorded_change(actor_of(request), source=request.path):
                        profile = CityProfile.load()
                        profile.sla_policy = {**profile.sla_policy, **form.policy()}
                        profile.save()
                except ConfigInvalid as exc:
                    _show_config_problems(form, exc)
                else:
                    messages.success(request, gettext("Kebijakan SLA disimpan."))
                    return redirect("admin:cityconfig_sla_policy")
        return TemplateResponse(
            request,
            "cityconfig/console/sla_policy.html",
            self._context(request, gettext("Kebijakan SLA kota"), form=form),
        )

    def calendar_view(self, request):
        self._require(request, "view_slarule")
        profile = CityProfile.load()
        calendar = profile.calendar
        data = request.POST if request.method == "POST" else None
        form = CalendarForm(data, initial=CalendarForm.initial_from(calendar))
        days_off = DayOffFormSet(
            data,
            prefix="libur",
            initial=[
                {"date": dt.date.fromisoformat(d["date"]), "name": d["name"]}
                for d in sorted(calendar.get("days_off", []), key=lambda d: d["date"])
            ],
        )
        extra = ExtraDayFormSet(
            data,
            prefix="masuk",
            initial=[
                {"date": dt.date.fromisoformat(d)} for d in calendar.get("extra_working_days", [])
            ],
        )
        if request.method == "POST":
            self._require(request, "change_slarule")
            if form.is_valid() and days_off.is_valid() and extra.is_valid():
                new_calendar = {
                    **calendar,
                    "working_hours": form.working_hours(),
                    "public_holidays": "ID" if form.cleaned_data["public_holidays"] else None,
                    "days_off": days_off.days_off(),
                    "extra_working_days": extra.dates(),
                }
                try:
                    with recorded_change(actor_of(request), source=request.path):
                        profile = CityProfile.load()
                        profile.calendar = new_calendar
                        profile.save()
                except ConfigInvalid as exc:
                    _show_config_problems(form, exc)
                else:
                    messages.success(request, gettext("Kalender kerja disimpan."))
                    return redirect("admin:cityconfig_sla_calendar")
        return TemplateResponse(
            request,
            "cityconfig/console/sla_calendar.html",
            self._context(
                request,
                gettext("Kalender kerja"),
                form=form,
                days_off=days_off,
                extra=extra,
                weekday_names=WEEKDAY_NAMES,
                zone_name=INDONESIAN_TIME_ZONES.get(profile.time_zone, profile.time_zone),
            ),
        )

    def due_view(self, request):
        from sla.due import estimate_due

        self._require(request, "view_slarule")
        profile = CityProfile.load()
        zone = profile.zone
        now = timezone.now().astimezone(zone).replace(second=0, microsecond=0, tzinfo=None)
        form = DueTesterForm(
            request.GET if "category" in request.GET else None,
            priorities=profile.priorities or [],
            initial={"start": now},
        )
        estimate = None
        if form.is_bound and form.is_valid():
            start = form.cleaned_data["start"]
            # The picker gives the city's wall clock, whatever zone the server runs in.
            start = start.replace(tzinfo=None).replace(tzinfo=zone)
            estimate = estimate_due(
                form.cleaned_data["category"].pk, form.cleaned_data.get("priority") or "", start
            )
        zone_name = INDONESIAN_TIME_ZONES.get(profile.time_zone, profile.time_zone)
        context = self._context(
            request,
            gettext("Kapan tenggatnya?"),
            form=form,
            estimate=estimate,
            zone=zone,
            zone_name=zone_name,
        )
        if estimate:
            context.update(
                start_local=estimate.start.astimezone(zone),
                response_local=estimate.response_due.astimezone(zone),
                resolution_local=estimate.resolution_due.astimezone(zone),
                rule_words=(
                    rule_in_words(estimate.rule)
                    if estimate.rule
                    else gettext(
                        "Aturan nasional LAPOR!: respons 3 hari kerja, selesai 10 hari kerja"
                    )
                ),
                clock_words=describe_clock(estimate.clock),
                skipped_words=[_skipped_in_words(s) for s in estimate.skipped],
            )
        return TemplateResponse(request, "cityconfig/console/sla_due.html", context)


def _skipped_in_words(skipped) -> str:
    weekday = WEEKDAY_NAMES[WEEKDAYS[skipped.day.weekday()]]
    day = f"{weekday} {skipped.day:%d-%m-%Y}"
    if skipped.reason == "day_off":
        return gettext("%(day)s: cuti bersama/libur kota (%(name)s)") % {
            "day": day,
            "name": skipped.name,
        }
    if skipped.reason == "holiday":
        return gettext("%(day)s: libur nasional (%(name)s)") % {"day": day, "name": skipped.name}
    return gettext("%(day)s: bukan hari kerja") % {"day": day}


register_tool(
    Tool(
        url_name="admin:cityconfig_sla_policy",
        label=_("Kebijakan SLA"),
        help=_("Peringatan, jeda menunggu warga, penutupan otomatis dan eskalasi."),
        permission="cityconfig.view_slarule",
        order=50,
    )
)
register_tool(
    Tool(
        url_name="admin:cityconfig_sla_calendar",
        label=_("Kalender kerja"),
        help=_("Jam kerja per hari, libur nasional dan cuti bersama."),
        permission="cityconfig.view_slarule",
        order=51,
    )
)
register_tool(
    Tool(
        url_name="admin:cityconfig_sla_due",
        label=_("Kapan tenggatnya?"),
        help=_("Coba hitung tenggat respons dan penyelesaian sebuah laporan."),
        permission="cityconfig.view_slarule",
        order=52,
    )
)
