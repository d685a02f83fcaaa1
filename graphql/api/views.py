"""The GraphQL endpoint: multipart uploads, bearer-token auth, errors with codes."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from strawberry.django.views import GraphQLView

from api import public_cache
from api.context import KanalContext
from kanal.errors import ServiceError


@method_decorator(csrf_exempt, name="dispatch")  # bearer tokens only; cookies are ignored
class KanalGraphQLView(GraphQLView):
    def __init__(self, **kwargs):
        from api.schema import schema

        kwargs.setdefault("schema", schema)
        kwargs.setdefault("multipart_uploads_enabled", True)
        kwargs.setdefault("graphql_ide", "graphiql" if settings.DEBUG else None)
        super().__init__(**kwargs)

    def dispatch(self, request, *args, **kwargs):
        key = public_cache.cache_key(request)
        if key is not None:
            cached = cache.get(key)
            if cached is not None:
                response = HttpResponse(cached, content_type="application/json")
                response[public_cache.HIT_HEADER] = "hit"
                return response
        response = super().dispatch(request, *args, **kwargs)
        if key is not None and response.status_code == 200:
            public_cache.store(key, response.content)
        return response

    def get_context(self, request, response) -> KanalContext:
        return KanalContext(request=request, response=response)

    def process_result(self, request, result):
        data = super().process_result(request, result)
        for formatted, error in zip(data.get("errors") or [], result.errors or [], strict=False):
            original = getattr(error, "original_error", None)
            extensions = formatted.setdefault("extensions", {})
            if isinstance(original, ServiceError):
                extensions.update(code=original.code, field=original.field)
            else:
                extensions.setdefault("code", "GRAPHQL_ERROR")
        return data
