"""Cross-reference checks on a structurally valid :class:`CityConfig`.

Each check yields ``(location, reason)``; the loader turns them into problems
with file and line. All checks run, so one pass shows every mistake.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from shapely.geometry import shape
from shapely.validation import explain_validity

from cityconfig.boundaries import AreaShape, area_problems, describe_en
from cityconfig.schema import (
    AREA_PARENT_LEVELS,
    TERRITORIAL_TOKENS,
    CityConfig,
    territorial_opd_code,
)

Found = Iterator[tuple[tuple[Any, ...], str]]

# Generous box around Indonesia: catches swapped latitude/longitude.
INDONESIA_BOUNDS = (94.0, -11.5, 141.5, 6.5)


def _unique_codes(items: list, section: str) -> Found:
    first: dict[str, int] = {}
    for index, item in enumerate(items):
        if item.code in first:
            yield (
                (section, index, "code"),
                f"duplicate code '{item.code}' (first used at {section}[{first[item.code]}])",
            )
        else:
            first[item.code] = index


def _opd_codes(config: CityConfig) -> set[str]:
    codes = {opd.code for opd in config.opds}
    levels = set(config.territorial_opds.levels)
    codes |= {territorial_opd_code(a.code) for a in config.areas if a.level in levels}
    return codes


def check_codes(config: CityConfig) -> Found:
    yield from _unique_codes(config.category_groups, "category_groups")
    yield from _unique_codes(config.categories, "categories")
    yield from _unique_codes(config.opds, "opds")
    yield from _unique_codes(config.areas, "areas")
    seen: set[str] = set()
    for index, priority in enumerate(config.priorities):
        if priority in seen:
            yield ("priorities", index), f"duplicate priority '{priority}'"
        seen.add(priority)
    seen = set()
    for index, channel in enumerate(config.channels):
        if channel in seen:
            yield ("channels", index), f"channel '{channel}' is listed twice"
        seen.add(channel)
    seen = set()
    for index, domain in enumerate(config.domains):
        if domain in seen:
            yield ("domains", index), f"domain '{domain}' is listed twice"
        seen.add(domain)


def check_categories(config: CityConfig) -> Found:
    groups = {g.code for g in config.category_groups}
    for index, category in enumerate(config.categories):
        if category.group not in groups:
            yield (
                ("categories", index, "group"),
                f"category group '{category.group}' does not exist in category_groups",
            )
    if not config.categories:
        yield ("categories",), "a city needs at least one category"


def check_opd_tree(config: CityConfig) -> Found:
    codes = {opd.code for opd in config.opds}
    parents = {opd.code: opd.parent for opd in config.opds}
    for index, opd in enumerate(config.opds):
        if opd.parent is None:
            continue
        if opd.parent not in codes:
            yield ("opds", index, "parent"), f"parent OPD '{opd.parent}' does not exist"
            continue
        # Follow the parents; a walk that comes back to this OPD is a cycle.
        chain = [opd.code]
        current = opd.parent
        while current is not None and current in parents and current not in chain:
            chain.append(current)
            current = parents[current]
        if current == opd.code:
            yield (
                ("opds", index, "parent"),
                "cycle in the OPD tree: " + " → ".join([*chain, opd.code]),
            )
    generated = _opd_codes(config) - codes
    for index, opd in enumerate(config.opds):
        if opd.code.startswith("wil-") and opd.code not in generated:
            yield (
                ("opds", index, "code"),
                "codes starting with 'wil-' are reserved for territorial OPDs made from areas",
            )


def check_areas(config: CityConfig) -> Found:
    by_code = {area.code: area for area in config.areas}
    for index, area in enumerate(config.areas):
        allowed = AREA_PARENT_LEVELS[area.level]
        if area.parent is None:
            if None not in allowed:
                yield ("areas", index, "parent"), f"a {area.level} must have a parent area"
            continue
        parent = by_code.get(area.parent)
        if parent is None:
            yield ("areas", index, "parent"), f"parent area '{area.parent}' does not exist"
        elif parent.level not in allowed:
            yield (
                ("areas", index, "parent"),
                f"a {area.level} cannot lie inside a {parent.level} ('{parent.code}')",
            )
        elif not area.code.startswith(parent.code + "."):
            yield (
                ("areas", index, "code"),
                f"area code '{area.code}' does not start with its parent's code '{parent.code}'",
            )
    levels_present = {area.level for area in config.areas}
    for index, level in enumerate(config.territorial_opds.levels):
        if level not in levels_present:
            yield (
                ("territorial_opds", "levels", index),
                f"no areas of level '{level}' to make territorial OPDs from",
            )


def _check_opd_ref(config: CityConfig, value: str, loc: tuple, *, tokens: bool) -> Found:
    if value in TERRITORIAL_TOKENS:
        if not tokens:
            yield loc, f"'{value}' needs a report's area; name a concrete OPD here"
        elif not set(TERRITORIAL_TOKENS[value]) & set(config.territorial_opds.levels):
            levels = " or ".join(f"'{level}'" for level in TERRITORIAL_TOKENS[value])
            yield (
                loc,
                (
                    f"'{value}' needs territorial OPDs of level {levels} "
                    "(add it to territorial_opds.levels)"
                ),
            )
    elif value not in _opd_codes(config):
        yield loc, f"OPD '{value}' does not exist"


def check_routing(config: CityConfig) -> Found:
    categories = {c.code for c in config.categories}
    areas = {a.code for a in config.areas}
    yield from _check_opd_ref(
        config, config.routing.default_opd, ("routing", "default_opd"), tokens=False
    )
    seen: dict[tuple[str, str | None], int] = {}
    for index, rule in enumerate(config.routing.rules):
        loc = ("routing", "rules", index)
        if rule.category not in categories:
            yield (*loc, "category"), f"category '{rule.category}' does not exist"
        if rule.area is not None and rule.area not in areas:
            yield (*loc, "area"), f"area '{rule.area}' does not exist"
        yield from _check_opd_ref(config, rule.opd, (*loc, "opd"), tokens=True)
        if rule.forward_to is not None:
            yield from _check_opd_ref(config, rule.forward_to, (*loc, "forward_to"), tokens=False)
        key = (rule.category, rule.area)
        if key in seen:
            yield (
                loc,
                (
                    f"a rule for category '{rule.category}' and area '{rule.area or 'all'}' "
                    f"already exists at routing.rules[{seen[key]}]"
                ),
            )
        seen[key] = index


def check_sla(config: CityConfig) -> Found:
    categories = {c.code for c in config.categories}
    priorities = set(config.priorities)
    seen: dict[tuple[str | None, str], int] = {}
    for index, rule in enumerate(config.sla.rules):
        loc = ("sla", "rules", index)
        if rule.category is not None and rule.category not in categories:
            yield (*loc, "category"), f"category '{rule.category}' does not exist"
        if rule.priority not in priorities:
            yield (
                (*loc, "priority"),
                (
                    f"priority '{rule.priority}' is not one of the city's priorities "
                    f"({', '.join(config.priorities) or 'none defined'})"
                ),
            )
        key = (rule.category, rule.priority)
        if key in seen:
            yield loc, f"duplicate SLA rule (same as sla.rules[{seen[key]}])"
        seen[key] = index


def check_channels(config: CityConfig) -> Found:
    enabled = set(config.channels)
    for channel in config.verification.channels:
        if channel not in enabled:
            yield (
                ("verification", "channels", channel),
                f"channel '{channel}' has a policy but is not enabled in channels",
            )
    if config.identity.default_locale not in config.identity.locales:
        yield ("identity", "default_locale"), "the default locale must be one of identity.locales"


def secret_prefix(slug: str) -> str:
    """``kota-bima`` → ``KANAL_KOTA_BIMA_``: the only environment names the city may use."""
    return "KANAL_" + slug.upper().replace("-", "_") + "_"


def check_messaging(config: CityConfig) -> Found:
    prefix = secret_prefix(config.slug)
    enabled = set(config.channels)
    for channel in ("whatsapp", "telegram", "sms", "email"):
        settings = getattr(config.messaging, channel)
        if settings is None:
            continue
        if channel not in enabled:
            yield (
                ("messaging", channel),
                f"channel '{channel}' has settings but is not enabled in channels",
            )
        for name, value in settings:
            if (
                isinstance(value, str)
                and value.startswith("env:")
                and not value[4:].startswith(prefix)
            ):
                yield (
                    ("messaging", channel, name),
                    f"a secret of this city must be named {prefix}…; "
                    f"'{value[4:]}' belongs to no city or to another one",
                )


def check_calendar(config: CityConfig) -> Found:
    if not any(config.calendar.working_hours.values()):
        yield ("calendar", "working_hours"), "at least one weekday needs working hours"
    seen: dict = {}
    for index, day in enumerate(config.calendar.days_off):
        if day.date in seen:
            yield ("calendar", "days_off", index, "date"), f"{day.date} is listed twice"
        seen[day.date] = index


def check_ranking(config: CityConfig) -> Found:
    weights = config.ranking.weights
    if sum(weights.model_dump().values()) <= 0:
        yield ("ranking", "weights"), "at least one ranking weight must be greater than zero"


def _ring_problems(ring: Any) -> str | None:
    if not isinstance(ring, list) or len(ring) < 4:
        return "a ring needs at least 4 positions (the first repeated at the end)"
    for position in ring:
        if (
            not isinstance(position, list)
            or len(position) != 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in position)
        ):
            return f"position {position!r} must be [longitude, latitude]"
    if ring[0] != ring[-1]:
        return "the ring is not closed (the last position must equal the first)"
    return None


def check_boundary(config: CityConfig) -> Found:
    geometry = config.boundary
    polygons = [geometry.coordinates] if geometry.type == "Polygon" else list(geometry.coordinates)
    for p_index, polygon in enumerate(polygons):
        if not isinstance(polygon, list) or not polygon:
            yield ("boundary", "coordinates", p_index), "a polygon needs at least one ring"
            return
        for r_index, ring in enumerate(polygon):
            loc = (
                ("boundary", "coordinates", r_index)
                if geometry.type == "Polygon"
                else ("boundary", "coordinates", p_index, r_index)
            )
            problem = _ring_problems(ring)
            if problem:
                yield loc, problem
                return
    shp = shape(geometry.model_dump())
    if not shp.is_valid:
        yield ("boundary",), f"the polygon is not valid: {explain_validity(shp)}"
        return
    min_lon, min_lat, max_lon, max_lat = shp.bounds
    b = INDONESIA_BOUNDS
    if min_lon < b[0] or max_lon > b[2] or min_lat < b[1] or max_lat > b[3]:
        yield (
            ("boundary",),
            (
                "the polygon lies outside Indonesia; positions are [longitude, latitude] "
                "(were they swapped?)"
            ),
        )


def check_area_boundaries(config: CityConfig) -> Found:
    """Area polygons: valid, on the city, inside their parent, not overlapping
    their own level (cityconfig.boundaries, shared with import_areas)."""
    index = {area.code: i for i, area in enumerate(config.areas)}
    shapes = [
        AreaShape(
            a.code, a.level, a.parent, a.boundary.model_dump() if a.boundary is not None else None
        )
        for a in config.areas
    ]
    for problem in area_problems(shapes, config.boundary.model_dump()):
        yield ("areas", index[problem.codes[0]], "boundary"), describe_en(problem)


def check_slug(config: CityConfig, expected_slug: str | None) -> Found:
    if expected_slug is not None and config.slug != expected_slug:
        yield ("slug",), f"slug '{config.slug}' does not match the file name '{expected_slug}.yaml'"


CHECKS = (
    check_codes,
    check_categories,
    check_opd_tree,
    check_areas,
    check_routing,
    check_sla,
    check_channels,
    check_messaging,
    check_calendar,
    check_ranking,
    check_boundary,
    check_area_boundaries,
)


def semantic_problems(config: CityConfig, *, expected_slug: str | None = None) -> Found:
    yield from check_slug(config, expected_slug)
    for check in CHECKS:
        yield from check(config)
