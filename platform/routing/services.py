"""Choosing the responsible OPD for a report from the city's routing rules.

A rule matches a category and, optionally, an area together with everything
inside it; the most specific match wins (a kelurahan rule beats a kecamatan
rule beats a city-wide rule), and the city's default OPD catches the rest.
``@kelurahan``/``@kecamatan``/``@kota_administrasi`` rules send the report to
the territorial office of the report's own area (Mataram's Lurah and Camat,
Jakarta's kelurahan that checks first and forwards to the dinas).
"""

from __future__ import annotations

from dataclasses import dataclass

from shapely.geometry import Point

from cityconfig.models import Area, CityProfile, Opd, RoutingRule
from verification.geometry import prepared_polygon

# "@kota_administrasi" also finds Kepulauan Seribu, a kabupaten administrasi.
TOKEN_LEVELS = {
    "@kelurahan": ("kelurahan",),
    "@kecamatan": ("kecamatan",),
    "@kota_administrasi": ("kota_administrasi", "kabupaten_administrasi"),
    "@kabupaten_administrasi": ("kabupaten_administrasi",),
}


@dataclass(frozen=True)
class RouteDecision:
    opd: Opd
    forward_to: Opd | None
    rule: RoutingRule | None
    reason: str


def area_chain(area: Area | None) -> list[Area]:
    """The area and its ancestors, innermost first."""
    chain = []
    while area is not None:
        chain.append(area)
        area = area.parent
    return chain


def territorial_office(area: Area | None, token: str) -> Opd | None:
    levels = TOKEN_LEVELS.get(token, ())
    for candidate in area_chain(area):
        if candidate.level in levels:
            return Opd.objects.active().filter(area=candidate, generated=True).first()
    return None


def route(category, area: Area | None) -> RouteDecision:
    chain = area_chain(area)
    depth = {a.pk: i for i, a in enumerate(chain)}
    rules = [
        rule
        for rule in RoutingRule.objects.active()
        .filter(category=category)
        .select_related("opd", "forward_to", "area")
        if rule.area_id is None or rule.area_id in depth
    ]
    # Innermost area first; the city-wide rule (no area) last.
    rules.sort(key=lambda r: depth.get(r.area_id, len(chain)))
    for rule in rules:
        opd = rule.opd if rule.opd_id else territorial_office(area, rule.opd_token)
        if opd is not None and opd.active:
            where = rule.area.name if rule.area else "seluruh kota"
            return RouteDecision(opd, rule.forward_to, rule, f"aturan {category.code} @ {where}")
    profile = CityProfile.load()
    return RouteDecision(profile.default_opd, None, None, "OPD bawaan kota")


def escalation_target(opd: Opd, profile: CityProfile | None = None) -> Opd:
    """The parent OPD; at the top of the tree, the city's default (command center).
    Jobs that escalate many reports pass the profile they already hold."""
    if opd.parent_id and opd.parent.active:
        return opd.parent
    return (profile or CityProfile.load()).default_opd


def locate_area(latitude: float, longitude: float) -> Area | None:
    """The innermost active area whose polygon holds the point (only areas with a
    polygon take part; most cities start with none and let the reporter choose)."""
    point = Point(longitude, latitude)
    found = [
        area
        for area in Area.objects.active().exclude(boundary=None)
        if prepared_polygon(area.boundary).contains(point)
    ]
    levels = ["kota_administrasi", "kabupaten_administrasi", "kecamatan", "kelurahan"]
    return max(found, key=lambda a: levels.index(a.level), default=None)
