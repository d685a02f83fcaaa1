"""A stand-in for Twilio's Programmable Messaging REST API (2010-04-01), and
signed webhook forms as Twilio posts them.

Kanal's SMS adapter talks to it through the real ``twilio`` client (its API
root pointed here by ``KANAL_SMS_API_BASE``). It checks HTTP basic auth
(account sid : auth token) as Twilio does, refuses the numbers in
``invalid_numbers`` with Twilio's error 21211, answers a Message resource, and
serves MMS media added with :meth:`FakeTwilio.add_media`.
"""

from __future__ import annotations

import base64
import re
import secrets
from dataclasses import dataclass, field
from email.utils import formatdate
from urllib.parse import parse_qs

from twilio.request_validator import RequestValidator

from devtools.fakes.base import Answer, FakeProvider, Request

MESSAGES = re.compile(r"^/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/Messages\.json$")
MEDIA = re.compile(r"^/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/Messages/[^/]+/Media/[^/?]+$")


@dataclass
class FakeTwilio(FakeProvider):
    #: account sid → auth token it accepts (empty, as in the demo: any sid with a token)
    accounts: dict[str, str] = field(default_factory=dict)
    invalid_numbers: set[str] = field(default_factory=set)
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # path → (bytes, type)

    def add_media(self, account_sid: str, data: bytes, content_type: str = "image/jpeg") -> str:
        """Store an MMS attachment; returns its MediaUrl as Twilio would send it."""
        path = (
            f"/2010-04-01/Accounts/{account_sid}/Messages/MM{secrets.token_hex(16)}"
            f"/Media/ME{secrets.token_hex(16)}"
        )
        self.media[path] = (data, content_type)
        return self.base_url + path

    def _account(self, request: Request, sid: str) -> bool:
        header = request.headers.get("Authorization") or request.headers.get("authorization", "")
        if not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return False
        if user != sid or not password:
            return False
        return not self.accounts or self.accounts.get(sid) == password

    def reset(self) -> None:
        super().reset()
        self.invalid_numbers.clear()
        self.media.clear()

    def handle(self, request: Request) -> Answer:
        path = request.path.split("?")[0]
        sent = MESSAGES.match(path)
        media = MEDIA.match(path)
        match = sent or media
        if match is None:
            return _error(404, 20404, "The requested resource was not found")
        if not self._account(request, match.group(1)):
            return _error(401, 20003, "Authenticate")
        if media:
            if request.method != "GET" or path not in self.media:
                return _error(404, 20404, "The requested resource was not found")
            data, content_type = self.media[path]
            return Answer(200, data, content_type)
        if request.method != "POST":
            return _error(405, 20004, "Method not allowed")
        form = {k: v[-1] for k, v in parse_qs(request.body.decode()).items()}
        to = form.get("To", "")
        if to in self.invalid_numbers:
            return _error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if not form.get("Body") and not form.get("MediaUrl"):
            return _error(400, 21602, "Message body is required.")
        sid = f"SM{secrets.token_hex(16)}"
        self.sent.append(
            {
                "sid": sid,
                "to": to,
                "from": form.get("From", ""),
                "body": form.get("Body", ""),
                "status_callback": form.get("StatusCallback", ""),
            }
        )
        now = formatdate(usegmt=True)
        return Answer(
            201,
            {
                "sid": sid,
                "account_sid": match.group(1),
                "to": to,
                "from": form.get("From"),
                "body": form.get("Body", ""),
                "status": "queued",
                "direction": "outbound-api",
                "num_segments": "1",
                "num_media": "0",
                "api_version": "2010-04-01",
                "date_created": now,
                "date_updated": now,
                "date_sent": None,
                "price": None,
                "price_unit": "USD",
                "error_code": None,
                "error_message": None,
                "messaging_service_sid": None,
                "uri": f"/2010-04-01/Accounts/{match.group(1)}/Messages/{sid}.json",
                "subresource_uris": {},
            },
        )


def _error(status: int, code: int, message: str) -> Answer:
    """Twilio's error body: ``code``, ``message``, ``more_info``, ``status``."""
    return Answer(
        status,
        {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
    )


def _signed(url: str, auth_token: str, form: dict[str, str]) -> tuple[dict[str, str], str]:
    return form, RequestValidator(auth_token).compute_signature(url, form)


def twilio_inbound(
    url: str,
    auth_token: str,
    *,
    sid: str,
    from_: str,
    to: str,
    body: str,
    media: tuple[tuple[str, str], ...] = (),
    account_sid: str,
) -> tuple[dict[str, str], str]:
    """An inbound SMS/MMS form as Twilio posts it to ``url``, and its
    ``X-Twilio-Signature``. ``media`` holds ``(MediaUrl, content type)`` pairs."""
    form = {
        "MessageSid": sid,
        "SmsSid": sid,
        "SmsMessageSid": sid,
        "AccountSid": account_sid,
        "MessagingServiceSid": "",
        "From": from_,
        "To": to,
        "Body": body,
        "NumMedia": str(len(media)),
        "NumSegments": "1",
        "SmsStatus": "received",
        "ApiVersion": "2010-04-01",
        "FromCountry": "ID",
        "ToCountry": "ID",
    }
    for n, (media_url, content_type) in enumerate(media):
        form[f"MediaUrl{n}"] = media_url
        form[f"MediaContentType{n}"] = content_type
    return _signed(url, auth_token, form)


def twilio_status(
    url: str,
    auth_token: str,
    *,
    sid: str,
    status: str,
    account_sid: str,
    to: str = "",
    from_: str = "",
    error_code: str = "",
) -> tuple[dict[str, str], str]:
    """A delivery status callback (``MessageStatus``) and its signature."""
    form = {
        "MessageSid": sid,
        "SmsSid": sid,
        "MessageStatus": status,
        "SmsStatus": status,
        "AccountSid": account_sid,
        "To": to,
        "From": from_,
        "ApiVersion": "2010-04-01",
    }
    if error_code:
        form["ErrorCode"] = error_code
    return _signed(url, auth_token, form)
