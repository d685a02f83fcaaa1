"""Comparing two city configs: what ``onboard --plan`` prints and ``--apply`` records.

A config is flattened into *entities* keyed by kind and identity (a category by
its code, a routing rule by category and area...) with flat field paths, so a
change reads as ``~ category sampah: name.en 'Garbage' → 'Waste'``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cityconfig.schema import SLA_POLICY_FIELDS, CityConfig

EntityKey = tuple[str, str]
Fields = dict[str, Any]

# Sections stored on the city profile; each is one "city" entity's fields.
PROFILE_SECTIONS = (
    "identity",
    "domains",
    "branding",
    "channels",
    "features",
    "priorities",
    "territorial_opds",
    "calendar",
    "verification",
    "ranking",
    "boundary",
)


def _flatten(value: Any, prefix: str, out: Fields) -> None:
    if isinstance(value, dict) and value:
        for key, item in value.items():
            _flatten(item, f"{prefix}.{key}" if prefix else str(key), out)
    else:
        out[prefix] = value


def flat(data: dict) -> Fields:
    out: Fields = {}
    _flatten(data, "", out)
    return out


def config_entities(config: CityConfig) -> dict[EntityKey, Fields]:
    """Every entity of a config with its flattened fields."""
    data = config.model_dump(mode="json")
    entities: dict[EntityKey, Fields] = {}
    city: dict[str, Any] = {section: data[section] for section in PROFILE_SECTIONS}
    city["routing.default_opd"] = data["routing"]["default_opd"]
    city["sla"] = {name: data["sla"][name] for name in SLA_POLICY_FIELDS}
    entities[("city", config.slug)] = flat(city)
    for kind, section in (
        ("category_group", "category_groups"),
        ("category", "categories"),
        ("opd", "opds"),
        ("area", "areas"),
    ):
        for position, item in enumerate(data[section]):
            fields = {k: v for k, v in item.items() if k != "code"}
            if kind == "category":
                fields.pop("sla", None)  # stored as an SLA rule, compared there
            if kind != "area":  # areas are ordered by their code
                fields["position"] = position
            entities[(kind, item["code"])] = flat(fields)
    for position, rule in enumerate(data["routing"]["rules"]):
        key = f"{rule['category']} @ {rule['area'] or 'semua wilayah'}"
        entities[("routing_rule", key)] = flat(
            {"opd": rule["opd"], "forward_to": rule["forward_to"], "position": position}
        )
    for key, target in sla_targets(config).items():
        entities[("sla_rule", key)] = flat(target)
    return entities


def sla_key(category: str | None, priority: str | None) -> str:
    return f"{category or '*'}/{priority or '*'}"


def sla_targets(config: CityConfig) -> dict[str, dict]:
    """All SLA targets of a config keyed by ``category/priority`` (``*`` = any)."""
    targets = {sla_key(None, None): config.sla.default.model_dump(mode="json")}
    for category in config.categories:
        if category.sla is not None:
            targets[sla_key(category.code, None)] = category.sla.model_dump(mode="json")
    for rule in config.sla.rules:
        targets[sla_key(rule.category, rule.priority)] = {
            "response": rule.response,
            "resolution": rule.resolution,
            "clock": rule.clock,
        }
    return targets


@dataclass(frozen=True)
class Change:
    action: str  # "create", "update" or "retire"
    kind: str
    key: str
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "action": self.action,
            "kind": self.kind,
            "key": self.key,
            "fields": {name: [old, new] for name, (old, new) in self.fields.items()},
        }

    def describe(self) -> str:
        sign = {"create": "+", "update": "~", "retire": "-"}[self.action]
        line = f"{sign} {self.kind} {self.key}"
        if self.action == "retire":
            return line + " (dinonaktifkan; laporan dan riwayat tetap tersimpan)"
        if self.action == "update":
            parts = [
                f"{name}: {_short(old)} → {_short(new)}" for name, (old, new) in self.fields.items()
            ]
            return line + ": " + "; ".join(parts)
        return line


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


KIND_ORDER = ("city", "category_group", "category", "area", "opd", "routing_rule", "sla_rule")


def diff_entities(old: dict[EntityKey, Fields], new: dict[EntityKey, Fields]) -> list[Change]:
    changes: list[Change] = []
    for key in sorted(old.keys() | new.keys(), key=lambda k: (KIND_ORDER.index(k[0]), k[1])):
        kind, ident = key
        if key not in old:
            changes.append(Change("create", kind, ident))
        elif key not in new:
            changes.append(Change("retire", kind, ident))
        else:
            before, after = old[key], new[key]
            fields = {
                name: (before.get(name), after.get(name))
                for name in sorted(before.keys() | after.keys())
                if before.get(name) != after.get(name)
            }
            if fields:
                changes.append(Change("update", kind, ident, fields))
    return changes


def diff_configs(old: CityConfig | None, new: CityConfig) -> list[Change]:
    return diff_entities(config_entities(old) if old else {}, config_entities(new))
