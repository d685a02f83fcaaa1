"""Public pages of published rankings: shareable, downloadable, on the city's host."""

from __future__ import annotations

from django.core.paginator import Paginator
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


ROWS_PER_PAGE = 20
SNAPSHOTS_PER_PAGE = 20


def _page(request: HttpRequest, items, per_page: int):
    """One page of ``items``; a bad or too-large page number gives the nearest page."""
    return Paginator(items, per_page).get_page(request.GET.get("halaman"))


def ranking_list(request: HttpRequest) -> HttpResponse:
    page = _page(request, _published().order_by("-version"), SNAPSHOTS_PER_PAGE)
    return render(
        request,
        "ranking/list.html",
        {"snapshots": page, "page": page, "profile": city_profile()},
    )


def ranking_detail(request: HttpRequest, version: int) -> HttpResponse:
    """A published ranking, a page at a time. Only OPDs that had reports in the
    period unless ``?semua=1``: a city has hundreds of kelurahan, most with none."""
    snapshot = _published(version)
    show_all = request.GET.get("semua") == "1"
    rows = [r for r in snapshot.rows if show_all or r.get("received")]
    page = _page(request, rows, ROWS_PER_PAGE)
    return render(
        request,
        "ranking/detail.html",
        {
            "snapshot": snapshot,
            "profile": city_profile(),
            "columns": exports.COLUMNS,
            "page": page,
            "rows": page.object_list,
            "show_all": show_all,
            "hidden": len(snapshot.rows) - len(rows),
            "query_all": "semua=1&" if show_all else "",
        },
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
