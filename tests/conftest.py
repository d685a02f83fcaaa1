"""Test fixtures: cities are built from the real YAML in tenant_configs/.

The seed cities are onboarded once per test session into the test database
(real PostgreSQL); each test then runs in a transaction that is rolled back.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from onboarding.loading import load_config
from onboarding.services import apply_config, ensure_public_tenant
from tenants.models import City

ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = ROOT / "tenant_configs"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED_SLUGS = ("pangkalpinang", "mataram", "serang", "jakarta")


def seed_config_paths() -> list[Path]:
    return sorted(CONFIG_DIR.glob("*.yaml"))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker) -> None:
    """Onboard every seed city (and the small test city) once for the session."""
    with django_db_blocker.unblock():
        ensure_public_tenant()
        for path in [*seed_config_paths(), FIXTURES / "kotacontoh.yaml"]:
            apply_config(load_config(path), actor="pytest", source=str(path))
        connection.set_schema_to_public()


@pytest.fixture(autouse=True)
def _public_schema_after_test() -> Iterator[None]:
    yield
    connection.set_schema_to_public()


@pytest.fixture
def cities(db) -> dict[str, City]:
    return {city.slug: city for city in City.objects.exclude(schema_name="public")}


def host(slug: str) -> str:
    return f"{slug}.localhost"


@pytest.fixture
def client() -> Client:
    return Client()


class CityClient(Client):
    """A test client whose requests all go to one city's host."""

    def __init__(self, slug: str, **defaults):
        super().__init__(HTTP_HOST=host(slug), **defaults)


@pytest.fixture
def city_client():
    return CityClient


@pytest.fixture
def world(cities):
    """``world("mataram")`` activates that city and makes citizens, staff, photos
    and reports in it (tests/factories.py)."""
    from tests.factories import CityWorld

    def make(slug: str):
        return CityWorld(cities[slug])

    return make
