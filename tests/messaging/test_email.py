"""E-mail end to end: Mailgun's signed inbound forward on Jakarta's host
(anymail's signature check, keyed with the city's own signing key), the bot's
answers through Django's SMTP backend to a real SMTP server, a report whose
photo checks used the mail's EXIF."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone
from messaging.adapters.base import Outgoing
from messaging.adapters.email import EmailAdapter, strip_quoted
from messaging.credentials import channel_settings
from messaging.models import Conversation, InboundMedia, InboundMessage, OutboundMessage
from shapely.geometry import shape

from cityconfig.models import Area
from notifications.backends import PermanentFailure
from notifications.models import OutboxMessage, OutboxStatus
from people.models import Citizen
from reports import actions
from reports.models import Report
from tests.factories import CityWorld
from tests.messaging import mail_helpers
from tests.messaging.mail_helpers import (
    JAKARTA_ADDRESS,
    MailCitizen,
    numbered_option,
    run_jobs,
)
from tests.vendor.mail import Mailbox
from verification.samples import phone_photo

ADDRESS = "siti.rahma@example.id"

# Fixtures shared by the SMS, e-mail and OTP tests (tests/messaging/mail_helpers.py).
sms_city = mail_helpers.sms_city
smtp_box = mail_helpers.smtp_box


@pytest.fixture
def writer(sms_city, smtp_box):
    return MailCitizen(sms_city, smtp_box, ADDRESS)


def _photo(lat: float, lon: float, seed: int = 7) -> bytes:
    return phone_photo(
        seed=seed,
        width=1200,
        height=900,
        taken_at=datetime.now(UTC) - timedelta(minutes=20),
        gps=(lat, lon),
        tz_offset="+07:00",
    )


def test_a_bad_signature_is_refused_and_nothing_stored(writer):
    response = writer.post("Jalan rusak parah di depan rumah.", subject="Lapor", key="not-jakartas")
    assert response.status_code == 401
    unsigned = writer.client.post("/channels/email/inbound/", {"recipient": JAKARTA_ADDRESS})
    assert unsigned.status_code == 401
    connection.set_tenant(writer.city)
    assert not InboundMessage.objects.exists()
    assert not Conversation.objects.exists()


def test_mail_to_another_citys_address_is_refused(writer):
    """Correctly signed with Jakarta's key, but for Mataram's address: 406, the
    status Mailgun takes as "rejected, do not retry"."""
    response = writer.post(
        "Jalan rusak parah di depan rumah.", subject="Lapor", recipient="aduan@mataramkota.go.id"
    )
    assert response.status_code == 406
    assert not InboundMessage.objects.exists()


def test_a_whole_report_by_email_with_the_photos_exif(writer, smtp_box):
    area = Area.objects.get(name="Kebon Kacang")
    point = shape(area.boundary).representative_point()
    photo = _photo(point.y, point.x)

    [answer] = writer.write(
        "Selamat pagi,\nSampah menumpuk di trotoar sudah tiga hari tidak diangkut.\n\nSiti",
        subject="Sampah menumpuk",
        attachments=(("IMG_2041.jpg", photo, "image/jpeg"),),
    )
    assert answer["From"].addresses[0].addr_spec == JAKARTA_ADDRESS
    assert answer["Reply-To"] == JAKARTA_ADDRESS
    text = Mailbox.text(answer)
    assert "Pilih kategori" in text and "1. Jalan & Infrastruktur" in text
    message = InboundMessage.objects.get()
    assert message.text.startswith("Sampah menumpuk\nSelamat pagi")
    [media] = InboundMedia.objects.all()
    assert media.file.open("rb").read() == photo  # EXIF kept

    [answer] = writer.reply("2", answer)  # Kebersihan & Lingkungan
    text = Mailbox.text(answer)
    [answer] = writer.reply(numbered_option(text, "Sampah Tidak Diangkut"), answer)
    assert "lokasi" in Mailbox.text(answer).lower()
    [answer] = writer.reply("kebon kacang", answer)
    text = Mailbox.text(answer)
    assert "Periksa laporan" in text and "Foto: 1" in text
    assert InboundMessage.objects.filter(text="kebon kacang").exists()  # the quote is gone

    [receipt] = writer.reply("kirim", answer)
    report = Report.objects.get()
    assert report.channel == "email"
    assert report.reporter == Citizen.objects.get(email=ADDRESS)
    assert report.category.code == "sampah"
    checks = {c["name"]: c for c in report.checks}
    assert checks["photo_location"]["result"] == "pass"
    assert not checks["photo_location"]["details"].get("missing")
    assert checks["photo_fresh"]["result"] == "pass"
    assert report.photos.count() == 1
    assert report.tracking_code in receipt["Subject"] + Mailbox.text(receipt)
    outbound = OutboundMessage.objects.filter(conversation__channel="email").last()
    assert outbound.provider_message_id == receipt["Message-ID"]

    operator = CityWorld(writer.city).staff("operator")
    before = len(smtp_box.to_address(ADDRESS))
    actions.reject(operator, report.tracking_code, "Lokasi sudah dibersihkan kemarin sore.")
    run_jobs(writer.city)
    [change] = smtp_box.to_address(ADDRESS)[before:]
    assert report.tracking_code in Mailbox.text(change)
    assert "sudah dibersihkan" in Mailbox.text(change)


def test_the_same_message_id_twice_is_one_message(writer, smtp_box):
    writer.write("Lampu jalan mati sejak minggu lalu.", subject="PJU", message_id="<a1@example.id>")
    sent = len(smtp_box.to_address(ADDRESS))
    writer.write("Lampu jalan mati sejak minggu lalu.", subject="PJU", message_id="<a1@example.id>")
    assert InboundMessage.objects.count() == 1
    assert len(smtp_box.to_address(ADDRESS)) == sent


def test_automatic_replies_and_loops_are_not_answered(writer, smtp_box):
    writer.write(
        "Saya sedang cuti sampai tanggal 10.",
        subject="Out of office",
        extra_headers=(("Auto-Submitted", "auto-replied"),),
    )
    writer.write("Pesan dari diri sendiri.", subject="loop", sender=JAKARTA_ADDRESS)
    assert not InboundMessage.objects.exists()
    assert not smtp_box.to_address(ADDRESS)


def test_a_non_image_attachment_is_kept_and_refused_politely(writer):
    [refusal, *_rest] = writer.write(
        "Berikut surat keluhan saya tentang pelayanan kelurahan.",
        subject="Keluhan",
        attachments=(("surat.pdf", b"%PDF-1.4 test", "application/pdf"),),
    )
    assert "bukan foto" in Mailbox.text(refusal)
    [media] = InboundMedia.objects.all()
    assert media.content_type == "application/pdf"


def test_attachments_over_the_citys_limit_are_dropped(writer, settings):
    from cityconfig.selectors import city_profile

    profile = city_profile()
    profile.verification = {**profile.verification, "max_upload_mb": 1}
    profile.save()
    big = b"\xff\xd8\xff" + b"0" * (3 * 1024 * 1024)
    writer.write(
        "Foto-foto genangan di jalan utama.",
        subject="Banjir",
        attachments=tuple((f"{n}.jpg", big, "image/jpeg") for n in range(2)),
    )
    assert InboundMedia.objects.count() == 1  # 5 MB in all: the second is dropped


def test_a_refused_recipient_is_a_dead_letter_and_an_outage_is_retried(writer, smtp_box, settings):
    smtp_box.refused.add(ADDRESS)
    writer.write("Trotoar rusak di dekat halte busway.", subject="Trotoar")
    [reply] = OutboxMessage.objects.filter(kind="chat.reply")
    assert reply.status == OutboxStatus.DEAD

    smtp_box.refused.clear()
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 9  # nothing listens: the relay is down
    other = MailCitizen(writer.city, smtp_box, "budi@example.id")
    other.write("Trotoar rusak di dekat halte busway, tolong.", subject="Trotoar lagi")
    retry = OutboxMessage.objects.filter(kind="chat.reply").exclude(pk=reply.pk).get()
    assert retry.status == OutboxStatus.FAILED
    settings.EMAIL_PORT = port
    run_jobs(writer.city, now=timezone.now() + timedelta(hours=1))
    retry.refresh_from_db()
    assert retry.status == OutboxStatus.SENT
    assert smtp_box.to_address("budi@example.id")


def test_send_returns_the_message_id_it_set(writer, smtp_box):
    adapter = EmailAdapter(channel_settings("email"))
    message_id = adapter.send(ADDRESS, Outgoing(text="Halo\nbaris kedua"))
    [mail] = smtp_box.to_address(ADDRESS)
    assert mail["Message-ID"] == message_id
    assert mail["Subject"] == "Halo"
    smtp_box.refused.add("nobody@example.id")
    with pytest.raises(PermanentFailure):
        adapter.send("nobody@example.id", Outgoing(text="x"))


@pytest.mark.parametrize(
    ("mail", "new"),
    [
        ("3\n\nOn Mon, 2 Jun 2025 at 09:00, Kota <a@b.id> wrote:\n> Pilih", "3"),
        ("kirim\n\nPada Sen, 2 Jun 2025 pukul 09.00 Kota <a@b.id>\nmenulis:\n> x", "kirim"),
        ("ya\n> quoted\n> more", "ya"),
        ("Cikini\n-- \nSiti, dikirim dari ponsel", "Cikini"),
        ("2\n-----Original Message-----\nFrom: x", "2"),
        ("ya\n\nFrom: Jakarta <a@b.id>\nSent: Monday\nTo: siti", "ya"),
        ("Dari: warga RT 05\nJalan rusak", "Dari: warga RT 05\nJalan rusak"),
    ],
)
def test_quoted_replies_are_stripped(mail, new):
    assert strip_quoted(mail) == new
