"""The city profile's section screens as plain Django forms.

Each form shows one part of the profile in labelled fields with the format in
the help text, checks what a person types (in their language) and builds the
new value of its profile sections; the config model then checks the whole
city (``cityconfig.profile_edits``) and :func:`show_problems` puts what it
refuses next to the field it came from.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cityconfig.models import CityProfile
from cityconfig.schema import CHANNELS
from cityconfig.validation import Problem

TIME_ZONE_CHOICES = [
    ("Asia/Jakarta", _("WIB (UTC+7) — Sumatra, Jawa, Kalimantan Barat dan Tengah")),
    ("Asia/Pontianak", _("WIB (UTC+7) — zona Pontianak")),
    ("Asia/Makassar", _("WITA (UTC+8) — Bali, Nusa Tenggara, Sulawesi, Kalimantan Selatan/Timur")),
    ("Asia/Jayapura", _("WIT (UTC+9) — Maluku dan Papua")),
]
KIND_CHOICES = [("kota", _("Kota")), ("kabupaten", _("Kabupaten")), ("provinsi", _("Provinsi"))]
LOCALE_CHOICES = [("id", _("Bahasa Indonesia")), ("en", _("Bahasa Inggris"))]
CHANNEL_LABELS = {
    "app": _("Aplikasi warga (ponsel)"),
    "web": _("Situs web"),
    "sms": _("SMS"),
    "whatsapp": _("WhatsApp"),
    "telegram": _("Telegram"),
    "email": _("Surel (e-mail)"),
    "facebook": _("Facebook"),
    "twitter": _("Twitter/X"),
    "instagram": _("Instagram"),
    "youtube": _("YouTube"),
    "call_112": _("Panggilan darurat 112"),
    "call_center": _("Call center kota"),
    "walk_in": _("Datang langsung ke kantor"),
    "letter": _("Surat"),
    "lapor_sp4n": _("LAPOR! (SP4N) nasional"),
    "qlue": _("Qlue"),
    "open311": _("Open311 (aplikasi lain lewat API)"),
}
_HEX = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


def _text(label, help_text="", required=True, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label, help_text=help_text, required=required, max_length=300, **kwargs
    )


def _clean_or_none(value: str) -> str | None:
    value = (value or "").strip()
    return value or None


def show_problems(form: forms.BaseForm, problems: list[Problem], paths: dict[str, str]) -> None:
    """Put the config model's problems next to the form field they came from:
    ``paths`` maps a config path prefix (``branding.colors.primary``) to a
    field; the longest matching prefix wins, anything else goes on top."""
    for problem in problems:
        match = max(
            (p for p in paths if problem.path == p or problem.path.startswith(p + ".")),
            key=len,
            default=None,
        )
        message = _("Ditolak oleh model konfigurasi kota di %(path)s: %(message)s") % {
            "path": problem.path or "(root)",
            "message": problem.message,
        }
        field = paths[match] if match else None
        form.add_error(field if field in form.fields else None, message)


# ---------------------------------------------------------------- identity


class IdentityForm(forms.Form):
    name = _text(_("Nama kota"), _("Nama singkat yang dilihat warga, mis. “Mataram”."))
    official_name = _text(_("Nama resmi"), _("Mis. “Pemerintah Kota Mataram”."))
    kind = forms.ChoiceField(label=_("Jenis daerah"), choices=KIND_CHOICES)
    province = _text(_("Provinsi"), _("Mis. “Nusa Tenggara Barat”."))
    time_zone = forms.ChoiceField(
        label=_("Zona waktu"),
        choices=TIME_ZONE_CHOICES,
        help_text=_("Semua waktu laporan dan tenggat SLA ditampilkan dalam zona ini."),
    )
    default_locale = forms.ChoiceField(
        label=_("Bahasa bawaan"),
        choices=LOCALE_CHOICES,
        help_text=_("Bahasa aplikasi warga sebelum warga memilih sendiri."),
    )
    support_phone = _text(
        _("Telepon pengaduan"), _("Nomor yang dapat ditelepon warga, mis. 0370 123456."), False
    )
    support_whatsapp = _text(_("WhatsApp"), _("Nomor WhatsApp, mis. +62 812 3456 7890."), False)

    def _phone(self, name: str) -> str:
        number = (self.cleaned_data.get(name) or "").strip()
        if number and not re.fullmatch(r"\+?[0-9(][0-9 ()-]{4,24}", number):
            raise forms.ValidationError(
                _("Nomor hanya boleh berisi angka, spasi, tanda kurung, - dan + di depan.")
            )
        return number

    def clean_support_phone(self) -> str:
        return self._phone("support_phone")

    def clean_support_whatsapp(self) -> str:
        return self._phone("support_whatsapp")

    support_email = forms.EmailField(
        label=_("Surel"), help_text=_("Mis. pengaduan@mataramkota.go.id."), required=False
    )
    support_website = forms.URLField(
        label=_("Situs web"),
        help_text=_("Alamat lengkap, mis. https://mataramkota.go.id."),
        required=False,
        assume_scheme="https",
    )
    support_address = _text(
        _("Alamat kantor"), _("Alamat yang dapat didatangi warga."), False, widget=forms.Textarea
    )

    PATHS = {
        "identity.name": "name",
        "identity.official_name": "official_name",
        "identity.kind": "kind",
        "identity.province": "province",
        "identity.time_zone": "time_zone",
        "identity.default_locale": "default_locale",
        "branding.support.phone": "support_phone",
        "branding.support.whatsapp": "support_whatsapp",
        "branding.support.email": "support_email",
        "branding.support.website": "support_website",
        "branding.support.address": "support_address",
    }

    @staticmethod
    def initial_from(profile: CityProfile) -> dict[str, Any]:
        identity, support = profile.identity, profile.branding.get("support") or {}
        return {
            **{k: identity.get(k) for k in ("name", "official_name", "kind", "province")},
            "time_zone": identity.get("time_zone"),
            "default_locale": identity.get("default_locale", "id"),
            **{f"support_{k}": support.get(k) or "" for k in _SUPPORT_KEYS},
        }

    def sections(self, profile: CityProfile, emergency: list[dict]) -> dict[str, Any]:
        data = self.cleaned_data
        identity = {
            **profile.identity,
            **{k: data[k] for k in ("name", "official_name", "kind", "province", "time_zone")},
            "default_locale": data["default_locale"],
        }
        support = {
            **(profile.branding.get("support") or {}),
            **{k: _clean_or_none(data[f"support_{k}"]) for k in _SUPPORT_KEYS},
            "emergency": emergency,
        }
        return {"identity": identity, "branding": {**profile.branding, "support": support}}


_SUPPORT_KEYS = ("phone", "whatsapp", "email", "website", "address")


class EmergencyNumberForm(forms.Form):
    name_id = _text(_("Nama (Indonesia)"), _("Mis. “Pemadam kebakaran”."), False)
    name_en = _text(_("Nama (Inggris)"), _("Mis. “Fire brigade”."), False)
    number = forms.CharField(
        label=_("Nomor"),
        help_text=_("Angka saja, boleh + di depan, mis. 113."),
        required=False,
        max_length=20,
    )

    def clean(self):
        data = super().clean()
        filled = [data.get(k) for k in ("name_id", "name_en", "number")]
        if any(filled) and not all(filled):
            for key in ("name_id", "name_en", "number"):
                if not data.get(key) and key not in self.errors:
                    self.add_error(key, _("Isi juga kolom ini, atau kosongkan seluruh baris."))
        number = data.get("number")
        if number and not re.fullmatch(r"\+?[0-9][0-9 -]{1,19}", number):
            self.add_error("number", _("Nomor hanya boleh berisi angka, spasi, - dan + di depan."))
        return data


EmergencyFormSet = forms.formset_factory(EmergencyNumberForm, extra=2, max_num=20)


def emergency_initial(profile: CityProfile) -> list[dict[str, str]]:
    numbers = (profile.branding.get("support") or {}).get("emergency") or []
    return [
        {"name_id": n["name"]["id"], "name_en": n["name"]["en"], "number": n["number"]}
        for n in numbers
    ]


def emergency_value(formset) -> list[dict]:
    return [
        {
            "name": {"id": f.cleaned_data["name_id"], "en": f.cleaned_data["name_en"]},
            "number": f.cleaned_data["number"],
        }
        for f in formset.forms
        if f.cleaned_data.get("number")
    ]


# ---------------------------------------------------------------- branding


class ColorField(forms.CharField):
    """A colour as people type it ("#1a7f5a", "1A7F5A", "#fff") → "#1A7F5A"."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 7)
        kwargs.setdefault("widget", forms.TextInput(attrs={"class": "profile-hex", "size": 8}))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        match = _HEX.match(value.strip())
        if not match:
            raise forms.ValidationError(_("Tulis warna sebagai kode heksadesimal, mis. #1A7F5A."))
        digits = match.group(1)
        if len(digits) == 3:
            digits = "".join(c * 2 for c in digits)
        return "#" + digits.upper()


