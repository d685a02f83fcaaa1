"""Vendor console fixtures: a real SMTP server, the vendor's browser, a new city's YAML."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from tests.billing.conftest import billing_settings, localstripe, plan, stripe_api  # noqa: F401
from tests.conftest import FIXTURES
from tests.vendor.mail import start_smtp


@pytest.fixture
def smtp(settings):
    """Django sends through SMTP to a real aiosmtpd server; yields its mailbox."""
    controller, mailbox = start_smtp()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = False
    yield mailbox
    controller.stop()


@pytest.fixture
def vendor(db) -> Client:
    """A signed-in vendor superuser on the public site (localhost)."""
    connection.set_schema_to_public()
    user = get_user_model().objects.create_superuser("vendor-ops", "ops@kanal.test", "pw-Kanal-1")
    browser = Client(HTTP_HOST="localhost")
    browser.force_login(user)
    return browser


def new_city_yaml(slug: str = "kotabaru", name: str = "Kota Baru") -> str:
    """Kota Contoh's config as a new city: own slug, name and domain."""
    text = (FIXTURES / "kotacontoh.yaml").read_text()
    text = text.replace("slug: kotacontoh", f"slug: {slug}", 1)
    text = text.replace("lapor.kotacontoh.go.id", f"lapor.{slug}.go.id")
    return text.replace("name: Kota Contoh", f"name: {name}", 1)
