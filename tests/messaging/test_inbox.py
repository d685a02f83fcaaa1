"""The operators' inbox (issue 18 §7): items the bot could not structure and
items entered by hand become reports, replies or spam, once, by an operator of
the item's own city."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from messaging import inbox
from messaging.inbound import keep_inline_media
from messaging.media_views import signed_media_url
from messaging.models import Conversation, InboundMessage

from kanal.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from notifications.models import OutboxMessage
from people.actors import Actor
from people.tokens import issue_token
from reports.models import Report
from tests.api.conftest import Api

WA_PHONE = "+6281233300111"
TEXT = "Lampu jalan di depan pasar Cakranegara mati sejak tiga hari, gelap sekali."


def inbox_message(city, *, phone=WA_PHONE, text=TEXT, photo=True, channel="whatsapp"):
    """A message the bot sent to the inbox, with a photo downloaded into storage."""
    conversation, _ = Conversation.objects.get_or_create(
        channel=channel, address=phone, defaults={"display_name": "Budi"}
    )
    message = InboundMessage.objects.create(
        channel=channel,
        provider_message_id=f"wamid.{uuid.uuid4().hex}",
        conversation=conversation,
        sender=phone,
        received_at=timezone.now(),
        text=text,
        status=InboundMessage.Status.INBOX,
    )
    if photo:
        keep_inline_media(message, city.photo().data, "image/jpeg", "foto.jpg", 0)
    return message


def kelurahan():
    from cityconfig.models import Area

    return Area.objects.active().filter(boundary__isnull=False, level="kelurahan").first()


@pytest.fixture
def mataram(world):
    return world("mataram")


@pytest.fixture
def operator(mataram):
    return mataram.staff("operator")


# -- services --------------------------------------------------------------------------


def test_an_operator_turns_an_inbox_message_into_a_report(mataram, operator):
    message = inbox_message(mataram)
    area = kelurahan()
    report = inbox.report_from(
        operator,
        str(message.uid),
        inbox.InboxReport(category_code="jalan-rusak", description=TEXT, area_code=area.code),
    )
    report = Report.objects.select_related("reporter", "area", "category").get(pk=report.pk)
    assert report.channel == "whatsapp"
    assert report.category.code == "jalan-rusak"
    assert report.reporter.phone == WA_PHONE  # linked by the sender's number
    assert report.photos.filter(kind="report").count() == 1  # carried over
    assert report.area == area
    assert report.entered_by == operator.user
    message.refresh_from_db()
    assert message.status == "reported" and message.report == report
    assert message.handled_by == operator.user and message.handled_at is not None
    assert message.conversation.citizen_id == report.reporter_id
    assert not inbox.inbox_items(operator).filter(pk=message.pk).exists()


def test_the_message_s_own_location_and_chosen_photos(mataram, operator):
    message = inbox_message(mataram)
    message.latitude, message.longitude = mataram.center
    message.save()
    keep_inline_media(message, b"%PDF-1.4 not a photo", "application/pdf", "surat.pdf", 1)
    with pytest.raises(InvalidInput) as refused:
        inbox.report_from(
            operator,
            str(message.uid),
            inbox.InboxReport(category_code="jalan-rusak", description=TEXT, photos=[1]),
        )
    assert refused.value.field == "photos[0]"
    report = inbox.report_from(
        operator,
        str(message.uid),
        inbox.InboxReport(category_code="jalan-rusak", description=TEXT, photos=[0, 0]),
    )
    assert report.photos.filter(kind="report").count() == 1
    assert (report.latitude, report.longitude) == mataram.center


def test_a_report_needs_a_place(mataram, operator):
    message = inbox_message(mataram, photo=False)
    with pytest.raises(InvalidInput) as refused:
        inbox.report_from(operator, str(message.uid), inbox.InboxReport("jalan-rusak", TEXT))
    assert (refused.value.field, refused.value.code) == ("areaCode", "LOCATION_REQUIRED")
    with pytest.raises(InvalidInput) as refused:
        inbox.report_from(
            operator, str(message.uid), inbox.InboxReport("jalan-rusak", TEXT, area_code="x")
        )
    assert refused.value.code == "UNKNOWN_AREA"
    message.refresh_from_db()
    assert message.status == "inbox"  # nothing half done


def test_entering_a_pasted_facebook_post_and_a_walk_in(mataram, operator):
    post = inbox.enter(
        operator,
        inbox.Entry(
            channel="facebook",
            sender="@warga.ampenan",
            link="https://www.facebook.com/groups/mataram/posts/123",
            text="Sampah menumpuk di Jalan Saleh Sungkar, sudah seminggu tidak diangkut.",
            photos=[mataram.photo()],
        ),
    )
    assert post.status == "inbox" and post.channel == "facebook"
    assert post.entered_by == operator.user and post.conversation is None
    assert post.media.count() == 1 and post.media.get().content_type == "image/jpeg"
    assert inbox.sender_label(post) == "@warga.ampenan"
    assert not inbox.can_reply(post)

    walk_in = inbox.enter(
        operator,
        inbox.Entry(
            channel="walk_in",
            sender="Ibu Siti",
            sender_phone="0812 3456 7001",
            text="Saluran air di Gang Melati tersumbat, air masuk rumah warga.",
        ),
    )
    assert walk_in.contact_phone == "+6281234567001"
    assert "•" in inbox.sender_label(walk_in) and "3456" not in inbox.sender_label(walk_in)
    report = inbox.report_from(
        operator,
        str(walk_in.uid),
        inbox.InboxReport("pungli", walk_in.text, area_code=kelurahan().code),
    )
    assert report.channel == "walk_in" and report.reporter.phone == "+6281234567001"
    assert report.contact_name == "Ibu Siti"


@pytest.mark.parametrize(
    ("entry", "field", "code"),
    [
        ({"channel": "whatsapp"}, "channel", "CHANNEL_NOT_MANUAL"),
        ({"channel": "twitter"}, "channel", "CHANNEL_NOT_ENABLED"),  # not open in Mataram
        ({"channel": "facebook", "sender": ""}, "sender", "REQUIRED"),
        ({"channel": "walk_in", "sender": ""}, "sender", "REQUIRED"),
        ({"text": "  "}, "text", "REQUIRED"),
        ({"text": "x" * 5001}, "text", "TOO_LONG"),
        ({"sender": "a" * 300}, "sender", "TOO_LONG"),
        ({"link": "javascript:alert(1)"}, "link", "INVALID"),
        ({"link": "https://" + "a" * 600}, "link", "TOO_LONG"),
        ({"sender_phone": "12"}, "phone", "INVALID_PHONE"),
    ],
)
def test_an_entry_is_checked(mataram, operator, entry, field, code):
    data = {"channel": "facebook", "sender": "@x", "text": "Jalan berlubang di Ampenan.", **entry}
    with pytest.raises(InvalidInput) as refused:
        inbox.enter(operator, inbox.Entry(**data))
    assert (refused.value.field, refused.value.code) == (field, code)
    assert not InboundMessage.objects.filter(entered_by=operator.user).exists()


def test_an_entered_photo_must_be_a_photo(mataram, operator):
    from reports.photos import Upload

    with pytest.raises(InvalidInput) as refused:
        inbox.enter(
            operator,
            inbox.Entry("instagram", "Trotoar rusak", "@a", photos=[Upload(b"<svg/>", "a.svg")]),
        )
    assert refused.value.field == "photos[0]"


def test_a_reply_on_an_api_channel_is_queued_to_the_conversation(mataram, operator):
    message = inbox_message(mataram)
    assert inbox.can_reply(message)
    inbox.reply_to(operator, str(message.uid), "Terima kasih, petugas kami segera mengecek.")
    message.refresh_from_db()
    assert message.status == "replied" and message.handled_by == operator.user
    queued = OutboxMessage.objects.get(kind="chat.reply", conversation=message.conversation)
    assert queued.payload["message"]["text"].startswith("Terima kasih")


def test_a_reply_is_refused_where_there_is_no_api(mataram, operator):
    post = inbox.enter(operator, inbox.Entry("facebook", "Jalan rusak di Ampenan.", "@b"))
    sms = inbox_message(mataram, channel="sms", photo=False)  # open, but not connected
    for item in (post, sms):
        with pytest.raises(InvalidInput) as refused:
            inbox.reply_to(operator, str(item.uid), "Terima kasih.")
        assert (refused.value.field, refused.value.code) == ("uid", "REPLY_NOT_POSSIBLE")
        item.refresh_from_db()
        assert item.status == "inbox"
    assert not OutboxMessage.objects.filter(kind="chat.reply").exists()


def test_spam_and_holding_the_sender(mataram, operator):
    first = inbox_message(mataram)
    second = inbox_message(mataram)
    other = inbox_message(mataram, phone="+6281233300999")
    inbox.mark_spam(operator, str(first.uid))
    first.refresh_from_db()
    assert first.status == "spam"
    assert list(inbox.inbox_items(operator)) == [other, second]
    assert inbox.inbox_counts(operator).by_status["spam"] == 1

    inbox.mark_spam(operator, str(second.uid), hold_sender=True)
    conversation = Conversation.objects.get(address=WA_PHONE)
    second.refresh_from_db()
    assert conversation.blocked_until > timezone.now() + timedelta(days=6)
    assert inbox.sender_activity(second).held_until == conversation.blocked_until
    assert inbox.sender_activity(second).last_24h == 2
    assert list(inbox.inbox_items(operator)) == [other]


def test_a_second_operator_is_refused_an_item_already_handled(mataram, operator):
    message = inbox_message(mataram)
    inbox.reply_to(operator, str(message.uid), "Sudah kami terima.")
    colleague = mataram.staff("command_center")
    for attempt in (
        lambda: inbox.mark_spam(colleague, str(message.uid)),
        lambda: inbox.reply_to(colleague, str(message.uid), "Lagi"),
        lambda: inbox.report_from(
            colleague,
            str(message.uid),
            inbox.InboxReport("jalan-rusak", TEXT, area_code=kelurahan().code),
        ),
    ):
        with pytest.raises(Conflict) as refused:
            attempt()
        assert refused.value.code == "ALREADY_HANDLED"
        assert operator.label in refused.value.message
    assert OutboxMessage.objects.filter(kind="chat.reply").count() == 1
    assert not Report.objects.filter(channel="whatsapp").exists()


def test_only_the_city_s_operators_use_the_inbox(mataram):
    message = inbox_message(mataram)
    outsiders = [
        mataram.citizen(),
        Actor.anonymous(),
        Actor.system("test"),
        mataram.staff("opd_responder", "dinas-pupr"),
        mataram.staff("survey_officer"),
    ]
    for outsider in outsiders:
        for attempt in (
            lambda actor=outsider: inbox.inbox_items(actor),
            lambda actor=outsider: inbox.inbox_item(actor, str(message.uid)),
            lambda actor=outsider: inbox.mark_spam(actor, str(message.uid)),
            lambda actor=outsider: inbox.reply_to(actor, str(message.uid), "Halo"),
            lambda actor=outsider: inbox.reply_to(actor, str(message.uid), ""),
            lambda actor=outsider: inbox.enter(actor, inbox.Entry("facebook", "Jalan rusak", "@c")),
            lambda actor=outsider: inbox.report_from(
                actor, str(message.uid), inbox.InboxReport("jalan-rusak", TEXT)
            ),
        ):
            with pytest.raises(PermissionDenied):
                attempt()
    message.refresh_from_db()
    assert message.status == "inbox"


def test_bad_uids_are_not_found(mataram, operator):
    handled = inbox_message(mataram)
    InboundMessage.objects.filter(pk=handled.pk).update(status="handled")  # the bot's own
    for uid in ("", "nope", "1", "' or 1=1", "x" * 5000, str(uuid.uuid4()), str(handled.uid)):
        with pytest.raises(NotFound):
            inbox.inbox_item(operator, uid)
        with pytest.raises(NotFound):
            inbox.mark_spam(operator, uid)


def test_the_thread_and_the_sender_s_volume(mataram, operator):
    from messaging.models import OutboundMessage

    first = inbox_message(mataram, text="halo")
    OutboundMessage.objects.create(conversation=first.conversation, text="Selamat datang")
    second = inbox_message(mataram)
    lines = inbox.thread(second)
    assert [(e.inbound, e.text) for e in lines] == [
        (True, "halo"),
        (False, "Selamat datang"),
        (True, TEXT),
    ]
    assert inbox.sender_activity(second).last_24h == 2
    assert inbox.sender_activity(second).held_until is None


# -- GraphQL ------------------------------------------------------------------------------


def staff_token(city, slug: str, role: str = "operator") -> str:
    return issue_token(slug, user=city.staff(role).user).token


def test_the_inbox_through_the_api(mataram):
    message = inbox_message(mataram)
    api = Api("mataram", staff_token(mataram, "mataram"))
    listed = api.op("InboxList", {"first": 10})
    assert "errors" not in listed, listed
    [node] = [e["node"] for e in listed["data"]["inbox"]["edges"]]
    assert node["uid"] == str(message.uid) and node["channel"] == "whatsapp"
    assert node["sender"] == "Budi (+62812••••111)"
    counts = listed["data"]["inboxCounts"]
    assert {"status": "inbox", "label": "Perlu dibaca petugas", "count": 1} in counts["byStatus"]
    assert {c["channel"] for c in counts["manualChannels"]} == {
        "facebook",
        "instagram",
        "walk_in",
        "letter",
    }

    item = api.op("InboxItem", {"uid": str(message.uid)})["data"]["inboxMessage"]
    assert item["canReply"] and item["senderPhoneKnown"] and item["senderMessagesLast24h"] == 1
    [media] = item["media"]
    assert media["isImage"] and "?t=" in media["url"]
    photo = api.client.get(media["url"])
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert photo["Cache-Control"].startswith("private")
    assert api.client.get(media["url"].split("?")[0]).status_code == 404
    assert api.client.get(media["url"] + "x").status_code == 404
    assert api.client.get(f"/channels/media/{message.uid}/1?t=x").status_code == 404

    refused = api.op(
        "InboxToReport",
        {
            "uid": str(message.uid),
            "input": {"categoryCode": "nope", "description": TEXT, "areaCode": kelurahan().code},
        },
    )["data"]["reportFromInbox"]
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [
        ("categoryCode", "UNKNOWN_CATEGORY")
    ]
    done = api.op(
        "InboxToReport",
        {
            "uid": str(message.uid),
            "input": {
                "categoryCode": "jalan-rusak",
                "description": TEXT,
                "areaCode": kelurahan().code,
            },
        },
    )["data"]["reportFromInbox"]
    assert done["errors"] == [] and done["message"]["status"] == "reported"
    assert done["report"]["channel"] == "whatsapp"
    assert done["report"]["category"]["code"] == "jalan-rusak"
    again = api.op("InboxSpam", {"uid": str(message.uid)})["data"]["markInboxSpam"]
    assert [(e["field"], e["code"]) for e in again["errors"]] == [("uid", "ALREADY_HANDLED")]


def test_entering_replying_and_spam_through_the_api(mataram):
    api = Api("mataram", staff_token(mataram, "mataram"))
    entry = {
        "channel": "instagram",
        "sender": "@mataram.info",
        "text": "Banjir di Jalan Udayana.",
        "link": "https://www.instagram.com/p/abc/",
    }
    answer = api.op("InboxEnter", {"input": entry}, files=[("photos.0", mataram.photo().data)])
    payload = answer["data"]["enterInboxMessage"]
    assert payload["errors"] == [], payload
    assert payload["message"]["channel"] == "instagram" and payload["message"]["entered"]
    assert len(payload["message"]["media"]) == 1 and not payload["message"]["canReply"]
    uid = payload["message"]["uid"]
    refused = api.op("InboxReply", {"uid": uid, "text": "Terima kasih"})["data"]["replyToInbox"]
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [("uid", "REPLY_NOT_POSSIBLE")]
    bad = api.op("InboxEnter", {"input": {**entry, "link": "ftp://x"}})["data"]
    assert [(e["field"], e["code"]) for e in bad["enterInboxMessage"]["errors"]] == [
        ("link", "INVALID")
    ]
    huge = api.op("InboxEnter", {"input": {**entry, "text": "x" * 20000}})["data"]
    assert huge["enterInboxMessage"]["errors"][0]["code"] == "TOO_LONG"

    message = inbox_message(mataram)
    empty = api.op("InboxReply", {"uid": str(message.uid), "text": " "})["data"]["replyToInbox"]
    assert [(e["field"], e["code"]) for e in empty["errors"]] == [("text", "REQUIRED")]
    replied = api.op("InboxReply", {"uid": str(message.uid), "text": "Sudah kami catat."})
    assert replied["data"]["replyToInbox"]["message"]["status"] == "replied"
    assert OutboxMessage.objects.filter(kind="chat.reply").count() == 1

    spam = inbox_message(mataram, phone="+6281233300222")
    held = api.op("InboxSpam", {"uid": str(spam.uid), "holdSender": True})["data"]
    assert held["markInboxSpam"]["message"]["status"] == "spam"
    assert held["markInboxSpam"]["message"]["senderHeldUntil"]
    listed = api.op("InboxList", {"status": "spam"})["data"]["inbox"]["edges"]
    assert [e["node"]["uid"] for e in listed] == [str(spam.uid)]
    bad_status = api.op("InboxList", {"status": "received"})
    assert bad_status["errors"][0]["extensions"]["code"] == "INVALID"


def test_the_api_refuses_anyone_but_operators(mataram):
    message = inbox_message(mataram)
    uid = str(message.uid)
    responder = issue_token("mataram", user=mataram.staff("opd_responder", "dinas-pupr").user)
    citizen = issue_token("mataram", citizen=mataram.citizen().citizen)
    for token in (None, responder.token, citizen.token):
        api = Api("mataram", token)
        listed = api.op("InboxList")
        assert listed["data"] is None or listed["data"].get("inbox") is None
        assert listed["errors"][0]["extensions"]["code"] in ("FORBIDDEN",)
        item = api.op("InboxItem", {"uid": uid})
        assert item["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        spam = api.op("InboxSpam", {"uid": uid})["data"]["markInboxSpam"]
        assert spam["errors"][0]["code"] in ("FORBIDDEN", "UNAUTHENTICATED")
        entry = {"channel": "facebook", "text": "x", "sender": "a"}
        entered = api.op("InboxEnter", {"input": entry})
        assert entered["data"]["enterInboxMessage"]["errors"][0]["code"] in (
            "FORBIDDEN",
            "UNAUTHENTICATED",
        )
    message.refresh_from_db()
    assert message.status == "inbox"


def test_mataram_s_inbox_is_invisible_from_serang(world):
    mataram = world("mataram")
    message = inbox_message(mataram)
    uid = str(message.uid)
    media_url = signed_media_url(uid, 0)
    serang = world("serang")
    token = staff_token(serang, "serang")
    api = Api("serang", token)
    assert api.op("InboxList")["data"]["inbox"]["edges"] == []
    assert api.op("InboxItem", {"uid": uid})["data"]["inboxMessage"] is None
    for name, variables in (
        ("InboxSpam", {"uid": uid}),
        ("InboxReply", {"uid": uid, "text": "Halo"}),
        (
            "InboxToReport",
            {
                "uid": uid,
                "input": {
                    "categoryCode": "jalan-rusak",
                    "description": TEXT,
                    "latitude": -6.118,
                    "longitude": 106.157,
                },
            },
        ),
    ):
        [payload] = api.op(name, variables)["data"].values()
        assert [(e["field"], e["code"]) for e in payload["errors"]] == [("uid", "NOT_FOUND")]
    # Mataram's signed link on Serang's host, and a Mataram token on Serang.
    assert api.client.get(media_url).status_code == 404
    serang_link = signed_media_url(uid, 0)  # signed for Serang's schema: no such item
    assert api.client.get(serang_link).status_code == 404
    mataram_token = staff_token(mataram, "mataram")
    refused = Api("serang", mataram_token).op("InboxList")
    assert refused["errors"][0]["extensions"]["code"] == "TOKEN_OTHER_CITY"
    connection.set_tenant(mataram.city)
    message.refresh_from_db()
    assert message.status == "inbox"
    assert Api("mataram").client.get(media_url).status_code == 200


def test_no_500_for_bad_input(mataram):
    api = Api("mataram", staff_token(mataram, "mataram"))
    for uid in ("", "x", "1" * 5000, "00000000-0000-0000-0000-000000000000"):
        assert api.op("InboxItem", {"uid": uid})["data"]["inboxMessage"] is None
        spam = api.op("InboxSpam", {"uid": uid})["data"]["markInboxSpam"]
        assert spam["errors"][0]["code"] == "NOT_FOUND"
    for path in ("/channels/media/x/0", "/channels/media/%00/0", "/channels/media/1/99999999999"):
        assert api.client.get(path).status_code == 404
    bad_cursor = api.op("InboxList", {"after": "bm9wZQ=="})
    assert bad_cursor["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"
    too_many = api.op("InboxList", {"first": 1000})
    assert too_many["errors"][0]["extensions"]["code"] == "PAGE_SIZE_TOO_LARGE"
    message = inbox_message(mataram)
    bad_photos = api.op(
        "InboxToReport",
        {
            "uid": str(message.uid),
            "input": {
                "categoryCode": "jalan-rusak",
                "description": TEXT,
                "areaCode": kelurahan().code,
                "photos": [-1],
            },
        },
    )["data"]["reportFromInbox"]
    assert bad_photos["errors"][0]["field"] == "photos[0]"
    half = api.op(
        "InboxToReport",
        {
            "uid": str(message.uid),
            "input": {"categoryCode": "jalan-rusak", "description": TEXT, "latitude": 1.0},
        },
    )["data"]["reportFromInbox"]
    assert half["errors"][0]["code"] == "LOCATION_REQUIRED"
    nul = api.raw(
        "mutation($u: String!) { markInboxSpam(uid: $u) { errors { code } } }",
        {"u": "a\u0000b"},
    )
    assert nul.status_code == 400 and json.loads(nul.content)["errors"][0]["extensions"]["code"]
