"""Telegram end to end on Pangkalpinang: the real webhook view with the bot's
secret token, python-telegram-bot talking to the fake Bot API on 127.0.0.1,
the inbound job, the conversation and the outbox's real delivery."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from messaging.adapters.base import Option, Outgoing
from messaging.adapters.telegram import TelegramAdapter
from messaging.credentials import channel_settings
from messaging.models import Conversation, InboundMedia, InboundMessage, OutboundMessage

from cityconfig.models import CategoryGroup
from devtools.fakes.telegram import telegram_update
from notifications.backends import PermanentFailure
from notifications.models import OutboxMessage, OutboxStatus
from people.models import Citizen
from reports import actions
from reports.models import Report
from reports.outcome import outcome
from tests.factories import CityWorld
from tests.messaging import telegram_helpers
from tests.messaging.telegram_helpers import (
    BOT_TOKEN,
    PHONE,
    SECRET_TOKEN,
    TelegramChat,
    document_photo,
)

# The fixtures (tests/messaging/conftest.py belongs to all channels).
chat = telegram_helpers.chat
telegram_fake = telegram_helpers.telegram_fake


def texts(answers: list[dict]) -> str:
    return "\n".join(a["text"] for a in answers)


# -- the webhook's door ------------------------------------------------------------------


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", SECRET_TOKEN + "x"])
def test_a_missing_or_wrong_secret_token_is_refused_and_nothing_stored(chat, secret):
    response = chat.post(chat.update(text="/start"), secret=secret)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "SIGNATURE_INVALID"
    connection.set_tenant(chat.city)
    assert not InboundMessage.objects.exists()
    assert not Conversation.objects.exists()


def test_a_telegram_webhook_on_a_city_without_telegram_is_not_found(cities, telegram_fake):
    mataram = TelegramChat(cities["mataram"], telegram_fake)
    response = mataram.post(mataram.update(text="/start"))
    assert response.status_code == 404
    connection.set_tenant(cities["mataram"])
    assert not InboundMessage.objects.filter(channel="telegram").exists()


def test_the_bot_token_missing_from_the_environment_asks_telegram_to_retry(chat, monkeypatch):
    monkeypatch.delenv("KANAL_PANGKALPINANG_TELEGRAM_SECRET_TOKEN")
    assert chat.post(chat.update(text="/start")).status_code == 503


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"\xff\xfe",
        b"[]",
        b'{"message": {"text": "hai"}}',
        b'{"update_id": "12", "message": {}}',
        b'{"update_id": 12, "message": {"message_id": 1}}',
        b'{"update_id": 12, "message": {"message_id": 1, "date": 1e300, "chat": {"id": 1}}}',
        b'{"update_id": 12, "message": []}',
        b"[" * 100_000,
    ],
)
def test_what_is_not_a_telegram_update_is_refused_without_a_trace(chat, body):
    response = chat.post(body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "MALFORMED_WEBHOOK"
    connection.set_tenant(chat.city)
    assert not InboundMessage.objects.exists()


def test_group_chats_edits_and_other_bots_are_acknowledged_and_ignored(chat):
    group = chat.update(text="lapor", chat_type="group")
    edited = chat.update(text="lapor")
    edited["edited_message"] = edited.pop("message")
    from_bot = chat.update(text="lapor")
    from_bot["message"]["from"]["is_bot"] = True
    for update in (group, edited, from_bot):
        assert chat.post(update).status_code == 200
    connection.set_tenant(chat.city)
    assert not InboundMessage.objects.exists()


def test_text_the_database_cannot_store_is_cleaned_not_a_crash(chat):
    chat.says(text="halo\u0000 \ud800 jalan rusak parah di sini", first_name="A\u0000")
    connection.set_tenant(chat.city)
    message = InboundMessage.objects.get()
    assert "\x00" not in message.text and "jalan rusak parah" in message.text


# -- a whole conversation -------------------------------------------------------------


def test_a_chat_from_start_to_a_verified_routed_report_and_its_later_news(chat):
    fake = chat.fake
    answers = chat.says(text="/start")
    assert "Selamat datang" in answers[0]["text"]
    question = answers[-1]
    assert question["buttons"]
    assert all(b["callback_data"].startswith("grp:") for b in question["buttons"])
    assert question["buttons"][0]["text"].startswith("1. ")

    group = next(b for b in question["buttons"] if b["callback_data"] == "grp:jalan-infrastruktur")
    answers = chat.says(callback_data=group["callback_data"])
    # The press was answered in the webhook's own response (no spinner left).
    assert chat.last_response.json()["method"] == "answerCallbackQuery"
    assert answers[-1]["buttons"][0]["callback_data"].startswith("cat:")

    answers = chat.says(callback_data="cat:jalan-rusak")
    assert answers[-1]["request_location"] is True
    assert answers[-1]["keyboard"] == ["Bagikan lokasi"]

    answers = chat.says(location=chat.center)
    assert "foto" in answers[-1]["text"].lower()
    assert answers[-1]["remove_keyboard"] is True

    file_id = document_photo(fake, chat.center)
    answers = chat.says(document_file_id=file_id)
    assert "Ceritakan" in answers[-1]["text"]
    connection.set_tenant(chat.city)
    media = InboundMedia.objects.get()
    assert media.content_type == "image/jpeg" and media.size == len(fake.files[file_id][1])

    answers = chat.says(text="Jalan berlubang dalam di depan sekolah, berbahaya bagi motor.")
    assert answers[-1]["request_contact"] is True
    assert answers[-1]["keyboard"] == ["Bagikan nomor telepon"]
    assert chat.conversation().citizen is None  # Telegram gives no number by itself

    answers = chat.says(contact_phone=PHONE)
    citizen = chat.conversation().citizen
    assert citizen is not None and citizen.phone == "+" + PHONE and citizen.verified_at
    assert {b["callback_data"] for b in answers[-1]["buttons"]} == {"send", "cancel"}

    answers = chat.says(text="kirim")
    report = Report.objects.get()
    assert report.channel == "telegram"
    assert report.reporter.phone == "+" + PHONE
    assert report.verdict == "auto_verified", report.checks
    assert report.opd is not None
    receipt = texts(answers)
    assert report.tracking_code in receipt
    assert outcome(report).headline in receipt
    assert OutboundMessage.objects.filter(conversation=chat.conversation()).count() >= 8

    responder = CityWorld(chat.city).staff("opd_responder", report.opd.code)
    actions.acknowledge(responder, report.tracking_code, "Tim dijadwalkan besok pagi.")
    news = chat.deliver()
    assert len(news) == 1 and report.tracking_code in news[0]["text"]
    assert news[0]["chat_id"] == str(chat.chat_id)


def test_someone_elses_contact_does_not_name_the_sender(chat):
    chat.to_contact_step()
    answers = chat.says(contact_phone="6281299990000", contact_user_id=42)
    assert chat.conversation().citizen is None
    assert not Citizen.objects.filter(phone="+6281299990000").exists()
    assert answers[-1]["request_contact"] is True  # asked again, with the button


def test_skipping_the_number_where_the_city_allows_anonymity_still_gets_the_code(chat):
    chat.to_contact_step()
    answers = chat.says(text="lewati")
    assert {b["callback_data"] for b in answers[-1]["buttons"]} == {"send", "cancel"}
    answers = chat.says(text="kirim")
    report = Report.objects.get()
    assert report.reporter is None and report.anonymous
    assert report.tracking_code in texts(answers)


def test_status_cancel_and_language_commands(chat):
    world = CityWorld(chat.city)
    report = world.submit(world.citizen("+" + PHONE)).report
    answers = chat.says(text=f"status {report.tracking_code}")
    assert report.tracking_code in answers[-1]["text"]

    chat.to_location_step()
    assert chat.conversation().state == Conversation.State.LOCATION
    answers = chat.says(text="batal")
    assert "dibatalkan" in answers[-1]["text"]
    conversation = chat.conversation()
    assert conversation.state == Conversation.State.IDLE and conversation.draft == {}

    answers = chat.says(text="english")
    assert chat.conversation().language == "en"
    with translation.override("en"):
        expected = _("Baik, kita lanjut dalam bahasa Indonesia.")
    assert answers[0]["text"] == expected
    # The bot goes on with the report in English, the options' labels included.
    with translation.override("en"):
        assert answers[-1]["text"] == _("Pilih kategori masalahnya (balas dengan nomornya):")
    connection.set_tenant(chat.city)
    group = CategoryGroup.objects.get(code="jalan-infrastruktur")
    assert any(b["text"].endswith(group.name_en) for b in answers[-1]["buttons"])


def test_a_language_code_of_en_starts_the_conversation_in_english(chat):
    chat.says(text="/start", language_code="en-GB")
    assert chat.conversation().language == "en"


# -- delivery and retries ----------------------------------------------------------------


def test_the_same_update_delivered_twice_is_one_message_and_one_report(chat):
    chat.to_contact_step()
    chat.says(contact_phone=PHONE)
    send = chat.update(text="kirim")
    chat.send_update(send)
    chat.send_update(send)  # Telegram retries a webhook it thinks failed
    connection.set_tenant(chat.city)
    assert InboundMessage.objects.filter(provider_message_id=str(send["update_id"])).count() == 1
    assert Report.objects.count() == 1


def test_a_chat_that_blocked_the_bot_is_a_dead_letter_without_the_token(chat):
    chat.post(chat.update(text="/start"))
    connection.set_tenant(chat.city)
    from messaging.inbound import process_pending

    process_pending()
    chat.fake.blocked_chats.add(str(chat.chat_id))
    assert chat.deliver() == []
    dead = OutboxMessage.objects.filter(status=OutboxStatus.DEAD)
    assert dead.exists()
    assert all("blocked" in m.last_error and BOT_TOKEN not in m.last_error for m in dead)


def test_a_telegram_outage_is_retried_later(chat):
    chat.post(chat.update(text="/start"))
    connection.set_tenant(chat.city)
    from messaging.inbound import process_pending

    process_pending()
    chat.fake.fail_next = 1
    first = chat.deliver()
    failed = OutboxMessage.objects.get(status=OutboxStatus.FAILED)
    assert failed.next_attempt_at and "NetworkError" in failed.last_error
    later = chat.deliver(now=timezone.now() + timedelta(hours=1))
    assert (
        len(first) + len(later) == OutboxMessage.objects.filter(conversation__isnull=False).count()
    )
    assert (
        not OutboxMessage.objects.exclude(status=OutboxStatus.SENT)
        .filter(conversation__isnull=False)
        .exists()
    )


# -- photos --------------------------------------------------------------------------------


def test_a_photo_is_fetched_in_its_largest_size(chat):
    chat.to_location_step()
    chat.says(location=chat.center)
    file_id = chat.fake.add_file(document_photo_bytes(chat))
    chat.says(photo_file_id=file_id)
    asked = [r.body.decode() for r in chat.fake.requests if r.path.endswith("/getFile")]
    assert asked and f"file_id={file_id}" in asked[-1]
    connection.set_tenant(chat.city)
    assert InboundMedia.objects.get().content_type == "image/jpeg"


def document_photo_bytes(chat) -> bytes:
    file_id = document_photo(chat.fake, chat.center, seed=77)
    return chat.fake.files[file_id][1]


def test_a_file_over_the_citys_limit_is_not_downloaded(chat):
    chat.to_location_step()
    chat.says(location=chat.center)
    file_id = chat.fake.add_file(b"\xff\xd8\xff" + b"0" * (16 * 1024 * 1024))
    answers = chat.says(document_file_id=file_id)
    assert "terlalu besar" in texts(answers)
    assert not any(r.path.startswith("/file/") for r in chat.fake.requests)
    connection.set_tenant(chat.city)
    assert not InboundMedia.objects.exists()


def test_a_document_that_only_claims_to_be_a_jpeg_is_not_a_photo(chat):
    chat.to_location_step()
    chat.says(location=chat.center)
    file_id = chat.fake.add_file(b"%PDF-1.7 not a photo")
    answers = chat.says(document_file_id=file_id, mime_type="image/jpeg", file_name="x.jpg")
    assert "bukan foto" in texts(answers)


# -- the adapter's own refusals ----------------------------------------------------------


def test_options_whose_ids_do_not_fit_telegram_buttons_become_numbered_lines(chat):
    connection.set_tenant(chat.city)
    adapter = TelegramAdapter(channel_settings("telegram"))
    adapter.send(str(chat.chat_id), Outgoing("Pilih:", options=(Option("x" * 65, "Panjang"),)))
    sent = chat.fake.sent[-1]
    assert sent["buttons"] == [] and "1. Panjang" in sent["text"]


def test_the_bot_token_never_appears_in_log_lines(chat, caplog):
    with caplog.at_level(logging.INFO, logger="httpx"):
        chat.says(text="/start")
    assert "/bot<token>/sendMessage" in caplog.text
    assert BOT_TOKEN not in caplog.text and BOT_TOKEN.replace(":", "%3A") not in caplog.text


def test_an_unknown_chat_or_a_revoked_token_never_leaks_the_token(chat, monkeypatch):
    connection.set_tenant(chat.city)
    adapter = TelegramAdapter(channel_settings("telegram"))
    chat.fake.unknown_chats.add("12345")
    with pytest.raises(PermanentFailure, match=r"(?i)chat not found"):
        adapter.send("12345", Outgoing("Halo"))
    monkeypatch.setenv("KANAL_PANGKALPINANG_TELEGRAM_BOT_TOKEN", "7000001:revoked-token")
    with pytest.raises(Exception) as refused:
        adapter.send(str(chat.chat_id), Outgoing("Halo"))
    assert not isinstance(refused.value, PermanentFailure)  # a fixed secret makes it work
    assert "revoked-token" not in str(refused.value) and "Unauthorized" in str(refused.value)


# -- isolation ----------------------------------------------------------------------------


def test_the_conversation_lives_only_in_pangkalpinangs_schema(chat, cities):
    chat.says(text="/start")
    assert chat.conversation()
    for slug in ("mataram", "serang", "jakarta"):
        connection.set_tenant(cities[slug])
        assert not Conversation.objects.filter(address=str(chat.chat_id)).exists()
        assert not InboundMessage.objects.filter(channel="telegram").exists()


def test_an_update_built_by_the_helper_reads_like_telegrams(chat):
    update = telegram_update(1, 2, contact_phone="628", contact_user_id=3)
    assert (
        update["message"]["contact"]["user_id"] == 3
        and update["message"]["chat"]["type"] == "private"
    )
