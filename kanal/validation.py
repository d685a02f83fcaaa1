"""Limits that come from the model, checked before the database sees a value.

A value longer than its column would otherwise reach PostgreSQL and come back
as "value too long for type character varying(80)": an internal message, and a
failed transaction. Services call :func:`check_lengths` with the API's field
names, so the caller learns which field and what the limit is.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from kanal.errors import InvalidInput

MAX_DEPTH = 32


def max_length(model: type[models.Model], field_name: str) -> int | None:
    return model._meta.get_field(field_name).max_length


def check_lengths(model: type[models.Model], values: dict[str, tuple[str, str | None]]) -> None:
    """``values``: model field name → (the caller's field name, value).

    Raises InvalidInput ``TOO_LONG`` for the first value over its column's
    ``max_length``."""
    for field_name, (api_field, value) in values.items():
        limit = max_length(model, field_name)
        if value is not None and limit is not None and len(value) > limit:
            raise InvalidInput(
                field=api_field,
                code="TOO_LONG",
                message=_("Isian %(api_field)s terlalu panjang: paling banyak %(limit)s karakter."),
                params={"api_field": api_field, "limit": limit},
            )


def unstorable(text: str) -> bool:
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return True
    return False


def bad_strings(value: Any, path: str, depth: int = 0) -> Iterator[str]:
    """Paths of strings in ``value`` (JSON-like data) that the database cannot
    store: a NUL character, or an unpaired surrogate."""
    if depth > MAX_DEPTH:
        yield path
    elif isinstance(value, str):
        if unstorable(value):
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and unstorable(key):
                yield path
            else:
                yield from bad_strings(item, f"{path}.{key}", depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from bad_strings(item, f"{path}[{index}]", depth + 1)
