"""What a citizen is told happened to their report, in one place.

The result screen, the tracking page and the messages must not each guess from
the status: a report the checks sent to an operator must say so and why, a
rejected one must say why and whether a new photo would help, and an operator's
later decision must replace the verdict of the checks. Texts are gettext
messages (Indonesian source, ``locale/en``); check reasons are stored in both
languages at submission and picked here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kanal.i18n import pick
from reports.models import Status

#: Checks whose failure a new photo can cure (taken now, at the place, not reused).
PHOTO_CHECKS = ("photo_fresh", "photo_location", "photo_not_reused")

SENT, REVIEW, REJECTED, DONE = "sent", "review", "rejected", "done"
_UNDER_REVIEW = {Status.SUBMITTED, Status.TRIAGE, Status.FIELD_SURVEY, Status.NEEDS_INFO}
_DONE = {Status.RESOLVED, Status.CLOSED, Status.MERGED}


@dataclass(frozen=True)
class Outcome:
    state: str  # sent | review | rejected | done
    headline: str
    reasons: list[str]
    can_retry_photo: bool


def _base_check(name: str) -> str:
    return name.split("[", 1)[0]


def _check_reasons(report, results: tuple[str, ...]) -> list[str]:
    return [
        pick(c.get("reason_id", ""), c.get("reason_en", "") or c.get("reason_id", ""))
        for c in report.checks or []
        if c.get("result") in results
    ]


def _last_decision(report, to_status: str):
    """The newest timeline entry that moved the report to ``to_status``."""
    entries = [e for e in report.timeline.all() if e.to_status == to_status]
    return entries[-1] if entries else None


def outcome(report) -> Outcome:
    """The verdict as the reporter should read it now (not only at submission)."""
    status = report.status
    if status == Status.REJECTED:
        decision = _last_decision(report, Status.REJECTED)
        by_operator = decision is not None and decision.actor_kind == "staff"
        if by_operator:
            reasons = [decision.note] if decision.note else []
            return Outcome(REJECTED, _("Laporan ditolak oleh operator."), reasons, False)
        failed = [c for c in report.checks or [] if c.get("result") == "fail"]
        photo_failed = any(_base_check(c.get("name", "")) in PHOTO_CHECKS for c in failed)
        return Outcome(
            REJECTED,
            _("Laporan ditolak oleh pemeriksaan otomatis."),
            _check_reasons(report, ("fail",)),
            photo_failed,
        )
    if status in _UNDER_REVIEW:
        if status == Status.NEEDS_INFO:
            return Outcome(REVIEW, _("Petugas meminta informasi tambahan dari Anda."), [], False)
        if status == Status.FIELD_SURVEY:
            return Outcome(REVIEW, _("Petugas akan memeriksa lokasi laporan."), [], False)
        reasons = _check_reasons(report, ("warn",))
        if not reasons:
            reasons = [
                _("Di kota ini setiap laporan diperiksa operator sebelum diteruskan ke OPD.")
            ]
        return Outcome(REVIEW, _("Laporan terkirim dan sedang diperiksa operator."), reasons, False)
    if status == Status.MERGED and report.merged_into_id:
        headline = _(
            "Laporan ini digabung dengan laporan %(code)s yang sama; kabar selanjutnya ada di sana."
        ) % {"code": report.merged_into.tracking_code}
        return Outcome(DONE, headline, [], False)
    if status in _DONE:
        return Outcome(DONE, str(Status(status).label), [], False)
    if report.opd_id:
        headline = _("Laporan terkirim dan diteruskan ke %(opd)s.") % {"opd": report.opd.name}
    else:
        headline = _("Laporan terkirim.")
    return Outcome(SENT, headline, [], False)


#: Timeline actions in words a citizen reads (the status label says the rest).
ACTION_LABELS = {
    "submitted": gettext_lazy("Laporan dikirim"),
    "verified": gettext_lazy("Lolos pemeriksaan otomatis"),
    "sent_to_triage": gettext_lazy("Diteruskan ke operator untuk diperiksa"),
    "rejected": gettext_lazy("Ditolak oleh pemeriksaan otomatis"),
    "reject": gettext_lazy("Ditolak oleh operator"),
    "accept": gettext_lazy("Diterima operator"),
    "assigned": gettext_lazy("Didisposisikan ke OPD"),
    "forward": gettext_lazy("Diteruskan ke OPD lain"),
    "escalate": gettext_lazy("Dieskalasi karena melewati tenggat"),
    "acknowledge": gettext_lazy("Diterima OPD"),
    "start_work": gettext_lazy("Mulai dikerjakan"),
    "progress_note": gettext_lazy("Kabar perkembangan"),
    "resolve": gettext_lazy("Selesai dikerjakan"),
    "confirm": gettext_lazy("Dikonfirmasi selesai oleh pelapor"),
    "reopen": gettext_lazy("Dibuka kembali"),
    "auto_close": gettext_lazy("Ditutup otomatis"),
    "rated": gettext_lazy("Pelapor memberi penilaian"),
    "request_info": gettext_lazy("Petugas meminta informasi"),
    "provide_info": gettext_lazy("Pelapor memberi informasi"),
    "send_to_survey": gettext_lazy("Dikirim untuk survei lapangan"),
    "confirm_survey": gettext_lazy("Survei lapangan selesai"),
    "merge": gettext_lazy("Digabung dengan laporan lain"),
    "merged_duplicate": gettext_lazy("Laporan serupa digabungkan ke sini"),
    "hidden": gettext_lazy("Disembunyikan dari publik"),
    "unhidden": gettext_lazy("Ditampilkan kembali ke publik"),
    "area_set": gettext_lazy("Wilayah laporan ditetapkan operator"),
    "priority_set": gettext_lazy("Prioritas laporan ditetapkan"),
    "public_text_edited": gettext_lazy("Teks publik disunting"),
    "photo_blurred": gettext_lazy("Bagian foto dikaburkan"),
}


def action_label(action: str, to_status: str = "") -> str:
    """A timeline entry in plain words (never the raw code)."""
    label = ACTION_LABELS.get(action)
    if label is not None:
        return str(label)
    if to_status in Status.values:
        return str(Status(to_status).label)
    return _("Pembaruan laporan")
