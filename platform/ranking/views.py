"""Public pages of published rankings: shareable, downloadable, on the city's host."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from cityconfig.selectors import city_profile, features
from ranking import exports
from ranking.models import RankingSnapshot


def _published(version: int | None = None):
    if not features().published_rankings:
        raise Http404("rankings are not published in this city")
    snapshots = RankingSnapshot.objects.all()
    if version is None:
        return snapshots
    snapshot = snapshots.filter(version=version).first()
    if snapshot is None:
        raise Http404("no such ranking")
    return snapshot


def ranking_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "ranking/list.html", {"snapshots": _published(), "profile": city_profile()}
    )


def ranking_detail(request: HttpRequest, version: int) -> HttpResponse:
    return render(
        request,
        "ranking/detail.html",
        {"snapshot": _published(version), "profile": city_profile(), "columns": exports.COLUMNS},
    )


def ranking_download(request: HttpRequest, version: int, fmt: str) -> HttpResponse:
    snapshot = _published(version)
    filename = f"peringkat-opd-v{snapshot.version}"
    if fmt == "csv":
        response = HttpResponse(exports.to_csv(snapshot), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(
            exports.to_xlsx(snapshot),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    elif fmt == "png":
        response = HttpResponse(exports.to_png(snapshot), content_type="image/png")
    else:
        raise Http404(fmt)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response["X-Content-SHA256"] = snapshot.content_sha256
    return response
