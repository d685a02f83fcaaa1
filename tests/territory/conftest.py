"""Fixtures for areas with polygons: the seed cities' API clients and tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from shapely.geometry import shape

from cityconfig.models import Area
from people.tokens import issue_token
from tests.api.conftest import (  # noqa: F401 (fixtures shared with the API tests)
    Api,
    api,
    fresh_rate_limits,
)
from verification.samples import phone_photo

_seeds = iter(range(7000, 9000))


def inside(code: str) -> tuple[float, float]:
    """(lat, lon) of a point inside the area's polygon (city schema active)."""
    point = shape(Area.objects.get(code=code).boundary).representative_point()
    return point.y, point.x


def photo(lat: float, lon: float) -> bytes:
    return phone_photo(
        seed=next(_seeds),
        width=800,
        height=600,
        taken_at=datetime.now(UTC) - timedelta(minutes=5),
        gps=(lat + 0.00005, lon + 0.00005),
    )


class Tokens:
    """Tokens of a citizen and staff of one city (``world`` makes the people)."""

    def __init__(self, world, slug: str):
        city = world(slug)
        self.slug = slug
        self.citizen = issue_token(slug, citizen=city.citizen("+6281233300001").citizen).token
        self.operator = issue_token(
            slug, user=city.staff("operator", username=f"op-{slug}").user
        ).token
        self.surveyor = issue_token(
            slug, user=city.staff("survey_officer", username=f"sv-{slug}").user
        ).token
        connection.set_tenant(city.city)


@pytest.fixture
def tokens(world):
    return lambda slug: Tokens(world, slug)
