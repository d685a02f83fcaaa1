"""Conversations with citizens on their own channels (WhatsApp, Telegram, SMS,
e-mail) and the inbox of messages a person has to read.

Everything lives in the city's schema: a sender who writes to two cities has two
conversations that know nothing of each other (ISOLATION.md).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reports.models import Channel
from reports.storage import PrivateCityStorage


class Conversation(models.Model):
    """One sender on one channel: the bot's state and draft report live here."""

    class State(models.TextChoices):
        IDLE = "idle", _("Tidak ada laporan yang sedang diisi")
        CATEGORY = "category", _("Menunggu kategori")
        LOCATION = "location", _("Menunggu lokasi")
        PHOTO = "photo", _("Menunggu foto")
        DESCRIPTION = "description", _("Menunggu uraian")
        CONFIRM = "confirm", _("Menunggu konfirmasi")
        CONTACT = "contact", _("Menunggu nomor telepon")

    channel = models.CharField(_("kanal"), max_length=16, choices=Channel.choices)
    # The channel's own address of the sender: an E.164 number (WhatsApp, SMS),
    # a Telegram chat id, an e-mail address.
    address = models.CharField(_("alamat pengirim"), max_length=254)
    display_name = models.CharField(_("nama di kanal"), max_length=120, blank=True)
    citizen = models.ForeignKey(
        "people.Citizen",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conversations",
    )
    language = models.CharField(_("bahasa"), max_length=5, default="id")
    state = models.CharField(max_length=12, choices=State.choices, default=State.IDLE)
    draft = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    blocked_until = models.DateTimeField(_("ditahan sampai"), null=True, blank=True)

    class Meta:
        verbose_name = _("percakapan")
        verbose_name_plural = _("percakapan")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "address"], name="one_conversation_per_sender"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.display_name or self.masked_address}"

    @property
    def masked_address(self) -> str:
        from people.models import masked_email, masked_phone

        if "@" in self.address:
            return masked_email(self.address)
        if self.address.startswith("+"):
            return masked_phone(self.address)
        return self.address[:3] + "••••" if len(self.address) > 4 else "••••"


class InboundMessage(models.Model):
    """A message as the provider delivered it, stored once per provider id
    (providers retry webhooks), or an item an operator pasted into the inbox."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Diterima, belum diproses")
        HANDLED = "handled", _("Dijawab bot")
        INBOX = "inbox", _("Perlu dibaca petugas")
        REPORTED = "reported", _("Dijadikan laporan")
        REPLIED = "replied", _("Dibalas petugas")
        SPAM = "spam", _("Spam")
        HELD = "held", _("Ditahan (banjir pesan)")

    # How screens and the API name a message: ids repeat across cities (ISOLATION.md #8).
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.CharField(_("kanal"), max_length=16, choices=Channel.choices)
    provider_message_id = models.CharField(max_length=200)
    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    # Pasted posts and walk-ins have a sender but no conversation to reply in.
    sender = models.CharField(_("pengirim"), max_length=254, blank=True)
    received_at = models.DateTimeField(_("diterima"), db_index=True)
    text = models.TextField(_("isi"), blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    reply_id = models.CharField(max_length=200, blank=True)  # the list/button row chosen
    contact_phone = models.CharField(max_length=20, blank=True)  # a shared own contact
    link = models.URLField(_("tautan"), max_length=500, blank=True)  # of a pasted post
    # Media still at the provider (WhatsApp media ids, Telegram file ids),
    # downloaded by the job into InboundMedia.
    media_refs = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    report = models.ForeignKey(
        "reports.Report",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_messages",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    # Failed processing attempts (a provider outage while fetching a photo):
    # after MAX_ATTEMPTS the message goes to the inbox instead of blocking the chat.
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("pesan masuk")
        verbose_name_plural = _("pesan masuk")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "provider_message_id"], name="inbound_once_per_provider_id"
            )
        ]
        indexes = [models.Index(fields=["status", "received_at"], name="inbound_inbox")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.received_at:%Y-%m-%d %H:%M}"


def _media_path(instance: InboundMedia, filename: str) -> str:
    return f"pesan/{instance.message_id}/{filename}"


class InboundMedia(models.Model):
    """A photo or file that came with a message, downloaded from the provider
    into the city's private storage (never served straight from disk)."""

    message = models.ForeignKey(InboundMessage, on_delete=models.CASCADE, related_name="media")
    file = models.FileField(storage=PrivateCityStorage(), upload_to=_media_path, max_length=300)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    filename = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("lampiran")
        verbose_name_plural = _("lampiran")

    def __str__(self) -> str:
        return self.filename or self.file.name


class OutboundMessage(models.Model):
    """What Kanal sent on a channel, with the provider's id so its delivery
    callbacks (sent → delivered → read, or failed) land on the right row."""

    class Status(models.TextChoices):
        SENT = "sent", _("Terkirim ke penyedia")
        DELIVERED = "delivered", _("Sampai")
        READ = "read", _("Dibaca")
        FAILED = "failed", _("Gagal")

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="outbound"
    )
    # The outbox message this sent (a plain id: the outbox points at
    # conversations, so a foreign key back would make the two apps' migrations a loop).
    outbox_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    text = models.TextField()
    template = models.CharField(max_length=512, blank=True)
    provider_message_id = models.CharField(max_length=200, blank=True, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENT)
    status_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pesan terkirim")
        verbose_name_plural = _("pesan terkirim")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.conversation} · {self.get_status_display()}"