class BrandingForm(forms.Form):
    app_name = _text(
        _("Nama aplikasi"), _("Tampil di kepala aplikasi warga, mis. “Lapor Mataram”.")
    )
    responder_app_name = _text(
        _("Nama aplikasi petugas"), _("Boleh kosong: dipakai nama aplikasi warga."), False
    )
    tagline_id = _text(_("Slogan (Indonesia)"), _("Boleh kosong."), False)
    tagline_en = _text(_("Slogan (Inggris)"), _("Wajib bila slogan Indonesia diisi."), False)
    color_primary = ColorField(label=_("Warna utama"), help_text=_("Latar kepala aplikasi."))
    color_secondary = ColorField(
        label=_("Warna kedua"), help_text=_("Garis penanda menu yang dipilih.")
    )
    color_accent = ColorField(label=_("Warna aksen"), help_text=_("Boleh kosong."), required=False)
    color_text_on_primary = ColorField(
        label=_("Warna teks di atas warna utama"),
        help_text=_("Biasanya putih (#FFFFFF) atau hitam; harus terbaca di atas warna utama."),
    )
    logo = forms.FileField(
        label=_("Unggah logo baru"),
        required=False,
        help_text=_(
            "PNG, JPEG atau WebP, paling besar 1 MB, sisi 32–2048 piksel; sebaiknya persegi. "
            "Kosongkan untuk tetap memakai logo sekarang."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )

    PATHS = {
        "branding.app_name": "app_name",
        "branding.responder_app_name": "responder_app_name",
        "branding.tagline": "tagline_id",
        "branding.tagline.en": "tagline_en",
        "branding.colors.primary": "color_primary",
        "branding.colors.secondary": "color_secondary",
        "branding.colors.accent": "color_accent",
        "branding.colors.text_on_primary": "color_text_on_primary",
        "branding.logo": "logo",
    }

    @staticmethod
    def initial_from(profile: CityProfile) -> dict[str, Any]:
        branding = profile.branding
        colors, tagline = branding.get("colors") or {}, branding.get("tagline") or {}
        return {
            "app_name": branding.get("app_name", ""),
            "responder_app_name": branding.get("responder_app_name") or "",
            "tagline_id": tagline.get("id", ""),
            "tagline_en": tagline.get("en", ""),
            **{f"color_{k}": colors.get(k) or "" for k in _COLOR_KEYS},
        }

    def clean(self):
        data = super().clean()
        if data.get("tagline_id") and not data.get("tagline_en"):
            self.add_error("tagline_en", _("Isi slogan dalam bahasa Inggris juga."))
        if data.get("tagline_en") and not data.get("tagline_id"):
            self.add_error("tagline_id", _("Isi slogan dalam bahasa Indonesia juga."))
        return data

    def sections(self, profile: CityProfile, logo: str | None) -> dict[str, Any]:
        data = self.cleaned_data
        branding = {
            **profile.branding,
            "app_name": data["app_name"],
            "responder_app_name": _clean_or_none(data["responder_app_name"]),
            "tagline": (
                {"id": data["tagline_id"], "en": data["tagline_en"]} if data["tagline_id"] else None
            ),
            "colors": {
                "primary": data["color_primary"],
                "secondary": data["color_secondary"],
                "accent": data["color_accent"] or None,
                "text_on_primary": data["color_text_on_primary"],
            },
        }
        if logo:
            branding["logo"] = logo
        return {"branding": {k: v for k, v in branding.items() if v is not None}}


_COLOR_KEYS = ("primary", "secondary", "accent", "text_on_primary")


# ---------------------------------------------------------------- channels & features


class ChannelsForm(forms.Form):
    channels = forms.MultipleChoiceField(
        label=_("Kanal yang dibuka"),
        choices=[(c, CHANNEL_LABELS[c]) for c in CHANNELS],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Dari mana warga boleh mengirim laporan. Paling sedikit satu."),
        error_messages={"required": _("Pilih paling sedikit satu kanal.")},
    )
    anonymous_reports = forms.BooleanField(
        label=_("Laporan tanpa nama"),
        required=False,
        help_text=_("Warga boleh melapor tanpa masuk dengan nomor ponsel."),
    )
    public_feed = forms.BooleanField(
        label=_("Daftar laporan publik"),
        required=False,
        help_text=_("Semua orang dapat melihat laporan warga (tanpa data pribadi) di aplikasi."),
    )
    citizen_rating = forms.BooleanField(
        label=_("Penilaian oleh warga"),
        required=False,
        help_text=_("Pelapor dapat memberi bintang setelah laporannya selesai."),
    )
    published_rankings = forms.BooleanField(
        label=_("Peringkat OPD terbuka"),
        required=False,
        help_text=_("Peringkat kinerja OPD dapat diterbitkan dan dilihat publik."),
    )

    FEATURES = ("anonymous_reports", "public_feed", "citizen_rating", "published_rankings")
    PATHS = {
        "channels": "channels",
        "verification.channels": "channels",
        **{f"features.{name}": name for name in FEATURES},
    }

    @classmethod
    def initial_from(cls, profile: CityProfile) -> dict[str, Any]:
        features = {**{name: True for name in cls.FEATURES}, **profile.features}
        return {"channels": list(profile.channels), **{n: features[n] for n in cls.FEATURES}}

    def sections(self, profile: CityProfile) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "channels": [c for c in CHANNELS if c in data["channels"]],
            "features": {**profile.features, **{n: data[n] for n in self.FEATURES}},
        }
