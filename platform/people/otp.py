"""Signing citizens in with a phone number and a one-time code.

Codes are 6 digits, valid 5 minutes, 5 tries; only an HMAC of the code is
stored. Rate limits are counted in the database, so every web process and
worker sees the same counts.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import phonenumbers
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from kanal.errors import InvalidInput, RateLimited, ServiceError
from people.models import Citizen, OtpChallenge, masked_phone

logger = logging.getLogger(__name__)

CODE_TTL = timedelta(minutes=5)
MAX_ATTEMPTS = 5
RESEND_AFTER = timedelta(seconds=60)
PER_PHONE_PER_HOUR = 5
PER_IP_PER_HOUR = 20


class OtpFailed(ServiceError):
    code = "OTP_INVALID"


@dataclass(frozen=True)
class OtpSent:
    phone: str
    expires_at: datetime
    resend_after: datetime


def normalize_phone(raw: str) -> str:
    """Indonesian-first phone parsing: ``0812-3456-7890`` → ``+6281234567890``."""
    try:
        number = phonenumbers.parse((raw or "").strip(), "ID")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise InvalidInput(
            field="phone",
            code="INVALID_PHONE",
            message=_("Nomor telepon tidak valid. Contoh: 0812 3456 7890."),
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _code_hash(phone: str, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def _sender():
    return import_string(settings.KANAL_OTP_SENDER)()


def request_otp(raw_phone: str, *, client_ip: str | None = None) -> OtpSent:
    """Send a code to the phone. Raises InvalidInput or RateLimited."""
    phone = normalize_phone(raw_phone)
    now = timezone.now()
    hour_ago = now - timedelta(hours=1)
    recent = OtpChallenge.objects.filter(phone=phone, created_at__gte=hour_ago)
    last = recent.order_by("-created_at").first()
    if last and now - last.created_at < RESEND_AFTER:
        wait = int((last.created_at + RESEND_AFTER - now).total_seconds()) + 1
        raise _limited(wait)
    if recent.count() >= PER_PHONE_PER_HOUR:
        oldest = recent.order_by("created_at").first()
        raise _limited(int((oldest.created_at + timedelta(hours=1) - now).total_seconds()) + 1)
    if client_ip and (
        OtpChallenge.objects.filter(client_ip=client_ip, created_at__gte=hour_ago).count()
        >= PER_IP_PER_HOUR
    ):
        raise _limited(3600)

    code = f"{secrets.randbelow(10**6):06d}"
    challenge = OtpChallenge.objects.create(
        phone=phone,
        code_hash=_code_hash(phone, code),
        client_ip=client_ip,
        expires_at=now + CODE_TTL,
    )
    transaction.on_commit(lambda: _sender().send(phone, code))
    logger.info("OTP sent to %s", masked_phone(phone))
    return OtpSent(phone, challenge.expires_at, challenge.created_at + RESEND_AFTER)


def _limited(seconds: int) -> RateLimited:
    return RateLimited(
        retry_after=max(seconds, 1),
        code="RATE_LIMITED",
        message=_("Terlalu banyak permintaan kode. Coba lagi dalam %(seconds)s detik."),
        params={"seconds": max(seconds, 1)},
    )


def verify_otp(raw_phone: str, code: str) -> Citizen:
    """Check the latest code sent to the phone; returns the (new or known) citizen.

    A wrong attempt is counted in a transaction that commits *before* the error
    is raised, so failed guesses can never be rolled back into free retries.
    """
    phone = normalize_phone(raw_phone)
    now = timezone.now()
    failure: OtpFailed | None = None
    with transaction.atomic():
        challenge = (
            OtpChallenge.objects.select_for_update()
            .filter(phone=phone, consumed_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if challenge is None or challenge.expires_at <= now:
            failure = OtpFailed(
                code="OTP_EXPIRED",
                field="code",
                message=_("Kode sudah kedaluwarsa atau belum diminta. Minta kode baru."),
            )
        elif challenge.attempts >= MAX_ATTEMPTS:
            failure = OtpFailed(
                code="OTP_TOO_MANY_ATTEMPTS",
                field="code",
                message=_("Terlalu banyak percobaan salah. Minta kode baru."),
            )
        else:
            challenge.attempts += 1
            if hmac.compare_digest(challenge.code_hash, _code_hash(phone, (code or "").strip())):
                challenge.consumed_at = now
                challenge.save(update_fields=["attempts", "consumed_at"])
                citizen, _created = Citizen.objects.get_or_create(phone=phone)
                if citizen.verified_at is None:
                    citizen.verified_at = now
                    citizen.save(update_fields=["verified_at"])
                return citizen
            challenge.save(update_fields=["attempts"])
            left = MAX_ATTEMPTS - challenge.attempts
            failure = OtpFailed(
                code="OTP_WRONG_CODE",
                field="code",
                message=_("Kode salah. Sisa percobaan: %(left)s."),
                params={"left": left},
            )
    raise failure


class ConsoleSender:
    """Development: print the code to the server's console."""

    def send(self, phone: str, code: str) -> None:
        print(f"[Kanal OTP] kode untuk {phone}: {code}")


class MemorySender:
    """Tests: keep sent codes in memory (like Django's locmem e-mail backend)."""

    sent: list[tuple[str, str]] = []

    def send(self, phone: str, code: str) -> None:
        MemorySender.sent.append((phone, code))


class FileSender:
    """Browser tests: append ``phone code`` lines to settings.KANAL_OTP_FILE, so a
    test can read the codes a separate server process sent."""

    def send(self, phone: str, code: str) -> None:
        with open(settings.KANAL_OTP_FILE, "a", encoding="utf-8") as file:
            file.write(f"{phone} {code}\n")
