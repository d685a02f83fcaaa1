"""The one answer to "does this person read English?" (Indonesian first)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import translation
from django.utils.formats import number_format
from django.utils.functional import Promise, lazy
from django.utils.translation import get_language


def reads_english() -> bool:
    """True when the active language is English; Indonesian is the default."""
    return (get_language() or "id").startswith("en")


def pick(indonesian: str, english: str) -> str:
    """The text in the active language, for texts that come in both from data
    (a category's two names, a check's two reasons)."""
    return english if reads_english() else indonesian


#: ``pick`` deferred to when the text is read, for a parameter of a message
#: (e.g. a category's name inside a service error) that follows the reader's language.
lazy_pick = lazy(pick, str)


def _number(value: float, decimals: int) -> str:
    rounded = round(value, decimals)
    if rounded == int(rounded):
        rounded = int(rounded)
    return number_format(rounded, force_grouping=True)


#: A number written the way the reader's language writes it (18,2 in Indonesian,
#: 18.2 in English), decided when the text is read; trailing ".0" is dropped.
localized_number = lazy(_number, str)


def render(message: str | Promise, params: Mapping[str, Any] | None = None) -> str:
    """A translatable message with its ``%(name)s`` parameters filled in, in the
    active language; parameters that are themselves lazy follow the language."""
    text = str(message)
    if not params:
        return text
    return text % {name: str(value) for name, value in params.items()}


def render_in(
    language: str, message: str | Promise, params: Mapping[str, Any] | None = None
) -> str:
    """:func:`render` in ``language`` whatever the active one is (logs, CLIs, tests)."""
    with translation.override(language):
        return render(message, params)
