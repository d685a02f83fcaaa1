"""Serving the public copy of a report photo, only on the report's own city host
and only while the report is public (ISOLATION.md #7).

The one photo view: the web app's ``/media/laporan/…`` and Open311's
``media_url`` both come here, so a photo hidden or blurred by a moderator
leaves every cache within the same few minutes.
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest

from reports.models import PhotoKind, Report
from reports.photo_links import link_is_valid
from reports.selectors import is_public_report, public_reports
from reports.tracking import normalize_tracking_code

# Short: a report hidden by a moderator (or a face blurred) must leave caches soon.
PUBLIC_PHOTO_MAX_AGE = 300


def public_photo(request: HttpRequest, tracking_code: str, kind: str, position: int):
    """A public report's photo for anyone; a non-public one's (rejected, under
    review) only with the signed link the API gave its reporter or the staff,
    and then never kept by shared caches."""
    code = normalize_tracking_code(tracking_code)
    signed = link_is_valid(request.GET.get("t"), code, kind, position)
    reports = Report.objects.all() if signed else public_reports()
    report = reports.filter(tracking_code=code).first()
    photo = report and report.photos.filter(kind=kind, position=position).first()
    if not photo or not photo.public:
        raise Http404("photo")
    try:
        file = photo.public.open("rb")
    except OSError as exc:
        raise Http404("photo") from exc
    response = FileResponse(file, content_type="image/jpeg")
    if signed and not is_public_report(report):
        response["Cache-Control"] = f"private, max-age={PUBLIC_PHOTO_MAX_AGE}"
    else:
        response["Cache-Control"] = f"public, max-age={PUBLIC_PHOTO_MAX_AGE}"
    return response


def report_photo(request: HttpRequest, tracking_code: str, position: int):
    """A report's own photo (not a proof of resolution): Open311's ``media_url``."""
    return public_photo(request, tracking_code, PhotoKind.REPORT, position)
