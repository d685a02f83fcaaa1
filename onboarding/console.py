"""The console's whole-config operations: roll back to a revision, import a YAML.

Both are an onboarding apply of a complete config, so they go through the one
path that brings a city to a config's state (``apply_config``): one
transaction, retired entities deactivated never deleted, and a revision of
their own — a rollback is itself a new revision that can be rolled back.

A city's Diskominfo changes its own configuration, never the host names that
point at it: the vendor assigns those (a host of another city would otherwise
be one YAML line away). Both operations keep the live ``domains``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.utils.translation import gettext as _

from cityconfig.diff import Change
from cityconfig.export import config_sha256, current_config
from cityconfig.models import ConfigRevision
from cityconfig.revisions import without_shifts
from cityconfig.schema import CityConfig
from cityconfig.validation import ConfigInvalid, Problem
from onboarding.loading import parse_config
from onboarding.services import apply_config, plan_config

#: The largest YAML the console accepts (Jakarta's whole config is about 115 KB).
MAX_IMPORT_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Proposal:
    """A config the admin may apply, the changes it makes, and the live config's
    fingerprint when it was planned (applying refuses if that has moved)."""

    config: CityConfig
    changes: list[Change]
    live_sha256: str


def _live() -> CityConfig:
    return current_config(connection.tenant.slug)


def _with_live_domains(config: CityConfig, live: CityConfig) -> CityConfig:
    return config.model_copy(update={"domains": list(live.domains)})


def _propose(config: CityConfig) -> Proposal:
    live = _live()
    config = _with_live_domains(config, live)
    city = connection.tenant
    plan = plan_config(config)
    connection.set_tenant(city)  # plan_config reads the city in its own schema context
    return Proposal(config, without_shifts(plan.changes), config_sha256(live))


def rollback_proposal(revision: ConfigRevision) -> Proposal:
    """What rolling back to ``revision`` would change now."""
    try:
        config = CityConfig.model_validate(revision.config)
    except ValueError as exc:
        raise ConfigInvalid(
            [Problem("", _("Revisi ini tidak lagi dapat dibaca sebagai konfigurasi yang sah."))]
        ) from exc
    return _propose(config)


def import_proposal(text: str, *, file: str = "") -> Proposal:
    """A YAML config for this city, checked (with line numbers) and planned."""
    if len(text.encode("utf-8")) > MAX_IMPORT_BYTES:
        raise ConfigInvalid([Problem("", _("Berkas terlalu besar (maksimum 2 MB)."), file)])
    config = parse_config(text, file=file, expected_slug=connection.tenant.slug)
    return _propose(config)


def apply_proposal(proposal: Proposal, *, actor: str, source: str) -> list[Change]:
    """Apply a planned config, unless the live config changed since the plan."""
    city = connection.tenant
    if config_sha256(_live()) != proposal.live_sha256:
        raise ConfigInvalid(
            [
                Problem(
                    "",
                    _(
                        "Konfigurasi kota berubah sejak pratinjau ini dibuat. "
                        "Periksa rencana yang baru sebelum menerapkan."
                    ),
                )
            ]
        )
    try:
        plan = apply_config(proposal.config, actor=actor, source=source)
    finally:
        connection.set_tenant(city)  # apply_config ends in the public schema
    return without_shifts(plan.changes)
