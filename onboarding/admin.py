"""The console's history of the city config: readable revisions, rollback, YAML in and out.

It lives with onboarding because rollback and import are applies of a whole
config (``onboarding.console``); the screens are on the city's own admin.
"""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cityconfig.export import config_to_yaml, current_config
from cityconfig.models import ConfigRevision
from cityconfig.revisions import ACTION_LABELS, KIND_LABELS
from cityconfig.validation import ConfigInvalid
from kanal.console import Tool, register_tool
from onboarding.console import (
    MAX_IMPORT_BYTES,
    Proposal,
    apply_proposal,
    import_proposal,
    rollback_proposal,
)

#: Who may roll back or import: whoever may change the city profile.
APPLY_PERMISSION = "cityconfig.change_cityprofile"
_VALUE_LIMIT = 160


def _show(value: Any) -> str:
    """A before/after value as a person reads it."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if value is True:
        return _("Ya")
    if value is False:
        return _("Tidak")
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        text = ", ".join(str(v) for v in value)
    else:
        text = str(value)
    return text if len(text) <= _VALUE_LIMIT else text[: _VALUE_LIMIT - 1] + "…"


def readable_changes(changes: list[dict]) -> list[dict]:
    """Stored changes (``Change.as_json``) as rows for the templates."""
    rows = []
    for change in changes:
        fields = change.get("fields") or {}
        rows.append(
            {
                "kind": KIND_LABELS.get(change.get("kind"), change.get("kind", "")),
                "key": change.get("key", ""),
                "action": ACTION_LABELS.get(change.get("action"), change.get("action", "")),
                "action_code": change.get("action", ""),
                "fields": [
                    {"name": name, "before": _show(pair[0]), "after": _show(pair[1])}
                    for name, pair in fields.items()
                    if isinstance(pair, list | tuple) and len(pair) == 2
                ],
            }
        )
    return rows


def summary(changes: list[dict]) -> str:
    rows = readable_changes(changes)
    parts = [f"{row['kind']} {row['key']} {row['action']}" for row in rows[:3]]
    if len(rows) > 3:
        parts.append(_("dan %(count)s lainnya") % {"count": len(rows) - 3})
    return "; ".join(parts) or "—"


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Berkas YAML"),
        required=False,
        help_text=gettext_lazy("Konfigurasi kota ini, misalnya hasil unduhan dari konsol."),
    )
    text = forms.CharField(
        label=gettext_lazy("…atau tempel isinya di sini"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
    )

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_IMPORT_BYTES:
                raise forms.ValidationError(_("Berkas terlalu besar (maksimum 2 MB)."))
            raw = upload.read()
            try:
                data["yaml"] = raw.decode("utf-8")
            except UnicodeDecodeError:
                self.add_error("file", _("Berkas ini bukan teks UTF-8 (YAML)."))
                return data
            data["name"] = upload.name
        elif data.get("text", "").strip():
            data["yaml"], data["name"] = data["text"], _("teks yang ditempel")
        else:
            raise forms.ValidationError(_("Pilih berkas YAML atau tempel isinya."))
        return data


@admin.register(ConfigRevision)
class ConfigRevisionAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor", "source", "what")
    list_display_links = ("created_at",)
    search_fields = ("actor", "source")
    change_form_template = "onboarding/console/revision_detail.html"
    change_list_template = "onboarding/console/revision_list.html"

    @admin.display(description=gettext_lazy("perubahan"))
    def what(self, obj: ConfigRevision) -> str:
        return summary(obj.changes)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/rollback/", view(self.rollback_view), name="config_rollback"),
            path("import/", view(self.import_view), name="config_import"),
            path("export/", view(self.export_view), name="config_export"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        revision = get_object_or_404(ConfigRevision, pk=object_id) if object_id.isdigit() else None
        if revision is None:
            return HttpResponseRedirect(reverse("admin:cityconfig_configrevision_changelist"))
        extra = {
            "changes": readable_changes(revision.changes),
            "revision": revision,
            "can_apply": request.user.has_perm(APPLY_PERMISSION),
        }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def _context(self, request, title: str, **extra) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            **extra,
        }

    def _refuse(self, request) -> HttpResponse | None:
        if not self.has_view_permission(request):  # also: only on a city's own host
            raise Http404
        if not request.user.has_perm(APPLY_PERMISSION):
            messages.error(request, _("Anda tidak berwenang mengubah konfigurasi kota."))
            return HttpResponseRedirect(reverse("admin:cityconfig_configrevision_changelist"))
        return None

    def _actor(self, request) -> str:
        return f"{request.user.get_username()} (konsol)"

    def rollback_view(self, request, pk: int):
        refused = self._refuse(request)
        if refused:
            return refused
        revision = get_object_or_404(ConfigRevision, pk=pk)
        problems: list = []
        proposal: Proposal | None = None
        try:
            proposal = rollback_proposal(revision)
            if request.method == "POST" and request.POST.get("live") != proposal.live_sha256:
                messages.warning(
                    request, _("Konfigurasi berubah sejak pratinjau. Periksa rencana yang baru.")
                )
            elif request.method == "POST":
                changes = apply_proposal(
                    proposal,
                    actor=self._actor(request),
                    source=_("pengembalian ke revisi #%(id)s") % {"id": revision.pk},
                )
                messages.success(
                    request,
                    _("Konfigurasi dikembalikan ke revisi #%(id)s (%(count)s perubahan).")
                    % {"id": revision.pk, "count": len(changes)},
                )
                return HttpResponseRedirect(reverse("admin:cityconfig_configrevision_changelist"))
        except ConfigInvalid as exc:
            problems = exc.problems
        context = self._context(
            request,
            _("Kembalikan ke revisi #%(id)s") % {"id": revision.pk},
            revision=revision,
            proposal=proposal,
            changes=readable_changes([c.as_json() for c in proposal.changes]) if proposal else [],
            problems=problems,
        )
        return TemplateResponse(request, "onboarding/console/rollback.html", context)

    def import_view(self, request):
        refused = self._refuse(request)
        if refused:
            return refused
        if request.method == "POST" and "apply" in request.POST:
            return self._import_apply(request, request.POST.get("token", ""))
        form = ImportForm(request.POST or None, request.FILES or None)
        proposal, problems, token = None, [], ""
        if request.method == "POST" and form.is_valid() and "yaml" in form.cleaned_data:
            text, name = form.cleaned_data["yaml"], form.cleaned_data["name"]
            try:
                proposal = import_proposal(text, file=name)
            except ConfigInvalid as exc:
                problems = exc.problems
            else:
                token = secrets.token_hex(16)
                self._keep_import(request, token, text, name, proposal)
        return self._import_page(request, form, proposal, problems, token)

    def _import_apply(self, request, token: str):
        stored = cache.get(self._import_key(request, token)) if token.isalnum() else None
        if stored is None:
            messages.error(request, _("Rencana impor sudah kedaluwarsa. Unggah berkasnya lagi."))
            return HttpResponseRedirect(reverse("admin:config_import"))
        text, name, planned_live = stored
        try:
            proposal = import_proposal(text, file=name)
        except ConfigInvalid as exc:
            return self._import_page(request, ImportForm(), None, exc.problems, "")
        if proposal.live_sha256 != planned_live:  # someone changed the city meanwhile
            messages.warning(
                request, _("Konfigurasi berubah sejak pratinjau. Periksa rencana yang baru.")
            )
            self._keep_import(request, token, text, name, proposal)
            return self._import_page(request, ImportForm(), proposal, [], token)
        try:
            changes = apply_proposal(
                proposal, actor=self._actor(request), source=_("impor %(file)s") % {"file": name}
            )
        except ConfigInvalid as exc:
            return self._import_page(request, ImportForm(), None, exc.problems, "")
        cache.delete(self._import_key(request, token))
        messages.success(
            request,
            _("Konfigurasi dari %(file)s diterapkan (%(count)s perubahan).")
            % {"file": name, "count": len(changes)},
        )
        return HttpResponseRedirect(reverse("admin:cityconfig_configrevision_changelist"))

    def _keep_import(self, request, token: str, text: str, name: str, proposal: Proposal) -> None:
        """The uploaded text waits server-side between the plan and the apply
        (an hour), so what is applied is exactly what was planned."""
        cache.set(self._import_key(request, token), (text, name, proposal.live_sha256), 3600)

    def _import_page(self, request, form, proposal, problems, token):
        context = self._context(
            request,
            _("Impor konfigurasi (YAML)"),
            form=form,
            proposal=proposal,
            changes=readable_changes([c.as_json() for c in proposal.changes]) if proposal else [],
            problems=problems,
            token=token,
        )
        return TemplateResponse(request, "onboarding/console/import.html", context)

    @staticmethod
    def _import_key(request, token: str) -> str:
        # The cache prefixes every key with the city's schema; the user keeps
        # one admin's pending import from being applied by another.
        return f"console-import:{request.user.pk}:{token}"

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise Http404
        if not request.user.has_perm("cityconfig.view_cityprofile"):
            messages.error(request, _("Anda tidak berwenang melihat konfigurasi kota."))
            return HttpResponseRedirect(reverse("admin:index"))
        slug = connection.tenant.slug
        response = HttpResponse(
            config_to_yaml(current_config(slug)), content_type="application/yaml; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{slug}.yaml"'
        return response


register_tool(
    Tool(
        "admin:cityconfig_configrevision_changelist",
        gettext_lazy("Riwayat perubahan"),
        gettext_lazy("Siapa mengubah apa dan kapan; kembalikan ke revisi mana pun."),
        "cityconfig.view_configrevision",
        order=80,
    )
)
register_tool(
    Tool(
        "admin:config_import",
        gettext_lazy("Impor konfigurasi (YAML)"),
        gettext_lazy("Unggah YAML, lihat rencana perubahannya, lalu terapkan."),
        APPLY_PERMISSION,
        order=85,
    )
)
register_tool(
    Tool(
        "admin:config_export",
        gettext_lazy("Unduh konfigurasi (YAML)"),
        gettext_lazy("Konfigurasi yang berlaku sekarang, sebagai berkas YAML."),
        "cityconfig.view_cityprofile",
        order=90,
    )
)


# --- The vendor console (public site): onboarding runs, the new-city wizard,
# a city's domains and first admin. tenants.admin owns the City page; this
# extends it with what needs the city config and its staff (which the public
# schema's app may not import).

from django.template.loader import render_to_string  # noqa: E402
from django.utils.html import format_html  # noqa: E402
from django.utils.safestring import mark_safe  # noqa: E402

from cityconfig.schema import INDONESIAN_TIME_ZONES  # noqa: E402
from kanal.errors import ServiceError  # noqa: E402
from onboarding import domains as city_domains  # noqa: E402
from onboarding.invites import city_base_url, invite_first_admin  # noqa: E402
from onboarding.models import OnboardingRun, RunStatus  # noqa: E402
from onboarding.runs import apply_recorded, record_plan  # noqa: E402
from onboarding.vendor import (  # noqa: E402
    DomainForm,
    Draft,
    InviteForm,
    ScaffoldForm,
    UploadForm,
    plan_new_city,
    scaffold_draft,
    scaffold_module,
    steps_of,
    upload_draft,
)
from tenants.admin import CityAdmin, PublicSchemaAdmin  # noqa: E402
from tenants.models import City  # noqa: E402

WIZARD_TTL = 3600


@admin.register(OnboardingRun)
class OnboardingRunAdmin(PublicSchemaAdmin):
    """Every plan and apply of a whole city config, read-only."""

    list_display = ("created_at", "city_slug", "source_kind", "status", "actor", "duration_ms")
    list_filter = ("status", "source_kind")
    search_fields = ("city_slug", "actor", "file_name", "region_code")
    fields = (
        "created_at",
        "actor",
        "source_kind",
        "file_name",
        "region_code",
        "template",
        "city_slug",
        "status",
        "creates_city",
        "duration_ms",
        "finished_at",
        "error_text",
        "plan_table",
        "yaml_block",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("galat"))
    def error_text(self, run: OnboardingRun) -> str:
        return format_html("<pre>{}</pre>", run.error) if run.error else "—"

    @admin.display(description=gettext_lazy("rencana"))
    def plan_table(self, run: OnboardingRun) -> str:
        html = render_to_string(
            "onboarding/console/_changes.html", {"changes": readable_changes(run.plan)}
        )
        return mark_safe(html)  # noqa: S308 (the template escapes every value)

    @admin.display(description=gettext_lazy("isi YAML"))
    def yaml_block(self, run: OnboardingRun) -> str:
        return (
            format_html('<pre class="vendor-yaml">{}</pre>', run.yaml_text)
            if run.yaml_text
            else "—"
        )


def time_zone_label(zone: str) -> str:
    """'WITA (Asia/Makassar)'."""
    short = INDONESIAN_TIME_ZONES.get(zone)
    return f"{short} ({zone})" if short else zone


class VendorCityAdmin(CityAdmin):
    """The City page with the wizard behind "Tambah kota", domains and the
    first Diskominfo admin's invitation."""

    change_form_template = "onboarding/vendor/city_change_form.html"
    fields = tuple("time_zone_shown" if f == "time_zone" else f for f in CityAdmin.fields)
    readonly_fields = fields

    @admin.display(description=gettext_lazy("zona waktu"))
    def time_zone_shown(self, city: City) -> str:
        return time_zone_label(city.time_zone)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("baru/", view(self.wizard_view), name="onboarding_new_city"),
            path(
                "baru/<int:run_id>/", view(self.wizard_result_view), name="onboarding_new_city_done"
            ),
            path("<int:pk>/domain/", view(self.domain_view), name="tenants_city_domains"),
            path("<int:pk>/undang/", view(self.invite_view), name="tenants_city_invite"),
            *super().get_urls(),
        ]

    # -- the City page ------------------------------------------------------
    def city_context(self, request, city: City) -> dict:
        context = super().city_context(request, city)
        base = city_base_url(city, scheme=request.scheme, port=request.get_port())
        context.update(
            domain_rows=city_domains.domain_statuses(city),
            domain_form=DomainForm(),
            invite_form=InviteForm(),
            citizen_url=f"{base}/",
            city_admin_url=f"{base}/admin/",
            time_zone=time_zone_label(city.time_zone),
        )
        return context

    def domain_view(self, request, pk: int):
        city = self._city_or_404(request, pk)
        if request.method != "POST":
            return self._back(city)
        actor = f"{request.user.get_username()} (vendor)"
        try:
            if "remove" in request.POST:
                host = request.POST.get("remove", "")
                city_domains.remove_domain(city, host, actor=actor)
                messages.success(request, _("Domain %(host)s dihapus.") % {"host": host})
            else:
                host = city_domains.add_domain(city, request.POST.get("domain", ""), actor=actor)
                messages.success(request, _("Domain %(host)s ditambahkan.") % {"host": host})
            self.log_change(request, city, f"domain: {host}")
        except ServiceError as exc:
            messages.error(request, exc.message)
        except ConfigInvalid as exc:
            messages.error(request, "; ".join(f"{p.path}: {p.message}" for p in exc.problems))
        return HttpResponseRedirect(
            reverse("admin:tenants_city_change", args=[city.pk]) + "#domain"
        )

    def invite_view(self, request, pk: int):
        city = self._city_or_404(request, pk)
        if request.method != "POST":
            return self._back(city)
        form = InviteForm(request.POST)
        anchor = reverse("admin:tenants_city_change", args=[city.pk]) + "#admin-kota"
        if not form.is_valid():
            for field, errors in form.errors.items():
                messages.error(request, f"{form.fields[field].label}: {' '.join(errors)}")
            return HttpResponseRedirect(anchor)
        data = form.cleaned_data
        try:
            username = invite_first_admin(
                city,
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                base_url=city_base_url(city, scheme=request.scheme, port=request.get_port()),
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(anchor)
        self.log_change(request, city, f"admin diundang: {username}")
        messages.success(
            request,
            _("Undangan dikirim ke %(email)s (nama pengguna %(user)s).")
            % {"email": data["email"], "user": username},
        )
        return HttpResponseRedirect(anchor)

    # -- the wizard ---------------------------------------------------------
    def _wizard_key(self, request, token: str) -> str:
        # Public-schema cache; the user keeps one vendor's plan from another's apply.
        return f"vendor-onboard:{request.user.pk}:{token}"

    def _wizard_page(self, request, **extra):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Tambah kota"),
            "scaffold_available": scaffold_module() is not None,
            **extra,
        }
        context.setdefault("scaffold_form", ScaffoldForm())
        context.setdefault("upload_form", UploadForm())
        return TemplateResponse(request, "onboarding/vendor/wizard.html", context)

    def wizard_view(self, request):
        if not self.has_add_permission(request):
            raise Http404
        if request.method == "POST" and "apply" in request.POST:
            return self._wizard_apply(request, request.POST.get("token", ""))
        if request.method != "POST":
            return self._wizard_page(request)
        scaffold_form = ScaffoldForm(
            request.POST if request.POST.get("source") == "scaffold" else None
        )
        upload_form = UploadForm(
            request.POST if request.POST.get("source") == "upload" else None,
            request.FILES if request.POST.get("source") == "upload" else None,
        )
        page = {"scaffold_form": scaffold_form, "upload_form": upload_form}
        draft = None
        try:
            if scaffold_form.is_bound and scaffold_form.is_valid():
                data = scaffold_form.cleaned_data
                draft = scaffold_draft(
                    data["code"],
                    slug=data["slug"],
                    template=data["template"],
                    center=data["center"],
                )
            elif upload_form.is_bound and upload_form.is_valid():
                draft = upload_draft(
                    upload_form.cleaned_data["text"], upload_form.cleaned_data["file"].name
                )
        except ServiceError as exc:
            form = scaffold_form if scaffold_form.is_bound else upload_form
            field = exc.field if exc.field in form.fields else None
            form.add_error(field, exc.message)
        except ConfigInvalid as exc:
            return self._wizard_page(request, problems=exc.problems, **page)
        if draft is None:
            return self._wizard_page(request, **page)
        return self._wizard_plan(request, draft)

    def _wizard_plan(self, request, draft: Draft, token: str = ""):
        try:
            config, plan = plan_new_city(draft)
        except ConfigInvalid as exc:
            return self._wizard_page(request, problems=exc.problems, draft=draft)
        run = record_plan(
            config,
            plan,
            actor=request.user.get_username(),
            kind=draft.kind,
            text=draft.text,
            file_name=draft.file_name,
            region_code=draft.region_code,
            template=draft.template,
        )
        token = token or secrets.token_hex(16)
        cache.set(
            self._wizard_key(request, token), {"draft": draft.as_dict(), "run": run.pk}, WIZARD_TTL
        )
        return self._wizard_page(
            request,
            draft=draft,
            config=config,
            plan=plan,
            changes=readable_changes([c.as_json() for c in plan.changes]),
            platform_host=city_domains.platform_domain(config.slug),
            token=token,
        )

    def _wizard_apply(self, request, token: str):
        stored = cache.get(self._wizard_key(request, token)) if token.isalnum() else None
        if stored is None:
            messages.error(request, _("Rencana ini sudah kedaluwarsa. Mulai lagi."))
            return HttpResponseRedirect(reverse("admin:onboarding_new_city"))
        draft = Draft(**stored["draft"])
        run = OnboardingRun.objects.filter(pk=stored["run"], status=RunStatus.PLANNED).first()
        if run is None:
            messages.warning(request, _("Rencana ini sudah diterapkan."))
            return HttpResponseRedirect(reverse("admin:tenants_city_changelist"))
        try:
            config, _plan = plan_new_city(draft)  # again: the world may have moved
            run, _plan = apply_recorded(
                config,
                actor=request.user.get_username(),
                source=_("konsol vendor: %(file)s") % {"file": draft.file_name},
                kind=draft.kind,
                run=run,
            )
        except ConfigInvalid as exc:
            if run.status == RunStatus.PLANNED:
                run.status, run.error = RunStatus.FAILED, "\n".join(p.message for p in exc.problems)
                run.save(update_fields=["status", "error"])
            return self._wizard_page(request, problems=exc.problems, draft=draft)
        except Exception:
            messages.error(
                request,
                _(
                    "Penerapan gagal dan dibatalkan seluruhnya; tidak ada yang dibuat. "
                    "Rinciannya di Proses onboarding #%(id)s."
                )
                % {"id": run.pk},
            )
            return HttpResponseRedirect(
                reverse("admin:onboarding_onboardingrun_change", args=[run.pk])
            )
        finally:
            connection.set_schema_to_public()
        cache.delete(self._wizard_key(request, token))
        return HttpResponseRedirect(reverse("admin:onboarding_new_city_done", args=[run.pk]))

    def wizard_result_view(self, request, run_id: int):
        if not self.has_add_permission(request):
            raise Http404
        run = get_object_or_404(OnboardingRun, pk=run_id)
        city = City.objects.filter(slug=run.city_slug).first()
        extra = {}
        if city is not None:
            base = city_base_url(city, scheme=request.scheme, port=request.get_port())
            extra = {"citizen_url": f"{base}/", "city_admin_url": f"{base}/admin/"}
        return self._wizard_page(
            request, run=run, city=city, steps=steps_of(run), title=_("Kota dibuat"), **extra
        )


admin.site.unregister(City)
admin.site.register(City, VendorCityAdmin)
