"""The GraphQL endpoint: multipart uploads, bearer-token auth, errors with codes.

Every refusal on ``/graphql/`` is GraphQL JSON with a stable
``errors[].extensions.code`` and a message in the caller's language, whatever
went wrong: a body that is not UTF-8 or not JSON, too many files, a field over
Django's limit, a string the database cannot store, a lost database (503
``SERVICE_UNAVAILABLE`` with Retry-After). This class is the one place where
malformed requests are turned into those answers.
"""

from __future__ import annotations

import json
import logging

from cross_web import HTTPException
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from graphql.utilities import get_operation_ast
from strawberry.django.views import GraphQLView

from api import public_cache
from api.context import KanalContext
from api.request_guard import first_bad_input
from api.schema import MASKED_MESSAGE
from graphql import GraphQLError, OperationType, parse
from kanal.errors import ServiceError
from kanal.outage import is_outage, unavailable_response
from kanal.responses import graphql_error_response

logger = logging.getLogger(__name__)


class Refused(Exception):
    """A request refused before execution: HTTP status, stable code, message."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None):
        super().__init__(code)
        self.status, self.code, self.message, self.field = status, code, message, field


def _is_subscription(query, operation_name) -> bool:
    """Is the operation to run a subscription? Those only work over WebSocket;
    over HTTP strawberry would run them like a query and crash. Parsed only
    when the word appears, so ordinary requests pay nothing."""
    if not isinstance(query, str) or "subscription" not in query:
        return False
    try:
        operation = get_operation_ast(parse(query), operation_name)
    except (GraphQLError, RecursionError, TypeError):
        return False  # the normal path refuses it with its own message
    return operation is not None and operation.operation == OperationType.SUBSCRIPTION


class _Outage(Exception):
    """A resolver lost the database or Redis: the whole answer becomes a 503."""


def _strawberry_refusal(exc: HTTPException) -> Refused:
    """strawberry's plain-text refusals, as codes and messages of our own."""
    reason = exc.reason or ""
    if exc.status_code == 405:
        return Refused(405, "METHOD_NOT_ALLOWED", _("Gunakan GET atau POST untuk GraphQL."))
    if exc.status_code == 404:
        return Refused(404, "NOT_FOUND", _("Tidak ditemukan."))
    if "parse request body as JSON" in reason:
        return Refused(400, "INVALID_JSON", _("Isi permintaan bukan JSON yang valid."))
    if "content type" in reason.lower():
        return Refused(
            415,
            "UNSUPPORTED_CONTENT_TYPE",
            _("Kirim application/json atau multipart/form-data."),
        )
    if "No GraphQL query" in reason:
        return Refused(400, "MISSING_QUERY", _("Permintaan tidak berisi query GraphQL."))
    if "File(s) missing" in reason:
        return Refused(400, "MISSING_FILE", _("Berkas yang dirujuk 'map' tidak dikirim."))
    if "Batching" in reason or "operations" in reason:
        return Refused(400, "BATCH_NOT_SUPPORTED", _("Kirim satu operasi per permintaan."))
    if "mutations" in reason.lower() and "GET" in reason:
        return Refused(405, "METHOD_NOT_ALLOWED", _("Mutasi hanya lewat POST."))
    return Refused(400, "BAD_REQUEST", _("Permintaan GraphQL tidak valid."))


