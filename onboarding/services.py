"""Onboarding services: plan and apply a city config, create cities.

``plan_config`` is read-only. ``apply_config`` creates the city (schema,
tables, domains) if needed and brings its configuration to the file's state in
one database transaction: either all of it lands or none of it does. Retired
entities are deactivated, never deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django_tenants.utils import schema_context

from cityconfig.diff import SLA_POLICY_FIELDS, Change, diff_configs, sla_targets
from cityconfig.export import config_sha256, current_config
from cityconfig.models import (
    Area,
    Category,
    CategoryGroup,
    CityProfile,
    ConfigRevision,
    Opd,
    RoutingRule,
    SlaRule,
)
from cityconfig.schema import TERRITORIAL_TOKENS, CityConfig, territorial_opd_code
from cityconfig.signals import public_data_changed
from onboarding.loading import ConfigInvalid, Problem
from tenants.models import City, CityStatus, Domain

PUBLIC_SCHEMA = "public"


@dataclass
class Plan:
    slug: str
    creates_city: bool
    changes: list[Change]

    @property
    def has_changes(self) -> bool:
        return self.creates_city or bool(self.changes)

    def describe(self) -> str:
        lines = []
        if self.creates_city:
            lines.append(f"+ kota {self.slug} (skema {City.schema_for_slug(self.slug)} dibuat)")
        lines += [change.describe() for change in self.changes]
        return "\n".join(lines) if lines else "Tidak ada perubahan."


def platform_domain(slug: str) -> str:
    return f"{slug}.{settings.KANAL_BASE_DOMAIN}"


def ensure_public_tenant() -> City:
    """The public tenant that serves the bare base domain (vendor site, admin)."""
    city, _ = City.objects.get_or_create(
        schema_name=PUBLIC_SCHEMA,
        defaults={
            "slug": "public",
            "name": "Kanal",
            "official_name": "Kanal",
            "province": "-",
        },
    )
    for host in {settings.KANAL_BASE_DOMAIN, "localhost", "127.0.0.1"}:
        Domain.objects.get_or_create(
            domain=host, defaults={"tenant": city, "is_primary": host == settings.KANAL_BASE_DOMAIN}
        )
    return city


def _domain_problems(config: CityConfig) -> list[Problem]:
    problems = []
    wanted = [platform_domain(config.slug), *config.domains]
    taken = {
        d.domain: d.tenant.slug
        for d in Domain.objects.filter(domain__in=wanted).select_related("tenant")
        if d.tenant.slug != config.slug
    }
    for index, domain in enumerate(config.domains):
        if domain.endswith("." + settings.KANAL_BASE_DOMAIN):
            problems.append(
                Problem(
                    f"domains[{index}]",
                    f"'{domain}' is a platform host; list only the city's own domains",
                )
            )
        elif domain in taken:
            problems.append(
                Problem(
                    f"domains[{index}]", f"'{domain}' is already used by city '{taken[domain]}'"
                )
            )
    return problems


def plan_config(config: CityConfig) -> Plan:
    """What applying ``config`` would change. Raises ConfigInvalid for problems that
    need the database (a domain owned by another city)."""
    problems = _domain_problems(config)
    if problems:
        raise ConfigInvalid(problems)
    city = City.objects.filter(slug=config.slug).first()
    if city is None:
        return Plan(config.slug, True, diff_configs(None, config))
    with schema_context(city.schema_name):
        old = current_config(config.slug) if CityProfile.objects.exists() else None
    return Plan(config.slug, False, diff_configs(old, config))


def create_city(config: CityConfig) -> City:
    """Create the city row, its schema and tables (runs the tenant migrations)."""
    identity = config.identity
    city = City.objects.create(
        schema_name=City.schema_for_slug(config.slug),
        slug=config.slug,
        name=identity.name,
        official_name=identity.official_name,
        province=identity.province,
        time_zone=identity.time_zone,
        default_locale=identity.default_locale,
    )
    city.create_schema(check_if_exists=False, verbosity=0)
    return city


def apply_config(config: CityConfig, *, actor: str, source: str = "") -> Plan:
    """Bring the city to ``config``'s state in one transaction and record a revision.

    Applying the same config twice makes no changes and records nothing the
    second time.
    """
    with transaction.atomic():
        plan = plan_config(config)
        if not plan.has_changes:
            return plan
        city = City.objects.filter(slug=config.slug).first() or create_city(config)
        _update_city_row(city, config)
        _sync_domains(city, config)
        with schema_context(city.schema_name):
            _write_config(config)
            ConfigRevision.objects.create(
                actor=actor,
                source=source,
                config_sha256=config_sha256(config),
                changes=[c.as_json() for c in plan.changes],
                config=config.model_dump(mode="json"),
            )
        schema = city.schema_name
        transaction.on_commit(
            lambda: public_data_changed.send_robust(sender=apply_config, schema=schema)
        )
    connection.set_schema_to_public()
    return plan


def _update_city_row(city: City, config: CityConfig) -> None:
    identity = config.identity
    city.name = identity.name
    city.official_name = identity.official_name
    city.province = identity.province
    city.time_zone = identity.time_zone
    city.default_locale = identity.default_locale
    if city.status == "":
        city.status = CityStatus.ACTIVE
    city.save()


def _sync_domains(city: City, config: CityConfig) -> None:
    wanted = {platform_domain(config.slug): True, **{d: False for d in config.domains}}
    Domain.objects.filter(tenant=city).exclude(domain__in=wanted).delete()
    for host, primary in wanted.items():
        existing = Domain.objects.select_for_update().filter(domain=host).first()
        if existing is None:
            # Two applies racing for one host: the unique index refuses the second.
            Domain.objects.create(domain=host, tenant=city, is_primary=primary)
        elif existing.tenant_id != city.pk:
            # Taken since plan_config looked (another apply committed meanwhile):
            # never move a host from one city to another.
            index = config.domains.index(host) if host in config.domains else 0
            raise ConfigInvalid(
                [Problem(f"domains[{index}]", f"'{host}' is already used by another city")]
            )
        elif existing.is_primary != primary:
            existing.is_primary = primary
            existing.save(update_fields=["is_primary"])


def _sync(model, rows: list[dict[str, Any]], key: tuple[str, ...] = ("code",)) -> dict:
    """Upsert ``rows`` by ``key``, reactivating retired ones; retire the rest."""
    existing = {tuple(getattr(obj, k) for k in key): obj for obj in model.objects.all()}
    kept = {}
    for position, row in enumerate(rows):
        ident = tuple(row[k] for k in key)
        obj = existing.get(ident) or model(**{k: row[k] for k in key})
        for name, value in row.items():
            setattr(obj, name, value)
        obj.active = True
        if "position" not in row:
            obj.position = position
        obj.save()
        kept[ident] = obj
    retired = [obj.pk for ident, obj in existing.items() if ident not in kept and obj.active]
    if retired:
        model.objects.filter(pk__in=retired).update(active=False)
    return {ident[0] if len(ident) == 1 else ident: obj for ident, obj in kept.items()}


def _write_config(config: CityConfig) -> None:
    groups = _sync(
        CategoryGroup,
        [
            {"code": g.code, "name_id": g.name.id, "name_en": g.name.en}
            for g in config.category_groups
        ],
    )
    categories = _sync(
        Category,
        [
            {
                "code": c.code,
                "group": groups[c.group],
                "name_id": c.name.id,
                "name_en": c.name.en,
                "description_id": c.description.id if c.description else "",
                "description_en": c.description.en if c.description else "",
                "photo_required": c.photo_required,
                "emergency": c.emergency,
            }
            for c in config.categories
        ],
    )
    areas = _sync(
        Area,
        [
            {
                "code": a.code,
                "name": a.name,
                "level": a.level,
                "parent": None,
                "office_name": a.office_name or "",
                "boundary": a.boundary.model_dump() if a.boundary is not None else None,
            }
            for a in config.areas
        ],
    )
    for area in config.areas:
        if area.parent:
            Area.objects.filter(pk=areas[area.code].pk).update(parent=areas[area.parent])

    opd_rows = [
        {
            "code": o.code,
            "name": o.name,
            "short_name": o.short_name or "",
            "kind": o.kind,
            "responder": o.responder,
            "area": None,
            "generated": False,
            "parent": None,
            "head": o.head or "",
            "phone": o.phone or "",
            "email": o.email or "",
        }
        for o in config.opds
    ]
    levels = set(config.territorial_opds.levels)
    prefix = {
        "kelurahan": "Kelurahan",
        "desa": "Desa",
        "kecamatan": "Kecamatan",
        "kota_administrasi": "Kota Administrasi",
        "kabupaten_administrasi": "Kabupaten Administrasi",
    }
    opd_rows += [
        {
            "code": territorial_opd_code(a.code),
            "name": a.office_name or f"{prefix[a.level]} {a.name}",
            "short_name": "",
            "kind": a.level,
            "responder": config.territorial_opds.responder,
            "area": areas[a.code],
            "generated": True,
            "parent": None,
        }
        for a in config.areas
        if a.level in levels
    ]
    opds = _sync(Opd, opd_rows)
    parents = {o.code: o.parent for o in config.opds if o.parent}
    parents.update(
        {
            territorial_opd_code(a.code): territorial_opd_code(a.parent)
            for a in config.areas
            if a.level in levels
            and a.parent
            and a.parent in areas
            and areas[a.parent].level in levels
        }
    )
    for code, parent in parents.items():
        Opd.objects.filter(pk=opds[code].pk).update(parent=opds[parent])

    _sync(
        RoutingRule,
        [
            {
                "category_id": categories[r.category].pk,
                "area_id": areas[r.area].pk if r.area else None,
                "opd": None if r.opd in TERRITORIAL_TOKENS else opds[r.opd],
                "opd_token": r.opd if r.opd in TERRITORIAL_TOKENS else "",
                "forward_to": opds[r.forward_to] if r.forward_to else None,
            }
            for r in config.routing.rules
        ],
        key=("category_id", "area_id"),
    )
    sla_rows = []
    for ident, target in sla_targets(config).items():
        category, priority = ident.split("/")
        sla_rows.append(
            {
                "category_id": categories[category].pk if category != "*" else None,
                "priority": priority if priority != "*" else "",
                **target,
            }
        )
    _sync(SlaRule, sla_rows, key=("category_id", "priority"))

    data = config.model_dump(mode="json")
    profile = CityProfile.objects.first() or CityProfile()
    for section in (
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
        "messaging",
        "boundary",
    ):
        setattr(profile, section, data[section])
    profile.sla_policy = {name: data["sla"][name] for name in SLA_POLICY_FIELDS}
    profile.default_opd = opds[config.routing.default_opd]
    profile.save()
