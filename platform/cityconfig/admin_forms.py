"""Admin edits are checked by the same config model the YAML uses.

An edit in the admin (an SLA target typed "2 jam", a verification policy with
a misspelt key) used to be saved as typed, then break the city: the next
export raised a pydantic error (HTTP 500) and a bad policy broke every later
submission. :class:`ConfigCheckedForm` applies the edit inside a savepoint,
exports the city's config, validates it with
``cityconfig.validation.validate_config_data`` (pydantic model + cross-reference checks) and rolls
back; every problem becomes an error next to its field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django import forms
from django.db import DatabaseError, connection, transaction
from django.utils.translation import gettext as _

from kanal.validation import bad_strings

# CityProfile's JSON fields are the config's top-level sections.
PROFILE_SECTIONS = {
    "identity": "identity",
    "domains": "domains",
    "branding": "branding",
    "channels": "channels",
    "features": "features",
    "priorities": "priorities",
    "territorial_opds": "territorial_opds",
    "sla": "sla_policy",
    "calendar": "calendar",
    "verification": "verification",
    "ranking": "ranking",
    "boundary": "boundary",
}


class _Rollback(Exception):
    pass


def _segments(path: str) -> list[str]:
    return [s for s in re.split(r"[.\[\]]", path) if s and not s.isdigit()]


def field_for(path: str, fields: Iterable[str]) -> str | None:
    """Which form field a config problem at ``path`` belongs to, if any."""
    fields = set(fields)
    segments = _segments(path)
    if segments and PROFILE_SECTIONS.get(segments[0]) in fields:
        return PROFILE_SECTIONS[segments[0]]
    if path == "routing.default_opd" and "default_opd" in fields:
        return "default_opd"
    for segment in reversed(segments):
        if segment in fields:
            return segment
    return None


class ConfigCheckedForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            # An empty list or mapping is a valid section ("priorities: []" in
            # Jakarta and Mataram); whether it may be empty is the config model's call.
            if isinstance(field, forms.JSONField):
                field.required = False

    def clean(self):
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            if isinstance(value, dict | list | str):
                for path in bad_strings(value, name):
                    self.add_error(
                        name,
                        _("Berisi karakter yang tidak diizinkan (NUL) di %(path)s.")
                        % {"path": path},
                    )
                    break
        return cleaned

    def _post_clean(self):
        super()._post_clean()  # builds self.instance and runs the model's own checks
        if self.errors:
            return
        from cityconfig.export import current_config_data
        from cityconfig.validation import ConfigInvalid, validate_config_data

        instance = self.instance
        pk, adding = instance.pk, instance._state.adding
        slug = connection.tenant.slug
        try:
            with transaction.atomic():
                instance.save()
                validate_config_data(current_config_data(slug), expected_slug=slug)
                raise _Rollback
        except _Rollback:
            pass
        except ConfigInvalid as exc:
            for problem in exc.problems:
                message = _("Konfigurasi kota tidak valid di %(path)s: %(message)s") % {
                    "path": problem.path or "(root)",
                    "message": problem.message,
                }
                self.add_error(field_for(problem.path, self.fields), message)
        except (DatabaseError, ValueError, TypeError, KeyError, AttributeError) as exc:
            self.add_error(
                None,
                _("Perubahan ini tidak dapat disimpan: %(reason)s")
                % {"reason": type(exc).__name__},
            )
        finally:
            instance.pk, instance._state.adding = pk, adding
