"""The operators' inbox over GraphQL: thin types, queries and mutations over
:mod:`messaging.inbox`, which checks the caller's role and every input.

Items are named by their ``uid`` (primary keys repeat across cities), their
attachments by position, and an attachment's ``url`` is a signed, expiring
link that only this city's host accepts.
"""

from __future__ import annotations

from datetime import datetime

import strawberry
import strawberry_django
from django.utils.translation import gettext_lazy as _
from messaging import inbox
from messaging.media_views import signed_media_url
from messaging.models import InboundMessage
from strawberry import relay
from strawberry.file_uploads import Upload

from api import types as t
from api.errors import Error, error_from
from api.pagination import KanalCursorConnection
from kanal.errors import NotFound, PermissionDenied, ServiceError
from people.actors import Actor
from reports.models import Channel

MAX_PAGE = 100


def _actor(info: strawberry.Info) -> Actor:
    """The caller; a token that failed is refused with its own reason."""
    context = info.context
    actor = context.actor
    if context.auth_error is not None:
        raise context.auth_error
    return actor


def _staff_name(user) -> str | None:
    return (user.get_full_name() or user.get_username()) if user else None


@strawberry.type(description="An attachment of an inbox item.")
class InboxMedia:
    position: int
    content_type: str
    filename: str
    size: int
    is_image: bool
    url: str = strawberry.field(description="Signed and expiring; opens only on this city's host")


@strawberry.type(description="A line of the sender's conversation, either direction.")
class InboxThreadEntry:
    at: datetime
    inbound: bool
    text: str
    status: str
    uid: str | None


@strawberry_django.type(InboundMessage, description="A message or entered item for operators.")
class InboxMessage(relay.Node):
    uid: relay.NodeID[str]
    channel: str
    status: str
    received_at: datetime
    text: str
    link: str
    latitude: float | None
    longitude: float | None
    handled_at: datetime | None

    @strawberry_django.field(name="uid", only=["uid"])
    def uid_text(self) -> str:
        return str(self.uid)

    @strawberry_django.field(only=["channel"])
    def channel_label(self) -> str:
        return str(Channel(self.channel).label) if self.channel in Channel.values else self.channel

    @strawberry_django.field(only=["status"])
    def status_label(self) -> str:
        return str(InboundMessage.Status(self.status).label)

    @strawberry_django.field(
        select_related=["conversation"], description="Phone numbers and e-mail addresses masked"
    )
    def sender(self) -> str:
        return inbox.sender_label(self)

    @strawberry_django.field(only=["entered_by_id"], description="Entered by an operator by hand")
    def entered(self) -> bool:
        return self.entered_by_id is not None

    @strawberry_django.field(select_related=["handled_by"])
    def handled_by(self) -> str | None:
        return _staff_name(self.handled_by)

    @strawberry_django.field(select_related=["report"])
    def report(self) -> t.Report | None:
        return self.report

    @strawberry_django.field(prefetch_related=["media"])
    def media(self) -> list[InboxMedia]:
        uid = str(self.uid)
        return [
            InboxMedia(
                position=position,
                content_type=m.content_type,
                filename=m.filename,
                size=m.size,
                is_image=m.content_type in inbox.IMAGE_TYPES,
                url=signed_media_url(uid, position),
            )
            for position, m in enumerate(sorted(self.media.all(), key=lambda m: m.pk))
        ]

    @strawberry_django.field(
        select_related=["conversation"],
        description="The sender's phone is known (the report is linked to them)",
    )
    def sender_phone_known(self) -> bool:
        return inbox.known_phone(self) is not None

    @strawberry_django.field(select_related=["conversation"])
    def can_reply(self) -> bool:
        return inbox.can_reply(self)

    @strawberry_django.field(select_related=["conversation"])
    def sender_messages_last_24h(self) -> int:
        return inbox.sender_activity(self).last_24h

    @strawberry_django.field(
        select_related=["conversation"], description="Held by the flood limit or as spam"
    )
    def sender_held_until(self) -> datetime | None:
        return inbox.sender_activity(self).held_until

    @strawberry_django.field(
        select_related=["conversation"], description="The conversation, oldest first"
    )
    def thread(self) -> list[InboxThreadEntry]:
        return [InboxThreadEntry(**vars(e)) for e in inbox.thread(self)]


@strawberry.type
class ChannelCount:
    channel: str
    label: str
    count: int


@strawberry.type
class InboxStatusCount:
    status: str
    label: str
    count: int


@strawberry.type
class InboxCounts:
    by_status: list[InboxStatusCount]
    open_by_channel: list[ChannelCount]
    manual_channels: list[ChannelCount] = strawberry.field(
        description="Channels an operator may enter items for (open in this city); count 0"
    )


