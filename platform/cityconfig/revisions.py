"""Every change to a city's configuration becomes one revision: who, when, what.

Onboarding's apply records its own revision (it knows the file). Every other
door — a console form, an inline edit, "delete selected", an area import, a
rollback — runs its write inside :func:`recorded_change`, which exports the
live config before and after the write, validates the result with the config
model and records the difference as a readable list of changes with the whole
config beside it (what a rollback restores). A write that would leave the city
with an invalid config is rolled back whole and raised as ``ConfigInvalid``:
nothing half-applied, nothing unrecorded.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from cityconfig.diff import Change, diff_configs
from cityconfig.export import config_sha256, current_config_data
from cityconfig.models import CityProfile, ConfigRevision
from cityconfig.schema import CityConfig
from cityconfig.signals import public_data_changed
from cityconfig.validation import validate_config_data


def live_config() -> CityConfig:
    """The active city's config, validated (raises ``ConfigInvalid``)."""
    slug = connection.tenant.slug
    return validate_config_data(current_config_data(slug), expected_slug=slug)


@dataclass
class Recording:
    """What a recorded change did; ``revision`` is None when nothing changed."""

    changes: list[Change] = field(default_factory=list)
    revision: ConfigRevision | None = None


@contextmanager
def recorded_change(actor: str, source: str) -> Iterator[Recording]:
    """Run a config write and record it as one revision, atomically.

    The body may raise to roll everything back; a body that returns normally
    but leaves the config invalid raises ``ConfigInvalid`` (rolled back too).
    """
    recording = Recording()
    with transaction.atomic():
        before = live_config() if CityProfile.objects.exists() else None
        yield recording
        after = live_config()
        changes = without_shifts(diff_configs(before, after))
        if changes:
            recording.changes = changes
            recording.revision = record_revision(after, changes, actor=actor, source=source)


def without_shifts(changes: list[Change]) -> list[Change]:
    """Leave out the entries that only moved because another of their kind was
    added or removed before them (a deleted rule renumbers every later one)."""
    moved_kinds = {c.kind for c in changes if c.action in ("create", "retire")}
    return [
        c
        for c in changes
        if not (c.action == "update" and c.kind in moved_kinds and set(c.fields) == {"position"})
    ]


def record_revision(
    config: CityConfig, changes: list[Change], *, actor: str, source: str
) -> ConfigRevision:
    revision = ConfigRevision.objects.create(
        actor=actor[:150],
        source=source[:300],
        config_sha256=config_sha256(config),
        changes=[c.as_json() for c in changes],
        config=config.model_dump(mode="json"),
    )
    schema = connection.schema_name
    transaction.on_commit(
        lambda: public_data_changed.send_robust(sender=record_revision, schema=schema)
    )
    return revision


# What people read for the kinds and actions of a change (revision history).
KIND_LABELS = {
    "city": _("Profil kota"),
    "category_group": _("Kelompok kategori"),
    "category": _("Kategori"),
    "area": _("Wilayah"),
    "opd": _("OPD"),
    "routing_rule": _("Aturan disposisi"),
    "sla_rule": _("Aturan SLA"),
}
ACTION_LABELS = {
    "create": _("ditambahkan"),
    "update": _("diubah"),
    "retire": _("dihapus/dinonaktifkan"),
}
