"""Fixtures for the operations tests: jobs run eagerly (except in the real
worker test), deliveries go to the memory backend, and cities whose data must
really commit (for a worker subprocess, forked migration workers or racing
threads) are made for the test and dropped after it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection

from notifications import backends
from onboarding.loading import parse_config
from onboarding.services import apply_config
from tenants.models import City
from tests.conftest import FIXTURES
from tests.reports.conftest import world  # noqa: F401


@pytest.fixture(autouse=True)
def eager_jobs(settings) -> Iterator[None]:
    from kanal.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True
    settings.KANAL_NOTIFY_BACKEND = "notifications.backends.MemoryBackend"
    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    backends.outbox.clear()
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before
    backends.outbox.clear()


def make_committed_city(slug: str) -> City:
    """A copy of the small test city under another slug, committed."""
    connection.set_schema_to_public()
    drop_city(slug)  # left over by an interrupted run
    text = (FIXTURES / "kotacontoh.yaml").read_text()
    text = text.replace("slug: kotacontoh", f"slug: {slug}").replace(
        "lapor.kotacontoh.go.id", f"lapor.{slug}.go.id"
    )
    apply_config(parse_config(text), actor="pytest")
    return City.objects.get(slug=slug)


def drop_city(slug: str) -> None:
    connection.set_schema_to_public()
    city = City.objects.filter(slug=slug).first()
    if city is not None:
        city.delete(force_drop=True)


@pytest.fixture
def committed_cities(django_db_setup, django_db_blocker):
    """``committed_cities("kotasatu", "kotadua")``: cities whose rows really
    commit; dropped (schema and all) after the test."""
    if not connection.settings_dict["NAME"].startswith("test_"):
        pytest.fail(
            "No test database: pytest-django creates it only when a selected test uses "
            "the database; select one too (e.g. run the whole module)."
        )
    made: list[str] = []

    def make(*slugs: str) -> list[City]:
        with django_db_blocker.unblock():
            cities = [make_committed_city(slug) for slug in slugs]
        made.extend(slugs)
        return cities

    yield make
    with django_db_blocker.unblock():
        for slug in made:
            drop_city(slug)
        connection.set_schema_to_public()
