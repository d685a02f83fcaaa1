"""The operators' inbox: what the bot could not structure, and what came on a
channel without an API (a pasted Facebook/Instagram/X post, a 112 call, a
walk-in, a letter), in one list.

An operator turns an item into a report (the staff intake, with the sender's
phone when it is known and the item's own photos), replies on the sender's
channel (API channels only), or marks it as spam (optionally holding the
sender for a week). Each action locks the item's row and refuses an item that
someone else has already handled, so two operators never answer one message
twice. Every function checks the actor's role itself: the API, screens and
commands all get the same answer.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from shapely.geometry import shape

from cityconfig.models import Area, CityProfile
from cityconfig.selectors import city_profile, verification_policy
from kanal.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from kanal.validation import check_lengths
from messaging.adapters.base import Outgoing
from messaging.credentials import API_CHANNELS, enabled_api_channels
from messaging.inbound import MAX_TEXT, keep_inline_media
from messaging.models import Conversation, InboundMedia, InboundMessage, OutboundMessage
from messaging.outbound import reply
from people.actors import Actor
from people.models import Role, masked_email, masked_phone
from people.otp import normalize_phone
from reports.intake import ReportInput, submit_report
from reports.models import Channel, Report
from reports.photos import Upload, inspect_uploads
from reports.uploads import check_uploads

Status = InboundMessage.Status

OPERATOR_ROLES = (Role.OPERATOR, Role.COMMAND_CENTER, Role.DISKOMINFO_ADMIN)
#: Channels whose items an operator enters by hand: no API delivers them.
SOCIAL_CHANNELS = (Channel.FACEBOOK, Channel.INSTAGRAM, Channel.TWITTER)
SPOKEN_CHANNELS = (Channel.CALL_112, Channel.CALL_CENTER, Channel.WALK_IN, Channel.LETTER)
MANUAL_CHANNELS = (*SOCIAL_CHANNELS, *SPOKEN_CHANNELS)
#: Statuses a screen may list; ``inbox`` and ``held`` are still open.
LISTED = (Status.INBOX, Status.HELD, Status.REPORTED, Status.REPLIED, Status.SPAM)
OPEN = (Status.INBOX, Status.HELD)
IMAGE_TYPES = ("image/jpeg", "image/png", "image/heic", "image/heif", "image/webp")
SPAM_HOLD = timedelta(days=7)
THREAD_LENGTH = 30
MAX_REPLY = 4000


def require_operator(actor: Actor) -> None:
    """Operators, the command center and Diskominfo read the inbox; OPD
    responders, citizens and anonymous callers never do."""
    if not actor.is_staff or not actor.has_role(*OPERATOR_ROLES):
        raise PermissionDenied(message=_("Kotak pesan hanya untuk operator kota."))


# -- reading ------------------------------------------------------------------------


def inbox_items(actor: Actor, *, status: str = Status.INBOX, channel: str = "") -> QuerySet:
    """The items of one status (default: still to be read), newest first."""
    require_operator(actor)
    if status not in LISTED:
        raise InvalidInput(
            field="status",
            code="INVALID",
            message=_("Status kotak pesan tidak dikenal: %(status)s."),
            params={"status": status[:40]},
        )
    items = InboundMessage.objects.filter(status=status)
    if channel:
        if channel not in Channel.values:
            raise InvalidInput(
                field="channel",
                code="INVALID",
                message=_("Kanal tidak dikenal: %(channel)s."),
                params={"channel": channel[:40]},
            )
        items = items.filter(channel=channel)
    return items.select_related("conversation").order_by("-received_at", "-uid")


@dataclass(frozen=True)
class InboxCounts:
    by_status: dict[str, int]
    open_by_channel: dict[str, int]


def inbox_counts(actor: Actor) -> InboxCounts:
    require_operator(actor)
    by_status = dict.fromkeys(LISTED, 0)
    rows = InboundMessage.objects.filter(status__in=LISTED).values("status").annotate(n=Count("pk"))
    by_status.update({row["status"]: row["n"] for row in rows})
    channels = (
        InboundMessage.objects.filter(status=Status.INBOX)
        .values("channel")
        .annotate(n=Count("pk"))
        .order_by("channel")
    )
    return InboxCounts(by_status, {row["channel"]: row["n"] for row in channels})


def inbox_item(actor: Actor, uid: str) -> InboundMessage:
    """One listed item by its uid; anything else (a bad uid, another city's
    item, a message only the bot handled) is NOT_FOUND."""
    require_operator(actor)
    message = (
        _listed()
        .select_related("conversation", "handled_by", "report")
        .filter(uid=_uuid(uid))
        .first()
    )
    if message is None:
        raise _not_found()
    return message


def _listed() -> QuerySet:
    return InboundMessage.objects.filter(status__in=LISTED)


def _uuid(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(raw)[:64])
    except ValueError:
        raise _not_found() from None


def _not_found() -> NotFound:
    return NotFound(field="uid", message=_("Pesan tidak ditemukan."))


def media_of(message: InboundMessage) -> list[InboundMedia]:
    """The item's attachments in arrival order; their index is their position."""
    return list(message.media.order_by("pk"))


