"""Error answers that a person (HTML) or an app (JSON) can read."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

API_PREFIXES = ("/graphql", "/open311", "/api", "/healthz", "/readyz")


def wants_json(request: HttpRequest) -> bool:
    if request.path.startswith(API_PREFIXES):
        return True
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def error_response(
    request: HttpRequest, *, status: int, code: str, title: str, message: str
) -> HttpResponse:
    """A clear error for any client: JSON ``{"error": {code, title, message}}``
    for apps, a small page for browsers."""
    if wants_json(request):
        return JsonResponse(
            {"error": {"code": code, "title": title, "message": message}}, status=status
        )
    context = {"code": code, "title": title, "message": message, "status": status}
    # The page's own <style> carries the request's CSP nonce (csp.middleware).
    context["csp_nonce"] = getattr(request, "csp_nonce", "")
    html = render_to_string("kanal/error.html", context)
    return HttpResponse(html, status=status)


def graphql_error_response(
    *, status: int, code: str, message: str, field: str | None = None
) -> HttpResponse:
    """A refusal on ``/graphql/`` in GraphQL's own shape, so every client's
    error handling reads it: ``{"data": null, "errors": [{message, extensions:
    {code, field}}]}``."""
    extensions = {"code": code}
    if field is not None:
        extensions["field"] = field
    return JsonResponse(
        {"data": None, "errors": [{"message": message, "extensions": extensions}]},
        status=status,
    )
