"""Open311 GeoReport v2 under ``/open311/`` on each city's host."""

from django.urls import path, re_path

from open311 import views
from reports import views as report_views

FMT = r"\.(?P<fmt>[^/.]+)$"

urlpatterns = [
    re_path(r"^v2/discovery" + FMT, views.discovery, name="open311-discovery"),
    re_path(r"^v2/services" + FMT, views.service_list, name="open311-services"),
    re_path(
        r"^v2/services/(?P<service_code>[^/]+?)" + FMT,
        views.service_definition,
        name="open311-service-definition",
    ),
    re_path(r"^v2/requests" + FMT, views.service_requests, name="open311-requests"),
    re_path(
        r"^v2/requests/(?P<service_request_id>[^/]+?)" + FMT,
        views.request_detail,
        name="open311-request",
    ),
    re_path(r"^v2/tokens/(?P<token>[^/]+?)" + FMT, views.token, name="open311-token"),
    # The one public-photo view (reports.views), under Open311's media_url.
    path(
        "media/<str:tracking_code>/<int:position>.jpg",
        report_views.report_photo,
        name="open311-media",
    ),
    re_path(r"^(?P<rest>.*)$", views.unknown),
]
