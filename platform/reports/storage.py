"""Photo storage under a per-city prefix, never served straight from disk.

Files go through Django's storage API into ``<MEDIA_ROOT>/<city schema>/``
(django-tenants' TenantFileSystemStorage); they are served only by the city's
own host, through a view that checks visibility (ISOLATION.md #7). Writing
while no city is active is refused, so nothing lands in a shared folder.
"""

from __future__ import annotations

from django.core.exceptions import SuspiciousOperation
from django.db import connection
from django_tenants.files.storage import TenantFileSystemStorage


class PrivateCityStorage(TenantFileSystemStorage):
    def __init__(self, **kwargs):
        kwargs.setdefault("base_url", "/not-served/")
        super().__init__(**kwargs)

    def _save(self, name, content):
        if connection.schema_name in ("", "public"):
            raise SuspiciousOperation("Photos can only be stored while a city is active.")
        return super()._save(name, content)

    def deconstruct(self):
        return ("reports.storage.PrivateCityStorage", (), {})
