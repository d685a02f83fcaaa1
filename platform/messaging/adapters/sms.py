"""SMS through Twilio: inbound messages, delivery callbacks, sending, MMS media.

Twilio signs each webhook with the account's auth token over the *full URL it
called* plus the sorted form fields (``X-Twilio-Signature``), so the check needs
the public URL, not the one Django sees behind a proxy. That URL is
``KANAL_WEBHOOK_BASE_URL`` + the request's path when the setting is given
(``{host}`` in it stands for the city's host: ``https://{host}`` behind a proxy
that terminates TLS and does not forward the scheme), else
``request.build_absolute_uri()`` — which is right only when the proxy passes
the original Host and ``X-Forwarded-Proto`` (``SECURE_PROXY_SSL_HEADER``). A
wrong base shows up as every Twilio webhook refused with 401.

A correctly signed request is still refused unless it is for *this* city: its
``AccountSid`` must be the city's and an inbound's ``To`` the city's number
(ISOLATION.md #9). Sending uses the real ``twilio`` client, whose API root is
``KANAL_SMS_API_BASE`` (a local fake in tests and the demo).
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import (
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)
from twilio.rest import Client
from twilio.twiml.messaging_response import MessagingResponse

from cityconfig.schema import SmsSettings
from kanal.errors import ServiceError
from messaging.adapters.base import (
    Incoming,
    MalformedWebhook,
    MediaRef,
    Outgoing,
    Parsed,
    SignatureInvalid,
    StatusUpdate,
    numbered,
)
from messaging.credentials import secret
from notifications.backends import PermanentFailure

logger = logging.getLogger("messaging.sms")
# twilio's HTTP client logs every request's URL and headers at INFO: only its warnings.
http_logger = logging.getLogger("messaging.sms.twilio_http")
http_logger.setLevel(logging.WARNING)

INBOUND_PATH = "/channels/sms/inbound/"
STATUS_PATH = "/channels/sms/status/"
MAX_BODY = 1600  # Twilio refuses longer bodies (error 21617); it segments the rest
MAX_MEDIA = 10  # Twilio delivers at most 10 media per MMS
TIMEOUT_SECONDS = 15
MESSAGE_SID = re.compile(r"^[A-Z]{2}[0-9a-fA-F]{32}$")
# Twilio errors no retry can fix: not a valid number, unsubscribed (STOP),
# unreachable, not a mobile number.
PERMANENT_ERRORS = {21211, 21610, 21612, 21614}
# Twilio's MessageStatus → ours (queued/accepted/sending mean "with Twilio").
STATUSES = {
    "queued": "sent",
    "accepted": "sent",
    "sending": "sent",
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "undelivered": "failed",
    "failed": "failed",
}


def webhook_url(path: str, host: str) -> str:
    """The public URL of a webhook path on the city host ``host``."""
    base = settings.KANAL_WEBHOOK_BASE_URL
    if base:
        return base.replace("{host}", host).rstrip("/") + path
    return f"https://{host}{path}"


def called_url(request: HttpRequest) -> str:
    """The URL Twilio called (and signed), as far as this process can tell."""
    if settings.KANAL_WEBHOOK_BASE_URL:
        return webhook_url(request.get_full_path(), request.get_host())
    return request.build_absolute_uri()


def city_host() -> str:
    """The active city's primary host name (for callback URLs sent with a message)."""
    from tenants.models import Domain

    return (
        Domain.objects.filter(tenant__schema_name=connection.schema_name, is_primary=True)
        .values_list("domain", flat=True)
        .first()
        or ""
    )


def e164(raw: str) -> str:
    """A phone number as E.164, or MalformedWebhook."""
    from people.otp import normalize_phone

    try:
        return normalize_phone(raw)
    except ServiceError as exc:
        raise MalformedWebhook("not a valid phone number") from exc


