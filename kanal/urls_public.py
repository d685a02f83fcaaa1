"""URLs of the vendor's public site (the bare base domain, public schema)."""

from django.contrib import admin
from django.urls import include, path

from kanal import health, views
from tenants import views as billing_views

urlpatterns = [
    # Probes and metrics answer on any host (CityMiddleware serves them first).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", health.metrics, name="metrics"),
    path("", views.platform_home, name="platform-home"),
    path("billing/stripe/webhook/", billing_views.stripe_webhook, name="stripe-webhook"),
    path("i18n/", include("django.conf.urls.i18n")),  # the language switch
    path("admin/", admin.site.urls),
]
