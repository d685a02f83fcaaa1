"""Outbox delivery: due messages are sent once, failures back off
exponentially, and after N attempts (or a permanent failure) a message is dead."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from notifications import backends
from notifications.backends import PermanentFailure
from notifications.delivery import deliver_due, retry_delay
from notifications.models import OutboxMessage, OutboxStatus
from notifications.services import notify
from people.models import Citizen


class GatewayDown:
    """A channel whose gateway does not answer."""

    def send(self, message) -> None:
        raise ConnectionError("gateway down")


class NumberDoesNotExist:
    def send(self, message) -> None:
        raise PermanentFailure("nomor tidak terdaftar")


def message(kind: str = "ops.test", **fields) -> OutboxMessage:
    citizen, _ = Citizen.objects.get_or_create(phone="+6281234500099")
    with transaction.atomic():
        created = notify(kind, citizen=citizen, note="uji")
    if fields:
        OutboxMessage.objects.filter(pk=created.pk).update(**fields)
        created.refresh_from_db()
    return created


def test_due_messages_are_sent_once_and_others_left_alone(world):
    world("mataram")
    now = timezone.now()
    pending = message("ops.pending")
    retry_due = message("ops.retry", status=OutboxStatus.FAILED, attempts=2, next_attempt_at=now)
    later = message(
        "ops.later", status=OutboxStatus.FAILED, next_attempt_at=now + timedelta(hours=1)
    )
    dead = message("ops.dead", status=OutboxStatus.DEAD, attempts=8)

    result = deliver_due(now=now)
    assert (result.sent, result.failed, result.dead) == (2, 0, 0)
    assert {d.kind for d in backends.outbox} == {"ops.pending", "ops.retry"}
    assert {d.schema for d in backends.outbox} == {"kota_mataram"}
    assert backends.outbox[0].recipient == "citizen"
    for item, status, attempts in [
        (pending, OutboxStatus.SENT, 1),
        (retry_due, OutboxStatus.SENT, 3),
        (later, OutboxStatus.FAILED, 0),
        (dead, OutboxStatus.DEAD, 8),
    ]:
        item.refresh_from_db()
        assert (item.status, item.attempts) == (status, attempts), item.kind
    pending.refresh_from_db()
    assert pending.sent_at is not None and pending.next_attempt_at is None

    again = deliver_due(now=now)  # idempotent: nothing is sent twice
    assert again.sent == 0
    assert len(backends.outbox) == 2


def test_failures_back_off_exponentially_then_the_message_is_dead(world, settings):
    settings.KANAL_NOTIFY_MAX_ATTEMPTS = 3
    settings.KANAL_NOTIFY_RETRY_BASE_SECONDS = 30
    world("pangkalpinang")
    item = message()
    t0 = timezone.now()
    gateway = GatewayDown()

    assert deliver_due(now=t0, backend=gateway).failed == 1
    item.refresh_from_db()
    assert item.status == OutboxStatus.FAILED and item.attempts == 1
    assert item.next_attempt_at == t0 + timedelta(seconds=30)
    assert item.last_error == "ConnectionError: gateway down"

    assert deliver_due(now=t0 + timedelta(seconds=10), backend=gateway).failed == 0  # not due
    t1 = t0 + timedelta(seconds=31)
    assert deliver_due(now=t1, backend=gateway).failed == 1
    item.refresh_from_db()
    assert item.attempts == 2 and item.next_attempt_at == t1 + timedelta(seconds=60)

    t2 = t1 + timedelta(seconds=61)
    assert deliver_due(now=t2, backend=gateway).dead == 1
    item.refresh_from_db()
    assert (item.status, item.attempts, item.next_attempt_at) == (OutboxStatus.DEAD, 3, None)
    assert item.last_error == "ConnectionError: gateway down"

    later = deliver_due(now=t2 + timedelta(days=1), backend=gateway)
    assert (later.sent, later.failed, later.dead) == (0, 0, 0)


def test_a_failed_message_goes_out_when_the_gateway_recovers(world):
    world("serang")
    item = message()
    t0 = timezone.now()
    deliver_due(now=t0, backend=GatewayDown())
    assert deliver_due(now=t0 + timedelta(minutes=5)).sent == 1  # the memory backend
    item.refresh_from_db()
    assert (item.status, item.attempts) == (OutboxStatus.SENT, 2)
    assert item.last_error == "ConnectionError: gateway down"  # kept: it did fail once


def test_a_permanent_failure_is_dead_at_once(world):
    world("jakarta")
    item = message()
    assert deliver_due(backend=NumberDoesNotExist()).dead == 1
    item.refresh_from_db()
    assert (item.status, item.attempts) == (OutboxStatus.DEAD, 1)
    assert "nomor tidak terdaftar" in item.last_error


def test_the_backend_comes_from_the_setting(world, settings):
    settings.KANAL_NOTIFY_BACKEND = "tests.ops.test_outbox.GatewayDown"
    world("mataram")
    message()
    assert deliver_due().failed == 1
    assert backends.outbox == []


@pytest.mark.parametrize(
    ("attempts", "seconds"), [(1, 30), (2, 60), (3, 120), (8, 3840), (20, 6 * 3600)]
)
def test_retry_delay_doubles_up_to_a_cap(attempts, seconds):
    assert retry_delay(attempts) == timedelta(seconds=seconds)


class SlowGateway:
    """Takes a while per message and remembers what it was asked to send."""

    def __init__(self):
        self.sent: list[int] = []
        self.lock = threading.Lock()

    def send(self, message) -> None:
        time.sleep(0.02)
        with self.lock:
            self.sent.append(message.pk)


def test_two_deliveries_at_once_send_each_message_once(committed_cities, django_db_blocker):
    (city,) = committed_cities("kotaantre")
    gateway = SlowGateway()
    with django_db_blocker.unblock():
        connection.set_tenant(city)
        citizen, _ = Citizen.objects.get_or_create(phone="+6281234500055")
        with transaction.atomic():
            ids = [notify("ops.race", citizen=citizen).pk for _ in range(30)]
        barrier = threading.Barrier(3)
        errors: list[Exception] = []

        def deliver():
            try:
                connection.set_tenant(city)
                barrier.wait()
                deliver_due(backend=gateway)
            except Exception as exc:  # asserted below
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=deliver) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert sorted(gateway.sent) == sorted(ids)  # every one, none twice
        connection.set_tenant(city)
        sent = OutboxMessage.objects.filter(pk__in=ids, status=OutboxStatus.SENT)
        assert sent.count() == 30
        assert set(sent.values_list("attempts", flat=True)) == {1}
        connection.set_schema_to_public()
