import os

import kanal  # noqa: F401

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kanal.settings")

from django.core.asgi import get_asgi_application

application = get_asgi_application()