def sender_label(message: InboundMessage) -> str:
    """Who sent it, as staff may read it: phone numbers and e-mail addresses
    masked, a social handle or a visitor's name as given."""
    if message.conversation_id:
        conversation = message.conversation
        masked = conversation.masked_address
        return f"{conversation.display_name} ({masked})" if conversation.display_name else masked
    name = message.sender
    if message.contact_phone:
        phone = masked_phone(message.contact_phone)
        return f"{name} ({phone})" if name else phone
    local, _at, domain = name.partition("@")
    if local and "." in domain:  # an e-mail address, not a handle like @warga.ampenan
        return masked_email(name)
    return name or "–"


def known_phone(message: InboundMessage) -> str | None:
    """The sender's phone when the channel or the operator established it."""
    conversation = message.conversation if message.conversation_id else None
    if conversation is not None:
        if conversation.citizen_id and conversation.citizen.phone:
            return conversation.citizen.phone
        if conversation.channel in (Channel.WHATSAPP, Channel.SMS):
            return conversation.address
    return message.contact_phone or None


@dataclass(frozen=True)
class SenderActivity:
    """A sender's volume: how many messages in the last 24 h, and whether the
    flood limit or an operator holds them."""

    last_24h: int
    held_until: datetime | None


def sender_activity(message: InboundMessage, now: datetime | None = None) -> SenderActivity:
    now = now or timezone.now()
    since = now - timedelta(hours=24)
    if message.conversation_id:
        conversation = message.conversation
        count = InboundMessage.objects.filter(
            conversation_id=conversation.pk, received_at__gte=since
        ).count()
        held = conversation.blocked_until
        return SenderActivity(count, held if held and held > now else None)
    same = Q(channel=message.channel, conversation__isnull=True)
    if message.contact_phone:
        same &= Q(contact_phone=message.contact_phone)
    else:
        same &= Q(sender=message.sender)
    count = InboundMessage.objects.filter(same, received_at__gte=since).count()
    return SenderActivity(count, None)


@dataclass(frozen=True)
class ThreadEntry:
    """One line of the conversation: the citizen's message or what was sent."""

    at: datetime
    inbound: bool
    text: str
    status: str
    uid: str | None = None


def thread(message: InboundMessage) -> list[ThreadEntry]:
    """The sender's recent conversation (both directions), oldest first."""
    if not message.conversation_id:
        return []
    inbound = InboundMessage.objects.filter(conversation_id=message.conversation_id).order_by(
        "-received_at", "-pk"
    )[:THREAD_LENGTH]
    outbound = OutboundMessage.objects.filter(conversation_id=message.conversation_id).order_by(
        "-created_at", "-pk"
    )[:THREAD_LENGTH]
    entries = [ThreadEntry(m.received_at, True, m.text, m.status, str(m.uid)) for m in inbound] + [
        ThreadEntry(o.created_at, False, o.text, o.status) for o in outbound
    ]
    entries.sort(key=lambda e: e.at)
    return entries[-THREAD_LENGTH:]


def can_reply(message: InboundMessage, profile: CityProfile | None = None) -> bool:
    """A reply needs the sender's conversation on an API channel the city has connected."""
    return (
        message.conversation_id is not None
        and message.channel in API_CHANNELS
        and message.channel in enabled_api_channels(profile)
    )


