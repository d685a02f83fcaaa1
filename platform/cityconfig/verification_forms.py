"""The verification policy screen's forms, with what each check does in plain words.

Every field of ``cityconfig.schema.Verification`` is here with an explanation
of the check and of what a stricter or looser value means, for a Diskominfo
admin who never read the pipeline (``verification.pipeline``). Durations are
read as people type them with part C's parser (``cityconfig.durations``:
"2 jam", "3 hari", "24h") and shown back in words.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cityconfig.durations import HumanDurationField
from cityconfig.models import CityProfile
from cityconfig.profile_forms import CHANNEL_LABELS
from cityconfig.schema import CHANNELS, Verification

MISSING_CHOICES = [
    ("warn", _("Beri peringatan: operator memeriksa laporannya")),
    ("fail", _("Tolak laporannya")),
]
OVERRIDE_MISSING_CHOICES = [
    ("", _("(ikuti aturan umum)")),
    ("pass", _("Terima")),
    ("warn", _("Peringatan")),
    ("fail", _("Tolak")),
]
OVERRIDE_PHOTO_CHOICES = [
    ("", _("(ikuti aturan umum)")),
    ("yes", _("Wajib")),
    ("no", _("Tidak wajib")),
]


class DurationField(HumanDurationField):
    """A duration typed as people type it ("2 jam", "3 hari", "24h"); the photo
    age and the duplicate window are calendar time, so "hari kerja" is refused."""

    def clean(self, value):
        value = super().clean(value)
        if value and self.named_clock == "working":
            raise forms.ValidationError(
                _("Dihitung dalam waktu kalender: tulis tanpa “kerja”, mis. “2 hari”.")
            )
        return value


class VerificationForm(forms.Form):
    photo_required = forms.BooleanField(
        label=_("Foto wajib"),
        required=False,
        help_text=_(
            "Laporan harus disertai foto. Mematikannya memudahkan warga melapor, tetapi "
            "operator kehilangan bukti; per kategori dan per kanal dapat diatur lain."
        ),
    )
    max_photo_age = DurationField(
        label=_("Umur foto paling lama"),
        help_text=_(
            "Foto yang diambil lebih lama dari ini ditolak (pemeriksaan “foto baru”). Lebih "
            "pendek = lebih ketat, menolak foto lama dari galeri; lebih panjang = lebih longgar. "
            "Contoh: “24 jam”, “2 hari”, “90 menit”."
        ),
    )
    missing_exif = forms.ChoiceField(
        label=_("Foto tanpa waktu pengambilan"),
        choices=MISSING_CHOICES,
        help_text=_(
            "Banyak aplikasi obrolan membuang waktu pengambilan (EXIF) dari foto. "
            "“Tolak” lebih ketat; “peringatan” membiarkan operator menilai."
        ),
    )
    missing_gps = forms.ChoiceField(
        label=_("Foto tanpa lokasi GPS"),
        choices=MISSING_CHOICES,
        help_text=_(
            "Peramban sering membuang GPS dari foto. “Tolak” lebih ketat; “peringatan” "
            "membiarkan operator menilai."
        ),
    )
    max_gps_distance_m = forms.IntegerField(
        label=_("Jarak foto ke titik laporan paling jauh (meter)"),
        min_value=1,
        max_value=100_000,
        help_text=_(
            "Foto yang GPS-nya lebih jauh dari titik laporan ditolak. Lebih kecil = lebih "
            "ketat (GPS ponsel bisa meleset 10–50 m); lebih besar = lebih longgar."
        ),
    )
    require_inside_city = forms.BooleanField(
        label=_("Titik laporan harus di dalam kota"),
        required=False,
        help_text=_(
            "Laporan dengan titik di luar batas kota ditolak. Matikan hanya bila kota juga "
            "menangani laporan di luar batasnya."
        ),
    )
    reuse_hash_distance = forms.IntegerField(
        label=_("Kemiripan foto daur ulang (0–64)"),
        min_value=0,
        max_value=64,
        help_text=_(
            "Foto yang hampir sama dengan foto laporan lain ditandai sebagai daur ulang. "
            "0 = hanya foto yang persis sama; angka lebih besar = lebih ketat, menandai foto "
            "yang sekadar mirip (juga foto sah dari tempat yang sama)."
        ),
    )
    duplicate_radius_m = forms.IntegerField(
        label=_("Radius laporan ganda (meter)"),
        min_value=1,
        max_value=10_000,
        help_text=_(
            "Laporan terbuka berkategori sama dalam radius ini ditawarkan ke operator sebagai "
            "kemungkinan ganda. Lebih besar = lebih banyak tawaran untuk diperiksa."
        ),
    )
    duplicate_window = DurationField(
        label=_("Jangka waktu laporan ganda"),
        help_text=_("Seberapa lama ke belakang laporan ganda dicari, mis. 7d."),
    )
    operator_triage = forms.ChoiceField(
        label=_("Periksa oleh operator"),
        choices=[
            ("always", _("Selalu: setiap laporan diperiksa operator")),
            ("on_warning", _("Bila ada peringatan")),
            ("never", _("Tidak pernah: laporan berperingatan langsung diteruskan")),
        ],
        help_text=_("“Selalu” paling ketat dan paling banyak pekerjaan operator."),
    )
    field_survey = forms.ChoiceField(
        label=_("Survei lapangan"),
        choices=[
            ("never", _("Tidak pernah")),
            ("on_request", _("Bila operator meminta")),
            ("always", _("Selalu")),
        ],
        help_text=_("Petugas survei memastikan laporan di lokasi sebelum diteruskan."),
    )
    max_upload_mb = forms.IntegerField(
        label=_("Ukuran foto paling besar (MB)"),
        min_value=1,
        max_value=50,
        help_text=_("Foto yang lebih besar ditolak saat diunggah."),
    )
    max_megapixels = forms.IntegerField(
        label=_("Resolusi foto paling besar (megapiksel)"),
        min_value=1,
        max_value=100,
        help_text=_("Melindungi server dari gambar raksasa; 40 cukup untuk ponsel mana pun."),
    )

    FIELDS = tuple(name for name in Verification.model_fields if name != "channels")

    @property
    def paths(self) -> dict[str, str]:
        return {f"verification.{name}": name for name in self.FIELDS}

    @classmethod
    def initial_from(cls, profile: CityProfile) -> dict[str, Any]:
        policy = Verification.model_validate(profile.verification)
        return {name: getattr(policy, name) for name in cls.FIELDS}


class ChannelOverrideForm(forms.Form):
    channel = forms.ChoiceField(choices=[(c, c) for c in CHANNELS], widget=forms.HiddenInput)
    photo_required = forms.ChoiceField(
        label=_("Foto wajib"), choices=OVERRIDE_PHOTO_CHOICES, required=False
    )
    missing_exif = forms.ChoiceField(
        label=_("Tanpa waktu"), choices=OVERRIDE_MISSING_CHOICES, required=False
    )
    missing_gps = forms.ChoiceField(
        label=_("Tanpa GPS"), choices=OVERRIDE_MISSING_CHOICES, required=False
    )
    max_photo_age = DurationField(label=_("Umur foto"), required=False)

    def channel_label(self) -> str:
        return str(CHANNEL_LABELS.get(self.initial.get("channel", ""), ""))

    def override(self) -> dict[str, Any]:
        data = self.cleaned_data
        out: dict[str, Any] = {}
        if data.get("photo_required"):
            out["photo_required"] = data["photo_required"] == "yes"
        for key in ("missing_exif", "missing_gps", "max_photo_age"):
            if data.get(key):
                out[key] = data[key]
        return out


ChannelOverrideFormSet = forms.formset_factory(ChannelOverrideForm, extra=0, max_num=len(CHANNELS))


def override_initial(profile: CityProfile) -> list[dict[str, Any]]:
    """One row per enabled channel and per channel that has an override."""
    overrides = (profile.verification or {}).get("channels") or {}
    rows = []
    for channel in CHANNELS:
        if channel not in profile.channels and channel not in overrides:
            continue
        current = overrides.get(channel) or {}
        photo = current.get("photo_required")
        rows.append(
            {
                "channel": channel,
                "photo_required": "" if photo is None else ("yes" if photo else "no"),
                "missing_exif": current.get("missing_exif") or "",
                "missing_gps": current.get("missing_gps") or "",
                "max_photo_age": current.get("max_photo_age") or "",
            }
        )
    return rows


def verification_section(form: VerificationForm, formset) -> dict[str, Any]:
    overrides = {}
    for row in formset.forms:
        value = row.override()
        if value:
            overrides[row.cleaned_data["channel"]] = value
    return {
        "verification": {**{n: form.cleaned_data[n] for n in form.FIELDS}, "channels": overrides}
    }
