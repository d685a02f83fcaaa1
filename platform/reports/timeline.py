"""Writing the timeline and telling the people concerned, in one place, so no
code path can change a report without leaving a trace or forgetting a message."""

from __future__ import annotations

from kanal.bulk import insert
from notifications.services import notify
from people.actors import Actor
from reports.models import Report, TimelineEntry


def record(
    report: Report,
    actor: Actor,
    action: str,
    *,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    public: bool = True,
    data: dict | None = None,
) -> TimelineEntry:
    from reports.events import publish

    publish(report, action)
    return insert(
        TimelineEntry(
            report=report,
            actor_kind=actor.kind,
            actor_label=actor.label,
            user=actor.user,
            citizen=actor.citizen,
            action=action,
            from_status=from_status,
            to_status=to_status,
            note=note,
            public=public,
            data=data or {},
        )
    )


def tell_reporters(report: Report, kind: str, **payload) -> None:
    """Message the reporter and everyone whose duplicate was merged into this report."""
    reporters = {report.reporter_id} if report.reporter_id else set()
    if report.merged_count:
        reporters |= set(
            report.merged_reports.exclude(reporter=None).values_list("reporter_id", flat=True)
        )
    for citizen_id in sorted(reporters):
        notify(kind, report=report, citizen_id=citizen_id, **payload)


def tell_opd(report: Report, kind: str, **payload) -> None:
    if report.opd_id:
        notify(kind, report=report, opd=report.opd, **payload)
