"""Open311 API keys and request tokens (tenant schema: a key works for one city only)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Open311ApiKey(models.Model):
    """A key issued by the city to one Open311 client. Only its SHA-256 is stored;
    the prefix lets staff recognise a key without being able to use it."""

    name = models.CharField(_("nama klien"), max_length=120)
    prefix = models.CharField(_("awalan kunci"), max_length=64)
    key_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("diterbitkan"), auto_now_add=True)
    created_by = models.CharField(_("oleh"), max_length=150, blank=True)
    revoked_at = models.DateTimeField(_("dicabut"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("terakhir dipakai"), null=True, blank=True)

    class Meta:
        verbose_name = _("kunci API Open311")
        verbose_name_plural = _("kunci API Open311")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class Open311RequestToken(models.Model):
    """The ``request_token`` a client sent with a POST, so ``GET tokens/<token>``
    can answer with the service request it created."""

    api_key = models.ForeignKey(Open311ApiKey, on_delete=models.PROTECT, related_name="tokens")
    token = models.CharField(max_length=64)
    report = models.ForeignKey(
        "reports.Report", on_delete=models.CASCADE, related_name="open311_tokens"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("token permintaan Open311")
        verbose_name_plural = _("token permintaan Open311")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["api_key", "token"], name="open311_token_per_key")
        ]
        indexes = [models.Index(fields=["token"])]

    def __str__(self) -> str:
        return f"{self.token} → {self.report_id}"
