"""Changing the city profile from the console: one section save, one revision.

The console's section screens (identity, branding, channels, verification)
build a new value for one or more of the profile's sections and hand it
here. The write runs inside :func:`cityconfig.revisions.recorded_change`, so
the result is validated by the same config model the YAML uses and recorded
as one revision; an invalid result raises ``ConfigInvalid`` with the
problems' paths (``branding.colors.primary``) and nothing is written.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from pydantic import ValidationError

from cityconfig.models import CityProfile
from cityconfig.revisions import Recording, recorded_change
from cityconfig.schema import Identity
from tenants.models import City

# The profile's fields a section screen may replace (the rest have their own screens).
EDITABLE_SECTIONS = ("identity", "branding", "channels", "features", "verification")


def update_profile(actor: str, source: str, sections: dict[str, Any]) -> Recording:
    """Replace the given profile sections (field name → new JSON value) as one
    recorded revision. Raises ``ConfigInvalid`` (everything rolled back) when
    the city's config would be invalid; ``ValueError`` for a section the
    console does not edit this way."""
    unknown = set(sections) - set(EDITABLE_SECTIONS)
    if unknown:
        raise ValueError(f"not an editable profile section: {sorted(unknown)}")
    with recorded_change(actor, source) as recording:
        profile = CityProfile.objects.select_for_update().get()
        for name, value in sections.items():
            setattr(profile, name, value)
        profile.save()
        if "identity" in sections:
            _mirror_identity(profile.identity)
    return recording


def _mirror_identity(identity: dict) -> None:
    """The public ``City`` row repeats the identity (the host's name, the zone
    the middleware activates); onboarding writes it on apply, the console here.
    An invalid identity is left to the config check, which rolls back."""
    try:
        valid = Identity.model_validate(identity)
    except ValidationError:
        return
    city = connection.tenant
    values = {
        "name": valid.name,
        "official_name": valid.official_name,
        "province": valid.province,
        "time_zone": valid.time_zone,
        "default_locale": valid.default_locale,
    }
    City.objects.filter(pk=city.pk).update(**values)
    for name, value in values.items():
        setattr(city, name, value)
