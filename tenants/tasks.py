"""Public-schema jobs about the cities themselves."""

from __future__ import annotations

from django_tenants.utils import get_public_schema_name, schema_context

from kanal.celery import app
from tenants import billing


@app.task(name="tenants.suspend_overdue_cities")
def suspend_overdue_cities():
    """Daily: suspend the cities whose invoices are overdue (``tenants.billing``)."""
    with schema_context(get_public_schema_name()):
        return billing.suspend_overdue_cities()
