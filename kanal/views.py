"""The vendor's landing page and each city's logo (a city's home is the web app's
shell, webshell.views)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cityconfig.selectors import city_profile
from tenants.models import City, CityStatus


def platform_home(request: HttpRequest) -> HttpResponse:
    cities = City.objects.exclude(schema_name="public").filter(status=CityStatus.ACTIVE)
    return render(request, "kanal/platform_home.html", {"cities": cities})


def city_logo(request: HttpRequest) -> HttpResponse:
    """The city's logo from its config assets (only files under tenant_configs/assets)."""
    from django.conf import settings
    from django.http import FileResponse, Http404

    logo = city_profile().branding.get("logo", "")
    assets = (settings.TENANT_CONFIG_DIR / "assets").resolve()
    path = (settings.TENANT_CONFIG_DIR / logo).resolve()
    if not logo or not path.is_relative_to(assets) or not path.is_file():
        raise Http404("logo")
    content_type = "image/svg+xml" if path.suffix == ".svg" else None
    return FileResponse(path.open("rb"), content_type=content_type)
