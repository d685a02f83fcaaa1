"""URLs served on every city's host (the city's schema is active)."""

from django.contrib import admin
from django.urls import include, path, re_path
from webshell import views as shell_views

from api.views import KanalGraphQLView
from kanal import health, views
from onboarding.invites import InviteSetPasswordView
from ranking import views as ranking_views
from reports import views as report_views

urlpatterns = [
    # Probes and metrics answer on any host (CityMiddleware serves them first).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", health.metrics, name="metrics"),
    path("", shell_views.shell, name="city-home"),
    re_path(
        r"^(?P<rest>(?:lapor|command|respond|kerja|survei)(?:/.*)?)$",
        shell_views.shell,
        name="web-app",
    ),
    path("manifest.webmanifest", shell_views.manifest, name="web-manifest"),
    path("sw.js", shell_views.service_worker, name="web-service-worker"),
    path("config/logo", views.city_logo, name="city-logo"),
    path("peringkat/", ranking_views.ranking_list, name="ranking-list"),
    path("peringkat/v<int:version>/", ranking_views.ranking_detail, name="ranking-detail"),
    re_path(
        r"^peringkat/v(?P<version>[0-9]+)\.(?P<fmt>csv|xlsx|png)$",
        ranking_views.ranking_download,
        name="ranking-download",
    ),
    path("graphql/", KanalGraphQLView.as_view(), name="graphql"),
    path(
        "media/laporan/<str:tracking_code>/<str:kind>/<int:position>.jpg",
        report_views.public_photo,
        name="report-photo",
    ),
    path("open311/", include("open311.urls")),
    # Providers' webhooks (WhatsApp, Telegram, SMS, e-mail), checked per city.
    path("channels/", include("messaging.urls")),
    path("i18n/", include("django.conf.urls.i18n")),  # the language switch
    # The one-time link of a staff invitation (onboarding.invites): set a password.
    path("undangan/<uidb64>/<token>/", InviteSetPasswordView.as_view(), name="staff-invite"),
    path("admin/", admin.site.urls),
]
