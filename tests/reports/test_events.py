"""Live report events: sent after commit, and, inside ``events.batched()`` (the
SLA sweep), held until the block ends and then sent together, in order."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from asgiref.sync import async_to_sync
from channels.layers import DEFAULT_CHANNEL_LAYER, channel_layers

from reports import events


@pytest.fixture
def listener(cities):
    """A channel in Mataram's report group on the real Redis layer.
    Each drain runs in one event loop of its own with a fresh layer instance
    (channels_redis binds its receive buffers to the loop that made them)."""
    channel = f"kanal-test-listener-{uuid.uuid4().hex}"
    group = events.group_name(cities["mataram"].schema_name)
    async_to_sync(channel_layers.make_backend(DEFAULT_CHANNEL_LAYER).group_add)(group, channel)

    async def receive_all(first_timeout: float) -> list[dict]:
        layer = channel_layers.make_backend(DEFAULT_CHANNEL_LAYER)
        received, timeout = [], first_timeout
        while True:
            try:
                message = await asyncio.wait_for(layer.receive(channel), timeout)
            except TimeoutError:
                return received
            received.append(message["event"])
            timeout = 0.3

    def drain(timeout: float = 1.0) -> list[dict]:
        return async_to_sync(receive_all)(timeout)

    yield drain
    async_to_sync(channel_layers.make_backend(DEFAULT_CHANNEL_LAYER).group_discard)(group, channel)


def test_batched_events_wait_for_the_block_then_arrive_in_order(
    world, listener, django_capture_on_commit_callbacks
):
    city = world("mataram")
    with events.batched():
        with django_capture_on_commit_callbacks(execute=True):
            first = city.submit().report
        with django_capture_on_commit_callbacks(execute=True):
            second = city.submit().report
        assert listener(timeout=0.5) == []  # committed, but held until the block ends
    received = listener()
    codes = [event["tracking_code"] for event in received]
    assert set(codes) == {first.tracking_code, second.tracking_code}
    assert codes == sorted(codes, key=[first.tracking_code, second.tracking_code].index)
    assert received[-1]["status"] == second.status


def test_unbatched_events_arrive_at_commit(world, listener, django_capture_on_commit_callbacks):
    city = world("mataram")
    with django_capture_on_commit_callbacks(execute=True):
        report = city.submit().report
    assert {event["tracking_code"] for event in listener()} == {report.tracking_code}