# -- entering by hand -----------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """An item an operator enters: a pasted post (social channels: handle,
    link, text, photos) or a call / walk-in / letter (name, phone, text)."""

    channel: str
    text: str
    sender: str = ""
    sender_phone: str = ""
    link: str = ""
    photos: list[Upload] = field(default_factory=list)


def enter(actor: Actor, entry: Entry) -> InboundMessage:
    """Put a pasted post, a call or a walk-in into the inbox."""
    require_operator(actor)
    profile = city_profile()
    text = (entry.text or "").strip()
    sender = (entry.sender or "").strip()
    link = (entry.link or "").strip()
    _check_entry(entry, profile, text, sender, link)
    phone = normalize_phone(entry.sender_phone) if entry.sender_phone.strip() else ""
    if entry.channel in SOCIAL_CHANNELS and not sender:
        raise InvalidInput(
            field="sender",
            code="REQUIRED",
            message=_("Tulis akun pengirim (mis. @nama) dari kiriman itu."),
        )
    if entry.channel not in SOCIAL_CHANNELS and not (sender or phone):
        raise InvalidInput(
            field="sender",
            code="REQUIRED",
            message=_("Tulis nama atau nomor telepon pelapor."),
        )
    check_uploads([len(p.data) for p in entry.photos], profile)
    inspected = inspect_uploads(entry.photos, profile.zone, verification_policy(profile))
    with transaction.atomic():
        message = InboundMessage.objects.create(
            channel=entry.channel,
            provider_message_id=f"manual:{uuid.uuid4()}",
            sender=sender,
            contact_phone=phone,
            received_at=timezone.now(),
            text=text,
            link=link,
            status=Status.INBOX,
            entered_by=actor.user,
        )
        for position, photo in enumerate(inspected):
            content_type = _content_type(photo.facts.format)
            keep_inline_media(
                message, photo.upload.data, content_type, photo.upload.filename, position
            )
    return message


def _check_entry(entry: Entry, profile: CityProfile, text: str, sender: str, link: str) -> None:
    if entry.channel not in MANUAL_CHANNELS:
        raise InvalidInput(
            field="channel",
            code="CHANNEL_NOT_MANUAL",
            message=_(
                "Pesan kanal ini masuk sendiri lewat sambungannya; yang dicatat petugas hanya "
                "media sosial, panggilan, datang langsung dan surat."
            ),
        )
    if entry.channel not in profile.channels:
        raise InvalidInput(
            field="channel",
            code="CHANNEL_NOT_ENABLED",
            message=_("Kanal '%(channel)s' tidak dibuka di kota ini."),
            params={"channel": entry.channel},
        )
    if not text:
        raise InvalidInput(field="text", code="REQUIRED", message=_("Isi pesan wajib diisi."))
    if len(text) > MAX_TEXT:
        raise InvalidInput(
            field="text",
            code="TOO_LONG",
            message=_("Isian %(api_field)s terlalu panjang: paling banyak %(limit)s karakter."),
            params={"api_field": "text", "limit": MAX_TEXT},
        )
    check_lengths(
        InboundMessage,
        {"sender": ("sender", sender), "link": ("link", link)},
    )
    if len(entry.sender_phone or "") > 32:
        raise InvalidInput(
            field="senderPhone",
            code="INVALID_PHONE",
            message=_("Nomor telepon tidak valid. Contoh: 0812 3456 7890."),
        )
    if link and not (link.startswith(("https://", "http://")) and " " not in link):
        raise InvalidInput(
            field="link",
            code="INVALID",
            message=_("Tautan harus alamat web lengkap (https://…)."),
        )


def _content_type(fmt: str) -> str:
    return {"PNG": "image/png", "HEIF": "image/heic"}.get(fmt, "image/jpeg")


# -- handling -------------------------------------------------------------------------


def _lock_open(actor: Actor, uid: str) -> InboundMessage:
    """The item, row-locked; refused when another operator handled it first."""
    require_operator(actor)
    message = (
        _listed()
        .select_for_update(of=("self",))
        .select_related("conversation")
        .filter(uid=_uuid(uid))
        .first()
    )
    if message is None:
        raise _not_found()
    if message.status not in OPEN:
        handler = message.handled_by
        who = (handler.get_full_name() or handler.get_username()) if handler else _("petugas lain")
        when = timezone.localtime(message.handled_at or timezone.now(), city_profile().zone)
        raise Conflict(
            field="uid",
            code="ALREADY_HANDLED",
            message=_("Pesan ini sudah ditangani (%(status)s) oleh %(who)s pada %(when)s."),
            params={
                "status": message.get_status_display(),
                "who": who,
                "when": when.strftime("%d-%m-%Y %H:%M"),
            },
        )
    return message


def _handled(message: InboundMessage, actor: Actor, status: str, **changes) -> None:
    message.status = status
    message.handled_by = actor.user
    message.handled_at = timezone.now()
    for name, value in changes.items():
        setattr(message, name, value)
    message.save(update_fields=["status", "handled_by", "handled_at", *changes])


@dataclass(frozen=True)
class InboxReport:
    """What the operator adds to an item to make it a report. The place: a
    point (the message's own shared location is used when none is given) or
    an area, whose inside point stands in for it. ``photos``: positions of the
    item's images to attach (None: all of them)."""

    category_code: str
    description: str
    area_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    address: str = ""
    priority: str = ""
    photos: list[int] | None = None


def report_from(actor: Actor, uid: str, data: InboxReport) -> Report:
    """Turn an item into a report through the staff intake: the item's
    channel, its sender's phone when known (the reporter), its photos."""
    with transaction.atomic():
        message = _lock_open(actor, uid)
        latitude, longitude, area_code = _place(message, data)
        phone = known_phone(message)
        submission = submit_report(
            actor,
            ReportInput(
                category_code=data.category_code,
                description=data.description,
                latitude=latitude,
                longitude=longitude,
                address=data.address,
                area_code=area_code,
                channel=message.channel,
                priority=data.priority,
                reporter_phone=phone,
                contact_name=message.sender[:120] if not message.conversation_id else "",
                idempotency_key=f"inbox:{message.uid}",
            ),
            _photos(message, data.photos),
        )
        report = submission.report
        _handled(message, actor, Status.REPORTED, report=report)
        conversation = message.conversation if message.conversation_id else None
        if conversation is not None and conversation.citizen_id is None and report.reporter_id:
            Conversation.objects.filter(pk=message.conversation_id, citizen__isnull=True).update(
                citizen_id=report.reporter_id
            )
    return report


def _place(message: InboundMessage, data: InboxReport) -> tuple[float, float, str | None]:
    if (data.latitude is None) != (data.longitude is None):
        raise InvalidInput(
            field="latitude" if data.latitude is None else "longitude",
            code="LOCATION_REQUIRED",
            message=_("Isi garis lintang dan garis bujur bersama-sama."),
        )
    area_code = (data.area_code or "").strip() or None
    if data.latitude is not None:
        return data.latitude, data.longitude, area_code
    if message.latitude is not None and message.longitude is not None:
        return message.latitude, message.longitude, area_code
    if area_code is None:
        raise InvalidInput(
            field="areaCode",
            code="LOCATION_REQUIRED",
            message=_("Pilih kelurahan/kecamatan tempat masalah itu, atau tandai titiknya."),
        )
    area = Area.objects.active().filter(code=area_code[:80]).first()
    if area is None:
        raise InvalidInput(
            field="areaCode",
            code="UNKNOWN_AREA",
            message=_("Wilayah '%(area_code)s' tidak dikenal."),
            params={"area_code": area_code[:80]},
        )
    # Inside the area's polygon; an area without one takes the city's inside
    # point, and intake then compares duplicates by area, not by that point.
    outline = area.boundary or city_profile().boundary
    point = shape(outline).representative_point()
    return point.y, point.x, area.code


def _photos(message: InboundMessage, positions: list[int] | None) -> list[Upload]:
    media = media_of(message)
    if positions is None:
        chosen = [m for m in media if m.content_type in IMAGE_TYPES]
    else:
        chosen = []
        for index, position in enumerate(positions):
            if not 0 <= position < len(media) or media[position].content_type not in IMAGE_TYPES:
                raise InvalidInput(
                    field=f"photos[{index}]",
                    code="INVALID",
                    message=_("Foto nomor %(n)s tidak ada pada pesan ini."),
                    params={"n": position + 1},
                )
            if media[position] not in chosen:
                chosen.append(media[position])
    uploads = []
    for item in chosen:
        with item.file.open("rb") as handle:
            uploads.append(Upload(handle.read(), item.filename or f"{item.pk}.jpg"))
    return uploads


def reply_to(actor: Actor, uid: str, text: str) -> InboundMessage:
    """Answer the sender on their own channel, through the outbox."""
    text = (text or "").strip()
    if not text:
        require_operator(actor)
        raise InvalidInput(field="text", code="REQUIRED", message=_("Tulis isi balasan."))
    if len(text) > MAX_REPLY:
        require_operator(actor)
        raise InvalidInput(
            field="text",
            code="TOO_LONG",
            message=_("Isian %(api_field)s terlalu panjang: paling banyak %(limit)s karakter."),
            params={"api_field": "text", "limit": MAX_REPLY},
        )
    with transaction.atomic():
        message = _lock_open(actor, uid)
        if not can_reply(message):
            raise InvalidInput(
                field="uid",
                code="REPLY_NOT_POSSIBLE",
                message=_(
                    "Kanal %(channel)s tidak tersambung ke sistem ini, jadi balasan tidak bisa "
                    "dikirim dari sini; balas lewat kanal itu sendiri."
                ),
                params={"channel": message.get_channel_display()},
            )
        reply(message.conversation, Outgoing(text=text), kind="chat.reply")
        _handled(message, actor, Status.REPLIED)
    return message


def mark_spam(actor: Actor, uid: str, *, hold_sender: bool = False) -> InboundMessage:
    """Spam leaves the open list. Holding the sender (a conversation only)
    stops the bot answering them for a week and closes their other open items."""
    with transaction.atomic():
        message = _lock_open(actor, uid)
        _handled(message, actor, Status.SPAM)
        if hold_sender and message.conversation_id:
            now = timezone.now()
            Conversation.objects.filter(pk=message.conversation_id).update(
                blocked_until=now + SPAM_HOLD
            )
            message.conversation.blocked_until = now + SPAM_HOLD
            InboundMessage.objects.filter(
                conversation_id=message.conversation_id, status__in=OPEN
            ).exclude(pk=message.pk).update(
                status=Status.SPAM, handled_by=actor.user, handled_at=now
            )
    return message
