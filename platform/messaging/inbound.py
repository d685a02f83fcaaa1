"""Storing what providers deliver, once, and handing it to a background job.

A webhook answers 200 as soon as the message is stored: providers retry a slow
or failing webhook, so the work (downloading media, the conversation, a report)
runs later in :func:`process_pending`. A retried delivery carries the same
provider message id and is stored once (a unique constraint), so nothing is
created twice; a message whose job was lost is picked up by the next sweep.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone

from messaging.adapters.base import Incoming, StatusUpdate
from messaging.models import Conversation, InboundMedia, InboundMessage, OutboundMessage

logger = logging.getLogger("messaging.inbound")

MAX_TEXT = 5000
MAX_ATTEMPTS = 5
STATUS_ORDER = {"sent": 0, "delivered": 1, "read": 2, "failed": 3}


def receive(channel: str, incoming: Iterable[Incoming]) -> list[int]:
    """Store each new message with its conversation; returns the new ids and
    queues their processing after the commit."""
    created: list[int] = []
    for item in incoming:
        with transaction.atomic():
            conversation, _new = Conversation.objects.get_or_create(
                channel=channel,
                address=item.sender[:254],
                defaults={
                    "display_name": item.display_name[:120],
                    "language": "en" if item.language.startswith("en") else "id",
                },
            )
            message, new = InboundMessage.objects.get_or_create(
                channel=channel,
                provider_message_id=item.provider_message_id[:200],
                defaults={
                    "conversation": conversation,
                    "sender": item.sender[:254],
                    "received_at": item.received_at,
                    "text": item.text[:MAX_TEXT],
                    "latitude": item.latitude,
                    "longitude": item.longitude,
                    "reply_id": item.reply_id[:200],
                    "contact_phone": item.contact_phone[:20],
                    "media_refs": [
                        {"ref": m.ref, "content_type": m.content_type, "filename": m.filename}
                        for m in item.media
                        if m.data is None
                    ],
                },
            )
            if not new:
                logger.info("%s message delivered again, ignored", channel)
                continue
            for position, media in enumerate(m for m in item.media if m.data is not None):
                keep_inline_media(message, media.data, media.content_type, media.filename, position)
        created.append(message.pk)
    if created:
        schema = connection.schema_name
        transaction.on_commit(lambda: _enqueue(schema, created))
    return created


def keep_inline_media(message, data: bytes, content_type: str, filename: str, position: int):
    safe = "".join(c for c in (filename or "") if c.isalnum() or c in "._-")[-80:]
    return InboundMedia.objects.create(
        message=message,
        file=ContentFile(data, name=f"{position}-{safe or 'lampiran'}"),
        content_type=(content_type or "application/octet-stream")[:100],
        size=len(data),
        filename=(filename or "")[:200],
    )


def _enqueue(schema: str, ids: list[int]) -> None:
    from kanal.jobs import send_to_city
    from messaging.tasks import process_inbound

    try:
        send_to_city(process_inbound, schema, kwargs={"ids": ids})
    except Exception:  # Redis down: the periodic sweep processes them
        logger.warning("could not queue %d inbound messages; the sweep will", len(ids))


def record_statuses(updates: Iterable[StatusUpdate]) -> int:
    """Delivery callbacks: move a sent message forward (never back: providers
    can deliver "read" before "delivered")."""
    changed = 0
    for update in updates:
        if update.status not in STATUS_ORDER:
            continue
        for sent in OutboundMessage.objects.filter(
            provider_message_id=update.provider_message_id
        ).select_for_update():
            if STATUS_ORDER[update.status] <= STATUS_ORDER.get(sent.status, 0):
                continue
            sent.status = update.status
            sent.status_at = update.at
            sent.error = update.error[:2000]
            sent.save(update_fields=["status", "status_at", "error"])
            changed += 1
    return changed


def process_pending(ids: list[int] | None = None, *, limit: int = 200) -> int:
    """Process received messages, conversation by conversation, in the order
    they arrived. The conversation's row is locked for its turn (``SKIP
    LOCKED``: another worker holding it is processing the same sender), so two
    workers never interleave one chat's draft. A message whose processing
    fails (a provider outage while downloading its photo) is left received, and
    the sender's later messages wait behind it for the next sweep."""
    from messaging.conversation import handle

    pending = InboundMessage.objects.filter(
        status=InboundMessage.Status.RECEIVED, conversation__isnull=False
    )
    if ids is not None:
        pending = pending.filter(pk__in=ids)
    conversations = list(
        pending.order_by("conversation_id").values_list("conversation_id", flat=True).distinct()
    )
    done = 0
    for conversation_id in conversations:
        with transaction.atomic():
            locked = (
                Conversation.objects.select_for_update(skip_locked=True)
                .filter(pk=conversation_id)
                .first()
            )
            if locked is None:
                continue
            messages = InboundMessage.objects.filter(
                conversation_id=conversation_id, status=InboundMessage.Status.RECEIVED
            ).order_by("received_at", "pk")
            for message in messages[:limit]:
                message.conversation = locked
                try:
                    with transaction.atomic():
                        handle(message, now=timezone.now())
                except Exception as exc:
                    _failed(message, exc)
                    break
                done += 1
    return done


def _failed(message: InboundMessage, exc: Exception) -> None:
    """Count a failed attempt; the sender's later messages wait behind this one
    (their order matters) until it succeeds or, after MAX_ATTEMPTS, is handed to
    an operator in the inbox with its error, and the chat moves on."""
    message.attempts += 1
    message.error = f"{type(exc).__name__}: {exc}"[:2000]
    if message.attempts >= MAX_ATTEMPTS:
        message.status = InboundMessage.Status.INBOX
        logger.error(
            "%s message failed %d times, handed to the inbox: %s",
            message.channel,
            message.attempts,
            message.error,
        )
    else:
        logger.warning(
            "%s message failed (attempt %d), retried later: %s",
            message.channel,
            message.attempts,
            message.error,
        )
    message.save(update_fields=["attempts", "error", "status"])
