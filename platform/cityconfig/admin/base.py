"""What every console screen of the city config shares: config-checked forms
and one recorded revision per write, whichever admin path made it."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpResponseRedirect

from cityconfig.admin_forms import ConfigCheckedForm
from cityconfig.revisions import recorded_change
from cityconfig.validation import ConfigInvalid


def actor_of(request) -> str:
    return f"{request.user.get_username()} (konsol)"


def run_recorded(request, view, *args, **kwargs):
    """Run an admin view that may write; its writes become one revision.

    GETs only read. A POST's writes (the form, its inlines, list edits,
    "delete selected") are checked as a whole afterwards: a result the config
    model refuses is rolled back and shown as a message, never a 500.
    """
    if request.method != "POST":
        return view(request, *args, **kwargs)
    try:
        with recorded_change(actor_of(request), source=request.path):
            return view(request, *args, **kwargs)
    except ConfigInvalid as exc:
        for problem in exc.problems[:5]:
            messages.error(request, f"{problem.path}: {problem.message}")
        return HttpResponseRedirect(request.get_full_path())


class RecordedAdmin(admin.ModelAdmin):
    """Edits are checked by the city-config model and recorded as revisions
    (who, when, before → after); ``export_config`` writes them back to YAML."""

    form = ConfigCheckedForm

    def changeform_view(self, request, *args, **kwargs):
        return run_recorded(request, super().changeform_view, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):
        return run_recorded(request, super().changelist_view, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        return run_recorded(request, super().delete_view, *args, **kwargs)
