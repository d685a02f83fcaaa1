"""``reportEvents``: the command center's live feed over graphql-transport-ws.

The city comes from the socket's host (set on the ASGI scope by
``kanal.asgi.CityWebsocketMiddleware``), never from the database connection,
and the caller's token is checked inside that city's schema explicitly.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry
from channels.db import database_sync_to_async
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from kanal.errors import PermissionDenied
from people.actors import Actor
from people.tokens import actor_for_token
from reports.access import may_watch_city
from reports.events import EVENT_TYPE, group_name
from reports.models import Status
from reports.outcome import action_label


@strawberry.type
class ReportEvent:
    tracking_code: str
    action: str
    label: str = strawberry.field(
        description="The action in plain words, in the language of the connection's `lang`."
    )
    status: str
    status_label: str
    category_code: str
    opd_code: str | None
    opd_name: str | None
    latitude: float
    longitude: float
    at: datetime | None


def _actor(city, params: dict) -> Actor:
    connection.set_tenant(city)  # explicitly: async entry points skip the middleware
    header = str(params.get("Authorization") or params.get("authorization") or "")
    if not header.lower().startswith("bearer "):
        return Actor.anonymous()
    return actor_for_token(city.slug, header[7:].strip())


@strawberry.type
class Subscription:
    @strawberry.subscription(description="New and changed reports of this city (staff).")
    async def report_events(self, info: strawberry.Info) -> AsyncGenerator[ReportEvent, None]:
        consumer = info.context["ws"]
        city = consumer.scope["tenant"]
        actor = await database_sync_to_async(_actor)(
            city, info.context.get("connection_params") or {}
        )
        if not may_watch_city(actor):
            raise PermissionDenied(
                message=_("Khusus command center dan operator."),
            )
        params = info.context.get("connection_params") or {}
        lang = "en" if str(params.get("lang") or "").lower().startswith("en") else "id"
        async with consumer.listen_to_channel(
            EVENT_TYPE, groups=[group_name(city.schema_name)]
        ) as events:
            async for message in events:
                event = message["event"]
                with translation.override(lang):
                    label = action_label(event["action"], event["status"])
                    status_label = str(Status(event["status"]).label)
                yield ReportEvent(
                    **{k: v for k, v in event.items() if k != "at"},
                    label=label,
                    status_label=status_label,
                    at=datetime.fromisoformat(event["at"]) if event.get("at") else None,
                )
