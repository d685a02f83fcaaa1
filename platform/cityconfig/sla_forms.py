"""Forms of the SLA console: rules, the city's SLA policy and its working calendar.

Each form speaks the words a Diskominfo admin uses ("2 jam kerja", a time
picker per weekday, a date picker per cuti bersama) and cleans to exactly the
config section the YAML holds, so the config model stays the one judge.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cityconfig.admin_forms import ConfigCheckedForm
from cityconfig.durations import HumanDurationField, describe_duration
from cityconfig.models import SlaRule
from cityconfig.schema import WEEKDAYS

WEEKDAY_NAMES = {
    "mon": _("Senin"),
    "tue": _("Selasa"),
    "wed": _("Rabu"),
    "thu": _("Kamis"),
    "fri": _("Jumat"),
    "sat": _("Sabtu"),
    "sun": _("Minggu"),
}

ESCALATIONS = {
    "at_risk:parent_opd": _(
        "Hampir lewat tenggat → beri tahu OPD induk (Lurah → Camat, bidang → Kepala Dinas)"
    ),
    "at_risk:command_center": _("Hampir lewat tenggat → beri tahu command center"),
    "breached:parent_opd": _("Lewat tenggat → beri tahu OPD induk"),
    "breached:command_center": _("Lewat tenggat → beri tahu command center"),
}


class SlaRuleForm(ConfigCheckedForm):
    """An SLA rule with its targets typed in words ("2 jam", "3 hari kerja")."""

    response = HumanDurationField(label=_("target respons"))
    resolution = HumanDurationField(label=_("target penyelesaian"))

    class Meta:
        model = SlaRule
        fields = "__all__"
        help_texts = {
            "clock": _(
                "Jam kerja: tenggat hanya berjalan pada jam kerja kota (libur dan cuti "
                "bersama dilewati). Kalender: berjalan 24 jam sehari, untuk kedaruratan."
            ),
        }

    def clean(self):
        cleaned = super().clean()
        named = {
            name: self.fields[name].named_clock
            for name in ("response", "resolution")
            if self.fields[name].named_clock
        }
        clock = cleaned.get("clock")
        for name, named_clock in named.items():
            if clock and named_clock != clock:
                self.add_error(
                    name,
                    gettext(
                        "Anda menulis “%(typed)s”, tetapi jam yang dipilih adalah “%(clock)s”. "
                        "Samakan keduanya."
                    )
                    % {
                        "typed": describe_duration(cleaned.get(name) or "1h", named_clock),
                        "clock": dict(self.fields["clock"].choices).get(clock, clock),
                    },
                )
        return cleaned


class SlaPolicyForm(forms.Form):
    """The city-wide SLA settings (``CityProfile.sla_policy``)."""

    at_risk_percent = forms.IntegerField(
        label=_("Peringatan “hampir lewat tenggat” saat waktu terpakai (%)"),
        min_value=1,
        max_value=99,
        help_text=_(
            "Misalnya 80: untuk target 10 jam, OPD diperingatkan setelah 8 jam. Antara 1 dan 99."
        ),
    )
    pause_while_waiting_for_citizen = forms.BooleanField(
        label=_("Hentikan jam selama menunggu jawaban warga"),
        required=False,
        help_text=_("Bila OPD meminta keterangan, waktu menunggu warga tidak dihitung."),
    )
    restart_on_forward = forms.BooleanField(
        label=_("Mulai ulang jam bila laporan diteruskan ke OPD lain"),
        required=False,
        help_text=_(
            "Tidak dicentang: OPD penerima melanjutkan sisa waktu (Lurah yang meneruskan "
            "ke dinas tidak membuat jam mulai dari nol)."
        ),
    )
    auto_close_after = HumanDurationField(
        label=_("Tutup otomatis bila warga tidak menanggapi penyelesaian setelah"),
        help_text=_("Misalnya “10 hari”. Setelah itu laporan yang selesai ditutup."),
    )
    escalation = forms.MultipleChoiceField(
        label=_("Eskalasi"),
        required=False,
        choices=list(ESCALATIONS.items()),
        widget=forms.CheckboxSelectMultiple,
    )

    @classmethod
    def initial_from(cls, settings: dict) -> dict:
        return {
            "at_risk_percent": round(float(settings["at_risk_ratio"]) * 100),
            "pause_while_waiting_for_citizen": settings["pause_while_waiting_for_citizen"],
            "restart_on_forward": settings["restart_on_forward"],
            "auto_close_after": settings["auto_close_after"],
            "escalation": [f"{e['when']}:{e['to']}" for e in settings.get("escalation", [])],
        }

    def policy(self) -> dict:
        """The cleaned form as the config's ``sla`` policy keys."""
        data = self.cleaned_data
        return {
            "at_risk_ratio": data["at_risk_percent"] / 100,
            "pause_while_waiting_for_citizen": data["pause_while_waiting_for_citizen"],
            "restart_on_forward": data["restart_on_forward"],
            "auto_close_after": data["auto_close_after"],
            "escalation": [
                dict(zip(("when", "to"), key.split(":"), strict=True))
                for key in ESCALATIONS
                if key in data["escalation"]
            ],
        }


