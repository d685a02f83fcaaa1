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
    """The city's logo: one uploaded in the console (the city's own media
    folder, cityconfig.logos) or a file of its config assets (only under
    tenant_configs/assets)."""
    from django.conf import settings
    from django.http import FileResponse, Http404

    from cityconfig.logos import open_uploaded_logo

    logo = city_profile().branding.get("logo", "")
    uploaded = open_uploaded_logo(logo)
    if uploaded is not None:
        response = FileResponse(uploaded, content_type="image/png")
        response["X-Content-Type-Options"] = "nosniff"
        return response
    assets = (settings.TENANT_CONFIG_DIR / "assets").resolve()
    path = (settings.TENANT_CONFIG_DIR / logo).resolve()
    if not logo or not path.is_relative_to(assets) or not path.is_file():
        raise Http404("logo")
    content_type = "image/svg+xml" if path.suffix == ".svg" else None
    return FileResponse(path.open("rb"), content_type=content_type)
