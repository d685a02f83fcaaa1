"""Reading a city's live configuration back out of its schema as a CityConfig.

``export_config`` writes it as YAML; applying that YAML again changes nothing,
which is what makes the database, not the file, the source of truth after
an admin edits something in the admin screens.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import yaml

from cityconfig.models import (
    Area,
    Category,
    CategoryGroup,
    CityProfile,
    Opd,
    RoutingRule,
    SlaRule,
)
from cityconfig.schema import CityConfig


def _localized(obj: Any, prefix: str = "name") -> dict[str, str]:
    return {"id": getattr(obj, f"{prefix}_id"), "en": getattr(obj, f"{prefix}_en")}


def _target(rule: SlaRule) -> dict[str, str]:
    return {"response": rule.response, "resolution": rule.resolution, "clock": rule.clock}


def current_config(slug: str) -> CityConfig:
    """The active city's configuration (call with the city's schema active)."""
    return CityConfig.model_validate(current_config_data(slug))


def current_config_data(slug: str) -> dict[str, Any]:
    """The active city's configuration as plain data, not yet validated (the
    admin validates an edit by exporting it inside a savepoint)."""
    profile = CityProfile.load()
    sla_rules = list(SlaRule.objects.active().select_related("category").order_by("position", "pk"))
    category_sla = {r.category.code: _target(r) for r in sla_rules if r.category and not r.priority}
    default = next(_target(r) for r in sla_rules if r.category is None and not r.priority)

    categories = []
    for category in Category.objects.active().select_related("group"):
        item: dict[str, Any] = {
            "code": category.code,
            "name": _localized(category),
            "group": category.group.code,
            "photo_required": category.photo_required,
            "emergency": category.emergency,
            "description": _localized(category, "description") if category.description_id else None,
        }
        if category.code in category_sla:
            item["sla"] = category_sla[category.code]
        categories.append(item)

    data: dict[str, Any] = {
        "version": 1,
        "slug": slug,
        "identity": profile.identity,
        "domains": profile.domains,
        "branding": profile.branding,
        "channels": profile.channels,
        "features": profile.features,
        "priorities": profile.priorities,
        "category_groups": [
            {"code": g.code, "name": _localized(g)} for g in CategoryGroup.objects.active()
        ],
        "categories": categories,
        "opds": [
            {
                "code": o.code,
                "name": o.name,
                "short_name": o.short_name or None,
                "kind": o.kind,
                "parent": o.parent.code if o.parent else None,
                "responder": o.responder,
                "head": o.head or None,
                "phone": o.phone or None,
                "email": o.email or None,
            }
            for o in Opd.objects.active().filter(generated=False).select_related("parent")
        ],
        "areas": [
            {
                "code": a.code,
                "name": a.name,
                "level": a.level,
                "parent": a.parent.code if a.parent else None,
                "office_name": a.office_name or None,
                "boundary": a.boundary,
            }
            for a in Area.objects.active().select_related("parent")
        ],
        "territorial_opds": profile.territorial_opds,
        "routing": {
            "default_opd": profile.default_opd.code,
            "rules": [
                {
                    "category": r.category.code,
                    "area": r.area.code if r.area else None,
                    "opd": r.opd.code if r.opd else r.opd_token,
                    "forward_to": r.forward_to.code if r.forward_to else None,
                }
                for r in RoutingRule.objects.active().select_related(
                    "category", "area", "opd", "forward_to"
                )
            ],
        },
        "sla": {
            **profile.sla_policy,
            "default": default,
            "rules": [
                {
                    "category": r.category.code if r.category else None,
                    "priority": r.priority,
                    **_target(r),
                }
                for r in sla_rules
                if r.priority
            ],
        },
        "calendar": profile.calendar,
        "verification": profile.verification,
        "ranking": profile.ranking,
        "messaging": profile.messaging or {},
        "boundary": profile.boundary,
    }
    return data


def config_to_yaml(config: CityConfig) -> str:
    """YAML for a config, without the keys that only repeat a default."""
    data = config.model_dump(mode="json", exclude_none=True)
    header = (
        f"# Konfigurasi Kanal untuk {config.identity.name}, diekspor dari basis data.\n"
        f"# Terapkan dengan: python manage.py onboard tenant_configs/{config.slug}.yaml --plan\n"
    )
    return header + yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def _numeric(value: Any) -> bool:
    if isinstance(value, list):
        return bool(value) and all(_numeric(item) for item in value)
    return isinstance(value, int | float) and not isinstance(value, bool)


class _Dumper(yaml.SafeDumper):
    """Polygon coordinates on one line (``[[116.1, -8.5], ...]``), not one number a line."""

    def represent_list(self, data):
        return self.represent_sequence(
            "tag:yaml.org,2002:seq", data, flow_style=True if _numeric(data) else None
        )


_Dumper.add_representer(list, _Dumper.represent_list)


def config_sha256(config: CityConfig) -> str:
    canonical = json.dumps(config.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()
