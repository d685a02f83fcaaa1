"""Checking areas' polygons, the same way for every door: the config loader
(``cityconfig.checks``) and ``manage.py import_areas`` (``cityconfig.areas``).

Pure functions over GeoJSON dicts; each problem is data (a kind, the area codes
it concerns, parameters) and the caller words it for its audience (the YAML
loader in English with a path, the import in Indonesian with the feature).

The rules (docs/areas.md):

* a boundary is a GeoJSON Polygon or MultiPolygon of closed rings of
  ``[longitude, latitude]`` and a valid shape (no self-intersection);
* it must overlap the city boundary;
* it must lie inside its parent area's polygon, when the parent has one;
* two areas of the same level must not overlap by more than
  ``OVERLAP_TOLERANCE`` of the smaller one (hand-drawn or simplified borders
  overlap by slivers; more than that is two areas claiming the same streets).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

OVERLAP_TOLERANCE = 0.01  # of the smaller area; also how far a child may stick out of its parent


@dataclass(frozen=True)
class AreaShape:
    code: str
    level: str
    parent: str | None
    boundary: dict | None


@dataclass(frozen=True)
class BoundaryProblem:
    kind: str  # "invalid" | "outside_city" | "outside_parent" | "overlap"
    codes: tuple[str, ...]
    params: dict[str, Any] = field(default_factory=dict)


def _ring_problem(ring: Any) -> str | None:
    if not isinstance(ring, list) or len(ring) < 4:
        return "a ring needs at least 4 positions (the first repeated at the end)"
    for position in ring:
        if (
            not isinstance(position, list | tuple)
            or len(position) != 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in position)
        ):
            return f"position {position!r:.40} must be [longitude, latitude]"
        if not (-180 <= position[0] <= 180 and -90 <= position[1] <= 90):
            return f"position {position!r:.40} is not a [longitude, latitude] on Earth"
    if list(ring[0]) != list(ring[-1]):
        return "the ring is not closed (the last position must equal the first)"
    return None


def geometry_problem(geojson: Any) -> str | None:
    """Why ``geojson`` is not a usable area polygon (English, technical), or None."""
    if not isinstance(geojson, dict) or geojson.get("type") not in ("Polygon", "MultiPolygon"):
        kind = geojson.get("type") if isinstance(geojson, dict) else type(geojson).__name__
        return f"a boundary must be a GeoJSON Polygon or MultiPolygon, not {kind!s:.40}"
    coordinates = geojson.get("coordinates")
    if not isinstance(coordinates, list) or not coordinates:
        return "the polygon has no coordinates"
    polygons = [coordinates] if geojson["type"] == "Polygon" else coordinates
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            return "a polygon needs at least one ring"
        for ring in polygon:
            problem = _ring_problem(ring)
            if problem:
                return problem
    geometry = shape(geojson)
    if not geometry.is_valid:
        return explain_validity(geometry)
    if geometry.area == 0:
        return "the polygon has no area"
    return None


def _parse(boundary: dict) -> BaseGeometry:
    geometry = shape(boundary)
    shapely.prepare(geometry)
    return geometry


def area_problems(
    areas: Iterable[AreaShape], city_boundary: dict | None
) -> Iterator[BoundaryProblem]:
    """Every problem of a city's areas' polygons, taken together (the final
    state: what the file or the import would leave in the city)."""
    areas = list(areas)
    shapes: dict[str, BaseGeometry] = {}
    for area in areas:
        if area.boundary is None:
            continue
        problem = geometry_problem(area.boundary)
        if problem:
            yield BoundaryProblem("invalid", (area.code,), {"reason": problem})
        else:
            shapes[area.code] = _parse(area.boundary)
    city = None
    if city_boundary and geometry_problem(city_boundary) is None:
        city = _parse(city_boundary)
    for area in areas:
        geometry = shapes.get(area.code)
        if geometry is None:
            continue
        if city is not None and not city.intersection(geometry).area > 0:
            yield BoundaryProblem("outside_city", (area.code,))
            continue
        parent = shapes.get(area.parent) if area.parent else None
        if parent is not None:
            outside = geometry.difference(parent).area / geometry.area
            if outside > OVERLAP_TOLERANCE:
                yield BoundaryProblem(
                    "outside_parent",
                    (area.code, area.parent),
                    {"percent": round(outside * 100, 1)},
                )
    yield from _overlaps(areas, shapes)


def _overlaps(areas: list[AreaShape], shapes: dict[str, BaseGeometry]) -> Iterator[BoundaryProblem]:
    by_level: dict[str, list[str]] = {}
    for area in areas:
        if area.code in shapes:
            by_level.setdefault(area.level, []).append(area.code)
    for codes in by_level.values():
        geometries = [shapes[c] for c in codes]
        tree = shapely.STRtree(geometries)
        left, right = tree.query(geometries, predicate="intersects")
        for i, j in zip(left.tolist(), right.tolist(), strict=True):
            if i >= j:
                continue
            a, b = geometries[i], geometries[j]
            shared = a.intersection(b).area
            smaller = min(a.area, b.area)
            if smaller and shared / smaller > OVERLAP_TOLERANCE:
                first, second = sorted((codes[i], codes[j]))
                yield BoundaryProblem(
                    "overlap", (first, second), {"percent": round(shared / smaller * 100, 1)}
                )


def describe_en(problem: BoundaryProblem) -> str:
    """The problem in English (the config loader's language)."""
    codes, params = problem.codes, problem.params
    if problem.kind == "invalid":
        return f"the boundary of area '{codes[0]}' is not a valid polygon: {params['reason']}"
    if problem.kind == "outside_city":
        return f"the boundary of area '{codes[0]}' lies outside the city boundary"
    if problem.kind == "outside_parent":
        return (
            f"{params['percent']}% of area '{codes[0]}' lies outside its parent area "
            f"'{codes[1]}' (at most {OVERLAP_TOLERANCE:.0%} allowed)"
        )
    return (
        f"areas '{codes[0]}' and '{codes[1]}' overlap by {params['percent']}% of the smaller one "
        f"(at most {OVERLAP_TOLERANCE:.0%} allowed)"
    )
