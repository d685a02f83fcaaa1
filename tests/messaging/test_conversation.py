"""The conversational intake, from stored messages to a report and the replies
waiting in the outbox (delivery on each provider is tested per channel)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from messaging.adapters.base import Incoming
from messaging.inbound import process_pending, receive
from messaging.models import Conversation, InboundMessage

from notifications.models import OutboxMessage
from reports.models import Report

SENDER = "+6281998877665"
_counter = iter(range(1, 10_000))


@pytest.fixture
def mataram(cities):
    connection.set_tenant(cities["mataram"])
    return cities["mataram"]


def say(text: str = "", *, sender: str = SENDER, **extra) -> list[str]:
    """The citizen writes; returns the bot's answers (texts of the new outbox messages)."""
    before = set(OutboxMessage.objects.values_list("pk", flat=True))
    receive(
        "whatsapp",
        [
            Incoming(
                provider_message_id=f"wamid.test.{next(_counter)}",
                sender=sender,
                received_at=timezone.now(),
                text=text,
                **extra,
            )
        ],
    )
    process_pending()
    new = OutboxMessage.objects.exclude(pk__in=before).order_by("pk")
    return [_text(m) for m in new]


def _text(message: OutboxMessage) -> str:
    body = message.payload.get("message") or {}
    options = [o["title"] for o in body.get("options") or []]
    return "\n".join([body.get("text", message.kind), *options])


def option_number(answer: str, title_part: str) -> str:
    """The number a citizen would type for the option whose title contains ``title_part``."""
    options = answer.splitlines()[1:]
    for n, title in enumerate(options, 1):
        if title_part.lower() in title.lower():
            return str(n)
    raise AssertionError(f"no option with {title_part!r} in {options}")


def to_location_step() -> None:
    answers = say("lapor")
    answers = say(option_number(answers[-1], "Darurat"))
    answers = say(option_number(answers[-1], "Kebakaran"))
    assert "lokasi" in answers[-1].lower()


def chat_a_report() -> Report:
    to_location_step()
    say("ampenan selatan")
    say("lewati")
    say("Asap tebal dari gudang di belakang pasar")
    say("kirim")
    return Report.objects.get(channel="whatsapp")


def test_a_chat_becomes_a_routed_report_and_the_receipt_waits_for_the_same_chat(mataram):
    answers = say("lapor")
    assert "kategori" in answers[-1].lower()
    # Mataram has more categories than one list holds: groups first.
    group = option_number(answers[-1], "Darurat")
    answers = say(group)
    answers = say(option_number(answers[-1], "Kebakaran"))
    assert "lokasi" in answers[-1].lower()
    answers = say("ampenan selatan")  # a kelurahan, typed in lower case
    assert "foto" in answers[-1].lower()
    answers = say("lewati")  # kebakaran needs no photo
    assert "ceritakan" in answers[-1].lower()
    answers = say("Asap tebal dari gudang di belakang pasar")
    assert "Kebakaran" in answers[-1] and "Ampenan Selatan" in answers[-1]
    say("kirim")

    report = Report.objects.get(channel="whatsapp")
    assert report.category.code == "kebakaran"
    assert report.area.name == "Ampenan Selatan"
    assert report.reporter.phone == SENDER
    assert report.opd is not None  # routed
    conversation = Conversation.objects.get(address=SENDER)
    assert conversation.state == Conversation.State.IDLE and conversation.draft == {}
    receipt = OutboxMessage.objects.get(kind="report.received", report=report)
    assert receipt.citizen_id == report.reporter_id
    assert InboundMessage.objects.filter(report=report).exists()  # the chat knows its report


def test_lapor_in_the_middle_of_a_draft_starts_over(mataram):
    to_location_step()
    answers = say("LAPOR")
    assert "kategori" in answers[-1].lower()
    conversation = Conversation.objects.get(address=SENDER)
    assert conversation.state == Conversation.State.CATEGORY
    assert "category" not in conversation.draft  # the old choice is gone


def test_status_answers_in_words_for_the_tracking_code_as_people_type_it(mataram):
    report = chat_a_report()
    typed = report.tracking_code.lower().replace("-", "")
    answers = say(f"status {typed}")
    assert report.tracking_code in answers[-1]
    assert str(report.get_status_display()) in answers[-1]
    assert "tidak ditemukan" in say("status ZZZZ-9999")[-1]


def test_cancel_drops_the_draft(mataram):
    say("lapor")
    assert "dibatalkan" in say("batal")[-1]
    conversation = Conversation.objects.get(address=SENDER)
    assert conversation.state == Conversation.State.IDLE and conversation.draft == {}


def test_a_location_outside_the_city_is_asked_again(mataram):
    to_location_step()
    answers = say(latitude=-6.2, longitude=106.8)  # Jakarta
    assert "di luar wilayah" in " ".join(answers)
    assert Conversation.objects.get(address=SENDER).state == Conversation.State.LOCATION


def test_a_short_unknown_message_goes_to_the_operators_inbox(mataram):
    answers = say("ok")
    assert "petugas" in answers[-1]
    assert InboundMessage.objects.filter(status=InboundMessage.Status.INBOX, text="ok").exists()


def test_three_unreadable_answers_hand_the_chat_to_a_person(mataram):
    say("lapor")
    for _ in range(3):
        answers = say("entahlah")
    assert "petugas" in answers[-1]
    assert InboundMessage.objects.filter(status=InboundMessage.Status.INBOX).exists()


def test_a_flooding_sender_is_held_and_nothing_is_lost(mataram, settings):
    conversation = Conversation.objects.create(channel="whatsapp", address=SENDER)
    now = timezone.now()
    InboundMessage.objects.bulk_create(
        InboundMessage(
            channel="whatsapp",
            provider_message_id=f"old.{n}",
            conversation=conversation,
            sender=SENDER,
            received_at=now - timedelta(minutes=30),
            text="spam",
            status=InboundMessage.Status.HANDLED,
        )
        for n in range(30)
    )
    answers = say("lapor")
    assert "terlalu banyak pesan" in answers[-1].lower()
    assert say("lapor") == []  # held: not answered again
    held = InboundMessage.objects.filter(status=InboundMessage.Status.HELD)
    assert held.count() == 2  # kept, for an operator to see


def test_the_same_message_delivered_twice_is_processed_once(mataram):
    item = Incoming(
        provider_message_id="wamid.twice",
        sender=SENDER,
        received_at=timezone.now(),
        text="lapor",
    )
    assert len(receive("whatsapp", [item])) == 1
    assert receive("whatsapp", [item]) == []
    process_pending()
    process_pending()
    assert InboundMessage.objects.filter(provider_message_id="wamid.twice").count() == 1
    assert OutboxMessage.objects.filter(kind="chat.reply").count() == 2  # welcome + category


def test_english_on_request(mataram):
    answers = say("english")
    conversation = Conversation.objects.get(address=SENDER)
    assert conversation.language == "en"
    assert "English" in answers[0]
    answer = say("report")[-1]
    assert "Choose the kind of problem" in answer
    assert "Roads & Infrastructure" in answer  # the category groups' English names


@pytest.mark.isolation
def test_a_conversation_lives_in_its_city_only(cities):
    connection.set_tenant(cities["mataram"])
    say("lapor")
    assert Conversation.objects.filter(address=SENDER).exists()
    connection.set_tenant(cities["serang"])
    assert not Conversation.objects.filter(address=SENDER).exists()
    assert not InboundMessage.objects.exists()