@method_decorator(csrf_exempt, name="dispatch")  # bearer tokens only; cookies are ignored
class KanalGraphQLView(GraphQLView):
    def __init__(self, **kwargs):
        from api.schema import schema

        kwargs.setdefault("schema", schema)
        kwargs.setdefault("multipart_uploads_enabled", True)
        kwargs.setdefault("graphql_ide", "graphiql" if settings.DEBUG else None)
        super().__init__(**kwargs)

    def dispatch(self, request, *args, **kwargs):
        try:
            return self._serve(request)
        except Refused as refusal:
            return graphql_error_response(
                status=refusal.status,
                code=refusal.code,
                message=refusal.message,
                field=refusal.field,
            )
        except HTTPException as exc:
            refusal = _strawberry_refusal(exc)
            return graphql_error_response(
                status=refusal.status, code=refusal.code, message=refusal.message
            )
        except _Outage as exc:
            return unavailable_response(request, exc.__cause__)
        except Exception as exc:
            if is_outage(exc):
                return unavailable_response(request, exc)
            raise

    def _serve(self, request) -> HttpResponse:
        self._check_size(request)
        key = self._cache_key(request)
        if key is not None:
            cached = cache.get(key)
            if cached is not None:
                response = HttpResponse(cached, content_type="application/json")
                response[public_cache.HIT_HEADER] = "hit"
                return response
        response = self.run(request=request)
        if key is not None and response.status_code == 200:
            public_cache.store(key, response.content)
        return response

    @staticmethod
    def _check_size(request) -> None:
        """The whole body: at most every allowed photo plus the other fields."""
        limit = (
            settings.KANAL_MAX_UPLOADS * settings.KANAL_MAX_UPLOAD_BYTES
            + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        )
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            raise Refused(
                413,
                "PAYLOAD_TOO_LARGE",
                _("Permintaan melebihi %(mb)d MB.") % {"mb": limit // 1_048_576},
            )

    def _cache_key(self, request) -> str | None:
        try:
            return public_cache.cache_key(request)
        except (RequestDataTooBig, UnicodeDecodeError):
            return None  # refused below, when the body is parsed

    # --- parsing: the malformed request becomes a Refused -------------------

    def parse_http_body(self, request):
        try:
            data = super().parse_http_body(request)
        except UnicodeDecodeError as exc:  # the request adapter decodes the body as UTF-8
            raise Refused(400, "INVALID_ENCODING", _("Isi permintaan harus teks UTF-8.")) from exc
        except RequestDataTooBig as exc:
            raise Refused(
                413,
                "PAYLOAD_TOO_LARGE",
                _("Isian permintaan melebihi %(mb)d MB (di luar foto).")
                % {"mb": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1_048_576},
            ) from exc
        except TooManyFilesSent as exc:
            raise Refused(
                400,
                "TOO_MANY_FILES",
                _("Paling banyak %(count)d foto per permintaan.")
                % {"count": settings.KANAL_MAX_UPLOADS},
                field="photos",
            ) from exc
        except TooManyFieldsSent as exc:
            raise Refused(400, "TOO_MANY_FIELDS", _("Terlalu banyak isian formulir.")) from exc
        except MultiPartParserError as exc:
            raise Refused(
                400, "INVALID_MULTIPART", _("Unggahan multipart tidak dapat dibaca.")
            ) from exc
        except (TypeError, AttributeError, IndexError, KeyError, ValueError) as exc:
            if "json" in (request.content_type or ""):  # a JSON body that is not an object
                raise Refused(
                    400,
                    "BAD_REQUEST",
                    _("Isi permintaan harus objek JSON berisi query dan variables."),
                ) from exc
            raise Refused(  # odd 'operations' / 'map' of a multipart upload
                400, "INVALID_MULTIPART", _("Isian 'operations' atau 'map' tidak valid.")
            ) from exc
        for item in data if isinstance(data, list) else [data]:
            if _is_subscription(item.query, item.operation_name):
                raise Refused(
                    400,
                    "SUBSCRIPTION_OVER_HTTP",
                    _("Langganan (subscription) hanya lewat WebSocket di /graphql/."),
                )
            bad = first_bad_input(item.query, item.variables, item.operation_name)
            if bad is not None:
                raise Refused(
                    400,
                    "INVALID_CHARACTERS",
                    _("Isian %(field)s berisi karakter yang tidak diizinkan (NUL).")
                    % {"field": bad},
                    field=bad,
                )
            if item.operation_name is not None and not isinstance(item.operation_name, str):
                raise Refused(
                    400, "BAD_REQUEST", _("operationName harus berupa teks."), "operationName"
                )
        return data

    def decode_json(self, data: str | bytes) -> object:
        if isinstance(data, bytes):
            try:
                data = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise Refused(
                    400, "INVALID_ENCODING", _("Isi permintaan harus teks UTF-8.")
                ) from exc
        try:
            return json.loads(data)
        except RecursionError as exc:
            raise Refused(400, "INVALID_JSON", _("Isi permintaan bukan JSON yang valid.")) from exc

    # --- execution ------------------------------------------------------------

    def get_context(self, request, response) -> KanalContext:
        return KanalContext(request=request, response=response)

    def process_result(self, request, result):
        for error in result.errors or []:
            original = getattr(error, "original_error", None)
            if is_outage(original):
                raise _Outage() from original
        data = super().process_result(request, result)
        for formatted, error in zip(data.get("errors") or [], result.errors or [], strict=False):
            original = getattr(error, "original_error", None)
            extensions = formatted.setdefault("extensions", {})
            if isinstance(original, ServiceError):
                extensions.update(code=original.code, field=original.field)
                if original.details:
                    extensions.update(original.details)
            elif formatted.get("message") == MASKED_MESSAGE:
                extensions.setdefault("code", "INTERNAL_ERROR")  # a crash, masked
            elif original is None or isinstance(original, GraphQLError):
                extensions.setdefault("code", "GRAPHQL_VALIDATION_FAILED")
            else:
                extensions.setdefault("code", "INTERNAL_ERROR")
        return data

    # --- GraphiQL (DEBUG only) ----------------------------------------------

    def render_graphql_ide(self, request) -> HttpResponse:
        """GraphiQL from Kanal's own static files (webapp/dist/graphiql/, copied
        by ``npm run build``; bootstrap in api/static/api/graphiql.js) instead
        of strawberry's CDN page: it works offline and under the CSP, to which
        it only adds the page's WebSocket (subscriptions), the data: fonts its
        stylesheet embeds and one fixed style (below)."""
        from django.template.loader import render_to_string

        from kanal import csp

        tenant = getattr(request, "tenant", None)
        html = render_to_string(
            "api/graphiql.html", {"city_name": getattr(tenant, "name", "")}, request=request
        )
        response = HttpResponse(html)
        response["Cache-Control"] = "no-store"
        # Its dialogs (settings, shortcuts) insert react-remove-scroll-bar's
        # scroll-lock <style>; with no scroll bar to make up for (the IDE fills
        # the window) its text is fixed, so its hash allows exactly it. A GraphiQL
        # upgrade that changes it fails tests/browser/test_csp_in_browser.py.
        dialog_style = "'sha256-Y/huXlwoYkVyQlxwSVcCi1RCDGDCSVBzDt0hYP9qlTc='"
        return csp.add_sources(
            response,
            connect_src=csp.websocket_sources(request),
            font_src=["data:"],
            style_src=[dialog_style],
        )
