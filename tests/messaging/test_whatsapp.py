"""WhatsApp Business Cloud API end to end: Meta's webhooks on each city's
host (signed with that city's app secret), the bot as real code, and replies
sent through pywa to the fake Graph API on 127.0.0.1 with the city's token."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from messaging.adapters import adapter_for
from messaging.adapters.base import MediaRef, MediaTooLarge, Option, Outgoing
from messaging.adapters.whatsapp import sign
from messaging.delivery import ChannelBackend
from messaging.inbound import process_pending
from messaging.models import Conversation, InboundMessage, OutboundMessage

from devtools.fakes.whatsapp import whatsapp_status_webhook, whatsapp_webhook
from notifications.backends import PermanentFailure
from notifications.delivery import deliver_due
from notifications.models import OutboxMessage, OutboxStatus
from people.models import Citizen
from reports import actions
from reports.models import Report
from tests.conftest import host
from tests.factories import CENTERS
from tests.messaging.conftest import WHATSAPP_NUMBER_IDS, WHATSAPP_SECRETS
from verification.samples import phone_photo

SENDER = "+6281937001122"
WEBHOOK = "/channels/whatsapp/webhook/"
MATARAM = WHATSAPP_NUMBER_IDS["mataram"]
SERANG = WHATSAPP_NUMBER_IDS["serang"]


def post(slug: str, body: dict, *, app_secret: str | None = None, signature: str | None = None):
    raw = json.dumps(body).encode()
    if signature is None:
        signature = sign(raw, app_secret or WHATSAPP_SECRETS[slug]["APP_SECRET"])
    headers = {"HTTP_X_HUB_SIGNATURE_256": signature} if signature else {}
    return Client(HTTP_HOST=host(slug)).post(
        WEBHOOK, raw, content_type="application/json", **headers
    )


def run(city) -> None:
    """What the workers do after a webhook: the bot, then the outbox."""
    connection.set_tenant(city)
    process_pending()
    deliver_due(backend=ChannelBackend())


class Chat:
    """A citizen writing to a city's WhatsApp number; each call returns what
    the fake Graph API was asked to send back."""

    def __init__(self, fake, city, sender: str = SENDER):
        self.fake, self.city, self.sender = fake, city, sender
        self.number = WHATSAPP_NUMBER_IDS[city.slug]

    def __call__(self, text: str | None = None, **kwargs) -> list[dict]:
        before = len(self.fake.sent)
        body = whatsapp_webhook(self.number, self.sender, text=text, **kwargs)
        response = post(self.city.slug, body)
        assert response.status_code == 200, response.content
        run(self.city)
        return self.fake.sent[before:]

    def photo(self, data: bytes, mime_type: str = "image/jpeg") -> list[dict]:
        return self(image_id=self.fake.add_media(data, mime_type, phone_number_id=self.number))


def option(sent: dict, title_part: str) -> str:
    for row in sent["options"]:
        if title_part.lower() in (row["title"] + " " + row["description"]).lower():
            return row["id"]
    raise AssertionError(f"no option {title_part!r} in {sent['options']}")


def fresh_photo(seed: int = 11) -> bytes:
    """A phone photo as WhatsApp forwards it: recompressed, no EXIF."""
    return phone_photo(seed=seed, width=800, height=600, taken_at=None, gps=None, exif=False)


@pytest.fixture
def mataram(cities, whatsapp_fake):
    connection.set_tenant(cities["mataram"])
    return cities["mataram"]


@pytest.fixture
def chat(mataram, whatsapp_fake):
    return Chat(whatsapp_fake, mataram)


def to_photo_step(chat) -> None:
    """LAPOR → group → category → location inside Mataram."""
    sent = chat("lapor")
    groups = sent[-1]
    assert groups["interactive"] == "list" and 4 <= len(groups["options"]) <= 10
    assert all(o["id"].startswith("grp:") for o in groups["options"])
    sent = chat(reply_id=option(groups, "jalan"))
    categories = sent[-1]
    assert categories["type"] == "interactive" and categories["options"]
    sent = chat(reply_id=option(categories, "rusak"))
    assert sent[-1]["interactive"] == "location_request_message"
    sent = chat(location=CENTERS["mataram"])
    assert "foto" in sent[-1]["text"].lower()


def chat_a_report(chat) -> Report:
    to_photo_step(chat)
    sent = chat.photo(fresh_photo())
    assert "ceritakan" in sent[-1]["text"].lower()
    sent = chat("Jalan berlubang dalam di depan sekolah, sudah dua motor jatuh.")
    confirm = sent[-1]
    assert confirm["interactive"] == "button"
    assert [o["id"] for o in confirm["options"]] == ["send", "cancel"]
    chat.receipt = chat(reply_id="send", reply_title="Kirim", list_reply=False)
    return Report.objects.get(channel="whatsapp")


# -- the handshake and the signature ------------------------------------------------


def test_the_verify_token_handshake(mataram):
    client = Client(HTTP_HOST=host("mataram"))
    query = {"hub.mode": "subscribe", "hub.challenge": "1158201444"}
    right = client.get(WEBHOOK, {**query, "hub.verify_token": "mataram-verify-token"})
    assert right.status_code == 200 and right.content == b"1158201444"
    assert right["Content-Type"].startswith("text/plain")
    for token in ("wrong", "serang-verify-token", ""):
        assert client.get(WEBHOOK, {**query, "hub.verify_token": token}).status_code == 403
    wrong_mode = {**query, "hub.mode": "unsubscribe", "hub.verify_token": "mataram-verify-token"}
    assert client.get(WEBHOOK, wrong_mode).status_code == 403


@pytest.mark.parametrize("signature", ["", "sha256=" + "0" * 64, "md5=abc", "sha256=ü"])
def test_an_unsigned_or_wrongly_signed_webhook_is_refused_and_nothing_is_stored(mataram, signature):
    body = whatsapp_webhook(MATARAM, SENDER, text="lapor")
    assert post("mataram", body, signature=signature).status_code == 401
    connection.set_tenant(mataram)
    assert not InboundMessage.objects.exists() and not Conversation.objects.exists()


@pytest.mark.isolation
def test_mataram_signed_webhook_on_serang_host_is_refused(cities, whatsapp_fake):
    body = whatsapp_webhook(MATARAM, SENDER, text="lapor")
    response = post("serang", body, app_secret=WHATSAPP_SECRETS["mataram"]["APP_SECRET"])
    assert response.status_code == 401
    # Signed with Serang's secret but for Mataram's number: misrouted, refused too.
    assert post("serang", body).status_code == 400
    for slug in ("serang", "mataram"):
        connection.set_tenant(cities[slug])
        assert not InboundMessage.objects.exists() and not Conversation.objects.exists()


def test_a_city_without_whatsapp_settings_answers_404(cities, whatsapp_fake):
    # Pangkalpinang lists WhatsApp among its channels but has connected only Telegram.
    body = whatsapp_webhook(MATARAM, SENDER, text="lapor")
    assert post("pangkalpinang", body, app_secret="anything").status_code == 404


def test_a_signed_body_that_is_not_a_webhook_is_400(mataram):
    for body in ({"object": "page"}, {"object": "whatsapp_business_account", "entry": "x"}):
        assert post("mataram", body).status_code == 400
    broken = whatsapp_webhook(MATARAM, SENDER, text="lapor")
    broken["entry"][0]["changes"][0]["value"]["messages"][0]["from"] = "not-a-number"
    assert post("mataram", broken).status_code == 400
    connection.set_tenant(mataram)
    assert not InboundMessage.objects.exists()


# -- a whole conversation -----------------------------------------------------------------


def test_a_whole_conversation_becomes_a_verified_routed_report(chat, whatsapp_fake, world):
    report = chat_a_report(chat)
    assert report.reporter == Citizen.objects.get(phone=SENDER)
    assert report.photos.count() == 1
    # Mataram's WhatsApp policy: no EXIF passes, no GPS warns, and a warning
    # goes to an operator first.
    results = {c["name"]: c["result"] for c in report.checks}
    assert "fail" not in results.values(), report.checks
    assert report.verdict == "needs_triage" and report.opd is None
    receipt = "\n".join(m["text"] for m in chat.receipt)
    assert report.tracking_code in receipt
    assert "sedang diperiksa operator" in receipt  # the verdict in words
    assert {m["to"] for m in whatsapp_fake.sent} == {SENDER.removeprefix("+")}
    assert {m["phone_number_id"] for m in whatsapp_fake.sent} == {MATARAM}

    actions.triage_accept(world("mataram").staff("operator"), report.tracking_code)
    report.refresh_from_db()
    assert report.opd is not None  # routed
    before = len(whatsapp_fake.sent)
    deliver_due(backend=ChannelBackend())
    assert any(report.opd.name in m["text"] for m in whatsapp_fake.sent[before:])

    conversation = Conversation.objects.get(address=SENDER)
    assert conversation.display_name == "Warga Kota"
    sent = OutboundMessage.objects.filter(conversation=conversation)
    assert set(sent.values_list("provider_message_id", flat=True)) == {
        m["id"] for m in whatsapp_fake.sent
    }


def test_status_changes_reach_the_chat_and_a_template_after_24_hours(chat, whatsapp_fake, world):
    report = chat_a_report(chat)
    city = world("mataram")
    actions.triage_accept(city.staff("operator"), report.tracking_code)
    deliver_due(backend=ChannelBackend())
    report.refresh_from_db()
    responder = city.staff("opd_responder", report.opd.code)
    actions.acknowledge(responder, report.tracking_code, "Petugas dijadwalkan besok pagi.")
    before = len(whatsapp_fake.sent)
    deliver_due(backend=ChannelBackend())
    news = whatsapp_fake.sent[before:]
    assert len(news) == 1 and news[0]["type"] == "text"
    assert report.tracking_code in news[0]["text"]

    Conversation.objects.filter(address=SENDER).update(
        last_inbound_at=timezone.now() - timedelta(hours=25)
    )
    actions.add_progress_note(responder, report.tracking_code, "Lubang sedang ditambal.")
    before = len(whatsapp_fake.sent)
    deliver_due(backend=ChannelBackend())
    template = whatsapp_fake.sent[before:]
    assert [m["type"] for m in template] == ["template"]
    report.refresh_from_db()
    assert template[0]["template"] == {
        "name": "kanal_status_laporan",
        "language": "id",
        "params": [report.tracking_code, str(report.get_status_display())],
    }


def test_status_command_with_the_code_as_people_type_it(chat):
    report = chat_a_report(chat)
    typed = report.tracking_code.lower().replace("-", "")
    answer = chat(f"status {typed}")
    assert len(answer) == 1
    assert report.tracking_code in answer[0]["text"]
    assert str(report.get_status_display()) in answer[0]["text"]


def test_the_same_webhook_twice_is_one_message_and_one_report(chat, mataram, whatsapp_fake):
    to_photo_step(chat)
    chat.photo(fresh_photo())
    chat("Jalan berlubang dalam di depan sekolah, sudah dua motor jatuh.")
    body = whatsapp_webhook(MATARAM, SENDER, reply_id="send", message_id="wamid.kirim.once")
    assert post("mataram", body).status_code == 200
    run(mataram)
    assert post("mataram", body).status_code == 200
    run(mataram)
    assert InboundMessage.objects.filter(provider_message_id="wamid.kirim.once").count() == 1
    assert Report.objects.filter(channel="whatsapp").count() == 1


def test_delivery_callbacks_move_the_sent_message_forward(chat, mataram):
    sent = chat("bantuan")
    wamid = sent[0]["id"]
    outbound = OutboundMessage.objects.get(provider_message_id=wamid)
    assert outbound.status == "sent"
    for status in ("read", "delivered"):  # Meta may deliver them out of order
        assert post("mataram", whatsapp_status_webhook(MATARAM, wamid, status)).status_code == 200
    connection.set_tenant(mataram)
    outbound.refresh_from_db()
    assert outbound.status == "read"

    sent = chat("bantuan")
    failed = whatsapp_status_webhook(
        MATARAM, sent[0]["id"], "failed", error_code=131026, error_title="Message undeliverable"
    )
    post("mataram", failed)
    connection.set_tenant(mataram)
    outbound = OutboundMessage.objects.get(provider_message_id=sent[0]["id"])
    assert outbound.status == "failed" and "131026" in outbound.error


def test_a_location_outside_the_city_is_asked_again(chat):
    chat("lapor")
    groups = chat.fake.sent[-1]
    categories = chat(reply_id=option(groups, "jalan"))[-1]
    chat(reply_id=option(categories, "rusak"))
    answer = chat(location=CENTERS["serang"])
    assert "di luar wilayah" in " ".join(m["text"] for m in answer)
    assert Conversation.objects.get(address=SENDER).state == Conversation.State.LOCATION
    assert not Report.objects.exists()


def test_media_that_is_not_a_photo_gets_a_clear_answer(chat, whatsapp_fake):
    to_photo_step(chat)
    pdf = whatsapp_fake.add_media(b"%PDF-1.4 surat", "application/pdf", phone_number_id=MATARAM)
    answer = chat(document_id=pdf)
    assert "bukan foto" in answer[0]["text"]
    answer = chat.photo(b"this is not a jpeg at all")  # declared image/jpeg
    assert "bukan foto" in answer[0]["text"]
    conversation = Conversation.objects.get(address=SENDER)
    assert conversation.state == Conversation.State.PHOTO and not conversation.draft["photos"]


def test_a_photo_over_the_city_limit_is_refused_without_downloading_it_all(chat, whatsapp_fake):
    from cityconfig.models import CityProfile

    profile = CityProfile.load()
    profile.verification = {**profile.verification, "max_upload_mb": 1}
    profile.save()
    to_photo_step(chat)
    big = fresh_photo() + b"\0" * (1024 * 1024)
    media_id = whatsapp_fake.add_media(big, "image/jpeg", phone_number_id=MATARAM)
    with pytest.raises(MediaTooLarge):  # the stated size is enough: no download
        adapter_for("whatsapp").fetch_media(MediaRef(ref=media_id))
    assert not [r for r in whatsapp_fake.requests if r.path.startswith("/media/")]
    lying = whatsapp_fake.add_media(big, "image/jpeg", phone_number_id=MATARAM, stated_size=900)
    with pytest.raises(MediaTooLarge):  # a wrong stated size: the download stops at the limit
        adapter_for("whatsapp").fetch_media(MediaRef(ref=lying))
    answer = chat(image_id=media_id)
    assert "terlalu besar" in answer[0]["text"]
    gone = chat(image_id="999")  # a media id the Graph API does not know
    assert "tidak bisa kami ambil" in gone[0]["text"]


def test_a_sticker_goes_to_the_operators_inbox(chat):
    answer = chat(kind="sticker")
    assert "petugas" in answer[0]["text"]
    assert InboundMessage.objects.get().status == InboundMessage.Status.INBOX


# -- sending ------------------------------------------------------------------------------


def test_an_outage_is_retried_and_nothing_is_lost(chat, mataram, whatsapp_fake):
    whatsapp_fake.fail_next = 1
    chat("bantuan")
    message = OutboxMessage.objects.get(kind="chat.reply")
    assert message.status == OutboxStatus.FAILED and message.next_attempt_at is not None
    assert not whatsapp_fake.sent
    deliver_due(backend=ChannelBackend(), now=message.next_attempt_at + timedelta(seconds=1))
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and len(whatsapp_fake.sent) == 1


def test_an_unknown_number_is_a_dead_letter(chat, whatsapp_fake):
    whatsapp_fake.unknown_numbers.add(SENDER)
    chat("bantuan")
    message = OutboxMessage.objects.get(kind="chat.reply")
    assert message.status == OutboxStatus.DEAD and "131026" in message.last_error


def test_options_fit_whatsapp_limits(mataram, whatsapp_fake):
    adapter = adapter_for("whatsapp")
    long = "Saluran air tersumbat sampah di gang sempit belakang pasar"
    buttons = Outgoing(text="Pilih:", options=(Option("a", long), Option("b", "Batal")))
    adapter.send(SENDER, buttons)
    sent = whatsapp_fake.sent[-1]
    assert sent["interactive"] == "button" and len(sent["options"][0]["title"]) <= 20
    rows = tuple(Option(f"cat:{n}", f"{long} {n}") for n in range(10))
    adapter.send(SENDER, Outgoing(text="x" * 2000, options=rows))
    sent = whatsapp_fake.sent[-1]
    assert sent["interactive"] == "list" and len(sent["options"]) == 10
    assert all(len(o["title"]) <= 24 and len(o["description"]) <= 72 for o in sent["options"])
    assert sent["options"][0]["description"].startswith("Saluran air tersumbat")
    assert len(sent["text"]) <= 1024
    eleven = tuple(Option(str(n), f"Pilihan {n}") for n in range(11))
    adapter.send(SENDER, Outgoing(text="Pilih:", options=eleven))
    assert (
        whatsapp_fake.sent[-1]["type"] == "text"
        and "11. Pilihan 10" in whatsapp_fake.sent[-1]["text"]
    )
    with pytest.raises(PermanentFailure):
        adapter.send(
            SENDER, Outgoing(text="", template="kanal_status_laporan", template_language="xx")
        )


def test_timestamps_and_senders_are_read_as_whatsapp_writes_them(chat):
    stamp = int(datetime(2025, 3, 1, 8, 30, tzinfo=UTC).timestamp())
    chat("lapor", timestamp=stamp)
    message = InboundMessage.objects.get()
    assert message.received_at == datetime(2025, 3, 1, 8, 30, tzinfo=UTC)
    assert message.sender == SENDER and message.conversation.address == SENDER


# -- isolation ----------------------------------------------------------------------------


@pytest.mark.isolation
def test_each_city_talks_with_its_own_number_and_token(cities, whatsapp_fake):
    mataram_chat = Chat(whatsapp_fake, cities["mataram"])
    mataram_chat("lapor")
    connection.set_tenant(cities["serang"])
    assert not Conversation.objects.filter(address=SENDER).exists()
    assert not InboundMessage.objects.exists()

    serang_chat = Chat(whatsapp_fake, cities["serang"])
    sent = serang_chat("bantuan")
    assert [m["phone_number_id"] for m in sent] == [SERANG]
    assert Conversation.objects.filter(address=SENDER).count() == 1  # Serang's own

    # The fake accepts only Serang's token for Serang's number: with another
    # one the send fails (and is retried), proving the adapter used its own.
    whatsapp_fake.tokens[SERANG] = "someone-elses-token"
    serang_chat("bantuan")
    failed = OutboxMessage.objects.filter(status=OutboxStatus.FAILED)
    assert failed.count() == 1 and "190" in failed.get().last_error
