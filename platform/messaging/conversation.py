"""The conversational intake: what the bot says to a message and when a chat
becomes a report.

A draft report lives on the :class:`Conversation`; each message fills what it
can (a category, a shared location or a kelurahan name, a photo, a description)
and the bot asks for the first thing still missing. Options are numbered on
every channel, so "2" works on SMS as a tapped list row does on WhatsApp. When
all is there and the citizen says "kirim", the draft goes to the same
``submit_report`` the app calls, with this channel's verification policy; the
receipt (tracking code and verdict in words) is the outbox's
``report.received`` message, sent back on this conversation.

Commands at any point: ``STATUS <code>``, ``BATAL`` (drop the draft),
``BANTUAN``, ``ENGLISH`` / ``INDONESIA``. What the bot cannot structure goes to
the operators' inbox.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.utils import translation
from django.utils.translation import gettext as _
from shapely.geometry import Point, shape

from cityconfig.models import Area, Category, CityProfile
from cityconfig.selectors import category_tree, city_profile, verification_policy
from kanal.errors import ServiceError
from kanal.i18n import pick
from messaging.adapters import adapter_for
from messaging.adapters.base import MediaRef, MediaTooLarge, Option, Outgoing
from messaging.models import Conversation, InboundMedia, InboundMessage
from messaging.outbound import reply
from messaging.texts import receipt, report_summary
from notifications.backends import PermanentFailure
from people.actors import Actor
from people.models import Citizen
from people.otp import normalize_phone
from reports.intake import ReportInput, submit_report
from reports.photos import Upload
from reports.selectors import report_for
from reports.tracking import normalize_tracking_code
from verification.geometry import prepared_polygon
from verification.pipeline import policy_for

logger = logging.getLogger("messaging.conversation")

State = Conversation.State
Status = InboundMessage.Status

PAGE = 9  # options per question: WhatsApp lists hold 10 rows, one is "more"
MAX_FAILURES = 3  # unreadable answers to one question before a person takes over
MIN_DESCRIPTION = 10
IMAGE_TYPES = ("image/jpeg", "image/png", "image/heic", "image/heif", "image/webp")

CANCEL = {"batal", "cancel", "stop"}
HELP = {"bantuan", "help", "menu", "?", "info"}
START = {"lapor", "report", "mulai", "start", "/start", "halo", "hai", "hi", "hello", "p"}
# Typed in the middle of a draft, these start over (a greeting does not).
RESTART = {"lapor", "report", "mulai", "start", "/start"}
SKIP = {"lewati", "skip", "tidak ada", "tidak", "no"}
SEND = {"kirim", "ya", "send", "yes", "ok", "oke"}
ENGLISH = {"english", "bahasa inggris", "inggris", "/english"}
INDONESIAN = {"indonesia", "bahasa indonesia", "/indonesia"}
STATUS_RE = re.compile(r"^(?:/?status|cek|lacak|track)\s*[:#]?\s*([a-z0-9][a-z0-9 \-]{6,12})$")


def _plain(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text or "").strip().lower()
    return re.sub(r"\s+", " ", folded)


def handle(message: InboundMessage, *, now: datetime) -> None:
    """Process one stored message (inside its transaction)."""
    conversation = message.conversation
    profile = city_profile()
    if conversation.last_inbound_at is None or message.received_at > conversation.last_inbound_at:
        conversation.last_inbound_at = message.received_at
    if _flooding(conversation, message, profile, now):
        conversation.save()
        return
    _link_citizen(conversation, message)
    with translation.override(conversation.language):
        Bot(conversation, message, profile, now).run()
    if message.status == Status.RECEIVED:
        message.status = Status.HANDLED
    message.save()
    conversation.save()


def _flooding(conversation, message, profile: CityProfile, now: datetime) -> bool:
    """A sender above the city's hourly limit is held back: their messages are
    kept (nothing is lost) but the bot stops answering until the hour passes."""
    limit = profile.messaging_config.messages_per_hour
    hour_ago = now - timedelta(hours=1)
    recent = InboundMessage.objects.filter(
        conversation=conversation, received_at__gte=hour_ago
    ).count()
    if conversation.blocked_until and conversation.blocked_until > now:
        message.status = Status.HELD
        message.save(update_fields=["status"])
        return True
    if recent <= limit:
        return False
    conversation.blocked_until = now + timedelta(hours=1)
    message.status = Status.HELD
    message.save(update_fields=["status"])
    logger.warning("%s sender held back: %d messages in an hour", conversation.channel, recent)
    with translation.override(conversation.language):
        reply(
            conversation,
            Outgoing(
                text=_(
                    "Terlalu banyak pesan dalam satu jam. Pesan Anda kami simpan; "
                    "bot akan menjawab lagi setelah satu jam."
                )
            ),
        )
    return True


def _link_citizen(conversation: Conversation, message: InboundMessage) -> None:
    """The channel's verified address names the citizen: a WhatsApp or SMS
    number is a verified phone, as is a Telegram user's own shared contact."""
    if conversation.citizen_id:
        return
    phone = ""
    if conversation.channel in ("whatsapp", "sms"):
        phone = conversation.address
    elif message.contact_phone:
        phone = message.contact_phone
    citizen = None
    if phone:
        try:
            phone = normalize_phone(phone)
        except ServiceError:
            return
        citizen, _new = Citizen.objects.get_or_create(phone=phone)
    elif conversation.channel == "email":
        citizen, _new = Citizen.objects.get_or_create(email=conversation.address.lower())
    if citizen is not None:
        if citizen.verified_at is None:
            citizen.verified_at = message.received_at
            citizen.save(update_fields=["verified_at"])
        conversation.citizen = citizen


