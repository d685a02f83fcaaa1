"""The operators' inbox (/kerja/pesan/) in a real browser: a WhatsApp message
the bot could not structure becomes a report in a few clicks (category, area,
photo carried over), another gets a reply (queued on its conversation), a
third is spam and leaves the open list, a pasted Facebook post is logged by
hand; at desk and phone widths, in Indonesian and English."""

from __future__ import annotations

import secrets
import uuid

from django.db import connection
from django.utils import timezone

from tests.browser.conftest import run_in_thread
from tests.browser.test_web_app import staff_sign_in

SLUG = "web-mtr"
DESK = {"width": 1440, "height": 900}
PHONE = {"width": 412, "height": 915}
LONG_WORD = "https://wa.me/" + "x" * 180


def in_city(web_cities, django_db_blocker, fn):
    def call():
        connection.set_tenant(web_cities[SLUG])
        try:
            return fn()
        finally:
            connection.set_schema_to_public()

    return run_in_thread(django_db_blocker, call)


def make_items(web_cities, django_db_blocker):
    """Three WhatsApp messages in the inbox (the first with a photo, the bot's
    welcome before it) and the name of a kelurahan to report them in."""
    from messaging.inbound import keep_inline_media
    from messaging.models import Conversation, InboundMessage, OutboundMessage

    from cityconfig.models import Area
    from tests.factories import CityWorld

    def create():
        city = CityWorld(web_cities[SLUG])
        uids = []
        for n, text in enumerate(
            [
                "Lampu jalan di depan pasar mati sejak tiga hari, gelap sekali kalau malam. "
                + LONG_WORD,
                "Kapan jadwal pengangkutan sampah di Ampenan?",
                "PROMO PINJAMAN CEPAT TANPA AGUNAN!!!",
            ]
        ):
            phone = f"+62812{secrets.randbelow(10**8):08d}"
            conversation = Conversation.objects.create(
                channel="whatsapp", address=phone, display_name=f"Warga {n}"
            )
            OutboundMessage.objects.create(conversation=conversation, text="Selamat datang")
            message = InboundMessage.objects.create(
                channel="whatsapp",
                provider_message_id=f"wamid.{uuid.uuid4().hex}",
                conversation=conversation,
                sender=phone,
                received_at=timezone.now(),
                text=text,
                status=InboundMessage.Status.INBOX,
            )
            if n == 0:
                keep_inline_media(message, city.photo().data, "image/jpeg", "foto.jpg", 0)
            uids.append(str(message.uid))
        area = Area.objects.active().filter(level="kelurahan", boundary__isnull=False).first()
        connection.set_schema_to_public()
        return uids, area.name, area.code

    return run_in_thread(django_db_blocker, create)


def answered(page) -> None:
    page.wait_for_selector("#inbox-status .alert.ok, #inbox-out .alert.error", timeout=15000)
    errors = page.locator("#inbox-out .alert.error")
    assert errors.count() == 0, errors.all_inner_texts()


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert width <= 0, f"{width}px of sideways scrolling"


