"""Outbox messages in words, in the reader's language (call inside
``translation.override``): the same sentences on every channel."""

from __future__ import annotations

from django.utils.translation import gettext as _

from messaging.adapters.base import Outgoing


def report_summary(report) -> str:
    """Tracking code, state and what the citizen is told, in a few lines."""
    from reports.outcome import outcome

    told = outcome(report)
    lines = [
        _("Laporan %(code)s: %(status)s.")
        % {"code": report.tracking_code, "status": report.get_status_display()},
        told.headline,
    ]
    lines += [f"• {reason}" for reason in told.reasons]
    return "\n".join(lines)


def receipt(report) -> Outgoing:
    """The answer to a new report: its tracking code and verdict in words."""
    code = report.tracking_code
    head = _("Terima kasih, laporan Anda sudah kami terima. Kode lacak: %(code)s.") % {"code": code}
    tail = _("Ketik STATUS %(code)s kapan saja untuk melihat perkembangannya.") % {"code": code}
    return Outgoing(text="\n".join([head, report_summary(report), tail]), subject=head)


def notification_text(message) -> Outgoing:
    report = message.report
    payload = message.payload or {}
    kind = message.kind
    if report is None:
        return Outgoing(text=_("Ada kabar baru dari layanan pengaduan kota."))
    code = report.tracking_code
    if kind == "report.received":
        return receipt(report)
    if kind == "report.needs_info":
        text = _("Petugas meminta informasi tambahan untuk laporan %(code)s: %(question)s") % {
            "code": code,
            "question": payload.get("question", ""),
        }
        return Outgoing(text=text, subject=text[:120])
    if kind in ("report.progress", "report.resolved") and payload.get("note"):
        text = (
            report_summary(report)
            + "\n"
            + _("Catatan petugas: %(note)s") % {"note": payload["note"]}
        )
        return Outgoing(text=text, subject=text.splitlines()[0])
    if kind == "report.rejected" and payload.get("reason"):
        text = (
            report_summary(report) + "\n" + _("Alasan: %(reason)s") % {"reason": payload["reason"]}
        )
        return Outgoing(text=text, subject=text.splitlines()[0])
    text = report_summary(report)
    return Outgoing(text=text, subject=text.splitlines()[0])
