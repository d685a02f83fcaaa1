"""Importing areas' polygons from a GeoJSON FeatureCollection (BIG/Kemendagri
or OpenStreetMap exports; docs/areas.md).

``import_boundaries`` is what ``manage.py import_areas`` calls and what the
admin console will call: each feature is matched to one of the city's areas by
its Kemendagri code, else by its name; the city's polygons as they would be
after the import are checked exactly like a config file's
(:mod:`cityconfig.boundaries`). All or nothing: any problem and nothing is
written, every problem is listed. Call it with the city's schema active.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _
from shapely.geometry import shape

from cityconfig.boundaries import AreaShape, BoundaryProblem, area_problems, geometry_problem
from cityconfig.models import Area, CityProfile, ConfigRevision
from cityconfig.signals import public_data_changed
from kanal.errors import InvalidInput

# Property keys that carry a Kemendagri code: Kanal's own, BIG's RBI layers
# (KDEPUM kelurahan/desa, KDCPUM kecamatan) and OpenStreetMap's tags.
CODE_KEYS = (
    "kode",
    "code",
    "kode_wilayah",
    "kemendagri",
    "ref:kemendagri",
    "ref:id:kemendagri",
    "kemendagri:code",
    "kdepum",
    "kdcpum",
)
NAME_KEYS = ("nama", "name", "wadmkd", "wadmkc", "namobj")
# OpenStreetMap's admin_level for Indonesia: 7 kecamatan, 8 kelurahan/desa.
OSM_LEVELS = {"5": "kota_administrasi", "7": "kecamatan", "8": "kelurahan"}
_NAME_PREFIX = re.compile(r"^(kelurahan|kecamatan|kel\.|kec\.|desa|kota administrasi)\s+")
PRECISION = 6  # decimals kept (~0.1 m)


@dataclass(frozen=True)
class BoundaryChange:
    code: str
    name: str
    level: str
    action: str  # "create" (no polygon before), "update" or "same"
    feature: str

    def describe(self) -> str:
        sign = {"create": "+", "update": "~", "same": "="}[self.action]
        label = {"create": "baru", "update": "diganti", "same": "tidak berubah"}[self.action]
        return f"{sign} {self.level} {self.code} {self.name} ({label}; {self.feature})"


@dataclass
class ImportResult:
    changes: list[BoundaryChange]
    skipped: list[str] = field(default_factory=list)  # unmatched features, with skip_unmatched
    written: bool = False

    @property
    def changed(self) -> list[BoundaryChange]:
        return [c for c in self.changes if c.action != "same"]

    def describe(self) -> str:
        lines = [c.describe() for c in self.changes]
        lines += [
            f"? {label} (tidak cocok dengan wilayah mana pun; dilewati)" for label in self.skipped
        ]
        return "\n".join(lines) if lines else "Tidak ada perubahan."


class AreaImportRefused(InvalidInput):
    """The import was refused; ``problems`` lists every reason (each an InvalidInput)."""

    def __init__(self, problems: list[InvalidInput]):
        self.problems = problems
        super().__init__(
            code="AREA_IMPORT_REFUSED",
            field="file",
            message=_("Batas wilayah tidak diimpor (tidak ada yang diubah): %(count)s masalah."),
            params={"count": len(problems)},
            details={"problems": [{"code": p.code, "field": p.field} for p in problems]},
        )


def _digits(value: Any) -> str:
    return re.sub(r"\D", "", str(value))


def _normal_name(value: str) -> str:
    name = " ".join(str(value).lower().split())
    return _NAME_PREFIX.sub("", name)


def _lower_keys(properties: Any) -> dict[str, Any]:
    if not isinstance(properties, dict):
        return {}
    return {str(k).lower(): v for k, v in properties.items() if v not in (None, "")}


def _label(index: int, props: dict[str, Any]) -> str:
    code = next((props[k] for k in CODE_KEYS if k in props), None)
    name = next((props[k] for k in NAME_KEYS if k in props), None)
    parts = [f"fitur #{index + 1}"]
    if code is not None:
        parts.append(f"kode {code}")
    if name is not None:
        parts.append(f"'{name}'")
    return " ".join(parts)


def _rounded(value: Any) -> Any:
    """Coordinates to 2D positions with PRECISION decimals (QGIS exports carry a z)."""
    if isinstance(value, list) and value and all(isinstance(v, int | float) for v in value):
        return [round(float(v), PRECISION) for v in value[:2]]
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def _load(data: Any) -> list[dict]:
    if isinstance(data, bytes | str):
        try:
            data = json.loads(data)
        except (ValueError, RecursionError) as exc:
            raise AreaImportRefused(
                [
                    InvalidInput(
                        code="GEOJSON_INVALID",
                        field="file",
                        message=_("Berkas bukan JSON yang sah: %(reason)s"),
                        params={"reason": str(exc)[:200]},
                    )
                ]
            ) from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise AreaImportRefused(
            [
                InvalidInput(
                    code="GEOJSON_INVALID",
                    field="file",
                    message=_("Berkas harus berisi GeoJSON FeatureCollection."),
                )
            ]
        )
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise AreaImportRefused(
            [
                InvalidInput(
                    code="GEOJSON_INVALID",
                    field="features",
                    message=_("FeatureCollection ini tidak berisi satu fitur pun."),
                )
            ]
        )
    return features


def _match(
    index: int, props: dict[str, Any], areas: list[Area], by_digits: dict[str, Area]
) -> tuple[Area | None, InvalidInput | None]:
    label = _label(index, props)
    for key in CODE_KEYS:
        if key in props:
            area = by_digits.get(_digits(props[key]))
            if area is not None:
                return area, None
    name = next((props[k] for k in NAME_KEYS if k in props), None)
    if name is not None:
        wanted = _normal_name(name)
        found = [a for a in areas if _normal_name(a.name) == wanted]
        level = OSM_LEVELS.get(str(props.get("admin_level", "")))
        if len(found) > 1 and level:
            found = [a for a in found if a.level == level] or found
        if len(found) == 1:
            return found[0], None
        if len(found) > 1:
            return None, InvalidInput(
                code="AREA_AMBIGUOUS",
                field=f"features[{index}]",
                message=_(
                    "%(feature)s: nama ambigu, cocok dengan beberapa wilayah (%(codes)s); "
                    "cantumkan kode Kemendagri di properti 'kode'."
                ),
                params={"feature": label, "codes": ", ".join(a.code for a in found)},
            )
    return None, InvalidInput(
        code="AREA_NOT_MATCHED",
        field=f"features[{index}]",
        message=_("%(feature)s: tidak cocok dengan wilayah mana pun di kota ini."),
        params={"feature": label},
    )


def _boundary_error(
    problem: BoundaryProblem, labels: dict[str, str], names: dict[str, str]
) -> InvalidInput:
    def who(code: str) -> str:
        return labels.get(code) or f"{code} {names.get(code, '')}".strip()

    first = who(problem.codes[0])
    if problem.kind == "invalid":
        return InvalidInput(
            code="AREA_BOUNDARY_INVALID",
            field=problem.codes[0],
            message=_("%(feature)s: poligon tidak sah (%(reason)s)."),
            params={"feature": first, "reason": problem.params["reason"]},
        )
    if problem.kind == "outside_city":
        return InvalidInput(
            code="AREA_OUTSIDE_CITY",
            field=problem.codes[0],
            message=_("%(feature)s: poligon berada di luar batas kota."),
            params={"feature": first},
        )
    if problem.kind == "outside_parent":
        return InvalidInput(
            code="AREA_OUTSIDE_PARENT",
            field=problem.codes[0],
            message=_("%(feature)s: %(percent)s%% wilayahnya di luar wilayah induk %(parent)s."),
            params={
                "feature": first,
                "percent": problem.params["percent"],
                "parent": who(problem.codes[1]),
            },
        )
    return InvalidInput(
        code="AREA_OVERLAP",
        field=problem.codes[0],
        message=_(
            "%(first)s dan %(second)s saling tumpang tindih (%(percent)s%% dari yang lebih kecil)."
        ),
        params={
            "first": first,
            "second": who(problem.codes[1]),
            "percent": problem.params["percent"],
        },
    )


def _refuse_other_city(features: list, profile: CityProfile) -> None:
    """A file none of whose polygons touches the city is for another city (or has
    latitude and longitude swapped): one clear refusal, not a list of mismatches."""
    city = shape(profile.boundary)
    polygons = []
    for feature in features:
        geometry = _rounded(feature.get("geometry")) if isinstance(feature, dict) else None
        if geometry_problem(geometry) is None:
            polygons.append(shape(geometry))
    if polygons and not any(city.intersects(p) for p in polygons):
        raise AreaImportRefused(
            [
                InvalidInput(
                    code="AREA_FILE_WRONG_CITY",
                    field="file",
                    message=_(
                        "Berkas ini bukan untuk %(city)s: tidak satu pun poligonnya berada di "
                        "dalam batas kota (berkas kota lain, atau lintang/bujur tertukar?)."
                    ),
                    params={"city": profile.name},
                )
            ]
        )


def import_boundaries(
    data: Any,
    *,
    slug: str,
    dry_run: bool = False,
    skip_unmatched: bool = False,
    actor: str = "",
    source: str = "",
) -> ImportResult:
    """Match, check and (unless ``dry_run``) write the polygons of a GeoJSON
    FeatureCollection (text or parsed). Raises AreaImportRefused listing every
    problem; then nothing is written."""
    features = _load(data)
    areas = list(Area.objects.active().select_related("parent"))
    by_digits = {_digits(a.code): a for a in areas}
    profile = CityProfile.load()
    problems: list[InvalidInput] = []
    skipped: list[str] = []
    imported: dict[str, tuple[dict, str]] = {}  # area code → (polygon, feature label)
    _refuse_other_city(features, profile)
    for index, feature in enumerate(features):
        feature = feature if isinstance(feature, dict) else {}
        props = _lower_keys(feature.get("properties"))
        label = _label(index, props)
        area, error = _match(index, props, areas, by_digits)
        if error is not None:
            if error.code == "AREA_NOT_MATCHED" and skip_unmatched:
                skipped.append(label)
            else:
                problems.append(error)
            continue
        label = f"{label} → {area.code} {area.name}"
        if area.code in imported:
            problems.append(
                InvalidInput(
                    code="AREA_DUPLICATE_FEATURE",
                    field=f"features[{index}]",
                    message=_("%(feature)s: wilayah ini sudah diberi poligon oleh %(other)s."),
                    params={"feature": label, "other": imported[area.code][1]},
                )
            )
            continue
        geometry = _rounded(feature.get("geometry"))
        reason = geometry_problem(geometry)
        if reason:
            problems.append(
                InvalidInput(
                    code="AREA_BOUNDARY_INVALID",
                    field=f"features[{index}]",
                    message=_("%(feature)s: poligon tidak sah (%(reason)s)."),
                    params={"feature": label, "reason": reason},
                )
            )
            continue
        imported[area.code] = (
            {"type": geometry["type"], "coordinates": geometry["coordinates"]},
            label,
        )

    labels = {code: label for code, (_, label) in imported.items()}
    names = {a.code: a.name for a in areas}
    after = [
        AreaShape(
            a.code,
            a.level,
            a.parent.code if a.parent_id else None,
            imported[a.code][0] if a.code in imported else a.boundary,
        )
        for a in areas
    ]
    found = [
        p
        for p in area_problems(after, profile.boundary)
        if any(code in imported for code in p.codes)
    ]
    problems += [_boundary_error(p, labels, names) for p in found]
    if not imported and not problems:
        problems.append(
            InvalidInput(
                code="AREA_NOT_MATCHED",
                field="features",
                message=_("Tidak satu pun fitur cocok dengan wilayah kota ini."),
            )
        )
    if problems:
        raise AreaImportRefused(problems)

    by_code = {a.code: a for a in areas}
    changes = []
    for code, (polygon, label) in sorted(imported.items()):
        area = by_code[code]
        action = (
            "create" if area.boundary is None else "same" if area.boundary == polygon else "update"
        )
        changes.append(BoundaryChange(code, area.name, area.level, action, label))
    result = ImportResult(changes, skipped)
    if dry_run or not result.changed:
        return result
    _write(result, imported, slug=slug, actor=actor, source=source)
    result.written = True
    return result


def _write(result: ImportResult, imported: dict, *, slug: str, actor: str, source: str) -> None:
    from cityconfig.export import config_sha256, current_config

    with transaction.atomic():
        for change in result.changed:
            Area.objects.filter(code=change.code).update(boundary=imported[change.code][0])
        config = current_config(slug)
        ConfigRevision.objects.create(
            actor=actor or "import_areas",
            source=source,
            config_sha256=config_sha256(config),
            changes=[
                {
                    "action": "update",
                    "kind": "area",
                    "key": c.code,
                    "fields": {"boundary": ["ada" if c.action == "update" else None, c.feature]},
                }
                for c in result.changed
            ],
            config=config.model_dump(mode="json"),
        )
        schema = connection.schema_name
        transaction.on_commit(
            lambda: public_data_changed.send_robust(sender=import_boundaries, schema=schema)
        )
