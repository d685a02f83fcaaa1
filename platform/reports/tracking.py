"""Tracking codes a citizen can read over the phone: ``K7P2-Q9XM``.

Eight characters from an alphabet without look-alikes (no 0/O, 1/I/L), about
8·10^11 possibilities per city, random so codes reveal nothing about volumes.
"""

from __future__ import annotations

import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_tracking_code() -> str:
    chars = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


def normalize_tracking_code(raw: str) -> str:
    """Accept what people type: lower case, spaces, a missing dash."""
    cleaned = "".join(ch for ch in (raw or "").upper() if ch.isalnum())
    return f"{cleaned[:4]}-{cleaned[4:]}" if len(cleaned) == 8 else cleaned
