"""Public-schema jobs about the cities themselves."""

from __future__ import annotations

import importlib
import importlib.util
import logging

from django_tenants.utils import get_public_schema_name, schema_context

from kanal.celery import app

logger = logging.getLogger(__name__)
BILLING_MODULE = "tenants.billing"


@app.task(name="tenants.suspend_overdue_cities")
def suspend_overdue_cities():
    """Daily: suspend the cities whose invoices are overdue, when billing exists
    (``tenants.billing.suspend_overdue_cities``); without it, nothing to do."""
    if importlib.util.find_spec(BILLING_MODULE) is None:
        logger.info("No %s module: no billing to enforce.", BILLING_MODULE)
        return None
    billing = importlib.import_module(BILLING_MODULE)  # its own errors are real errors
    with schema_context(get_public_schema_name()):
        return billing.suspend_overdue_cities()
