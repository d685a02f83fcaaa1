"""Areas and the OPD tree: the tree shown as a tree, moves that cannot make a
cycle, and retirement that says what it would leave behind."""

from __future__ import annotations

import re

from django import forms
from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from cityconfig.admin.base import RecordedAdmin
from cityconfig.admin.catalogue import CodeField
from cityconfig.admin_forms import ConfigCheckedForm
from cityconfig.catalogue import ancestors, move_makes_cycle, opd_retirement, opd_tree
from cityconfig.models import Area, Opd
from cityconfig.schema import OPD_KINDS
from routing.explain import describe_rule


@admin.register(Area)
class AreaAdmin(RecordedAdmin):
    list_display = ("code", "name", "level", "parent", "active")
    list_filter = ("level", "active")
    search_fields = ("code", "name")
    list_select_related = ("parent",)


class OpdForm(ConfigCheckedForm):
    code = CodeField(label=_("kode"))
    kind = forms.ChoiceField(
        label=_("jenis"), choices=[(k, k.replace("_", " ")) for k in OPD_KINDS]
    )
    confirm_retire = forms.BooleanField(
        label=_("Ya, nonaktifkan meskipun masih ada laporan aktif"), required=False
    )

    class Meta:
        model = Opd
        fields = (
            "code",
            "name",
            "short_name",
            "kind",
            "parent",
            "responder",
            "head",
            "phone",
            "email",
            "active",
            "position",
        )
        help_texts = {"phone": _("Misalnya 0370 123456 atau +62 812 3456 7890.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parents = Opd.objects.active()
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents
        self.fields["parent"].help_text = _(
            "Pindahkan OPD dengan memilih induk lain. Kosong: OPD tingkat teratas."
        )
        self.was_active = bool(self.instance.pk and self.instance.active)

    def clean_phone(self):
        phone = " ".join(self.cleaned_data.get("phone", "").split())
        if phone and not re.fullmatch(r"\+?[0-9][0-9 ()-]{4,38}", phone):
            raise forms.ValidationError(
                gettext("Nomor telepon hanya angka, spasi, tanda hubung dan + di depan.")
            )
        return phone

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        if move_makes_cycle(self.instance, parent):
            path = " → ".join(o.name for o in reversed(ancestors(parent)))
            raise forms.ValidationError(
                gettext(
                    "%(opd)s tidak dapat dipindah ke bawah %(parent)s, karena %(parent)s "
                    "berada di bawah %(opd)s (%(path)s). Pohon OPD tidak boleh berputar."
                )
                % {"opd": self.instance.name, "parent": parent.name, "path": path}
            )
        return parent

    def clean(self):
        cleaned = super().clean()
        if self.was_active and cleaned.get("active") is False:
            self.check_retirement(cleaned)
        return cleaned

    def check_retirement(self, cleaned: dict) -> None:
        impact = opd_retirement(self.instance)
        if impact.is_default:
            self.add_error(
                "active",
                gettext(
                    "Ini OPD bawaan kota (penerima laporan tanpa aturan): "
                    "ganti dulu di profil kota."
                ),
            )
        if impact.rules:
            rules = "; ".join(describe_rule(r) for r in impact.rules[:5])
            self.add_error(
                "active",
                ngettext(
                    "Masih ada %(count)d aturan disposisi yang mengirim ke OPD ini: %(rules)s. "
                    "Ubah aturan itu dulu.",
                    "Masih ada %(count)d aturan disposisi yang mengirim ke OPD ini: %(rules)s. "
                    "Ubah aturan itu dulu.",
                    len(impact.rules),
                )
                % {"count": len(impact.rules), "rules": rules},
            )
        if impact.children:
            names = ", ".join(o.name for o in impact.children[:5])
            self.add_error(
                "active",
                ngettext(
                    "Masih ada %(count)d OPD di bawahnya (%(names)s): pindahkan dulu.",
                    "Masih ada %(count)d OPD di bawahnya (%(names)s): pindahkan dulu.",
                    len(impact.children),
                )
                % {"count": len(impact.children), "names": names},
            )
        if impact.open_reports and not cleaned.get("confirm_retire"):
            self.add_error(
                "confirm_retire",
                ngettext(
                    "OPD ini masih memegang %(count)d laporan aktif. Laporan itu tetap padanya "
                    "sampai dialihkan. Centang untuk menonaktifkan.",
                    "OPD ini masih memegang %(count)d laporan aktif. Laporan itu tetap padanya "
                    "sampai dialihkan. Centang untuk menonaktifkan.",
                    impact.open_reports,
                )
                % {"count": impact.open_reports},
            )


@admin.register(Opd)
class OpdAdmin(RecordedAdmin):
    form = OpdForm
    list_display = ("code", "name", "kind", "parent", "responder", "generated", "active")
    list_filter = ("kind", "responder", "generated", "active")
    search_fields = ("code", "name", "short_name")
    list_select_related = ("parent",)

    def get_fields(self, request, obj=None):
        fields = ["code", "name", "short_name", "kind", "parent", "responder"]
        if obj is None or not obj.generated:  # offices made from areas are not in the YAML
            fields += ["head", "phone", "email"]
        fields.append("active")
        if obj is not None and request.method == "POST":  # shown with its warning only
            fields.append("confirm_retire")
        return [*fields, "position"]

    def changelist_view(self, request, extra_context=None):
        """The plain list is the tree; filters and search give the table."""
        if request.method == "GET" and not request.GET:
            return self.tree_view(request)
        return super().changelist_view(request, extra_context)

    def tree_view(self, request):
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Pohon OPD"),
            "opts": self.model._meta,
            "roots": opd_tree(active=True),
            "retired": opd_tree(active=False),
            "has_add_permission": self.has_add_permission(request),
            "cl_url": request.path,
        }
        return TemplateResponse(request, "cityconfig/console/opd_tree.html", context)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms, protected = super().get_deleted_objects(objs, request)
        if protected or perms:
            perms, protected = (
                set(),
                [
                    gettext(
                        "%(name)s sudah dipakai laporan, aturan atau OPD lain dan tidak dapat "
                        "dihapus. Nonaktifkan saja (hapus centang “aktif”)."
                    )
                    % {"name": opd.name}
                    for opd in objs
                ],
            )
        return deleted, counts, perms, protected
