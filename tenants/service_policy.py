"""What a suspended city still serves: the one policy (docs/billing.md).

While its subscription is suspended a city keeps its data and serves only what
citizens need in an emergency: the apps' API (Open311 and ``POST /graphql/``),
there only the operations to build the report form, sign in, report and
follow one's reports, and of reports only the emergency categories. The city
middleware, the GraphQL guard and intake each ask this module, so the three
answers cannot drift apart.
"""

from __future__ import annotations

from tenants.models import City, CityStatus

# GraphQL root fields still served: building the report form, signing in,
# reporting, and following one's reports.
API_FIELDS_WHILE_SUSPENDED = frozenset(
    {
        "__typename",
        "appConfig",
        "categories",
        "areas",
        "requestOtp",
        "verifyOtp",
        "submitReport",
        "report",
        "myReports",
    }
)


def is_suspended(city: City | None) -> bool:
    return getattr(city, "status", None) == CityStatus.SUSPENDED


def serves_path_while_suspended(path: str, method: str) -> bool:
    """The site, the admin and ``GET /graphql/`` (the IDE) stay at 503; the
    apps' API goes on, and the GraphQL guard narrows it to the fields above."""
    return path.startswith("/open311/") or (path == "/graphql/" and method == "POST")


def refused_api_fields(root_fields: set[str]) -> list[str]:
    """The root fields of an operation a suspended city refuses."""
    return sorted(root_fields - API_FIELDS_WHILE_SUSPENDED)


def accepts_report_while_suspended(city: City | None, *, emergency: bool) -> bool:
    """Reports still accepted from a city: all while active, emergencies while suspended."""
    return emergency or not is_suspended(city)
