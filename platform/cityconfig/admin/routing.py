"""Routing rules in words (category × area → OPD) and the "where would this
report go?" tester, which asks the real routing code (``routing.explain``)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cityconfig.admin.base import RecordedAdmin
from cityconfig.admin_forms import ConfigCheckedForm
from cityconfig.models import Area, Category, CityProfile, Opd, RoutingRule
from kanal.console import Tool, register_tool
from kanal.errors import InvalidInput
from routing.explain import TOKEN_LABELS, describe_rule, explain_route
from routing.services import check_coordinates

TARGET_OPD = "opd"


def target_choices() -> list[tuple[str, str]]:
    return [(TARGET_OPD, _("OPD tertentu")), *TOKEN_LABELS.items()]


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        return f"{obj} ({obj.code})"


class RoutingRuleForm(ConfigCheckedForm):
    """The target as a choice in words: one OPD, or the territorial office of
    the report's own area (stored as ``opd_token``)."""

    target = forms.ChoiceField(
        label=_("dikirim ke"),
        choices=target_choices,
        widget=forms.RadioSelect,
        initial=TARGET_OPD,
        help_text=_(
            "Kantor wilayah laporan: kantor kelurahan/kecamatan tempat laporan berada, "
            "dicari dari wilayah laporan."
        ),
    )

    class Meta:
        model = RoutingRule
        fields = ("category", "area", "target", "opd", "forward_to", "active", "position")
        labels = {
            "category": _("kategori"),
            "area": _("wilayah"),
            "opd": _("OPD tujuan"),
            "forward_to": _("teruskan ke"),
        }
        help_texts = {
            "area": _("Kosong: seluruh kota. Aturan untuk wilayah berlaku juga di dalamnya."),
            "opd": _("Hanya bila dikirim ke OPD tertentu."),
            "forward_to": _("Opsional: ke mana penerima pertama meneruskan laporan."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.opd_token:
            self.initial["target"] = self.instance.opd_token
        # Only the territorial offices this city has (Mataram: kecamatan, kelurahan).
        levels = set(CityProfile.load().territorial_opds.get("levels", []))
        self.fields["target"].choices = [
            (value, label)
            for value, label in target_choices()
            if value == TARGET_OPD or value[1:] in levels or value == self.initial.get("target")
        ]
        self.fields["category"].queryset = Category.objects.active()
        self.fields["area"].queryset = Area.objects.active()
        self.fields["opd"].queryset = Opd.objects.active()
        self.fields["forward_to"].queryset = Opd.objects.active()

    def clean(self):
        cleaned = super().clean()
        target = cleaned.get("target")
        if target == TARGET_OPD:
            if not cleaned.get("opd"):
                self.add_error("opd", gettext("Pilih OPD tujuan."))
        elif target:
            cleaned["opd"] = None
        return cleaned

    def _post_clean(self):
        target = self.cleaned_data.get("target")
        if target:
            self.instance.opd_token = "" if target == TARGET_OPD else target
        super()._post_clean()


@admin.register(RoutingRule)
class RoutingRuleAdmin(RecordedAdmin):
    form = RoutingRuleForm
    list_display = ("rule_in_words", "active")
    list_display_links = ("rule_in_words",)
    list_filter = ("active", "category")
    search_fields = ("category__name_id", "category__name_en", "area__name", "opd__name")
    list_select_related = ("category", "area", "opd", "forward_to")

    @admin.display(description=_("aturan"))
    def rule_in_words(self, rule: RoutingRule) -> str:
        return describe_rule(rule)

    def get_urls(self):
        return [
            path(
                "tester/",
                self.admin_site.admin_view(self.tester_view),
                name="cityconfig_routingrule_tester",
            ),
            *super().get_urls(),
        ]

    def tester_view(self, request):
        """Where would a report of this category, here, go? Reads only."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = RouteTesterForm(request.GET or None)
        answer = None
        if request.GET and form.is_valid():
            data = form.cleaned_data
            answer = explain_route(
                data["category"], data.get("area"), data.get("latitude"), data.get("longitude")
            )
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Ke mana laporan ini dikirim?"),
            "form": form,
            "answer": answer,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "cityconfig/console/routing_tester.html", context)


class RouteTesterForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("kategori"), queryset=Category.objects.none(), empty_label=_("— pilih —")
    )
    area = AreaChoiceField(
        label=_("wilayah"),
        queryset=Area.objects.none(),
        required=False,
        empty_label=_("— tidak diketahui —"),
    )
    latitude = forms.FloatField(label=_("lintang (latitude)"), required=False)
    longitude = forms.FloatField(label=_("bujur (longitude)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.active()
        self.fields["area"].queryset = Area.objects.active().order_by("code")

    def clean(self):
        cleaned = super().clean()
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        if (latitude is None) != (longitude is None) and not self.errors:
            missing = "longitude" if longitude is None else "latitude"
            self.add_error(missing, gettext("Isi lintang dan bujur, atau kosongkan keduanya."))
        for name in ("latitude", "longitude"):
            try:
                if cleaned.get(name) is not None:
                    check_coordinates(
                        cleaned.get("latitude") or 0.0, cleaned.get("longitude") or 0.0
                    )
            except InvalidInput as exc:
                self.add_error(exc.field if exc.field in self.fields else name, str(exc.message))
                break
        return cleaned


register_tool(
    Tool(
        url_name="admin:cityconfig_routingrule_tester",
        label=_("Ke mana laporan ini dikirim?"),
        help=_("Pilih kategori dan wilayah atau titik: lihat OPD tujuan dan aturan yang berlaku."),
        permission="cityconfig.view_routingrule",
        order=40,
    )
)
