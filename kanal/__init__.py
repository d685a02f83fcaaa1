"""Kanal project package: settings, URL maps and server entry points.

``platform/`` and ``graphql/`` at the repository root are *plain folders*, not
packages: a regular package with either name would shadow the standard
library's :mod:`platform` and graphql-core (which strawberry imports). The
Django apps live inside them under their own names (``platform/reports``,
``graphql/api``...), and importing :mod:`kanal` puts both folders on
``sys.path``. Every entry point (``manage.py``, ASGI/WSGI, Celery, pytest)
imports this package first.

``kanal.celery_app`` (the Celery application) is loaded on first use only, so
``manage.py`` and the web processes do not pay for importing Celery.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
APP_FOLDERS = (REPO_ROOT / "platform", REPO_ROOT / "graphql")

for _folder in APP_FOLDERS:
    if str(_folder) not in sys.path:
        # Appended, never prepended: the folders only add app names and must
        # never take precedence over the standard library or site-packages.
        sys.path.append(str(_folder))


def __getattr__(name: str):
    if name == "celery_app":
        from kanal.celery import app

        return app
    raise AttributeError(f"module 'kanal' has no attribute {name!r}")
