"""One-time sign-in codes on the city's own channels (``KANAL_OTP_SENDER``).

:class:`ChannelOtpSender` sends a code by the city's SMS number when it has
one, else by its WhatsApp number with the approved authentication template
(``otp_template``: WhatsApp refuses free text to someone who has not written
first). A city with neither cannot sign citizens in by phone: the request is
refused with a clear error instead of a code that never arrives.

The code is never written to a log line or an error message: errors name the
channel and the provider's error code only.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cityconfig.selectors import city_profile
from kanal.errors import Unavailable
from messaging.adapters import adapter_for
from messaging.adapters.base import Outgoing
from messaging.credentials import enabled_api_channels
from people.models import masked_phone

logger = logging.getLogger("messaging.otp")


class OtpChannelMissing(Unavailable):
    """The city has connected neither SMS nor WhatsApp with an OTP template."""


class OtpNotSent(Unavailable):
    """The provider did not take the code (outage, refused number)."""


def otp_text(code: str, city_name: str, host: str = "") -> str:
    """The SMS: short (one segment), with the Web OTP line (``@host #code``)
    that lets a phone's browser fill the code in by itself."""
    text = _(
        "%(code)s adalah kode masuk %(city)s. Berlaku 5 menit; jangan berikan kepada siapa pun."
    ) % {
        "code": code,
        "city": city_name,
    }
    return f"{text}\n\n@{host} #{code}" if host else text


class ChannelOtpSender:
    """The production sender of sign-in codes (see the module docstring)."""

    def send(self, phone: str, code: str) -> None:
        profile = city_profile()
        channels = enabled_api_channels(profile)
        if "sms" in channels:
            self._sms(phone, code, profile.name)
            return
        if "whatsapp" in channels:
            adapter = adapter_for("whatsapp")
            template = adapter.settings.otp_template
            if template is not None:
                self._deliver(
                    "whatsapp",
                    adapter,
                    phone,
                    Outgoing(
                        text="",
                        template=template.name,
                        template_language=template.language,
                        template_params=(code,),
                    ),
                )
                return
        logger.error("no channel for sign-in codes in this city (no SMS, no WhatsApp otp_template)")
        raise OtpChannelMissing(
            message=gettext_lazy(
                "Kota ini belum dapat mengirim kode masuk lewat SMS atau WhatsApp; "
                "masuk dengan cara lain atau hubungi layanan pengaduan kota."
            )
        )

    def _sms(self, phone: str, code: str, city_name: str) -> None:
        from messaging.adapters.sms import city_host

        with translation.override(settings.LANGUAGE_CODE):
            text = otp_text(code, city_name, city_host())
        self._deliver("sms", adapter_for("sms"), phone, Outgoing(text=text))

    @staticmethod
    def _deliver(channel: str, adapter, phone: str, outgoing: Outgoing) -> None:
        try:
            adapter.send(phone, outgoing)
        except Exception as exc:
            # The exception's text may quote the request (and so the code): only its type.
            logger.warning(
                "sign-in code to %s by %s not sent: %s",
                masked_phone(phone),
                channel,
                type(exc).__name__,
            )
            raise OtpNotSent(
                message=gettext_lazy(
                    "Kode masuk belum dapat dikirim. Coba lagi dalam beberapa menit."
                )
            ) from None
        logger.info("sign-in code sent to %s by %s", masked_phone(phone), channel)
