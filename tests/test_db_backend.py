"""kanal.db: django-tenants' backend with a table listing that reads only the
schemas on the search path (so migrating a new city does not slow down as
cities multiply) and lists exactly what Django's own query lists."""

from __future__ import annotations

from django.db import connection
from django.db.backends.postgresql.introspection import DatabaseIntrospection
from django_tenants.postgresql_backend.introspection import (
    DatabaseSchemaIntrospectionSearchPathContext,
)


def test_a_citys_table_listing_is_its_own_and_the_same_as_djangos(cities):
    connection.set_tenant(cities["mataram"])
    with connection.cursor() as cursor:
        ours = sorted(connection.introspection.get_table_list(cursor))
        with DatabaseSchemaIntrospectionSearchPathContext(cursor, connection):
            djangos = sorted(DatabaseIntrospection.get_table_list(connection.introspection, cursor))
    names = {table.name for table in ours}
    assert ours == djangos
    assert {"reports_report", "cityconfig_category", "django_migrations"} <= names
    assert "tenants_city" not in names  # public schema tables are not the city's


def test_the_public_schema_lists_the_platform_tables(db):
    connection.set_schema_to_public()
    names = set(connection.introspection.table_names())
    assert {"tenants_city", "tenants_domain"} <= names
    assert "reports_report" not in names
