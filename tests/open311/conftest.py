"""Fixtures for Open311: seed cities from the real YAML, keys, real phone photos."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from cityconfig.models import CityProfile
from open311.keys import issue_key
from tests.reports.conftest import CENTERS, world  # noqa: F401  (re-exported fixture)
from verification.samples import phone_photo

_seeds = itertools.count(5000)


def enable_open311(city) -> None:
    """Open the open311 channel for this test only (the seed YAMLs stay as they are)."""
    connection.set_tenant(city)
    profile = CityProfile.load()
    profile.channels = [*profile.channels, "open311"]
    profile.save(update_fields=["channels"])


def api(slug: str) -> Client:
    return Client(HTTP_HOST=f"{slug}.localhost")


def photo_upload(slug: str = "kotacontoh", *, minutes_ago: int = 5) -> SimpleUploadedFile:
    """A fresh phone photo with EXIF time and GPS next to the city centre."""
    lat, lon = CENTERS[slug]
    data = phone_photo(
        seed=next(_seeds),
        width=800,
        height=600,
        taken_at=datetime.now(UTC) - timedelta(minutes=minutes_ago),
        gps=(lat + 0.0001, lon + 0.0001),
    )
    return SimpleUploadedFile("foto.jpg", data, content_type="image/jpeg")


@pytest.fixture
def open311_key(cities):
    """``make(slug)`` → a fresh key issued in that city (its schema left active)."""

    def make(slug: str, name: str = "Aplikasi Open311") -> str:
        connection.set_tenant(cities[slug])
        return issue_key(name, created_by="pytest").key

    return make


def post_form(slug: str, key: str, **fields) -> dict:
    lat, lon = CENTERS[slug]
    return {
        "api_key": key,
        "service_code": "jalan-rusak",
        "lat": str(lat),
        "long": str(lon),
        "description": "Jalan berlubang besar di depan pasar, membahayakan pengendara motor.",
        **fields,
    }
