"""Outbox: every message is written in the same transaction as the change that
causes it, so a committed change always has its notification and a rolled-back
one never does. Delivery (with retries and a dead-letter state) is a job."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Menunggu")
    SENT = "sent", _("Terkirim")
    FAILED = "failed", _("Gagal, dicoba lagi")
    DEAD = "dead", _("Gagal permanen")


class OutboxMessage(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(_("jenis"), max_length=40)  # e.g. "report.status_changed"
    citizen = models.ForeignKey(
        "people.Citizen", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    opd = models.ForeignKey(
        "cityconfig.Opd", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    report = models.ForeignKey(
        "reports.Report", null=True, blank=True, on_delete=models.CASCADE, related_name="outbox"
    )
    # A reply in a chat (the bot's or an operator's) goes to the conversation itself.
    conversation = models.ForeignKey(
        "messaging.Conversation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    payload = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("pesan keluar")
        verbose_name_plural = _("pesan keluar")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(citizen__isnull=False)
                | models.Q(user__isnull=False)
                | models.Q(opd__isnull=False)
                | models.Q(conversation__isnull=False),
                name="outbox_has_recipient",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} · {self.get_status_display()}"
