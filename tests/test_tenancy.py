"""The host name picks the city; unknown hosts and unavailable cities get clear
answers; one city's data, sessions and cache never show on another's host."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test import Client

from cityconfig.models import Category, CategoryGroup
from tenants.models import CityStatus

pytestmark = pytest.mark.isolation


@pytest.mark.parametrize(
    ("slug", "app_name"),
    [
        ("pangkalpinang", "Lapor Mang"),
        ("mataram", "Mataramku Lapor"),
        ("serang", "RABEG"),
        ("jakarta", "Jakarta Smart City"),
    ],
)
def test_city_home_shows_its_own_name_app_and_categories(cities, city_client, slug, app_name):
    response = city_client(slug).get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert app_name in page
    assert cities[slug].official_name in page
    connection.set_tenant(cities[slug])
    first_category = Category.objects.active().first()
    assert first_category.name_id in page


def test_host_with_port_and_custom_domain_reach_the_city(cities, settings):
    settings.ALLOWED_HOSTS = [".localhost", "lapor.kotacontoh.go.id"]
    assert "Contoh Lapor" in Client(HTTP_HOST="kotacontoh.localhost:8000").get("/").content.decode()
    custom = Client(HTTP_HOST="lapor.kotacontoh.go.id").get("/")
    assert custom.status_code == 200
    assert "Contoh Lapor" in custom.content.decode()


def test_unknown_host_gets_a_clear_404_page(db):
    response = Client(HTTP_HOST="atlantis.localhost").get("/")
    assert response.status_code == 404
    assert "Kota tidak ditemukan" in response.content.decode()
    assert "atlantis.localhost" in response.content.decode()


def test_unknown_host_gets_a_json_404_for_apps(db):
    response = Client(HTTP_HOST="atlantis.localhost").get("/graphql/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "UNKNOWN_HOST"


def test_disallowed_host_is_answered_clearly(db):
    response = Client(HTTP_HOST="evil.example.com").get("/", HTTP_ACCEPT="application/json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "UNKNOWN_HOST"


def test_suspended_city_answers_service_suspended_and_keeps_its_data(cities, city_client):
    city = cities["serang"]
    city.status = CityStatus.SUSPENDED
    city.save()
    response = city_client("serang").get("/")
    assert response.status_code == 503
    assert "Layanan ditangguhkan" in response.content.decode()
    api = city_client("serang").get("/graphql/")
    assert api.json()["error"]["code"] == "CITY_SUSPENDED"
    connection.set_tenant(city)
    assert Category.objects.count() > 0  # nothing deleted
    connection.set_schema_to_public()
    city.status = CityStatus.ACTIVE
    city.save()
    assert city_client("serang").get("/").status_code == 200


def test_archived_city_answers_gone(cities, city_client):
    city = cities["serang"]
    city.status = CityStatus.ARCHIVED
    city.save()
    assert city_client("serang").get("/").status_code == 410


@pytest.fixture
def secret_category(cities):
    """A category that exists only in Mataram."""
    connection.set_tenant(cities["mataram"])
    group = CategoryGroup.objects.create(code="rahasia", name_id="Rahasia", name_en="Secret")
    Category.objects.create(
        code="kategori-rahasia", group=group, name_id="Kategori Rahasia Mataram", name_en="Secret"
    )
    connection.set_schema_to_public()
    return "Kategori Rahasia Mataram"


def logged_in_admin(city, username="diskominfo") -> Client:
    """A browser on the city's host, logged in as a new superuser of that city."""
    connection.set_tenant(city)
    get_user_model().objects.create_superuser(username, f"{username}@x.test", "pw-Kanal-123")
    connection.set_schema_to_public()
    browser = Client(HTTP_HOST=f"{city.slug}.localhost")
    # Through the real login form (django-axes throttles it; no shortcut login).
    response = browser.post(
        "/admin/login/", {"username": username, "password": "pw-Kanal-123", "next": "/admin/"}
    )
    assert response.status_code == 302, response.content[:300]
    return browser


def test_data_made_in_mataram_is_invisible_from_pangkalpinang_pages(secret_category, city_client):
    assert secret_category in city_client("mataram").get("/").content.decode()
    assert secret_category not in city_client("pangkalpinang").get("/").content.decode()


def test_data_made_in_mataram_is_invisible_in_pangkalpinang_admin(cities, secret_category):
    mataram_admin = logged_in_admin(cities["mataram"])
    page = mataram_admin.get("/admin/cityconfig/category/")
    assert page.status_code == 200
    assert secret_category in page.content.decode()

    pangkal_admin = logged_in_admin(cities["pangkalpinang"])
    page = pangkal_admin.get("/admin/cityconfig/category/")
    assert page.status_code == 200
    assert "Jalan" in page.content.decode()  # its own categories are listed
    assert secret_category not in page.content.decode()


def test_a_mataram_session_does_not_log_in_on_pangkalpinang(cities):
    browser = logged_in_admin(cities["mataram"], "lurah")
    assert browser.get("/admin/").status_code == 200
    # The same cookie jar sent to another city's host: no session there.
    response = browser.get("/admin/", HTTP_HOST="pangkalpinang.localhost")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_session_cookies_are_host_only(settings):
    assert settings.SESSION_COOKIE_DOMAIN is None
    assert settings.CSRF_COOKIE_DOMAIN is None


def test_cache_keys_do_not_cross_cities(cities):
    connection.set_tenant(cities["mataram"])
    cache.set("dashboard-counts", "mataram-figures")
    assert cache.get("dashboard-counts") == "mataram-figures"
    connection.set_tenant(cities["pangkalpinang"])
    assert cache.get("dashboard-counts") is None
