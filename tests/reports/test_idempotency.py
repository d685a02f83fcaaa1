"""The same idempotency key, even sent concurrently, yields one report."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from onboarding.loading import parse_config
from onboarding.services import apply_config
from reports.models import Report
from tenants.models import City
from tests.conftest import FIXTURES
from tests.factories import CityWorld


def test_same_key_twice_returns_the_same_report(world):
    city = world("mataram")
    citizen = city.citizen()
    photo = city.photo()
    first = city.submit(citizen, photos=[photo], idempotency_key="a7f0c6e2-0001")
    again = city.submit(citizen, photos=[photo], idempotency_key="a7f0c6e2-0001")
    assert (first.created, again.created) == (True, False)
    assert again.report.pk == first.report.pk
    assert Report.objects.filter(idempotency_key="a7f0c6e2-0001").count() == 1


def test_same_key_from_another_citizen_is_a_conflict(world):
    from kanal.errors import Conflict

    city = world("mataram")
    city.submit(city.citizen(), idempotency_key="shared-key-1")
    with pytest.raises(Conflict):
        city.submit(city.citizen("+6281311112222"), idempotency_key="shared-key-1")


@pytest.fixture
def committed_city(django_db_blocker):
    """A city of its own whose rows really commit, so threads can race."""
    with django_db_blocker.unblock():
        text = (FIXTURES / "kotacontoh.yaml").read_text()
        text = text.replace("slug: kotacontoh", "slug: kotaparalel").replace(
            "lapor.kotacontoh.go.id", "lapor.kotaparalel.go.id"
        )
        apply_config(parse_config(text), actor="pytest")
        city = City.objects.get(slug="kotaparalel")
        yield city
        connection.set_schema_to_public()


def test_concurrent_submissions_with_one_key_create_one_report(committed_city, django_db_blocker):
    with django_db_blocker.unblock():
        connection.set_tenant(committed_city)
        world = CityWorld(committed_city)
        citizen = world.citizen("+6281377770000")
        photo = world.photo()
        barrier = threading.Barrier(4)
        results, errors = [], []

        def submit():
            try:
                connection.set_tenant(committed_city)
                barrier.wait()
                results.append(world.submit(citizen, photos=[photo], idempotency_key="race-key-7"))
            except Exception as exc:  # collected and asserted below
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=submit) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        connection.set_tenant(committed_city)
        assert Report.objects.filter(idempotency_key="race-key-7").count() == 1
        assert len({r.report.pk for r in results}) == 1
        assert sum(r.created for r in results) == 1
