"""Citizens sign in with a phone number and a one-time code."""

from __future__ import annotations

import pytest

from kanal.errors import InvalidInput, RateLimited
from people.models import Citizen, OtpChallenge
from people.otp import MemorySender, OtpFailed, request_otp, verify_otp


@pytest.fixture
def sent(django_capture_on_commit_callbacks, settings):
    settings.KANAL_OTP_SENDER = "people.otp.MemorySender"
    MemorySender.sent.clear()

    def send(phone: str, ip: str | None = "10.1.2.3") -> str:
        with django_capture_on_commit_callbacks(execute=True):
            request_otp(phone, client_ip=ip)
        return MemorySender.sent[-1][1]

    return send


def test_code_sent_to_a_local_number_signs_the_citizen_in(world, sent):
    world("mataram")
    code = sent("0812-3456-7890")
    assert MemorySender.sent[-1][0] == "+6281234567890"
    citizen = verify_otp("+62 812 3456 7890", code)
    assert citizen.phone == "+6281234567890" and citizen.verified_at
    assert not OtpChallenge.objects.filter(code_hash__contains=code).exists()  # only a hash


def test_wrong_code_counts_attempts_then_locks(world, sent):
    world("mataram")
    sent("081234567891")
    for left in (4, 3, 2, 1, 0):
        with pytest.raises(OtpFailed) as caught:
            verify_otp("081234567891", "000000" if left else "999999")
        assert caught.value.code == "OTP_WRONG_CODE"
        assert str(left) in caught.value.message_in("en")
    with pytest.raises(OtpFailed) as caught:
        verify_otp("081234567891", "123456")
    assert caught.value.code == "OTP_TOO_MANY_ATTEMPTS"
    assert not Citizen.objects.filter(phone="+6281234567891").exists()


def test_a_code_works_only_once(world, sent):
    world("mataram")
    code = sent("081234567892")
    verify_otp("081234567892", code)
    with pytest.raises(OtpFailed):
        verify_otp("081234567892", code)


def test_flooding_one_phone_is_rate_limited(world, sent):
    world("mataram")
    sent("081234567893")
    with pytest.raises(RateLimited) as caught:
        sent("081234567893")
    assert 0 < caught.value.details["retry_after_seconds"] <= 60


def test_flooding_from_one_address_is_rate_limited(world, sent):
    world("mataram")
    for index in range(20):
        sent(f"0812345{index:05d}", ip="10.9.9.9")
    with pytest.raises(RateLimited):
        sent("081299999999", ip="10.9.9.9")


@pytest.mark.parametrize("phone", ["", "12", "halo", "+1 202 555 0"])
def test_invalid_phone_is_refused(world, phone):
    world("mataram")
    with pytest.raises(InvalidInput) as caught:
        request_otp(phone)
    assert caught.value.field == "phone"
