"""A city's channel settings and secrets.

The city's config holds ids and the *names* of its secrets (``env:KANAL_<SLUG>_…``,
checked by ``cityconfig.checks.check_messaging`` to carry the city's own prefix);
the values are read from the environment when they are needed, never stored in
the database, the YAML or a log line.
"""

from __future__ import annotations

import logging
import os

from django.utils.translation import gettext_lazy as _

from cityconfig.selectors import city_profile
from kanal.errors import NotFound, Unavailable

logger = logging.getLogger(__name__)

API_CHANNELS = ("whatsapp", "telegram", "sms", "email")


class ChannelNotEnabled(NotFound):
    """The city has not enabled this channel, or has not connected it."""

    code = "CHANNEL_NOT_ENABLED"


class SecretMissing(Unavailable):
    """The channel is connected, but its secret is not in this environment:
    an operations mistake, so the provider is asked to retry later."""

    code = "CHANNEL_SECRET_MISSING"


def channel_settings(channel: str, profile=None):
    """The active city's settings model for an API channel it has enabled."""
    profile = profile or city_profile()
    settings = getattr(profile.messaging_config, channel, None) if channel in API_CHANNELS else None
    if settings is None or channel not in profile.channels:
        raise ChannelNotEnabled(
            code="CHANNEL_NOT_ENABLED",
            message=_("Kanal '%(channel)s' tidak dibuka di kota ini."),
            params={"channel": channel},
        )
    return settings


def enabled_api_channels(profile=None) -> list[str]:
    profile = profile or city_profile()
    config = profile.messaging_config
    return [c for c in API_CHANNELS if c in profile.channels and getattr(config, c) is not None]


def secret(ref: str) -> str:
    """The value behind ``env:NAME``."""
    name = ref.removeprefix("env:")
    value = os.environ.get(name, "")
    if not value:
        logger.error("channel secret %s is not set in this environment", name)
        raise SecretMissing(
            code="CHANNEL_SECRET_MISSING",
            message=_("Kanal ini belum tersambung; coba lagi nanti."),
        )
    return value
