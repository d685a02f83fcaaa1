"""reportEvents over graphql-transport-ws, driven through the ASGI app: two
cities subscribed at once each hear only their own reports (ISOLATION.md #3)."""

from __future__ import annotations

import asyncio
import json
import secrets

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing.websocket import WebsocketCommunicator
from django.db import connection

from onboarding.loading import parse_config
from onboarding.services import apply_config
from people.tokens import issue_token
from tenants.models import City
from tests.conftest import FIXTURES
from tests.factories import CityWorld


async def subscribe(host: str, token: str | None) -> WebsocketCommunicator:
    from kanal.asgi import application

    socket = WebsocketCommunicator(
        application,
        "/graphql/",
        subprotocols=["graphql-transport-ws"],
        headers=[(b"host", host.encode())],
    )
    connected, _ = await socket.connect()
    assert connected
    payload = {"Authorization": f"Bearer {token}"} if token else {}
    await socket.send_to(text_data=json.dumps({"type": "connection_init", "payload": payload}))
    assert json.loads(await socket.receive_from())["type"] == "connection_ack"
    await socket.send_to(
        text_data=json.dumps(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {
                    "query": "subscription { reportEvents { trackingCode action status opdCode } }"
                },
            }
        )
    )
    return socket


async def next_message(socket, timeout=3.0):
    return json.loads(await socket.receive_from(timeout=timeout))


@pytest.fixture
def two_committed_cities(django_db_blocker):
    """Two cities whose rows really commit: the ASGI side runs on its own
    connections (channels closes connections that sit in a test transaction)."""
    with django_db_blocker.unblock():
        cities = []
        for slug in ("kotawsa", "kotawsb"):
            if not City.objects.filter(slug=slug).exists():
                text = (FIXTURES / "kotacontoh.yaml").read_text()
                text = text.replace("slug: kotacontoh", f"slug: {slug}").replace(
                    "lapor.kotacontoh.go.id", f"lapor.{slug}.go.id"
                )
                apply_config(parse_config(text), actor="pytest")
            cities.append(City.objects.get(slug=slug))
        yield cities
        connection.set_schema_to_public()


@pytest.mark.isolation
def test_two_cities_hear_only_their_own_reports(two_committed_cities, django_db_blocker):
    city_a, city_b = two_committed_cities
    with django_db_blocker.unblock():
        world_a, world_b = CityWorld(city_a), CityWorld(city_b)
        connection.set_tenant(city_a)
        token_a = issue_token(city_a.slug, user=world_a.staff("command_center").user).token
        connection.set_tenant(city_b)
        token_b = issue_token(city_b.slug, user=world_b.staff("command_center").user).token

        def submit_in_a():
            connection.set_tenant(city_a)
            lat, lon = world_a.center
            return world_a.submit(near=(lat + secrets.randbelow(50) * 0.0008, lon)).report

        async def scenario():
            # One event loop for the whole conversation (the sockets live in it).
            socket_a = await subscribe(f"{city_a.slug}.localhost", token_a)
            socket_b = await subscribe(f"{city_b.slug}.localhost", token_b)
            await asyncio.sleep(0.5)  # the protocol has no ack for "subscribe"; let it join
            try:
                report = await sync_to_async(submit_in_a)()
                events = [await next_message(socket_a) for _ in range(3)]
                quiet = await socket_b.receive_nothing(timeout=0.5)
            finally:
                await socket_a.disconnect()
                await socket_b.disconnect()
            return report, events, quiet

        report, events, b_heard_nothing = async_to_sync(scenario)()
    data = [e["payload"]["data"]["reportEvents"] for e in events]
    assert [d["action"] for d in data] == ["submitted", "verified", "assigned"]
    assert {d["trackingCode"] for d in data} == {report.tracking_code}
    assert b_heard_nothing


def test_citizens_cannot_watch_the_command_center_feed(two_committed_cities, django_db_blocker):
    city_a, _ = two_committed_cities
    with django_db_blocker.unblock():
        connection.set_tenant(city_a)
        token = issue_token(city_a.slug, citizen=CityWorld(city_a).citizen().citizen).token

    async def scenario():
        socket = await subscribe(f"{city_a.slug}.localhost", token)
        try:
            return await next_message(socket)
        finally:
            await socket.disconnect()

    message = async_to_sync(scenario)()
    # graphql-transport-ws delivers execution errors in a "next" message.
    assert message["type"] in {"next", "error"}
    assert message["payload"]["data"] is None if message["type"] == "next" else True
    assert "command center" in json.dumps(message).lower()


def test_unknown_host_is_refused_before_the_handshake(db):
    from kanal.asgi import application

    async def connect():
        socket = WebsocketCommunicator(
            application,
            "/graphql/",
            subprotocols=["graphql-transport-ws"],
            headers=[(b"host", b"atlantis.localhost")],
        )
        connected, code = await socket.connect()
        return connected, code

    connected, code = async_to_sync(connect)()
    assert not connected and code == 4404
