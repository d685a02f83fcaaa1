"""The vendor console's "new city" wizard: a config from a Kemendagri code
(scaffold, with a template) or an uploaded YAML, planned, then applied and
recorded (``onboarding.runs``). Forms and services; the screens are in
``onboarding.admin``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cityconfig.schema import CityConfig
from cityconfig.validation import ConfigInvalid, Problem
from kanal.errors import InvalidInput
from onboarding import catalogue, scaffold
from onboarding.console import MAX_IMPORT_BYTES
from onboarding.loading import parse_config
from onboarding.models import OnboardingRun, RunSource
from onboarding.services import Plan, plan_config, platform_domain
from tenants.models import City, Domain


def scaffold_module():
    """The scaffold (always present now; the wizard's tests still ask)."""
    return scaffold


def list_templates() -> list[tuple[str, str]]:
    return catalogue.list_templates()


def template_choices() -> list[tuple[str, str]]:
    return [("", _("Bawaan untuk kota/kabupaten")), *list_templates()]


def parse_center(raw: str) -> tuple[float, float] | None:
    """'-8.58, 116.10' → (lat, lon) inside Indonesia; '' → None (the scaffold's
    own reading, so the wizard and ``manage.py scaffold_city`` agree)."""
    if not (raw or "").strip():
        return None
    return scaffold.parse_center(raw)


@dataclass(frozen=True)
class Draft:
    """A config text waiting to be planned and applied, and where it came from."""

    text: str
    file_name: str
    kind: str
    region_code: str = ""
    template: str = ""
    region_name: str = ""

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def scaffold_draft(code: str, *, slug: str = "", template: str = "", center: str = "") -> Draft:
    """A config scaffolded from the Kemendagri ``code``. Raises InvalidInput
    with the field at fault (``code``, ``slug``, ``center``, ``template``)."""
    code = (code or "").strip()
    if not code:
        raise InvalidInput(
            field="code", message=gettext_lazy("Isi kode wilayah Kemendagri, mis. 52.01.")
        )
    point = parse_center(center)
    known = {c for c, _label in list_templates()}
    if template and template not in known:
        raise InvalidInput(field="template", message=gettext_lazy("Templat tidak dikenal."))
    result = scaffold.scaffold_city(
        code, slug=(slug or "").strip().lower() or None, template=template or None, center=point
    )
    return Draft(
        text=result.text,
        file_name=f"{result.slug}.yaml",
        kind=RunSource.TEMPLATE if template else RunSource.SCAFFOLD,
        region_code=code,
        template=template,
        region_name=result.region_name,
    )


def upload_draft(text: str, file_name: str) -> Draft:
    if len(text.encode("utf-8")) > MAX_IMPORT_BYTES:
        raise ConfigInvalid([Problem("", _("Berkas terlalu besar (maksimum 2 MB)."), file_name)])
    return Draft(text=text, file_name=file_name, kind=RunSource.UPLOAD)


def plan_new_city(draft: Draft) -> tuple[CityConfig, Plan]:
    """Check the draft (problems with their paths and lines) and plan it. Only a
    *new* city: an existing one changes through its own console, never by a
    file that might reset what its Diskominfo set up."""
    config = parse_config(draft.text, file=draft.file_name)
    if City.objects.filter(slug=config.slug).exists():
        raise ConfigInvalid(
            [
                Problem(
                    "slug",
                    _(
                        "Kota dengan slug '%(slug)s' sudah ada. Ubah konfigurasinya dari konsol "
                        "kota itu, atau pilih slug lain."
                    )
                    % {"slug": config.slug},
                    draft.file_name,
                )
            ]
        )
    host = platform_domain(config.slug)
    if Domain.objects.filter(domain=host).exists():
        raise ConfigInvalid([Problem("slug", _("Host %(host)s sudah dipakai.") % {"host": host})])
    plan = plan_config(config)
    connection.set_schema_to_public()
    return config, plan


@dataclass(frozen=True)
class Step:
    label: str
    done: bool
    detail: str = ""


def steps_of(run: OnboardingRun) -> list[Step]:
    """What an applied run made, checked against the database (not assumed)."""
    city = City.objects.filter(slug=run.city_slug).first()
    schema_exists = False
    if city is not None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM information_schema.schemata WHERE schema_name = %s",
                [city.schema_name],
            )
            schema_exists = cursor.fetchone() is not None
    domains = list(city.domains.values_list("domain", flat=True)) if city else []
    return [
        Step(_("Kota dibuat"), city is not None, city.name if city else ""),
        Step(_("Skema database dibuat"), schema_exists, city.schema_name if city else ""),
        Step(
            _("Konfigurasi diterapkan"),
            run.status == "applied",
            _("%(count)s perubahan") % {"count": len(run.plan)},
        ),
        Step(_("Domain terdaftar"), bool(domains), ", ".join(domains)),
    ]


class ScaffoldForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Kode wilayah Kemendagri"),
        max_length=20,
        help_text=gettext_lazy("Kode kota/kabupaten, mis. 52.01 (Kabupaten Lombok Barat)."),
        widget=forms.TextInput(attrs={"placeholder": "52.01", "autocomplete": "off"}),
    )
    slug = forms.CharField(
        label=gettext_lazy("Slug (opsional)"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("Bagian pertama alamatnya; kosong = dibuat dari nama wilayah."),
    )
    template = forms.ChoiceField(label=gettext_lazy("Templat"), required=False, choices=())
    center = forms.CharField(
        label=gettext_lazy("Titik tengah (opsional)"),
        max_length=60,
        required=False,
        help_text=gettext_lazy('"lintang, bujur", mis. -8.58, 116.10.'),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="s", **kwargs)
        self.fields["template"].choices = template_choices()


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Berkas YAML"),
        help_text=gettext_lazy("tenant_configs/<slug>.yaml, maksimum 2 MB."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="u", **kwargs)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("Berkas terlalu besar (maksimum 2 MB)."))
        try:
            self.cleaned_data["text"] = upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("Berkas ini bukan teks UTF-8 (YAML).")) from None
        return upload


class DomainForm(forms.Form):
    domain = forms.CharField(label=gettext_lazy("Domain baru"), max_length=253)


class InviteForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Nama"), max_length=150)
    email = forms.EmailField(label=gettext_lazy("E-mail"), max_length=254)
    phone = forms.CharField(label=gettext_lazy("Telepon (opsional)"), max_length=40, required=False)
