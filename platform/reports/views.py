"""Serving the public copy of a report photo, only on the report's own city host
and only while the report is public (ISOLATION.md #7)."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest

from reports.selectors import public_reports
from reports.tracking import normalize_tracking_code


def public_photo(request: HttpRequest, tracking_code: str, kind: str, position: int):
    report = public_reports().filter(tracking_code=normalize_tracking_code(tracking_code)).first()
    photo = report and report.photos.filter(kind=kind, position=position).first()
    if not photo:
        raise Http404("photo")
    response = FileResponse(photo.public.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "public, max-age=3600"
    return response
