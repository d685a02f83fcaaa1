"""Provider adapters: one module per channel behind the interface of
:mod:`messaging.adapters.base`. :func:`adapter_for` builds the active city's
adapter from its settings and secrets."""

from __future__ import annotations

from django.utils.module_loading import import_string

from messaging.adapters.base import Adapter

ADAPTERS = {
    "whatsapp": "messaging.adapters.whatsapp.WhatsAppAdapter",
    "telegram": "messaging.adapters.telegram.TelegramAdapter",
    "sms": "messaging.adapters.sms.TwilioSmsAdapter",
    "email": "messaging.adapters.email.EmailAdapter",
}


def adapter_for(channel: str) -> Adapter:
    """The active city's adapter for ``channel``; raises ChannelNotConfigured."""
    from messaging.credentials import channel_settings

    settings = channel_settings(channel)
    return import_string(ADAPTERS[channel])(settings)
