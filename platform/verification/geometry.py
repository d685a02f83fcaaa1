"""Geometry on the city's map, in one place: distances on the Earth and the
prepared shapes of boundaries and areas.

Verification (is the point inside the city? the photo taken where reported?),
routing (which kelurahan holds the point?) and the duplicate search all use
these, so a repaired polygon or a distance means the same thing everywhere.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres; plenty for a few kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dphi = math.radians(lat2 - lat1) / 2
    half_dlambda = math.radians(lon2 - lon1) / 2
    a = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


@lru_cache(maxsize=256)
def _prepared(geojson: str) -> BaseGeometry:
    polygon = json.loads(geojson)
    if polygon.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValueError(
            f"a boundary must be a GeoJSON Polygon or MultiPolygon, not {polygon!r:.80}"
        )
    geometry = shape(polygon)
    if not geometry.is_valid:  # a self-touching ring drawn by hand: repair, never refuse a city
        geometry = shapely.make_valid(geometry)
    shapely.prepare(geometry)
    return geometry


def prepared_polygon(polygon: dict[str, Any]) -> BaseGeometry:
    """A GeoJSON (Multi)Polygon in lon/lat, parsed, repaired and prepared once per
    distinct shape (cached by its canonical JSON: checked on every submission)."""
    return _prepared(json.dumps(polygon, sort_keys=True))
