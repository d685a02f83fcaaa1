"""Catalogue templates: the categories, OPDs, routing and SLA a new city starts from.

A template is data: ``tenant_configs/templates/<code>.yaml`` (the defaults for
a typical Pemkot or Pemkab), or a seed city's own config ("like Mataram"),
whose catalogue sections are taken and made general again (its name becomes
``{nama}``, rules tied to its own areas are left out). ``manage.py config_diff``
compares a city with a template.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.utils.translation import gettext as _

from cityconfig.schema import TERRITORIAL_TOKENS, VILLAGE_LEVELS
from kanal.errors import InvalidInput

# The sections of a config a template supplies; the rest (identity, domains,
# branding, areas, boundary, days off) belong to the region itself.
TEMPLATE_SECTIONS = (
    "channels",
    "features",
    "priorities",
    "category_groups",
    "categories",
    "opds",
    "territorial_opds",
    "routing",
    "sla",
    "calendar",
    "verification",
    "ranking",
)
DEFAULT_TEMPLATES = {"kota": "kota-default", "kabupaten": "kabupaten-default"}


@dataclass(frozen=True)
class Template:
    code: str
    label_id: str
    label_en: str
    kind: str  # the kind of region it was written for: kota | kabupaten
    sections: dict[str, Any]
    city_name: str = ""  # set for a seed city used as a template


def _templates_dir() -> Path:
    return settings.TENANT_CONFIG_DIR / "templates"


def _read(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@cache
def _load_all() -> dict[str, Template]:
    found: dict[str, Template] = {}
    for path in sorted(_templates_dir().glob("*.yaml")):
        data = _read(path)
        meta = data.pop("template")
        found[path.stem] = Template(
            path.stem,
            meta["label"]["id"],
            meta["label"]["en"],
            meta["kind"],
            {k: data[k] for k in TEMPLATE_SECTIONS if k in data},
        )
    for path in sorted(settings.TENANT_CONFIG_DIR.glob("*.yaml")):
        data = _read(path)
        identity = data.get("identity") or {}
        if identity.get("kind") not in DEFAULT_TEMPLATES:
            continue  # a province (Jakarta) is no model for a kabupaten/kota
        name = identity["name"]
        found[path.stem] = Template(
            path.stem,
            f"Seperti {name}",
            f"Like {name}",
            identity["kind"],
            {k: data[k] for k in TEMPLATE_SECTIONS if k in data},
            city_name=name,
        )
    return found


def list_templates() -> list[tuple[str, str]]:
    """(code, label) of every template, the defaults first."""
    templates = _load_all()
    order = sorted(templates.values(), key=lambda t: (bool(t.city_name), t.code))
    return [(t.code, t.label_id) for t in order]


def get_template(code: str) -> Template:
    templates = _load_all()
    if code not in templates:
        raise InvalidInput(
            code="UNKNOWN_TEMPLATE",
            field="template",
            message=_("Templat '%(code)s' tidak ada. Pilihan: %(choices)s.")
            % {"code": code, "choices": ", ".join(sorted(templates))},
        )
    return templates[code]


def _substitute(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        for placeholder, name in names.items():
            value = value.replace(placeholder, name)
        return value
    if isinstance(value, list):
        return [_substitute(v, names) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, names) for k, v in value.items()}
    return value


def catalogue_for(
    template: Template, *, name: str, short_name: str, levels_present: set[str]
) -> dict[str, Any]:
    """The template's sections for one region: names filled in, territorial
    levels and routing rules kept only where the region has such areas."""
    sections = copy.deepcopy(template.sections)
    if template.city_name:
        # A seed city's own name in its OPD names ("Sekretariat Daerah Kota Mataram").
        sections = _substitute(sections, {template.city_name: "{nama}"})
    sections = _substitute(sections, {"{nama}": name, "{nama_pendek}": short_name})

    territorial = sections.setdefault("territorial_opds", {"levels": [], "responder": True})
    wanted = list(territorial.get("levels", []))
    if "kelurahan" in wanted:  # a kota's "kelurahan" means a kabupaten's villages too
        wanted += [level for level in VILLAGE_LEVELS if level not in wanted]
    territorial["levels"] = [level for level in wanted if level in levels_present]
    reachable = {
        token
        for token, levels in TERRITORIAL_TOKENS.items()
        if set(levels) & set(territorial["levels"])
    }
    routing = sections.get("routing", {})
    routing["rules"] = [
        rule
        for rule in routing.get("rules", [])
        if not rule.get("area")  # the template city's own kecamatan are not here
        and (not str(rule["opd"]).startswith("@") or rule["opd"] in reachable)
    ]
    calendar = sections.get("calendar", {})
    # The template city's days off (its anniversary, cuti bersama it copied) are
    # its own; the scaffold adds the national cuti bersama itself.
    calendar.pop("days_off", None)
    calendar.pop("extra_working_days", None)
    return sections


def template_diff(config, template_code: str) -> list:
    """How a city's catalogue differs from a template's (``manage.py config_diff``).

    The template is filled in for this city (its name, its territorial levels)
    and compared with the city as a config would be: ``create`` = only the city
    has it, ``retire`` = only the template has it, ``update`` = both, differently.
    Territory, identity and branding are the city's own and never compared.
    """
    from cityconfig.diff import diff_configs
    from cityconfig.schema import CityConfig

    template = get_template(template_code)
    data = config.model_dump(mode="json")
    levels = {area.level for area in config.areas}
    sections = catalogue_for(
        template,
        name=config.identity.name,
        short_name=config.identity.name.split(" ", 1)[-1],
        levels_present=levels,
    )
    calendar = {**data["calendar"], **sections.pop("calendar", {})}
    calendar["days_off"] = data["calendar"]["days_off"]
    calendar["extra_working_days"] = data["calendar"]["extra_working_days"]
    baseline = CityConfig.model_validate({**data, **sections, "calendar": calendar})
    compared = {"identity", "domains", "branding", "boundary"}
    changes = []
    for change in diff_configs(baseline, config):
        if change.kind == "area":
            continue
        if change.action == "update":
            # Order is the city's own; the city profile's own sections are not the template's.
            fields = {
                name: values
                for name, values in change.fields.items()
                if name != "position"
                and not (change.kind == "city" and name.split(".", 1)[0] in compared)
            }
            if not fields:
                continue
            change = dataclasses.replace(change, fields=fields)
        changes.append(change)
    return changes
