"""Categories and their groups: both languages, photo rule in words, the
category's own SLA target, and a warning before retiring one with open reports."""

from __future__ import annotations

import re

from django import forms
from django.contrib import admin
from django.db import connection, transaction
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from cityconfig.admin.base import RecordedAdmin
from cityconfig.admin_forms import ConfigCheckedForm
from cityconfig.catalogue import (
    category_rule_count,
    category_sla,
    open_reports_in_category,
    reports_in_category,
    restore_category_routing,
    retire_category_rules,
    set_category_sla,
)
from cityconfig.durations import HumanDurationField
from cityconfig.models import Category, CategoryGroup, Clock

CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
PHOTO_CHOICES = (
    ("", _("Ikuti kebijakan verifikasi kota")),
    ("yes", _("Ya, laporan wajib berfoto")),
    ("no", _("Tidak, foto boleh tidak ada")),
)


class CodeField(forms.CharField):
    """A code as people type it: "Jalan Rusak " becomes ``jalan-rusak``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 63)
        kwargs.setdefault(
            "help_text",
            _("Huruf kecil, angka dan tanda hubung, misalnya jalan-rusak. Dipakai di YAML."),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        value = re.sub(r"[\s_]+", "-", value.strip().lower())
        if not CODE_RE.match(value):
            raise forms.ValidationError(
                gettext(
                    "Kode hanya boleh berisi huruf kecil a–z, angka dan tanda hubung (-), "
                    "diawali huruf atau angka, misalnya jalan-rusak."
                ),
                code="bad_code",
            )
        return value


class BothLanguagesMixin:
    """Both names are required by the model; a description in one language
    needs the other (the citizen app shows the one the reader chose)."""

    def check_pair(self, cleaned: dict, prefix: str) -> None:
        id_text = (cleaned.get(f"{prefix}_id") or "").strip()
        en_text = (cleaned.get(f"{prefix}_en") or "").strip()
        if id_text and not en_text:
            self.add_error(
                f"{prefix}_en",
                gettext("Tulis juga keterangan dalam bahasa Inggris, atau kosongkan keduanya."),
            )
        elif en_text and not id_text:
            self.add_error(
                f"{prefix}_id",
                gettext("Tulis juga keterangan dalam bahasa Indonesia, atau kosongkan keduanya."),
            )


class CategoryGroupForm(ConfigCheckedForm):
    code = CodeField(label=_("kode"))

    class Meta:
        model = CategoryGroup
        fields = ("code", "name_id", "name_en", "active", "position")


class CategoryForm(BothLanguagesMixin, ConfigCheckedForm):
    code = CodeField(label=_("kode"))
    photo = forms.ChoiceField(
        label=_("wajib foto"), choices=PHOTO_CHOICES, required=False, widget=forms.RadioSelect
    )
    sla_response = HumanDurationField(label=_("target respons khusus"), required=False)
    sla_resolution = HumanDurationField(label=_("target penyelesaian khusus"), required=False)
    sla_clock = forms.ChoiceField(
        label=_("dihitung dalam"), choices=Clock.choices, initial=Clock.WORKING
    )
    confirm_retire = forms.BooleanField(
        label=_("Ya, nonaktifkan meskipun masih ada laporan aktif"), required=False
    )

    class Meta:
        model = Category
        fields = (
            "code",
            "group",
            "name_id",
            "name_en",
            "description_id",
            "description_en",
            "emergency",
            "active",
            "position",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = CategoryGroup.objects.active()
        instance = self.instance
        photo = {None: "", True: "yes", False: "no"}[instance.photo_required]
        self.initial.setdefault("photo", photo)
        rule = category_sla(instance)
        if rule is not None:
            self.initial.setdefault("sla_response", rule.response)
            self.initial.setdefault("sla_resolution", rule.resolution)
            self.initial.setdefault("sla_clock", rule.clock)
        self.fields["sla_response"].help_text = _(
            "Kosong: ikuti target SLA bawaan kota. Contoh: “2 jam”, “1 hari kerja”, “6h”."
        )
        self.was_active = bool(instance.pk and instance.active)
        self.open_reports = 0

    def clean(self):
        cleaned = super().clean()
        self.check_pair(cleaned, "description")
        response, resolution = cleaned.get("sla_response"), cleaned.get("sla_resolution")
        if bool(response) != bool(resolution) and not (
            self.has_error("sla_response") or self.has_error("sla_resolution")
        ):
            missing = "sla_resolution" if response else "sla_response"
            self.add_error(
                missing, gettext("Isi target respons dan penyelesaian, atau kosongkan keduanya.")
            )
        named = self.fields["sla_response"].named_clock or self.fields["sla_resolution"].named_clock
        if named:  # "3 hari kerja" says which clock
            cleaned["sla_clock"] = named
        self.retiring = self.was_active and cleaned.get("active") is False
        if self.retiring:
            self.open_reports = open_reports_in_category(self.instance)
            rules = category_rule_count(self.instance)
            if (self.open_reports or rules) and not cleaned.get("confirm_retire"):
                self.add_error(
                    "confirm_retire",
                    self.retire_warning(self.open_reports, rules),
                )
        return cleaned

    @staticmethod
    def retire_warning(open_reports: int, rules: int) -> str:
        parts = []
        if open_reports:
            parts.append(
                ngettext(
                    "Kategori ini masih dipakai %(count)d laporan aktif. Laporan itu tetap "
                    "berjalan, tetapi warga tidak dapat memilih kategori ini lagi.",
                    "Kategori ini masih dipakai %(count)d laporan aktif. Laporan itu tetap "
                    "berjalan, tetapi warga tidak dapat memilih kategori ini lagi.",
                    open_reports,
                )
                % {"count": open_reports}
            )
        if rules:
            parts.append(
                ngettext(
                    "%(count)d aturan disposisi/SLA kategori ini ikut dinonaktifkan.",
                    "%(count)d aturan disposisi/SLA kategori ini ikut dinonaktifkan.",
                    rules,
                )
                % {"count": rules}
            )
        parts.append(gettext("Centang untuk menonaktifkan."))
        return " ".join(parts)

    def _post_clean(self):
        if "photo" in self.cleaned_data:
            self.instance.photo_required = {"": None, "yes": True, "no": False}[
                self.cleaned_data["photo"]
            ]
        if getattr(self, "retiring", False) and not self.errors:
            self._check_retirement_with_rules()
            return
        super()._post_clean()

    def _check_retirement_with_rules(self) -> None:
        """ConfigCheckedForm's check, with the category's rules retired too (as
        saving will do): otherwise they would dangle and the check would refuse."""
        from cityconfig.export import current_config_data
        from cityconfig.validation import ConfigInvalid, validate_config_data

        forms.ModelForm._post_clean(self)
        if self.errors:
            return
        slug = connection.tenant.slug
        sid = transaction.savepoint()
        try:
            self.instance.save()
            retire_category_rules(self.instance)
            validate_config_data(current_config_data(slug), expected_slug=slug)
        except ConfigInvalid as exc:
            for problem in exc.problems:
                self.add_error(None, f"{problem.path}: {problem.message}")
        finally:
            transaction.savepoint_rollback(sid)

    def save_sla(self, category: Category) -> None:
        data = self.cleaned_data
        set_category_sla(
            category, data.get("sla_response"), data.get("sla_resolution"), data["sla_clock"]
        )


@admin.register(CategoryGroup)
class CategoryGroupAdmin(RecordedAdmin):
    form = CategoryGroupForm
    list_display = ("code", "name_id", "name_en", "active", "position")
    list_filter = ("active",)
    search_fields = ("code", "name_id", "name_en")


@admin.register(Category)
class CategoryAdmin(RecordedAdmin):
    form = CategoryForm
    list_display = ("name_id", "name_en", "code", "group", "photo_in_words", "emergency", "active")
    list_filter = ("active", "group", "emergency")
    search_fields = ("code", "name_id", "name_en")
    list_select_related = ("group",)

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (None, {"fields": ("code", "group", "name_id", "name_en")}),
            (_("Keterangan untuk warga"), {"fields": ("description_id", "description_en")}),
            (_("Aturan"), {"fields": ("photo", "emergency")}),
            (
                _("Target SLA khusus kategori ini"),
                {"fields": ("sla_response", "sla_resolution", "sla_clock")},
            ),
            (_("Status"), {"fields": ("active", "position")}),
        ]
        if obj is not None and request.method == "POST":  # shown with its warning only
            fieldsets[-1][1]["fields"] = ("active", "confirm_retire", "position")
        return fieldsets

    @admin.display(description=_("wajib foto"))
    def photo_in_words(self, category: Category) -> str:
        return str(
            dict(PHOTO_CHOICES)[{None: "", True: "yes", False: "no"}[category.photo_required]]
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.active and change and "active" in form.changed_data:
            restore_category_routing(obj)
        if obj.active:
            form.save_sla(obj)
        else:
            retire_category_rules(obj)

    def get_deleted_objects(self, objs, request):
        """Deleting a category with reports is refused in words: retire it instead."""
        deleted, counts, perms, protected = super().get_deleted_objects(objs, request)
        refusals = []
        for category in objs:
            count = reports_in_category(category)
            if count:
                refusals.append(
                    ngettext(
                        "%(name)s sudah dipakai %(count)d laporan dan tidak dapat dihapus. "
                        "Nonaktifkan saja (hapus centang “aktif”).",
                        "%(name)s sudah dipakai %(count)d laporan dan tidak dapat dihapus. "
                        "Nonaktifkan saja (hapus centang “aktif”).",
                        count,
                    )
                    % {"name": category.name, "count": count}
                )
        if refusals:
            protected, perms = refusals, set()
        return deleted, counts, perms, protected