@dataclass
class Bot:
    conversation: Conversation
    message: InboundMessage
    profile: CityProfile
    now: datetime

    @property
    def draft(self) -> dict:
        return self.conversation.draft

    def say(self, text: str, *, options=(), **extra) -> None:
        reply(self.conversation, Outgoing(text=text, options=tuple(options), **extra))

    # -- the flow -----------------------------------------------------------

    def run(self) -> None:
        text = _plain(self.message.text)
        if self._command(text):
            return
        try:
            self._take_media()
        except _MediaRefused as refusal:
            self.say(str(refusal))
            self.ask_next()
            return
        state = self.conversation.state
        if state != State.IDLE and text in RESTART and not self._chosen(text):
            self._reset()
            state = State.IDLE
        if state == State.IDLE:
            self._start(text)
        elif state == State.CATEGORY:
            self._category(text)
        elif state == State.LOCATION:
            self._location(text)
        elif state == State.PHOTO:
            self._photo(text)
        elif state == State.DESCRIPTION:
            self._description()
        elif state == State.CONTACT:
            self._contact(text)
        elif state == State.CONFIRM:
            self._confirm(text)

    def _command(self, text: str) -> bool:
        if text in CANCEL:
            had_draft = self.conversation.state != State.IDLE
            self._reset()
            self.say(
                _("Draf laporan dibatalkan. Ketik LAPOR untuk membuat laporan baru.")
                if had_draft
                else _("Tidak ada laporan yang sedang diisi. Ketik LAPOR untuk mulai.")
            )
            return True
        if text in HELP:
            self.say(self._help())
            return True
        if text in ENGLISH or text in INDONESIAN:
            self.conversation.language = "en" if text in ENGLISH else "id"
            translation.activate(self.conversation.language)
            self.say(_("Baik, kita lanjut dalam bahasa Indonesia."))
            self.ask_next()
            return True
        match = STATUS_RE.match(text)
        if match:
            self._status(match.group(1))
            return True
        return False

    def _help(self) -> str:
        return "\n".join(
            [
                _("Layanan pengaduan %(city)s.") % {"city": self.profile.name},
                _("• LAPOR: membuat laporan baru"),
                _("• STATUS <kode>: melihat perkembangan laporan, mis. STATUS ABCD-2345"),
                _("• BATAL: membatalkan laporan yang sedang diisi"),
                _("• ENGLISH / INDONESIA: ganti bahasa"),
            ]
        )

    def _status(self, raw_code: str) -> None:
        code = normalize_tracking_code(raw_code)
        actor = (
            Actor.for_citizen(self.conversation.citizen)
            if self.conversation.citizen
            else Actor.anonymous()
        )
        try:
            report = report_for(actor, code)
        except ServiceError:
            self.say(_("Laporan %(code)s tidak ditemukan. Periksa lagi kodenya.") % {"code": code})
            return
        self.say(report_summary(report))

    def _reset(self) -> None:
        self.conversation.state = State.IDLE
        self.conversation.draft = {}

    def _start(self, text: str) -> None:
        self.draft.clear()
        self.draft["photos"] = self.draft.get("photos", [])
        self._take_media(again=True)
        has_content = bool(self.draft["photos"]) or self.message.latitude is not None
        # A short note, or nothing the bot reads (a sticker, a voice note): a person looks.
        if text not in START and len(text) < MIN_DESCRIPTION and not has_content:
            self._to_inbox()
            return
        if text and text not in START and len(text) >= MIN_DESCRIPTION:
            self.draft["description"] = self.message.text.strip()
        if self.message.latitude is not None:
            self._set_point(self.message.latitude, self.message.longitude)
        if text in START or not self.draft.get("description"):
            self.say(
                _("Selamat datang di layanan pengaduan %(city)s. Mari buat laporan.")
                % {"city": self.profile.name}
            )
        self.ask_next()

    def _to_inbox(self) -> None:
        self.message.status = Status.INBOX
        self.say(
            _(
                "Pesan Anda kami teruskan ke petugas. Untuk membuat laporan sendiri ketik "
                "LAPOR; untuk melihat laporan ketik STATUS <kode>."
            )
        )

    # -- asking ---------------------------------------------------------------

    def missing(self) -> str | None:
        draft = self.draft
        if not draft.get("category"):
            return State.CATEGORY
        if draft.get("latitude") is None:
            return State.LOCATION
        if not draft.get("photos") and not draft.get("skip_photo"):
            return State.PHOTO
        if not draft.get("description"):
            return State.DESCRIPTION
        if self.conversation.citizen_id is None and not (
            self.draft.get("anonymous") and self._anonymous_allowed()
        ):
            # No verified address (Telegram): ask for the number, so the citizen
            # hears back; where the city allows it, they may stay anonymous.
            return State.CONTACT
        return State.CONFIRM

    def _anonymous_allowed(self) -> bool:
        from cityconfig.selectors import features

        return features(self.profile).anonymous_reports

    def ask_next(self) -> None:
        step = self.missing()
        if self.conversation.state != step:
            self.draft["failures"] = 0
        self.conversation.state = step
        if step == State.CATEGORY:
            self._ask_category()
        elif step == State.LOCATION:
            self.say(
                _(
                    "Di mana lokasinya? Bagikan lokasi (📎 → Lokasi), atau ketik nama "
                    "kelurahan/desa atau alamatnya."
                ),
                ask_location=True,
            )
        elif step == State.PHOTO:
            if self._photo_required():
                self.say(_("Kirim foto masalahnya (wajib untuk kategori ini)."))
            else:
                self.say(_("Kirim foto masalahnya bila ada, atau ketik LEWATI."))
        elif step == State.DESCRIPTION:
            self.say(
                _("Ceritakan singkat masalahnya (minimal %(count)s huruf).")
                % {"count": MIN_DESCRIPTION}
            )
        elif step == State.CONTACT:
            self.say(
                _(
                    "Bagikan nomor telepon Anda dengan tombol di bawah agar kami bisa "
                    "mengabarkan perkembangannya, atau ketik LEWATI untuk melapor tanpa nama."
                )
                if self._anonymous_allowed()
                else _("Untuk melapor, bagikan nomor telepon Anda dengan tombol di bawah."),
                ask_contact=True,
            )
        else:
            self._ask_confirm()

    def _options(self, options: list[Option], offset: int) -> list[Option]:
        page = options[offset : offset + PAGE]
        if offset + PAGE < len(options):
            page.append(Option(f"more:{offset + PAGE}", _("Lainnya ▸")))
        self.draft["options"] = [o.id for o in page]
        return page

    def _ask_category(self, *, group: str = "", offset: int = 0) -> None:
        tree = category_tree()
        categories = [c for g in tree for c in g.categories]
        self.draft["group"] = group
        if group or len(categories) <= PAGE + 1:
            chosen = [c for g in tree for c in g.categories if not group or g.group.code == group]
            rows = [Option(f"cat:{c.code}", pick(c.name_id, c.name_en)[:72]) for c in chosen]
            if len(categories) <= PAGE + 1 and not group:
                self.draft["options"] = [o.id for o in rows]
                page = rows
            else:
                page = self._options(rows, offset)
        else:
            rows = [
                Option(f"grp:{g.group.code}", pick(g.group.name_id, g.group.name_en)[:72])
                for g in tree
            ]
            page = self._options(rows, offset)
        self.say(_("Pilih kategori masalahnya (balas dengan nomornya):"), options=page)

    def _chosen(self, text: str) -> str:
        """The option id the answer picks: a tapped row, or its number."""
        options = self.draft.get("options") or []
        if self.message.reply_id and self.message.reply_id in options:
            return self.message.reply_id
        if text.isdigit() and 1 <= int(text) <= len(options):
            return options[int(text) - 1]
        return ""

    def _failed(self, hint: str) -> None:
        self.draft["failures"] = self.draft.get("failures", 0) + 1
        if self.draft["failures"] >= MAX_FAILURES:
            self.message.status = Status.INBOX
            self.say(
                _(
                    "Maaf, kami belum mengerti. Pesan Anda kami teruskan ke petugas, yang "
                    "akan membantu membuat laporannya. Ketik BATAL untuk mulai dari awal."
                )
            )
            self.draft["failures"] = 0
            return
        self.say(hint)
        self.ask_next()

    # -- answers ----------------------------------------------------------------

    def _category(self, text: str) -> None:
        chosen = self._chosen(text)
        if chosen.startswith("more:"):
            self._ask_category(group=self.draft.get("group", ""), offset=int(chosen[5:]))
            return
        if chosen.startswith("grp:"):
            self._ask_category(group=chosen[4:])
            return
        code = chosen[4:] if chosen.startswith("cat:") else self._category_by_name(text)
        category = Category.objects.active().filter(code=code).first() if code else None
        if category is None:
            self._failed(_("Kategori itu tidak ada dalam daftar."))
            return
        self.draft["category"] = category.code
        self.draft.pop("options", None)
        self.ask_next()

    def _category_by_name(self, text: str) -> str:
        if len(text) < 3:
            return ""
        found = [
            c.code
            for c in Category.objects.active()
            if text in _plain(c.name_id) or text in _plain(c.name_en)
        ]
        return found[0] if len(found) == 1 else ""

    def _location(self, text: str) -> None:
        if self.message.latitude is not None:
            if self._set_point(self.message.latitude, self.message.longitude):
                self.ask_next()
            return
        chosen = self._chosen(text)
        if chosen.startswith("area:"):
            self._set_area(Area.objects.active().get(code=chosen[5:]))
            self.ask_next()
            return
        matches = _areas_named_in(text)
        if len(matches) == 1:
            if len(text) > len(_plain(matches[0].name)) + 3:
                self.draft["address"] = self.message.text.strip()[:300]
            self._set_area(matches[0])
            self.ask_next()
        elif matches:
            options = [
                Option(f"area:{a.code}", f"{a.get_level_display()} {a.name}"[:72])
                for a in matches[:PAGE]
            ]
            self.draft["options"] = [o.id for o in options]
            self.say(_("Ada beberapa wilayah dengan nama itu. Yang mana?"), options=options)
        else:
            self._failed(
                _("Wilayah itu tidak kami temukan di %(city)s.") % {"city": self.profile.name}
            )

    def _set_point(self, latitude: float, longitude: float) -> bool:
        geometry = prepared_polygon(self.profile.boundary)
        if not geometry.covers(Point(longitude, latitude)):
            self.say(
                _(
                    "Lokasi itu di luar wilayah %(city)s. Bagikan lokasi lain, atau ketik "
                    "nama kelurahan/desanya."
                )
                % {"city": self.profile.name}
            )
            self.conversation.state = State.LOCATION
            return False
        self.draft.update(latitude=latitude, longitude=longitude, area_code=None)
        return True

    def _set_area(self, area: Area) -> None:
        """A named area stands for "somewhere in it": its own shape's point, or
        the city's when the area has no polygon yet (intake then compares
        duplicates by area, not by this stand-in)."""
        polygon = area.boundary or self.profile.boundary
        point = shape(polygon).representative_point()
        self.draft.update(latitude=point.y, longitude=point.x, area_code=area.code)

    def _photo(self, text: str) -> None:
        if self.draft.get("photos"):
            self.ask_next()
        elif text in SKIP and not self._photo_required():
            self.draft["skip_photo"] = True
            self.ask_next()
        else:
            self._failed(
                _("Foto wajib untuk kategori ini.")
                if self._photo_required()
                else _("Kirim fotonya, atau ketik LEWATI.")
            )

    def _description(self) -> None:
        text = self.message.text.strip()
        if len(text) < MIN_DESCRIPTION:
            self._failed(_("Uraiannya terlalu pendek."))
            return
        self.draft["description"] = text[:5000]
        self.ask_next()

    def _contact(self, text: str) -> None:
        if self.conversation.citizen_id:
            self.ask_next()
        elif text in SKIP and self._anonymous_allowed():
            self.draft["anonymous"] = True
            self.ask_next()
        else:
            self._failed(_("Gunakan tombol “Bagikan nomor” agar nomor Anda terverifikasi."))

    def _ask_confirm(self) -> None:
        category = Category.objects.get(code=self.draft["category"])
        lines = [
            _("Periksa laporan Anda:"),
            _("Kategori: %(name)s") % {"name": pick(category.name_id, category.name_en)},
            _("Lokasi: %(place)s") % {"place": self._place()},
            _("Foto: %(count)s") % {"count": len(self.draft.get("photos") or [])},
            _("Uraian: %(text)s") % {"text": self.draft["description"][:300]},
        ]
        options = [Option("send", _("Kirim")), Option("cancel", _("Batal"))]
        self.draft["options"] = [o.id for o in options]
        self.say("\n".join(lines), options=options)

    def _place(self) -> str:
        if self.draft.get("area_code"):
            area = Area.objects.filter(code=self.draft["area_code"]).first()
            if area is not None:
                return f"{area.get_level_display()} {area.name}"
        from routing.services import locate_area

        point = f"{self.draft['latitude']:.5f}, {self.draft['longitude']:.5f}"
        area = locate_area(self.draft["latitude"], self.draft["longitude"])
        return f"{area.get_level_display()} {area.name} ({point})" if area else point

    def _confirm(self, text: str) -> None:
        chosen = self._chosen(text)
        if chosen == "cancel":
            self._reset()
            self.say(_("Draf laporan dibatalkan. Ketik LAPOR untuk membuat laporan baru."))
            return
        if chosen == "send" or text in SEND:
            self._submit()
            return
        if self.message.text.strip() and len(text) >= MIN_DESCRIPTION:
            self.draft["description"] = self.message.text.strip()[:5000]
        self._ask_confirm()

    def _submit(self) -> None:
        draft = self.draft
        citizen = self.conversation.citizen
        actor = Actor.for_citizen(citizen) if citizen else Actor.anonymous()
        media = list(InboundMedia.objects.filter(pk__in=draft.get("photos") or []).order_by("pk"))
        uploads = []
        for m in media:
            with m.file.open("rb") as stored:
                uploads.append(Upload(stored.read(), m.filename or f"{m.pk}.jpg"))
        data = ReportInput(
            category_code=draft["category"],
            description=draft["description"],
            latitude=draft["latitude"],
            longitude=draft["longitude"],
            address=draft.get("address", ""),
            area_code=draft.get("area_code"),
            channel=self.conversation.channel,
            anonymous=citizen is None,
            idempotency_key=f"{self.conversation.channel}:{self.message.provider_message_id}"[:64],
            from_conversation=True,
        )
        try:
            submission = submit_report(actor, data, uploads)
        except ServiceError as refusal:
            self.say(_("Laporan belum bisa dikirim: %(reason)s") % {"reason": refusal.message})
            if refusal.field in ("photos", "photo"):
                draft["photos"] = []
            self.ask_next()
            return
        report = submission.report
        if report.reporter_id is None:
            # The outbox tells reporters; an anonymous one still needs the
            # tracking code, on this conversation.
            reply(self.conversation, receipt(report), report=report)
        self.message.report = report
        self.message.status = Status.REPORTED
        InboundMessage.objects.filter(
            conversation=self.conversation, pk__in=draft.get("message_ids") or []
        ).update(report=report)
        self._reset()
        logger.info("conversation on %s became report %s", report.channel, report.tracking_code)

    # -- media --------------------------------------------------------------------

    def _photo_required(self) -> bool:
        code = self.draft.get("category")
        category = Category.objects.filter(code=code).first() if code else None
        policy = policy_for(
            verification_policy(self.profile),
            self.conversation.channel,
            category_photo_required=category.photo_required if category else None,
        )
        return policy.photo_required

    def _take_media(self, *, again: bool = False) -> None:
        """Download the message's media (once) into the city's storage and
        attach the photos to the draft."""
        if not again:
            _download(self.message, self.profile)
        photos = self.draft.setdefault("photos", [])
        for media in self.message.media.all():
            if media.content_type in IMAGE_TYPES and media.pk not in photos:
                photos.append(media.pk)
        others = [m for m in self.message.media.all() if m.content_type not in IMAGE_TYPES]
        if others and not again:
            raise _MediaRefused(_("Lampiran itu bukan foto; kirim foto JPEG, PNG atau HEIC."))


