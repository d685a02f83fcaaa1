"""Background jobs that belong to a city, and the fan-out that starts them.

ISOLATION.md #4: a Celery task without tenant context runs in ``public``. Every
city job is therefore a :class:`CityTask`: the message carries the city's
schema (tenant-schemas-celery's ``_schema_name`` header), the worker switches
to that schema before running it, and the task refuses to run anywhere else:
sent without a city, for a city that no longer exists or is archived, it logs a
warning and does nothing.

Beat starts one *fan-out* task per job in the public schema; :func:`fan_out`
enqueues the city task once per active city, so every city's work runs in its
own schema, in its own task (one slow or failing city does not hold up the
others).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import connection
from django_tenants.utils import get_public_schema_name, schema_context
from tenant_schemas_celery.app import get_schema_name_from_task
from tenant_schemas_celery.task import TenantTask

from kanal.logs import log_context

logger = logging.getLogger("kanal.jobs")
SCHEMA_HEADER = "_schema_name"


@dataclass(frozen=True)
class UnavailableCity:
    """Stands in for a city whose task must not run (row deleted, or archived).

    tenant-schemas-celery switches the connection to whatever this returns;
    its ``schema_name`` is the public schema, so even then nothing can touch a
    leftover schema of a deleted city. :meth:`CityTask.__call__` sees it and skips.
    """

    requested_schema: str
    reason: str

    @property
    def schema_name(self) -> str:
        return get_public_schema_name()

    tenant_type = None


class CityTask(TenantTask):
    """Base class of every task that works inside one city's schema."""

    abstract = True

    @classmethod
    def get_tenant_for_schema(cls, schema_name):
        from tenants.models import City, CityStatus

        city = City.objects.filter(schema_name=schema_name).first()
        if city is None:
            return UnavailableCity(schema_name, "no such city (deleted?)")
        if city.status == CityStatus.ARCHIVED:
            return UnavailableCity(schema_name, "the city is archived")
        return city

    def _city_or_none(self):
        requested = get_schema_name_from_task(self, {}) or get_public_schema_name()
        tenant = getattr(connection, "tenant", None)
        problem = None
        if requested == get_public_schema_name():
            problem = "it was sent without a city (public schema)"
        elif isinstance(tenant, UnavailableCity):
            problem = tenant.reason
        elif connection.schema_name != requested:
            problem = f"the worker is on schema {connection.schema_name!r}"
        elif not hasattr(tenant, "slug"):  # already on the schema: load the row
            tenant = self.get_tenant_for_schema(requested)
            if isinstance(tenant, UnavailableCity):
                problem = tenant.reason
        if problem:
            logger.warning(
                "Skipping job %s for city schema %r: %s; nothing was done.",
                self.name,
                requested,
                problem,
            )
            return None
        return tenant

    def __call__(self, *args, **kwargs):
        if self.request.called_directly:  # a plain function call: the caller's schema
            return super().__call__(*args, **kwargs)
        city = self._city_or_none()
        if city is None:
            return None
        with log_context(city=city.slug, request_id=self.request.id):
            return self.run(*args, **kwargs)


def active_city_schemas() -> list[str]:
    from tenants.models import City, CityStatus

    with schema_context(get_public_schema_name()):
        return list(
            City.objects.exclude(schema_name=get_public_schema_name())
            .filter(status=CityStatus.ACTIVE)
            .order_by("slug")
            .values_list("schema_name", flat=True)
        )


def send_to_city(task, schema_name: str, *, kwargs: dict | None = None, **options):
    """Enqueue ``task`` to run in the city whose schema is ``schema_name``."""
    headers = {**(options.pop("headers", None) or {}), SCHEMA_HEADER: schema_name}
    return task.apply_async(kwargs=kwargs or {}, headers=headers, **options)


def fan_out(task, *, kwargs: dict | None = None, expires: float | None = None) -> int:
    """Enqueue ``task`` once per active city. ``expires`` (seconds) drops a
    city's run that no worker took in time: the next beat covers it."""
    schemas = active_city_schemas()
    for schema in schemas:
        send_to_city(task, schema, kwargs=kwargs, expires=expires)
    logger.info("%s queued for %d cities", task.name, len(schemas))
    return len(schemas)
