"""ASGI entry point: Django for HTTP, GraphQL subscriptions over WebSocket.

WebSocket connections skip Django's middleware, so the city is resolved here
from the Host header (unknown or unavailable cities are refused before the
handshake) and put on the scope for the subscription to use (ISOLATION.md #3).
"""

import os

import kanal  # noqa: F401

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kanal.settings")

from django.core.asgi import get_asgi_application

django_application = get_asgi_application()

from channels.db import database_sync_to_async  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.db import connection  # noqa: E402
from django.urls import re_path  # noqa: E402
from strawberry.channels import GraphQLWSConsumer  # noqa: E402

from api.schema import schema  # noqa: E402
from tenants.models import CityStatus, Domain  # noqa: E402


def _city_for_host(host: str):
    connection.set_schema_to_public()
    domain = Domain.objects.select_related("tenant").filter(domain=host).first()
    city = domain.tenant if domain else None
    if city is None or city.schema_name == "public" or city.status != CityStatus.ACTIVE:
        return None
    return city


class CityWebsocketMiddleware:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        headers = dict(scope.get("headers") or [])
        host = headers.get(b"host", b"").decode("latin-1").split(":")[0].strip().lower()
        city = await database_sync_to_async(_city_for_host)(host) if host else None
        if city is None:
            await send({"type": "websocket.close", "code": 4404})
            return
        return await self.app({**scope, "tenant": city}, receive, send)


application = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": CityWebsocketMiddleware(
            URLRouter([re_path(r"^graphql/?$", GraphQLWSConsumer.as_asgi(schema=schema))])
        ),
    }
)
