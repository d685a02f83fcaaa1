"""SMS through Twilio, end to end: signed webhooks on Jakarta's host, the bot's
answers through the outbox and the real twilio client to a fake Twilio, status
callbacks, refusals and retries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from messaging.models import Conversation, InboundMedia, InboundMessage, OutboundMessage

from devtools.fakes.twilio import twilio_status
from notifications.models import OutboxMessage, OutboxStatus
from people.models import Citizen
from reports import actions
from reports.models import Report
from tests.conftest import CityClient, host
from tests.factories import CityWorld
from tests.messaging import mail_helpers
from tests.messaging.mail_helpers import (
    INBOUND,
    JAKARTA_SID,
    SMS_TOKEN,
    STATUS,
    SmsCitizen,
    new_sid,
    numbered_option,
    run_jobs,
)
from verification.samples import phone_photo

PHONE = "+6281311112222"

# Fixtures shared by the SMS, e-mail and OTP tests (tests/messaging/mail_helpers.py).
fake_twilio = mail_helpers.fake_twilio
sms_city = mail_helpers.sms_city


@pytest.fixture
def citizen(sms_city, fake_twilio):
    return SmsCitizen(sms_city, fake_twilio, PHONE)


def test_unsigned_or_wrongly_signed_sms_is_refused_and_nothing_stored(citizen):
    client = CityClient("jakarta")
    unsigned = client.post(INBOUND, {"MessageSid": new_sid(), "From": PHONE, "Body": "lapor"})
    assert unsigned.status_code == 401
    assert citizen.post("lapor", token="another-citizen-guessed-token").status_code == 401
    connection.set_tenant(citizen.city)
    assert not InboundMessage.objects.exists()
    assert not Conversation.objects.exists()


def test_signed_for_another_account_or_number_is_refused(citizen):
    assert citizen.post("lapor", account_sid="AC" + "0" * 32).status_code == 400
    assert citizen.post("lapor", to="+628119999999").status_code == 400
    assert not InboundMessage.objects.exists()


def test_the_signature_is_checked_against_the_public_url(citizen, settings):
    """Behind a TLS proxy Django sees http://; Twilio signed https://."""
    settings.KANAL_WEBHOOK_BASE_URL = "https://{host}"
    assert citizen.post("lapor").status_code == 401  # signed for http://, not what Twilio called
    from devtools.fakes.twilio import twilio_inbound

    form, signature = twilio_inbound(
        f"https://{host('jakarta')}{INBOUND}",
        SMS_TOKEN,
        sid=new_sid(),
        from_=PHONE,
        to="+628111272206",
        body="lapor",
        account_sid=JAKARTA_SID,
    )
    answer = citizen.client.post(INBOUND, form, HTTP_X_TWILIO_SIGNATURE=signature)
    assert answer.status_code == 200


def test_a_whole_report_by_sms(citizen, fake_twilio):
    answer = citizen.say("lapor")
    assert "Selamat datang" in answer
    group = numbered_option(answer, "Bencana & Kedaruratan")
    assert group == "3"
    answer = citizen.say(group)
    answer = citizen.say(numbered_option(answer, "Kebakaran"))  # no photo needed
    assert "lokasi" in answer.lower()
    answer = citizen.say("cikini")
    assert "LEWATI" in answer
    answer = citizen.say("lewati")
    assert "Ceritakan" in answer
    answer = citizen.say("Ada kebakaran kecil di gudang belakang pasar, asap tebal.")
    assert "Periksa laporan" in answer and "Cikini" in answer
    answer = citizen.say("kirim")

    report = Report.objects.get()
    assert report.channel == "sms"
    assert report.reporter == Citizen.objects.get(phone=PHONE)
    assert report.category.code == "kebakaran"
    assert report.area.name == "Cikini"
    assert report.tracking_code in answer  # the receipt: tracking code and verdict
    assert str(report.get_status_display()) in answer
    sent = fake_twilio.sent[-1]
    assert sent["to"] == PHONE and sent["from"] == "+628111272206"
    assert sent["status_callback"] == f"https://{host('jakarta')}{STATUS}"
    conversation = Conversation.objects.get(channel="sms", address=PHONE)
    assert conversation.citizen == report.reporter

    # a later change reaches the citizen by SMS
    operator = CityWorld(citizen.city).staff("operator")
    before = len(fake_twilio.sent)
    actions.reject(operator, report.tracking_code, "Sudah ditangani petugas pemadam di lokasi.")
    run_jobs(citizen.city)
    [change] = fake_twilio.sent[before:]
    assert change["to"] == PHONE
    assert report.tracking_code in change["body"]
    assert "Sudah ditangani petugas pemadam" in change["body"]

    answer = citizen.say(f"status {report.tracking_code.lower()}")
    assert report.tracking_code in answer


def test_the_same_message_sid_twice_is_one_message(citizen, fake_twilio):
    sid = new_sid()
    first = citizen.post("lapor", sid=sid)
    run_jobs(citizen.city)
    replies = OutboxMessage.objects.filter(kind="chat.reply").count()
    assert replies >= 1 and len(fake_twilio.sent) == replies
    again = citizen.post("lapor", sid=sid)  # Twilio retries a webhook it thinks failed
    run_jobs(citizen.city)
    assert first.status_code == again.status_code == 200
    assert again["Content-Type"].startswith("text/xml")
    assert b"<Response" in again.content and b"<Message" not in again.content
    assert InboundMessage.objects.filter(provider_message_id=sid).count() == 1
    assert OutboxMessage.objects.filter(kind="chat.reply").count() == replies
    assert len(fake_twilio.sent) == replies


