"""Channel backends: how an outbox message leaves Kanal (SMS, WhatsApp, e-mail...).

A backend is a class with one method, ``send(message) -> None``, that raises on
failure: any exception means "try again later" (with backoff), and
:class:`PermanentFailure` means "this can never be delivered" (a number that
does not exist...), so the message goes straight to the dead letters. The
setting ``KANAL_NOTIFY_BACKEND`` names the class: :class:`LoggingBackend` in
development, :class:`MemoryBackend` in tests (like Django's locmem e-mail
backend), a gateway's class in production.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings
from django.db import connection
from django.utils.module_loading import import_string

logger = logging.getLogger("notifications.delivery")


class PermanentFailure(Exception):
    """Raised by a backend when retrying cannot help."""


class NotificationBackend(Protocol):
    def send(self, message) -> None: ...


def recipient_label(message) -> str:
    """Which kind of recipient, never who: no phone numbers in logs."""
    for kind in ("conversation", "citizen", "user", "opd"):
        if getattr(message, f"{kind}_id", None):
            return kind
    return "none"


class LoggingBackend:
    """Development: writes one log line per message instead of sending it."""

    def send(self, message) -> None:
        logger.info(
            "notification %s to %s (%s)",
            message.kind,
            recipient_label(message),
            message.payload.get("tracking_code", "-"),
        )


@dataclass
class Delivered:
    schema: str
    pk: int
    kind: str
    recipient: str
    payload: dict = field(default_factory=dict)


#: Every message "sent" by :class:`MemoryBackend` in this process (tests empty it).
outbox: list[Delivered] = []


class MemoryBackend:
    """Tests: keeps what it sends in :data:`outbox`, with the city's schema."""

    def send(self, message) -> None:
        outbox.append(
            Delivered(
                schema=connection.schema_name,
                pk=message.pk,
                kind=message.kind,
                recipient=recipient_label(message),
                payload=dict(message.payload),
            )
        )


def get_backend(path: str | None = None) -> NotificationBackend:
    return import_string(path or settings.KANAL_NOTIFY_BACKEND)()
