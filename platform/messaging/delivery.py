"""The real delivery backend of the outbox (``KANAL_NOTIFY_BACKEND``).

Each message goes out on the recipient's own channel:

* a chat reply → its conversation;
* a message about a report to its reporter → the conversation the report (or
  their duplicate merged into it) came from; else, for a report staff took down
  (a call, a walk-in), an SMS to the verified number when the city has SMS; a
  citizen of the app reads it in the app (its timeline), so nothing more is sent;
* a message to staff or an OPD → e-mail, when they have an address.

WhatsApp accepts free text only within 24 hours of the citizen's last message;
after that the city's approved ``status_template`` is sent instead. What the
provider answered is kept as an :class:`OutboundMessage`, whose delivery
status the provider's callbacks move forward.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Q
from django.utils import timezone, translation

from messaging.adapters import adapter_for
from messaging.adapters.base import Outgoing
from messaging.credentials import ChannelNotEnabled, enabled_api_channels
from messaging.models import Conversation, OutboundMessage
from messaging.outbound import outgoing_from_payload
from messaging.texts import notification_text
from notifications.backends import PermanentFailure, recipient_label

logger = logging.getLogger("notifications.delivery")

WHATSAPP_WINDOW = timedelta(hours=24)


def origin_conversation(report, citizen_id: int | None) -> Conversation | None:
    """The conversation this reporter made the report in, or made a duplicate
    in that was merged into it (they keep hearing about the main report where
    they spoke). A report made in the app is followed in the app: a citizen's
    WhatsApp chat about another report is not where it goes."""
    if report is None or not citizen_id:
        return None
    return (
        Conversation.objects.filter(citizen_id=citizen_id, channel__in=enabled_api_channels())
        .filter(Q(messages__report=report) | Q(messages__report__merged_into=report))
        .order_by("-last_inbound_at")
        .first()
    )


def _hears_by_sms(report) -> bool:
    """A citizen whose report staff took down (a call, a walk-in, a letter)
    hears back by SMS; one who used the app reads it there."""
    return report is not None and report.channel not in ("app", "web", "open311")


class ChannelBackend:
    def send(self, message) -> None:
        if message.conversation_id:
            conversation = message.conversation
            outgoing = outgoing_from_payload(message.payload.get("message") or {})
            self._send(conversation, outgoing, message)
            return
        if message.citizen_id:
            conversation = origin_conversation(message.report, message.citizen_id)
            if conversation is not None:
                with translation.override(conversation.language):
                    outgoing = notification_text(message)
                self._send(conversation, outgoing, message)
                return
            phone = message.citizen.phone
            if phone and _hears_by_sms(message.report) and "sms" in enabled_api_channels():
                conversation, _new = Conversation.objects.get_or_create(
                    channel="sms", address=phone, defaults={"citizen": message.citizen}
                )
                with translation.override(conversation.language):
                    outgoing = notification_text(message)
                self._send(conversation, outgoing, message)
                return
            logger.info("notification %s: the citizen reads it in the app", message.kind)
            return
        address = self._staff_address(message)
        if address:
            with translation.override(settings.LANGUAGE_CODE):
                outgoing = notification_text(message)
            EmailMessage(
                subject=outgoing.subject or outgoing.text.splitlines()[0][:120],
                body=outgoing.text,
                to=[address],
            ).send()
            return
        logger.info("notification %s to %s: no address", message.kind, recipient_label(message))

    @staticmethod
    def _staff_address(message) -> str:
        if message.user_id:
            return message.user.email or ""
        if message.opd_id:
            return getattr(message.opd, "email", "") or ""
        return ""

    def _send(self, conversation: Conversation, outgoing: Outgoing, message) -> None:
        if conversation.channel == "whatsapp" and not outgoing.template:
            outgoing = self._within_window(conversation, outgoing, message)
        try:
            adapter = adapter_for(conversation.channel)
        except ChannelNotEnabled as exc:
            raise PermanentFailure(f"channel {conversation.channel} is no longer enabled") from exc
        with translation.override(conversation.language):  # labels the adapter adds
            provider_id = adapter.send(conversation.address, outgoing)
        OutboundMessage.objects.create(
            conversation=conversation,
            outbox_id=message.pk,
            text=outgoing.text[:5000],
            template=outgoing.template,
            provider_message_id=provider_id or "",
            status_at=timezone.now(),
        )

    def _within_window(self, conversation, outgoing: Outgoing, message) -> Outgoing:
        last = conversation.last_inbound_at
        if last is not None and timezone.now() - last < WHATSAPP_WINDOW:
            return outgoing
        template = adapter_for("whatsapp").settings.status_template
        if template is None or not message.report_id:
            raise PermanentFailure(
                "the 24-hour WhatsApp window is closed and the city has no status_template"
            )
        with translation.override(conversation.language):
            status = str(message.report.get_status_display())
        return Outgoing(
            text=outgoing.text,
            template=template.name,
            template_language=template.language,
            template_params=(message.report.tracking_code, status),
        )