def test_an_operator_works_through_the_inbox(
    db, server, browser, web_cities, staff_user, django_db_blocker, shot
):
    (report_uid, reply_uid, spam_uid), area_name, area_code = make_items(
        web_cities, django_db_blocker
    )
    context = browser.new_context(viewport=DESK, locale="id-ID")
    page = context.new_page()
    page.goto(server.url(SLUG, f"/kerja/pesan/{report_uid}/"))
    staff_sign_in(page, staff_user(SLUG, "operator"))
    page.wait_for_selector("#inbox-text", timeout=15000)
    assert "Lampu jalan" in page.inner_text("#inbox-text")
    assert "••••" in page.inner_text("#inbox-sender")
    assert page.locator(".inbox-media img").count() == 1
    assert page.locator(".inbox-lines li").count() == 2  # the welcome and the message
    assert "1 pesan" in page.inner_text("#inbox-activity")
    assert page.locator(f'#inbox-list li[data-uid="{report_uid}"]').count() == 1
    page.wait_for_selector("#area-search")
    shot(page, "inbox-01-desk-id")
    no_sideways_scroll(page)

    # (a) A report in a few clicks: category, area, the prefilled text and photo.
    page.select_option("#inbox-category", "jalan-rusak")
    page.fill("#area-search", area_name)
    page.press("#area-search", "Enter")
    assert page.locator('.inbox-pick input[type="checkbox"]:checked').count() == 1
    page.click('[data-action="to-report"]')
    answered(page)
    page.wait_for_selector("#inbox-report-link", timeout=15000)
    code = page.inner_text("#inbox-report-link")

    def report_facts():
        from messaging.models import InboundMessage

        from reports.models import Report

        report = Report.objects.select_related("category", "area", "reporter").get(
            tracking_code=code
        )
        message = InboundMessage.objects.get(uid=report_uid)
        return (
            report.category.code,
            report.channel,
            report.area.code,
            report.photos.filter(kind="report").count(),
            report.reporter.phone == message.sender,
            message.status,
        )

    assert in_city(web_cities, django_db_blocker, report_facts) == (
        "jalan-rusak",
        "whatsapp",
        area_code,
        1,
        True,
        "reported",
    )
    assert page.locator('[data-action="to-report"]').count() == 0  # handled: no actions

    # (b) A reply, queued on the sender's conversation.
    page.click(f'#inbox-list li[data-uid="{reply_uid}"] a')
    page.wait_for_selector("#inbox-reply-text")
    page.fill("#inbox-reply-text", "Jadwal pengangkutan di Ampenan setiap Senin dan Kamis.")
    page.click('[data-action="reply"]')
    answered(page)

    def queued():
        from messaging.models import InboundMessage

        from notifications.models import OutboxMessage

        message = InboundMessage.objects.get(uid=reply_uid)
        outbox = OutboxMessage.objects.filter(
            kind="chat.reply", conversation_id=message.conversation_id
        )
        return message.status, [o.payload["message"]["text"][:6] for o in outbox]

    assert in_city(web_cities, django_db_blocker, queued) == ("replied", ["Jadwal"])

    # (c) Spam leaves the open list.
    page.goto(server.url(SLUG, f"/kerja/pesan/{spam_uid}/"))
    page.wait_for_selector('[data-action="spam"]')
    page.check("#inbox-hold")
    page.click('[data-action="spam"]')
    page.wait_for_selector("#inbox-status .alert.ok", timeout=15000)
    page.wait_for_selector("#inbox-list ul, #inbox-empty")
    for uid in (report_uid, reply_uid, spam_uid):
        assert page.locator(f'#inbox-list li[data-uid="{uid}"]').count() == 0

    # A pasted Facebook post, logged by hand.
    page.click("#inbox-enter")
    page.select_option("#enter-channel", "facebook")
    assert page.locator("#enter-phone").is_hidden()
    page.fill("#enter-sender", "@warga.ampenan")
    page.fill("#enter-link", "https://www.facebook.com/groups/mataram/posts/42")
    page.fill("#enter-text", "Pohon tumbang menutup Jalan Saleh Sungkar sejak pagi.")
    shot(page, "inbox-02-enter-desk-id")
    page.click('[data-action="enter-save"]')
    page.wait_for_selector("#inbox-text:text('Pohon tumbang')", timeout=15000)
    assert page.inner_text("#inbox-sender") == "@warga.ampenan"
    assert page.locator("#inbox-no-reply").count() == 1  # no API: reply explained, disabled
    assert page.locator('[data-action="reply"]').is_disabled()
    shot(page, "inbox-03-facebook-desk-id")

    # A phone: no sideways scrolling, the list then one item.
    page.set_viewport_size(PHONE)
    page.goto(server.url(SLUG, "/kerja/pesan/"))
    page.wait_for_selector("#inbox-list ul")
    shot(page, "inbox-04-list-phone-id")
    no_sideways_scroll(page)
    page.locator("#inbox-list li a").first.click()
    page.wait_for_selector("#inbox-text")
    assert page.locator(".inbox-back").is_visible()
    shot(page, "inbox-05-item-phone-id")
    no_sideways_scroll(page)

    # English.
    page.set_viewport_size(DESK)
    page.select_option("#lang", "en")
    page.wait_for_selector("h1:text('Inbox')", timeout=15000)
    page.wait_for_selector("#inbox-text")
    for label in ("Make a report", "Reply", "Mark as spam", "Log a message", "Sender"):
        assert page.get_by_text(label, exact=True).count() >= 1, label
    shot(page, "inbox-06-desk-en")
    context.close()


def test_the_workbench_links_to_the_inbox(db, server, browser, staff_user):
    context = browser.new_context(viewport=DESK, locale="id-ID")
    page = context.new_page()
    page.goto(server.url(SLUG, "/kerja/"))
    staff_sign_in(page, staff_user(SLUG, "operator"))
    page.click("#to-inbox", timeout=15000)
    page.wait_for_selector("h1:text('Kotak pesan')", timeout=15000)
    context.close()
