import os

import kanal  # noqa: F401

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kanal.settings")

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
