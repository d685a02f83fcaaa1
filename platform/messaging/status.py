"""How the city's messaging channels are doing, for Diskominfo's console:
connected or not, which secrets this environment lacks (names only, never
values), where the provider must send webhooks, and the last day's traffic."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Max, Q
from django.utils import timezone

from cityconfig.selectors import city_profile
from messaging.credentials import API_CHANNELS
from messaging.models import InboundMessage, OutboundMessage
from notifications.models import OutboxMessage, OutboxStatus

WEBHOOK_PATHS = {
    "whatsapp": "/channels/whatsapp/webhook/",
    "telegram": "/channels/telegram/webhook/",
    "sms": "/channels/sms/inbound/",
    "email": "/channels/email/inbound/",
}


@dataclass(frozen=True)
class ChannelStatus:
    channel: str
    enabled: bool  # listed in the city's channels
    connected: bool  # has its settings in the config
    missing_secrets: tuple[str, ...]
    webhook_path: str
    last_inbound_at: datetime | None
    inbound_24h: int
    sent_24h: int
    failed_24h: int

    @property
    def ready(self) -> bool:
        return self.enabled and self.connected and not self.missing_secrets


def channel_statuses() -> list[ChannelStatus]:
    import os

    profile = city_profile()
    config = profile.messaging_config
    since = timezone.now() - timedelta(hours=1 * 24)
    inbound = dict(
        (row["channel"], row)
        for row in InboundMessage.objects.values("channel").annotate(
            last=Max("received_at"), day=Count("pk", filter=Q(received_at__gte=since))
        )
    )
    sent = dict(
        (row["conversation__channel"], row)
        for row in OutboundMessage.objects.filter(created_at__gte=since)
        .values("conversation__channel")
        .annotate(
            total=Count("pk"), failed=Count("pk", filter=Q(status=OutboundMessage.Status.FAILED))
        )
    )
    dead = OutboxMessage.objects.filter(
        status=OutboxStatus.DEAD, created_at__gte=since, conversation__isnull=False
    ).values_list("conversation__channel", flat=True)
    dead_by_channel: dict[str, int] = {}
    for channel in dead:
        dead_by_channel[channel] = dead_by_channel.get(channel, 0) + 1
    out = []
    for channel in API_CHANNELS:
        settings = getattr(config, channel)
        refs = [v for _k, v in settings] if settings else []
        missing = tuple(
            ref[4:]
            for ref in refs
            if isinstance(ref, str) and ref.startswith("env:") and not os.environ.get(ref[4:])
        )
        row = inbound.get(channel, {})
        out_row = sent.get(channel, {})
        out.append(
            ChannelStatus(
                channel=channel,
                enabled=channel in profile.channels,
                connected=settings is not None,
                missing_secrets=missing,
                webhook_path=WEBHOOK_PATHS[channel],
                last_inbound_at=row.get("last"),
                inbound_24h=row.get("day", 0),
                sent_24h=out_row.get("total", 0),
                failed_24h=out_row.get("failed", 0) + dead_by_channel.get(channel, 0),
            )
        )
    return out