def test_status_callbacks_move_the_sent_message(citizen, fake_twilio):
    citizen.say("lapor")
    sent = fake_twilio.sent[-1]
    outbound = OutboundMessage.objects.get(provider_message_id=sent["sid"])
    assert outbound.status == "sent"
    path = STATUS
    client = CityClient("jakarta")
    for status in ("sent", "delivered"):
        form, signature = twilio_status(
            sent["status_callback"],
            SMS_TOKEN,
            sid=sent["sid"],
            status=status,
            account_sid=JAKARTA_SID,
            to=PHONE,
        )
        answer = client.post(path, form, HTTP_X_TWILIO_SIGNATURE=signature, secure=True)
        assert answer.status_code == 200
    outbound.refresh_from_db()
    assert outbound.status == "delivered"
    # a forged callback (not signed with Jakarta's token) changes nothing
    form, signature = twilio_status(
        sent["status_callback"],
        "wrong",
        sid=sent["sid"],
        status="failed",
        account_sid=JAKARTA_SID,
    )
    assert (
        client.post(path, form, HTTP_X_TWILIO_SIGNATURE=signature, secure=True).status_code == 401
    )
    # undelivered is a failure (after delivered it would move back: it does not)
    second = OutboundMessage.objects.create(
        conversation=outbound.conversation, text="x", provider_message_id=new_sid()
    )
    form, signature = twilio_status(
        sent["status_callback"],
        SMS_TOKEN,
        sid=second.provider_message_id,
        status="undelivered",
        account_sid=JAKARTA_SID,
        error_code="30003",
    )
    assert (
        client.post(path, form, HTTP_X_TWILIO_SIGNATURE=signature, secure=True).status_code == 200
    )
    second.refresh_from_db()
    assert (second.status, second.error) == ("failed", "twilio error 30003")


def test_an_invalid_number_is_a_dead_letter(citizen, fake_twilio):
    fake_twilio.invalid_numbers.add(PHONE)
    citizen.say("lapor")
    replies = OutboxMessage.objects.filter(kind="chat.reply")
    assert replies and all(r.status == OutboxStatus.DEAD for r in replies)
    assert all("21211" in r.last_error for r in replies)
    assert not fake_twilio.sent


def test_an_outage_is_retried(citizen, fake_twilio):
    fake_twilio.fail_next = 1
    citizen.post("halo, selamat pagi")  # one reply
    run_jobs(citizen.city)
    reply = OutboxMessage.objects.get(kind="chat.reply")
    assert reply.status == OutboxStatus.FAILED
    assert reply.next_attempt_at is not None
    assert not fake_twilio.sent
    run_jobs(citizen.city, now=timezone.now() + timedelta(hours=1))
    reply.refresh_from_db()
    assert reply.status == OutboxStatus.SENT
    assert [s["to"] for s in fake_twilio.sent] == [PHONE]


def test_a_rotated_auth_token_is_retried_not_lost(citizen):
    citizen.twilio.accounts[JAKARTA_SID] = "rotated-at-twilio"
    citizen.say("halo, selamat pagi")
    reply = OutboxMessage.objects.get(kind="chat.reply")
    assert reply.status == OutboxStatus.FAILED
    assert "401" in reply.last_error


def test_an_mms_photo_is_downloaded_with_the_account_credentials(citizen, fake_twilio):
    photo = phone_photo(seed=41, width=640, height=480, taken_at=None, gps=None, exif=False)
    url = fake_twilio.add_media(JAKARTA_SID, photo, "image/jpeg")
    citizen.say("lapor")
    citizen.say("", media=((url, "image/jpeg"),))
    [media] = InboundMedia.objects.all()
    assert media.file.open("rb").read() == photo
    assert media.content_type == "image/jpeg"
    conversation = Conversation.objects.get()
    assert conversation.draft["photos"] == [media.pk]
    download = [r for r in fake_twilio.requests if r.method == "GET"][-1]
    assert download.headers.get("Authorization", "").startswith("Basic ")


def test_media_outside_the_citys_account_is_refused(citizen):
    response = citizen.post(
        "", media=((f"http://127.0.0.1:9/2010-04-01/Accounts/{JAKARTA_SID}/x", "image/jpeg"),)
    )
    assert response.status_code == 400
    assert not InboundMessage.objects.exists()


def test_malformed_fields_are_refused(citizen):
    assert citizen.post("lapor", sid="not-a-sid").status_code == 400
    citizen.phone = "12"
    assert citizen.post("lapor").status_code == 400
    assert not InboundMessage.objects.exists()


def test_jakartas_signed_sms_on_another_citys_host_is_refused(citizen, cities):
    """Mataram has no SMS channel: Jakarta's correctly signed webhook finds nothing there."""
    citizen.client = CityClient("mataram")
    assert citizen.post("lapor").status_code == 404
    for slug in ("mataram", "jakarta"):
        connection.set_tenant(cities[slug])
        assert not InboundMessage.objects.exists()


def test_an_mms_photo_over_the_citys_limit_is_refused_politely(citizen, fake_twilio):
    from cityconfig.selectors import city_profile

    profile = city_profile()
    profile.verification = {**profile.verification, "max_upload_mb": 1}
    profile.save()
    url = fake_twilio.add_media(JAKARTA_SID, b"\xff\xd8\xff" + b"0" * (1536 * 1024))
    answer = citizen.say("", media=((url, "image/jpeg"),))
    assert "terlalu besar" in answer
    assert not InboundMedia.objects.exists()