class CalendarForm(forms.Form):
    """Working hours per weekday and whether national holidays apply."""

    public_holidays = forms.BooleanField(
        label=_("Ikuti hari libur nasional Indonesia"),
        required=False,
        help_text=_("Libur nasional dilewati oleh jam kerja SLA (dari kalender resmi)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for day in WEEKDAYS:
            self.fields[f"{day}_closed"] = forms.BooleanField(
                label=gettext("%(day)s libur") % {"day": WEEKDAY_NAMES[day]}, required=False
            )
            for part, label in (("start", _("mulai")), ("end", _("selesai"))):
                self.fields[f"{day}_{part}"] = forms.TimeField(
                    label=f"{WEEKDAY_NAMES[day]} {label}",
                    required=False,
                    widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                    input_formats=["%H:%M", "%H.%M", "%H:%M:%S"],
                )

    def weekday_rows(self):
        """One row per weekday for the template: its name and three fields."""
        return [
            {
                "name": WEEKDAY_NAMES[day],
                "closed": self[f"{day}_closed"],
                "start": self[f"{day}_start"],
                "end": self[f"{day}_end"],
            }
            for day in WEEKDAYS
        ]

    @classmethod
    def initial_from(cls, calendar: dict) -> dict:
        initial = {"public_holidays": calendar.get("public_holidays", "ID") == "ID"}
        for day in WEEKDAYS:
            hours = (calendar.get("working_hours") or {}).get(day)
            if hours:
                start, end = hours.split("-")
                initial[f"{day}_start"], initial[f"{day}_end"] = start, end
            else:
                initial[f"{day}_closed"] = True
        return initial

    def clean(self):
        cleaned = super().clean()
        for day in WEEKDAYS:
            if cleaned.get(f"{day}_closed"):
                continue
            start, end = cleaned.get(f"{day}_start"), cleaned.get(f"{day}_end")
            if f"{day}_start" in self.errors or f"{day}_end" in self.errors:
                continue
            if start is None or end is None:
                self.add_error(
                    f"{day}_start",
                    gettext("Isi jam mulai dan selesai, atau centang “libur”."),
                )
            elif end <= start:
                self.add_error(f"{day}_end", gettext("Jam selesai harus setelah jam mulai."))
        if not any(not cleaned.get(f"{d}_closed") for d in WEEKDAYS) and not self.errors:
            raise forms.ValidationError(
                gettext("Setidaknya satu hari dalam seminggu harus hari kerja.")
            )
        return cleaned

    def working_hours(self) -> dict:
        out = {}
        for day in WEEKDAYS:
            if self.cleaned_data.get(f"{day}_closed"):
                out[day] = None
            else:
                start, end = self.cleaned_data[f"{day}_start"], self.cleaned_data[f"{day}_end"]
                out[day] = f"{start:%H:%M}-{end:%H:%M}"
        return out


class DayOffForm(forms.Form):
    date = forms.DateField(
        label=_("Tanggal"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"],
    )
    name = forms.CharField(label=_("Nama (misalnya “Cuti bersama Idul Fitri”)"), max_length=300)


class BaseDayOffFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        seen: set[dt.date] = set()
        for form in self.forms:
            if self._should_delete_form(form) or form.errors:
                continue
            day = form.cleaned_data.get("date")
            if day is None:
                continue
            if day in seen:
                form.add_error("date", gettext("Tanggal ini sudah ada di daftar."))
            seen.add(day)

    def days_off(self) -> list[dict]:
        rows = [
            {"date": f.cleaned_data["date"].isoformat(), "name": f.cleaned_data["name"].strip()}
            for f in self.forms
            if f.cleaned_data.get("date") and not self._should_delete_form(f)
        ]
        return sorted(rows, key=lambda r: r["date"])


DayOffFormSet = forms.formset_factory(
    DayOffForm, formset=BaseDayOffFormSet, extra=2, can_delete=True, max_num=200
)


class ExtraDayForm(forms.Form):
    date = forms.DateField(
        label=_("Tanggal"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"],
    )


class BaseExtraDayFormSet(forms.BaseFormSet):
    def dates(self) -> list[str]:
        return sorted(
            {
                f.cleaned_data["date"].isoformat()
                for f in self.forms
                if f.cleaned_data.get("date") and not self._should_delete_form(f)
            }
        )


ExtraDayFormSet = forms.formset_factory(
    ExtraDayForm, formset=BaseExtraDayFormSet, extra=1, can_delete=True, max_num=100
)