class _MediaRefused(Exception):
    pass


def _download(message: InboundMessage, profile: CityProfile) -> None:
    refs = message.media_refs or []
    if not refs:
        return
    limit = verification_policy(profile).max_upload_mb * 1024 * 1024
    adapter = adapter_for(message.channel)
    for position, ref in enumerate(refs):
        try:
            data, content_type = adapter.fetch_media(MediaRef(**ref))
        except MediaTooLarge:  # the provider said so before any download
            data, content_type = None, ""
        except PermanentFailure as exc:  # gone at the provider: retrying cannot help
            logger.warning("%s media not fetched: %s", message.channel, exc)
            message.media_refs = []
            raise _MediaRefused(_("Foto itu tidak bisa kami ambil; kirim ulang fotonya.")) from exc
        if data is None or len(data) > limit:
            raise _MediaRefused(
                _("Foto terlalu besar (maksimal %(mb)s MB).")
                % {"mb": verification_policy(profile).max_upload_mb}
            )
        InboundMedia.objects.create(
            message=message,
            file=ContentFile(data, name=f"{position}.{_extension(content_type)}"),
            content_type=content_type[:100],
            size=len(data),
            filename=ref.get("filename", "")[:200],
        )
    message.media_refs = []


def _extension(content_type: str) -> str:
    return {"image/png": "png", "image/heic": "heic", "image/webp": "webp"}.get(
        content_type, "jpg" if content_type.startswith("image/") else "bin"
    )


def _areas_named_in(text: str) -> list[Area]:
    """Areas whose name the text is or contains ("Cakranegara", "jl pejanggik
    5 cakranegara"), villages first: they route further than a kecamatan."""
    if len(text) < 3:
        return []
    areas = list(Area.objects.active().only("code", "name", "level", "boundary"))
    exact = [a for a in areas if _plain(a.name) == text]
    found = exact or [
        a for a in areas if re.search(r"\b" + re.escape(_plain(a.name)) + r"\b", text)
    ]
    villages = [a for a in found if a.level in ("kelurahan", "desa")]
    return villages or found
