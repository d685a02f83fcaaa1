"""What a staff member may do to a report now, from the same permission
functions and transition table the services enforce (so an app offers only
the buttons that would succeed).

Each name is the workbench's action; the service behind it re-checks
everything, this only saves people from buttons that would be refused.
"""

from __future__ import annotations

from django_fsm import can_proceed, has_transition_perm

from people.actors import Actor
from reports import permissions as may
from reports.access import may_note_progress
from reports.models import OPEN_STATUSES, Report

# Workbench action → the report's transition it makes (checked by state and role).
TRANSITIONS = {
    "accept": "accept",
    "reject": "reject",
    "request_info": "request_info",
    "send_to_survey": "send_to_survey",
    "record_survey": "confirm_survey",
    "assign": "assign",
    "forward": "forward",
    "acknowledge": "acknowledge",
    "escalate": "escalate",
    "merge": "merge",
}


def allowed_actions(actor: Actor, report: Report) -> list[str]:
    """The actions ``actor`` may take on ``report`` in its current state, in a
    stable order: transitions, then area/priority, then moderation."""
    if not actor.is_staff:
        return []
    allowed = [
        action
        for action, name in TRANSITIONS.items()
        if can_proceed(getattr(report, name)) and has_transition_perm(getattr(report, name), actor)
    ]
    is_open = report.status in OPEN_STATUSES
    if is_open and may_note_progress(actor, report):
        allowed.append("progress_note")
    if is_open and may.operator(report, actor):
        allowed += ["set_area", "set_priority"]
    if may.moderator(report, actor):
        allowed += ["unhide" if report.hidden else "hide", "edit_public_text", "blur_photo"]
    return allowed
