"""The city profile in the console: an overview and one screen per section.

Identity & contacts, branding (live header preview, logo upload), channels &
features, and the verification policy (with the last 30 days' verdicts per
check). Each save is one recorded revision (``cityconfig.profile_edits``);
what the config model refuses comes back next to the field. The raw JSON
form stays for superusers only (``<pk>/raw/``).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from cityconfig import profile_forms as pf
from cityconfig import verification_forms as vf
from cityconfig.admin.base import RecordedAdmin, actor_of
from cityconfig.logos import MAX_LOGO_BYTES, LogoRefused, store_logo
from cityconfig.models import CityProfile
from cityconfig.profile_edits import update_profile
from cityconfig.validation import ConfigInvalid
from kanal.console import Tool, register_tool

SECTIONS = {
    "identity": (
        _("Identitas dan kontak"),
        _("Nama kota, zona waktu, kontak pengaduan, nomor darurat."),
    ),
    "branding": (_("Tampilan aplikasi"), _("Nama aplikasi, warna dengan pratinjau, logo.")),
    "channels": (
        _("Kanal dan fitur"),
        _("Dari mana warga melapor; laporan tanpa nama, daftar publik."),
    ),
    "verification": (
        _("Kebijakan verifikasi"),
        _("Pemeriksaan foto dan lokasi, dengan hasilnya 30 hari terakhir."),
    ),
}
# Plain names of the checks the pipeline stores (verification.pipeline, reports.intake).
CHECK_LABELS = {
    "inside_city": (_("Di dalam kota"), "require_inside_city"),
    "photo_fresh": (_("Foto baru"), "max_photo_age"),
    "photo_location": (_("Foto di lokasi laporan"), "max_gps_distance_m"),
    "photo_not_reused": (_("Bukan foto daur ulang"), "reuse_hash_distance"),
    "not_duplicate": (_("Bukan laporan ganda"), "duplicate_radius_m"),
    "area_known": (_("Wilayah diketahui"), None),
}

for order, (key, (label, help_text)) in enumerate(SECTIONS.items(), start=10):
    register_tool(
        Tool(
            url_name=f"admin:cityconfig_cityprofile_{key}",
            label=label,
            help=help_text,
            permission="cityconfig.change_cityprofile",
            order=order,
        )
    )


@admin.register(CityProfile)
class CityProfileAdmin(RecordedAdmin):
    readonly_fields = ("updated_at",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        section_urls = [
            path(
                f"section/{key}/",
                view(getattr(self, f"{key}_view")),
                name=f"cityconfig_cityprofile_{key}",
            )
            for key in SECTIONS
        ]
        raw = path("<path:object_id>/raw/", view(self.raw_view), name="cityconfig_cityprofile_raw")
        return [*section_urls, raw, *super().get_urls()]

    # ------------------------------------------------------------ overview

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return self._overview(request)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return self._overview(request)

    def _overview(self, request):
        profile = CityProfile.load()
        sections = [
            {
                "url": reverse(f"admin:cityconfig_cityprofile_{key}"),
                "label": label,
                "help": help_text,
            }
            for key, (label, help_text) in SECTIONS.items()
        ]
        raw_url = (
            reverse("admin:cityconfig_cityprofile_raw", args=[profile.pk])
            if request.user.is_superuser
            else None
        )
        return self._render(
            request,
            "cityconfig/console/profile_overview.html",
            _t("Profil kota"),
            {"sections": sections, "raw_url": raw_url, "profile": profile},
        )

    def raw_view(self, request, object_id):
        """The JSON sections as stored, for superusers who know the config file."""
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().changeform_view(request, object_id)  # RecordedAdmin records it

    # ------------------------------------------------------------ helpers

    def _render(self, request, template, title, context):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "overview_url": reverse("admin:cityconfig_cityprofile_changelist"),
            **context,
        }
        return TemplateResponse(request, template, context)

    def _check_change(self, request):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        if request.method == "POST" and not self.has_change_permission(request):
            raise PermissionDenied

    def _save(self, request, sections, forms_and_paths) -> bool:
        """Save and record; on refusal put the problems on the forms."""
        try:
            update_profile(actor_of(request), request.path, sections)
        except ConfigInvalid as exc:
            for form, paths in forms_and_paths:
                pf.show_problems(form, exc.problems, paths)
                break
            return False
        messages.success(request, _t("Perubahan disimpan dan dicatat sebagai revisi."))
        return True

    # ------------------------------------------------------------ sections

    def identity_view(self, request):
        self._check_change(request)
        profile = CityProfile.load()
        if request.method == "POST":
            form = pf.IdentityForm(request.POST)
            numbers = pf.EmergencyFormSet(request.POST, prefix="emergency")
            if form.is_valid() and numbers.is_valid():
                sections = form.sections(profile, pf.emergency_value(numbers))
                if self._save(request, sections, [(form, form.PATHS)]):
                    return HttpResponseRedirect(request.path)
        else:
            form = pf.IdentityForm(initial=pf.IdentityForm.initial_from(profile))
            numbers = pf.EmergencyFormSet(initial=pf.emergency_initial(profile), prefix="emergency")
        return self._render(
            request,
            "cityconfig/console/profile_identity.html",
            SECTIONS["identity"][0],
            {"form": form, "numbers": numbers},
        )

    def branding_view(self, request):
        self._check_change(request)
        profile = CityProfile.load()
        if request.method == "POST":
            form = pf.BrandingForm(request.POST, request.FILES)
            if form.is_valid():
                logo = None
                upload = form.cleaned_data.get("logo")
                if upload:
                    try:
                        logo = store_logo(upload.read(MAX_LOGO_BYTES + 1))
                    except LogoRefused as exc:
                        form.add_error("logo", exc.message)
                if not form.errors and self._save(
                    request, form.sections(profile, logo), [(form, form.PATHS)]
                ):
                    return HttpResponseRedirect(request.path)
        else:
            form = pf.BrandingForm(initial=pf.BrandingForm.initial_from(profile))
        return self._render(
            request,
            "cityconfig/console/profile_branding.html",
            SECTIONS["branding"][0],
            {"form": form, "official_name": profile.identity.get("official_name", "")},
        )

    def channels_view(self, request):
        self._check_change(request)
        profile = CityProfile.load()
        if request.method == "POST":
            form = pf.ChannelsForm(request.POST)
            if form.is_valid() and self._save(
                request, form.sections(profile), [(form, form.PATHS)]
            ):
                return HttpResponseRedirect(request.path)
        else:
            form = pf.ChannelsForm(initial=pf.ChannelsForm.initial_from(profile))
        return self._render(
            request,
            "cityconfig/console/profile_channels.html",
            SECTIONS["channels"][0],
            {"form": form},
        )

    def verification_view(self, request):
        from reports.verdict_stats import MISSING_SETTING_OF, verdict_stats

        self._check_change(request)
        profile = CityProfile.load()
        if request.method == "POST":
            form = vf.VerificationForm(request.POST)
            overrides = vf.ChannelOverrideFormSet(
                request.POST, prefix="channel", initial=vf.override_initial(profile)
            )
            if form.is_valid() and overrides.is_valid():
                sections = vf.verification_section(form, overrides)
                if self._save(request, sections, [(form, form.paths)]):
                    return HttpResponseRedirect(request.path)
        else:
            form = vf.VerificationForm(initial=vf.VerificationForm.initial_from(profile))
            overrides = vf.ChannelOverrideFormSet(
                prefix="channel", initial=vf.override_initial(profile)
            )
        stats = verdict_stats(30)
        rows = []
        for name, counts in sorted(stats.checks.items()):
            label, _setting = CHECK_LABELS.get(name, (name, None))
            missing_setting = MISSING_SETTING_OF.get(name)
            rows.append(
                {
                    "label": label,
                    "counts": counts,
                    "what_if": _what_if(missing_setting, counts) if missing_setting else "",
                }
            )
        return self._render(
            request,
            "cityconfig/console/profile_verification.html",
            SECTIONS["verification"][0],
            {"form": form, "overrides": overrides, "stats": stats, "rows": rows},
        )


def _what_if(setting: str, counts) -> str:
    """What the other ``missing_*`` value would have done, from the stored
    results whose data was missing (per-channel overrides included as they were)."""
    what = _t("waktu pengambilan") if setting == "missing_exif" else _t("lokasi GPS")
    if counts.missing_warned:
        return _t(
            "%(count)s foto tanpa %(what)s diberi peringatan; dengan “Tolak” laporannya "
            "akan ditolak."
        ) % {"count": counts.missing_warned, "what": what}
    if counts.missing_failed:
        return _t(
            "%(count)s foto tanpa %(what)s ditolak; dengan “Peringatan” operator akan memeriksanya."
        ) % {"count": counts.missing_failed, "what": what}
    return _t("Tidak ada foto tanpa %(what)s.") % {"what": what}
