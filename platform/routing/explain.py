"""Routing in words: what a rule says, and where a report would go and why.

The console's "where would this report go?" tester and the routing rule list
read from here. The answer comes from :func:`routing.services.route` itself,
with the report's area found as intake finds it (the polygon holding the point,
else the area chosen), so the tester can never disagree with real intake.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cityconfig.models import Area, Category, CityProfile, Opd, RoutingRule
from routing.services import RouteDecision, area_chain, locate_area, route

# What a territorial token means, for people (never "Opd token").
TOKEN_LABELS = {
    "@kelurahan": gettext_lazy("kantor wilayah laporan (kelurahan/desa)"),
    "@desa": gettext_lazy("kantor wilayah laporan (desa)"),
    "@kecamatan": gettext_lazy("kantor wilayah laporan (kecamatan)"),
    "@kota_administrasi": gettext_lazy("kantor wilayah laporan (kota administrasi)"),
    "@kabupaten_administrasi": gettext_lazy("kantor wilayah laporan (kabupaten administrasi)"),
}


def opd_label(opd: Opd | None) -> str:
    if opd is None:
        return _("(tidak ada OPD)")
    return opd.name


def where_label(area: Area | None) -> str:
    return str(area) if area is not None else _("seluruh kota")


def target_label(rule: RoutingRule) -> str:
    """The rule's target in words: an OPD's name or the report's territorial office."""
    if rule.opd_id:
        return opd_label(rule.opd)
    return str(TOKEN_LABELS.get(rule.opd_token, rule.opd_token))


def with_forward(sentence: str, forward_to: Opd | None) -> str:
    if forward_to is None:
        return sentence
    return _("%(sentence)s, teruskan ke %(forward)s") % {
        "sentence": sentence,
        "forward": opd_label(forward_to),
    }


def describe_rule(rule: RoutingRule, *, target: Opd | None = None) -> str:
    """``Sampah di seluruh kota → kantor wilayah laporan (kelurahan), teruskan ke
    Bidang Persampahan``; with ``target`` (the office a report reached) named instead."""
    sentence = _("%(category)s di %(where)s → %(target)s") % {
        "category": rule.category.name,
        "where": where_label(rule.area),
        "target": opd_label(target) if target is not None else target_label(rule),
    }
    return with_forward(sentence, rule.forward_to)


@dataclass(frozen=True)
class RouteExplanation:
    """Where a report of ``category`` in ``area`` goes, and why, in words."""

    category: Category
    area: Area | None
    area_from_point: bool
    decision: RouteDecision
    sentence: str  # the matched rule, or the fallback
    why: str  # why this rule (or none) applied
    passed_over: list[str]  # more specific rules whose office does not exist or is retired


def report_area(
    chosen: Area | None, latitude: float | None, longitude: float | None
) -> tuple[Area | None, bool]:
    """The area intake would give the report: the polygon holding the point,
    else the area the reporter chose. Returns (area, found_from_point)."""
    if latitude is not None and longitude is not None:
        found = locate_area(latitude, longitude)
        if found is not None:
            return found, True
    return chosen, False


def explain_route(
    category: Category,
    area: Area | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
) -> RouteExplanation:
    """Run the real routing for a category and an area or point and explain it."""
    area, from_point = report_area(area, latitude, longitude)
    decision = route(category, area)
    chain_ids = {a.pk for a in area_chain(area)}
    candidates = [
        r
        for r in RoutingRule.objects.active()
        .filter(category=category)
        .select_related("category", "area", "opd", "forward_to")
        if r.area_id is None or r.area_id in chain_ids
    ]
    passed_over = []
    if decision.rule is not None:
        sentence = describe_rule(decision.rule, target=decision.opd)
        if decision.rule.area_id is None:
            why = _("Tidak ada aturan khusus untuk wilayah ini, jadi aturan seluruh kota berlaku.")
        else:
            why = _(
                "Aturan untuk %(where)s berlaku: aturan untuk wilayah yang lebih kecil "
                "menang atas aturan yang lebih luas."
            ) % {"where": where_label(decision.rule.area)}
        chosen_depth = _depth(decision.rule, area)
        others = [r for r in candidates if r.pk != decision.rule.pk]
        passed_over = [describe_rule(r) for r in others if _depth(r, area) < chosen_depth]
    else:
        profile = CityProfile.load()
        sentence = _("Tidak ada aturan yang cocok → OPD bawaan kota: %(opd)s") % {
            "opd": opd_label(profile.default_opd)
        }
        if candidates and area is None:
            why = _(
                "Wilayah laporan tidak diketahui dan aturan kategori ini bergantung pada "
                "wilayah: laporan masuk triase operator (wilayah belum diketahui), yang "
                "menentukan wilayahnya lalu laporan didisposisikan ulang. Tanpa itu: OPD "
                "bawaan kota."
            )
            passed_over = [describe_rule(r) for r in candidates]
        elif candidates:
            why = _(
                "Ada aturan untuk kategori ini, tetapi kantor wilayahnya tidak ditemukan "
                "(wilayah laporan belum diketahui atau kantornya nonaktif), jadi laporan "
                "masuk ke OPD bawaan kota."
            )
            passed_over = [describe_rule(r) for r in candidates]
        else:
            why = _(
                "Belum ada aturan disposisi untuk kategori ini di wilayah ini, jadi laporan "
                "masuk ke OPD bawaan kota untuk ditriase."
            )
    return RouteExplanation(category, area, from_point, decision, sentence, why, passed_over)


def _depth(rule: RoutingRule, area: Area | None) -> int:
    """How far inside the report's area chain a rule's area sits (0 = innermost)."""
    chain = [a.pk for a in area_chain(area)]
    return chain.index(rule.area_id) if rule.area_id in chain else len(chain)
