"""The one answer to "does this person read English?" (Indonesian first)."""

from __future__ import annotations

from django.utils.translation import get_language


def reads_english() -> bool:
    """True when the active language is English; Indonesian is the default."""
    return (get_language() or "id").startswith("en")


def pick(indonesian: str, english: str) -> str:
    """The text in the active language, for texts that come in both from data
    (a category's two names, a check's two reasons)."""
    return english if reads_english() else indonesian
