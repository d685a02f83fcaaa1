"""Response templates offered to staff when they write to a citizen.

The city's own templates (``ResponseTemplate``, edited in the admin; city-wide
or for one OPD) come first, then a few built-in ones in the reader's language.
Bodies carry placeholders the app fills in: ``{kode}`` (tracking code),
``{opd}`` (the OPD holding the report), ``{tanggal}`` (today, city time)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from people.actors import Actor
from reports.models import ResponseTemplate

#: Where a template is offered: a progress note, a question to the reporter,
#: the resolution note, or anywhere.
USES = ("note", "ask", "resolve", "any")

BUILT_IN = [
    (
        "menuju-lokasi",
        "note",
        _("Petugas menuju lokasi"),
        _("Petugas {opd} sedang menuju lokasi laporan {kode}. Terima kasih atas kesabaran Anda."),
    ),
    (
        "dijadwalkan",
        "note",
        _("Dijadwalkan"),
        _("Laporan {kode} sudah diterima {opd} dan dijadwalkan untuk ditangani."),
    ),
    (
        "minta-foto",
        "ask",
        _("Minta foto dan patokan"),
        _(
            "Mohon kirim foto tambahan dan patokan lokasi yang lebih jelas untuk laporan {kode}"
            " (nama jalan, nomor rumah atau bangunan terdekat)."
        ),
    ),
    (
        "selesai",
        "resolve",
        _("Sudah ditangani"),
        _(
            "Laporan {kode} sudah ditangani oleh {opd} pada {tanggal}. Foto bukti terlampir."
            " Terima kasih atas laporan Anda."
        ),
    ),
]


@dataclass(frozen=True)
class Reply:
    code: str
    use: str
    title: str
    body: str
    city: bool  # written by the city (not built in)


def response_templates(actor: Actor) -> list[Reply]:
    """Templates for ``actor``: the city's (city-wide and of the actor's OPDs),
    then the built-in ones, rendered in the active language."""
    own = ResponseTemplate.objects.filter(active=True).filter(
        Q(opd=None) | Q(opd_id__in=actor.opd_ids or [])
    )
    replies = [
        Reply(code=t.code, use="any", title=t.title, body=t.body, city=True)
        for t in own.order_by("opd_id", "title")
    ]
    replies += [
        Reply(code=code, use=use, title=str(title), body=str(body), city=False)
        for code, use, title, body in BUILT_IN
    ]
    return replies