class TwilioSmsAdapter:
    channel = "sms"

    def __init__(self, settings: SmsSettings):
        self.settings = settings

    # -- webhooks ------------------------------------------------------------

    def parse_webhook(self, request: HttpRequest) -> Parsed:
        self._check_signature(request)
        form = request.POST
        if form.get("AccountSid") != self.settings.account_sid:
            logger.warning("sms webhook for another Twilio account refused")
            raise MalformedWebhook("AccountSid is not this city's Twilio account")
        sid = form.get("MessageSid") or form.get("SmsSid") or ""
        if not MESSAGE_SID.match(sid):
            raise MalformedWebhook("MessageSid missing or malformed")
        if request.path.endswith(STATUS_PATH):
            return Parsed(statuses=self._statuses(sid, form))
        return Parsed(incoming=(self._incoming(sid, form),))

    def _check_signature(self, request: HttpRequest) -> None:
        token = secret(self.settings.auth_token)
        signature = request.headers.get(SIGNATURE_HEADER, "")
        if not signature:
            raise SignatureInvalid("no X-Twilio-Signature header")
        algorithm = get_signature_algorithm(request.headers.get(SIGNATURE_SETTINGS_HEADER))
        if not RequestValidator(token).validate(
            called_url(request), request.POST, signature, algorithm
        ):
            raise SignatureInvalid("X-Twilio-Signature does not match this city's auth token")

    def _incoming(self, sid: str, form) -> Incoming:
        if e164(form.get("To", "")) != self.settings.from_number:
            logger.warning("sms inbound to a number that is not this city's refused")
            raise MalformedWebhook("To is not this city's number")
        sender = e164(form.get("From", ""))
        try:
            count = int(form.get("NumMedia") or 0)
        except ValueError as exc:
            raise MalformedWebhook("NumMedia is not a number") from exc
        if not 0 <= count <= MAX_MEDIA:
            raise MalformedWebhook("NumMedia out of range")
        media = []
        for n in range(count):
            url = form.get(f"MediaUrl{n}", "")
            if not self._own_media(url):
                raise MalformedWebhook("MediaUrl is not under this city's Twilio account")
            media.append(MediaRef(ref=url, content_type=form.get(f"MediaContentType{n}", "")[:100]))
        return Incoming(
            provider_message_id=sid,
            sender=sender,
            received_at=timezone.now(),
            text=form.get("Body", ""),
            media=tuple(media),
        )

    def _statuses(self, sid: str, form) -> tuple[StatusUpdate, ...]:
        status = STATUSES.get(form.get("MessageStatus", ""))
        if status is None:
            return ()  # e.g. "scheduled", "canceled": nothing to record
        error = form.get("ErrorCode", "")
        return (
            StatusUpdate(
                provider_message_id=sid,
                status=status,
                at=timezone.now(),
                error=f"twilio error {error}" if error else "",
            ),
        )

    def acknowledge(self, parsed: Parsed) -> HttpResponse:
        """Empty TwiML: Twilio itself answers nothing (the bot's reply goes
        out through the outbox, with retries)."""
        return HttpResponse(str(MessagingResponse()), content_type="text/xml")

    # -- sending ---------------------------------------------------------------

    def client(self) -> Client:
        token = secret(self.settings.auth_token)
        client = Client(
            self.settings.account_sid,
            token,
            http_client=TwilioHttpClient(timeout=TIMEOUT_SECONDS, logger=http_logger),
        )
        # The supported override of a domain's root (twilio.base.domain.Domain.base_url);
        # edge/region would rewrite the host, so they are not taken from the environment.
        client.edge = client.region = None
        client.api.base_url = settings.KANAL_SMS_API_BASE.rstrip("/")
        return client

    def send(self, address: str, message: Outgoing) -> str:
        body = numbered(message)
        if len(body) > MAX_BODY:
            body = body[: MAX_BODY - 1] + "…"
        host = city_host()
        try:
            sent = self.client().messages.create(
                to=address,
                from_=self.settings.from_number,
                body=body,
                status_callback=webhook_url(STATUS_PATH, host) if host else None,
            )
        except (TwilioRestException, TwilioServiceException) as exc:
            code = getattr(exc, "code", None)
            if code in PERMANENT_ERRORS:
                raise PermanentFailure(f"twilio refused the number (error {code})") from None
            raise RuntimeError(f"twilio answered {exc.status} (error {code})") from None
        return sent.sid

    # -- media -------------------------------------------------------------------

    def _own_media(self, url: str) -> bool:
        root = settings.KANAL_SMS_API_BASE.rstrip("/")
        return urlsplit(url).scheme in ("http", "https") and url.startswith(
            f"{root}/2010-04-01/Accounts/{self.settings.account_sid}/"
        )

    def fetch_media(self, media: MediaRef) -> tuple[bytes, str]:
        """Download an MMS photo with the account's credentials.

        Only URLs under the Twilio API root of this account are fetched (the
        credentials never go elsewhere; Twilio's redirect to its media store
        drops them, as ``requests`` does across hosts). At most the city's
        ``max_upload_mb`` + 1 byte is read: the caller refuses what is larger.
        """
        from cityconfig.selectors import verification_policy

        if not self._own_media(media.ref):
            raise ValueError("media URL outside this city's Twilio account")
        limit = verification_policy().max_upload_mb * 1024 * 1024
        token = secret(self.settings.auth_token)
        with requests.get(
            media.ref,
            auth=(self.settings.account_sid, token),
            stream=True,
            timeout=TIMEOUT_SECONDS,
        ) as answer:
            answer.raise_for_status()
            data = bytearray()
            for chunk in answer.iter_content(64 * 1024):
                data += chunk
                if len(data) > limit:
                    break
            content_type = answer.headers.get("Content-Type", "").split(";")[0].strip()
        return bytes(data[: limit + 1]), (content_type or media.content_type)
