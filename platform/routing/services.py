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

from django.utils.translation import gettext_lazy as _
from shapely.geometry import Point

from cityconfig.models import Area, CityProfile, Opd, RoutingRule
from cityconfig.schema import AREA_LEVELS, TERRITORIAL_TOKENS
from kanal.errors import InvalidInput
from verification.geometry import prepared_polygon


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
    levels = TERRITORIAL_TOKENS.get(token, ())
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


def check_coordinates(latitude: float, longitude: float) -> None:
    """A latitude in [-90, 90] and a longitude in [-180, 180], or InvalidInput."""
    for name, value, limit in (("latitude", latitude, 90), ("longitude", longitude, 180)):
        if not isinstance(value, int | float) or value != value or not -limit <= value <= limit:
            raise InvalidInput(
                field=name,
                code="COORDINATE_OUT_OF_RANGE",
                message=_("Koordinat %(name)s harus antara -%(limit)s dan %(limit)s."),
                params={"name": name, "limit": limit},
            )


def locate_area(latitude: float, longitude: float) -> Area | None:
    """The innermost active area whose polygon holds the point (only areas with a
    polygon take part; most cities start with none and let the reporter choose).

    Walks down the tree: only the children of an area that holds the point (or
    of one without a polygon) are tested, so Jakarta's 317 polygons cost a
    handful of point-in-polygon tests, not 317."""
    point = Point(longitude, latitude)
    areas = list(Area.objects.active().only("id", "code", "name", "level", "parent", "boundary"))
    ids = {area.pk for area in areas}
    children: dict[int | None, list[Area]] = {}
    for area in areas:  # an area whose parent was retired counts as a top-level one
        children.setdefault(area.parent_id if area.parent_id in ids else None, []).append(area)
    found: Area | None = None
    frontier = list(children.get(None, []))
    while frontier:
        area = frontier.pop()
        if area.boundary is None:
            frontier.extend(children.get(area.pk, []))
        elif prepared_polygon(area.boundary).covers(point):
            if found is None or LEVELS.index(area.level) > LEVELS.index(found.level):
                found = area
            frontier.extend(children.get(area.pk, []))
    return found


# Deeper levels win; kelurahan and desa never nest, so their order is moot.
LEVELS = list(AREA_LEVELS)
