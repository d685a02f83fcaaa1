"""Replies in a conversation go through the transactional outbox like every
other message: written with the change that causes them, delivered (with
retries and dead letters) by :class:`messaging.delivery.ChannelBackend`."""

from __future__ import annotations

from dataclasses import asdict

from messaging.adapters.base import Option, Outgoing
from notifications.services import notify


def reply(conversation, outgoing: Outgoing, *, kind: str = "chat.reply", report=None):
    """Queue ``outgoing`` for the conversation (inside the caller's transaction)."""
    payload = asdict(outgoing)
    payload["options"] = [asdict(o) for o in outgoing.options]
    return notify(kind, conversation=conversation, report=report, message=payload)


def outgoing_from_payload(payload: dict) -> Outgoing:
    data = dict(payload)
    data["options"] = tuple(Option(**o) for o in data.get("options") or ())
    data["template_params"] = tuple(data.get("template_params") or ())
    return Outgoing(**data)
