"""Durations as a Diskominfo admin types them, and back in words.

The config stores durations canonically (``"2h"``, ``"3d"``, ``"90m"``: a
positive whole number and a unit, see ``cityconfig.schema._check_duration``);
people type "2 jam", "3 hari kerja", "1,5 jam" or "2 hours". This module is
the one translation between the two, so every console screen accepts the
same words and shows the stored value back the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

from django import forms
from django.utils.translation import get_language, gettext, gettext_lazy

from cityconfig.schema import parse_duration

Clock = Literal["working", "calendar"]

# A longer target is a typo ("1000 hari"), not a service level.
MAX_MINUTES = 365 * 24 * 60

_UNIT_MINUTES = {"m": 1, "h": 60, "d": 24 * 60}

# Every word (lower case) a person may use for a unit.
_UNIT_WORDS = {
    "m": "m",
    "mnt": "m",
    "menit": "m",
    "min": "m",
    "mins": "m",
    "minute": "m",
    "minutes": "m",
    "h": "h",
    "j": "h",
    "jam": "h",
    "hr": "h",
    "hrs": "h",
    "hour": "h",
    "hours": "h",
    "d": "d",
    "hari": "d",
    "day": "d",
    "days": "d",
}
_WORKING_WORDS = {"kerja", "working", "work", "business"}
_CALENDAR_WORDS = {"kalender", "calendar"}

_TEXT_RE = re.compile(r"^(?P<amount>\d+(?:[.,]\d+)?)\s*(?P<words>[a-z. ]*)$")

FORMAT_HINT = gettext_lazy(
    "Tulis angka dan satuan, misalnya “90 menit”, “2 jam”, “3 hari kerja” atau “7d”."
)


class DurationError(ValueError):
    """The text is not a duration; ``message`` says why, in the person's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ParsedDuration:
    canonical: str  # "2h", "3d", "90m": what the config stores
    clock: Clock | None  # the clock the words named ("hari kerja"), None if they named none

    @property
    def minutes(self) -> int:
        amount, unit = parse_duration(self.canonical)
        return amount * _UNIT_MINUTES[unit]


def _not_positive() -> str:
    return gettext("Durasi harus lebih dari nol. %(hint)s") % {"hint": FORMAT_HINT}


def _canonical(minutes: int, preferred_unit: str) -> str:
    """The largest unit, no larger than the one typed, that keeps a whole number:
    "1,5 jam" → 90m, "0,5 hari" → 12h, "2 jam" stays 2h (not 120m)."""
    for unit in ("d", "h", "m"):
        if _UNIT_MINUTES[unit] > _UNIT_MINUTES[preferred_unit]:
            continue
        if minutes % _UNIT_MINUTES[unit] == 0:
            return f"{minutes // _UNIT_MINUTES[unit]}{unit}"
    raise DurationError(str(FORMAT_HINT))


def parse_human_duration(text: str) -> ParsedDuration:
    """``"2 jam"`` → ``ParsedDuration("2h", None)``; ``"3 hari kerja"`` →
    ``("3d", "working")``; ``"1,5 jam"`` → ``("90m", None)``.

    Raises :class:`DurationError` with a message that says which format is
    wanted; never returns a value the config model would refuse.
    """
    cleaned = " ".join((text or "").strip().lower().split())
    if not cleaned:
        raise DurationError(str(FORMAT_HINT))
    if cleaned.startswith("-"):
        raise DurationError(_not_positive())
    match = _TEXT_RE.match(cleaned)
    if not match:
        raise DurationError(str(FORMAT_HINT))
    words = [w.strip(".") for w in match.group("words").split()]
    words = [w for w in words if w]
    unit = None
    clock: Clock | None = None
    for word in words:
        if word in _UNIT_WORDS and unit is None:
            unit = _UNIT_WORDS[word]
        elif word in _WORKING_WORDS and clock is None:
            clock = "working"
        elif word in _CALENDAR_WORDS and clock is None:
            clock = "calendar"
        else:
            raise DurationError(str(FORMAT_HINT))
    try:
        amount = Decimal(match.group("amount").replace(",", "."))
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only numbers
        raise DurationError(str(FORMAT_HINT)) from exc
    if amount <= 0:
        raise DurationError(_not_positive())
    if unit is None:
        raise DurationError(str(FORMAT_HINT))
    minutes_exact = amount * _UNIT_MINUTES[unit]
    if minutes_exact != minutes_exact.to_integral_value():
        raise DurationError(gettext("Durasi terkecil yang bisa disimpan adalah satu menit."))
    minutes = int(minutes_exact)
    if minutes > MAX_MINUTES:
        raise DurationError(gettext("Durasi paling lama 365 hari; periksa angka yang Anda tulis."))
    return ParsedDuration(_canonical(minutes, unit), clock)


def _is_english(lang: str | None) -> bool:
    return (lang or get_language() or "id").lower().startswith("en")


def describe_duration(canonical: str, clock: Clock | None = None, lang: str | None = None) -> str:
    """``"2h"`` → "2 jam"; ``("3d", "working")`` → "3 hari kerja" / "3 working days".

    ``lang`` defaults to the active language. The words parse back to the same
    value, so a form can show them and save them unchanged.
    """
    amount, unit = parse_duration(canonical)
    if _is_english(lang):
        noun = {"m": ("minute", "minutes"), "h": ("hour", "hours"), "d": ("day", "days")}[unit]
        word = noun[0] if amount == 1 else noun[1]
        if clock == "working":
            word = f"working {word}"
        elif clock == "calendar":
            word = f"calendar {word}"
        return f"{amount} {word}"
    word = {"m": "menit", "h": "jam", "d": "hari"}[unit]
    if clock == "working":
        word = f"{word} kerja"
    elif clock == "calendar":
        word = f"{word} kalender"
    return f"{amount} {word}"


def describe_clock(clock: str, lang: str | None = None) -> str:
    """The clock a target runs on, in words."""
    if _is_english(lang):
        return "working hours only" if clock == "working" else "around the clock"
    return "hanya jam kerja" if clock == "working" else "24 jam sehari (kalender)"


class HumanDurationWidget(forms.TextInput):
    """Shows a stored ``"2h"`` as "2 jam" (in the active language)."""

    def format_value(self, value):
        if isinstance(value, str):
            try:
                return describe_duration(value.strip())
            except (AssertionError, AttributeError):
                return value  # what the person typed, shown back as typed
        return super().format_value(value)


class HumanDurationField(forms.CharField):
    """A duration typed in words; cleans to the canonical config string.

    ``cleaned_data`` holds ``"2h"``; the clock the words named ("hari kerja")
    is kept in :attr:`named_clock` (per form instance: fields are copied per form)
    so a form can check it against its clock field.
    """

    widget = HumanDurationWidget

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("help_text", FORMAT_HINT)
        super().__init__(*args, **kwargs)
        self.named_clock: Clock | None = None

    def to_python(self, value):
        value = super().to_python(value)
        self.named_clock = None
        if value in self.empty_values:
            return value
        try:
            parsed = parse_human_duration(value)
        except DurationError as exc:
            raise forms.ValidationError(exc.message, code="invalid_duration") from exc
        self.named_clock = parsed.clock
        return parsed.canonical

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.setdefault("autocomplete", "off")
        attrs.setdefault("spellcheck", "false")
        return attrs


__all__ = [
    "MAX_MINUTES",
    "DurationError",
    "HumanDurationField",
    "HumanDurationWidget",
    "ParsedDuration",
    "describe_clock",
    "describe_duration",
    "parse_human_duration",
]