@strawberry.type
class InboxQuery:
    @strawberry_django.connection(KanalCursorConnection[InboxMessage], max_results=MAX_PAGE)
    def inbox(
        self, info: strawberry.Info, status: str = "inbox", channel: str = ""
    ) -> list[InboxMessage]:
        """Operators: inbox items of one status, newest first."""
        return inbox.inbox_items(_actor(info), status=status[:40], channel=channel[:40])

    @strawberry.field(description="Operators: items per status, and open items per channel.")
    def inbox_counts(self, info: strawberry.Info) -> InboxCounts:
        from cityconfig.selectors import city_profile

        counts = inbox.inbox_counts(_actor(info))
        status_label = InboundMessage.Status
        open_channels = city_profile().channels
        return InboxCounts(
            by_status=[
                InboxStatusCount(status=s, label=str(status_label(s).label), count=n)
                for s, n in counts.by_status.items()
            ],
            open_by_channel=[
                ChannelCount(channel=c, label=_channel_label(c), count=n)
                for c, n in counts.open_by_channel.items()
            ],
            manual_channels=[
                ChannelCount(channel=c, label=_channel_label(c), count=0)
                for c in inbox.MANUAL_CHANNELS
                if c in open_channels
            ],
        )

    @strawberry_django.field(description="Operators: one item; null if not found here.")
    def inbox_message(self, info: strawberry.Info, uid: str) -> InboxMessage | None:
        try:
            return inbox.inbox_item(_actor(info), uid)
        except NotFound:
            return None


def _channel_label(code: str) -> str:
    return str(Channel(code).label) if code in Channel.values else code


@strawberry.input(description="A pasted social post, or a call / walk-in / letter.")
class InboxEntryInput:
    channel: str
    text: str
    sender: str = strawberry.field(default="", description="A handle (@name) or a person's name")
    sender_phone: str = ""
    link: str = ""


@strawberry.input
class InboxReportInput:
    category_code: str
    description: str
    area_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    address: str = ""
    priority: str = ""
    photos: list[int] | None = strawberry.field(
        default=None, description="Positions of the item's photos to attach; null: all"
    )


@strawberry.type
class InboxPayload:
    message: InboxMessage | None = None
    report: t.Report | None = None
    errors: list[Error] = strawberry.field(default_factory=list)


def _payload(run) -> InboxPayload:
    try:
        return run()
    except ServiceError as exc:
        return InboxPayload(errors=[error_from(exc)])


def _operator(info: strawberry.Info) -> Actor:
    actor = _actor(info)
    if actor.kind == "anonymous":
        raise PermissionDenied(code="UNAUTHENTICATED", message=_("Silakan masuk dulu."))
    return actor


@strawberry.type
class InboxMutation:
    @strawberry.mutation(description="Operators: enter a pasted post, a call or a walk-in.")
    def enter_inbox_message(
        self, info: strawberry.Info, input: InboxEntryInput, photos: list[Upload] | None = None
    ) -> InboxPayload:
        from api.mutations import _read_uploads

        def run() -> InboxPayload:
            actor = _operator(info)
            inbox.require_operator(actor)  # before reading any upload
            entry = inbox.Entry(
                channel=input.channel,
                text=input.text,
                sender=input.sender,
                sender_phone=input.sender_phone,
                link=input.link,
                photos=_read_uploads(photos),
            )
            return InboxPayload(message=inbox.enter(actor, entry))

        return _payload(run)

    @strawberry.mutation(description="Operators: turn an item into a report (staff intake).")
    def report_from_inbox(
        self, info: strawberry.Info, uid: str, input: InboxReportInput
    ) -> InboxPayload:
        def run() -> InboxPayload:
            data = inbox.InboxReport(**vars(input))
            report = inbox.report_from(_operator(info), uid, data)
            return InboxPayload(message=InboundMessage.objects.get(uid=_uid(uid)), report=report)

        return _payload(run)

    @strawberry.mutation(description="Operators: reply on the sender's channel (API channels).")
    def reply_to_inbox(self, info: strawberry.Info, uid: str, text: str) -> InboxPayload:
        return _payload(lambda: InboxPayload(message=inbox.reply_to(_operator(info), uid, text)))

    @strawberry.mutation(description="Operators: spam; holdSender stops the bot for a week.")
    def mark_inbox_spam(
        self, info: strawberry.Info, uid: str, hold_sender: bool = False
    ) -> InboxPayload:
        return _payload(
            lambda: InboxPayload(
                message=inbox.mark_spam(_operator(info), uid, hold_sender=hold_sender)
            )
        )


def _uid(raw: str) -> str:
    return str(inbox._uuid(raw))


__all__ = ["InboxMutation", "InboxQuery"]
