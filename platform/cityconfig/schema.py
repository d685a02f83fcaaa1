"""The typed model of a city's configuration (``tenant_configs/<slug>.yaml``).

Structure and types are checked by pydantic (unknown keys are errors); the
cross-references that pydantic cannot see (dangling codes, cycles, channel
overrides for disabled channels...) are checked in :mod:`cityconfig.checks`.
``python manage.py config_schema`` exports the JSON Schema for editors.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
)

# Indonesia's zones in the tz database: WIB (Jakarta, Pontianak), WITA, WIT.
INDONESIAN_TIME_ZONES = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}

CHANNELS = (
    "app",  # the white-label citizen app
    "web",
    "sms",
    "whatsapp",
    "telegram",
    "email",
    "facebook",
    "twitter",
    "instagram",
    "youtube",
    "call_112",
    "call_center",
    "walk_in",
    "letter",
    "lapor_sp4n",  # the national LAPOR! (SP4N) channel
    "qlue",
    "open311",
)
Channel = Literal[CHANNELS]  # type: ignore[valid-type]

OPD_KINDS = (
    "sekretariat",
    "inspektorat",
    "dinas",
    "badan",
    "satuan",
    "bagian",
    "bidang",
    "upt",
    "rsud",
    "biro",
    "bumd",
    "kota_administrasi",
    "kabupaten_administrasi",
    "kecamatan",
    "kelurahan",
    "desa",
    "command_center",
)
OpdKind = Literal[OPD_KINDS]  # type: ignore[valid-type]
# A kabupaten's villages are mostly desa (headed by an elected Kepala Desa),
# with kelurahan (headed by a Lurah, a civil servant) around its capital: both
# sit directly under a kecamatan, and ``@kelurahan`` routes to either.
AREA_LEVELS = ("kota_administrasi", "kabupaten_administrasi", "kecamatan", "kelurahan", "desa")
VILLAGE_LEVELS = ("kelurahan", "desa")
AreaLevel = Literal[AREA_LEVELS]  # type: ignore[valid-type]
# Which level an area's parent must have.
AREA_PARENT_LEVELS: dict[str, tuple[str | None, ...]] = {
    "kota_administrasi": (None,),
    "kabupaten_administrasi": (None,),
    "kecamatan": (None, "kota_administrasi", "kabupaten_administrasi"),
    "kelurahan": ("kecamatan",),
    "desa": ("kecamatan",),
}
# What each territorial token of a routing rule reaches: the office of the
# report's area at one of these levels. "@kota_administrasi" also finds
# Kepulauan Seribu, a kabupaten administrasi.
TERRITORIAL_TOKENS: dict[str, tuple[str, ...]] = {
    "@kelurahan": VILLAGE_LEVELS,
    "@desa": ("desa",),
    "@kecamatan": ("kecamatan",),
    "@kota_administrasi": ("kota_administrasi", "kabupaten_administrasi"),
    "@kabupaten_administrasi": ("kabupaten_administrasi",),
}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_DURATION_RE = re.compile(r"^(\d{1,6})\s*([mhd])$")
_UNIT_MINUTES = {"m": 1, "h": 60, "d": 24 * 60}


def _check_duration(value: str) -> str:
    match = _DURATION_RE.match(value.strip())
    if not match:
        raise ValueError("must be a duration like '30m', '6h' or '7d'")
    if int(match.group(1)) <= 0:
        raise ValueError("must be positive")
    return f"{int(match.group(1))}{match.group(2)}"


def parse_duration(value: str) -> tuple[int, str]:
    """``'7d'`` → ``(7, 'd')``. With a working-time clock, ``d`` counts working
    days and ``h``/``m`` count working hours/minutes."""
    match = _DURATION_RE.match(value)
    assert match, value
    return int(match.group(1)), match.group(2)


def duration_minutes(value: str) -> int:
    """Calendar length of a duration in minutes (a day is 24 hours)."""
    amount, unit = parse_duration(value)
    return amount * _UNIT_MINUTES[unit]


def _check_time_zone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"'{value}' is not a known time zone") from exc
    if value not in INDONESIAN_TIME_ZONES:
        zones = ", ".join(f"{z} ({n})" for z, n in INDONESIAN_TIME_ZONES.items())
        raise ValueError(f"'{value}' is not an Indonesian time zone; use one of {zones}")
    return value


_HOURS_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")


def _check_hours(value: str) -> str:
    match = _HOURS_RE.match(value.replace(" ", ""))
    if not match:
        raise ValueError("must be 'HH:MM-HH:MM', e.g. '07:30-16:00'")
    start = int(match.group(1)) * 60 + int(match.group(2))
    end = int(match.group(3)) * 60 + int(match.group(4))
    if end <= start or end > 24 * 60:
        raise ValueError("the end of working hours must come after the start")
    return value.replace(" ", "")


_HOST_RE = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$"
)


def _check_host(value: str) -> str:
    value = value.strip().lower()
    if not _HOST_RE.match(value):
        raise ValueError(f"'{value}' is not a valid host name")
    return value


Code = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$", max_length=40)]
RegionCode = Annotated[str, StringConstraints(pattern=r"^\d{2}(\.\d{2})?$")]
AreaCode = Annotated[str, StringConstraints(pattern=r"^\d{2}(\.\d{2}){1,2}(\.\d{4})?$")]
Duration = Annotated[str, AfterValidator(_check_duration)]
TimeZoneName = Annotated[str, AfterValidator(_check_time_zone)]
WorkingHours = Annotated[str, AfterValidator(_check_hours)]
HexColor = Annotated[str, StringConstraints(pattern=r"^#[0-9A-Fa-f]{6}$")]
HostName = Annotated[str, AfterValidator(_check_host)]
NonEmpty = Annotated[str, StringConstraints(min_length=1, max_length=300)]
Fraction = Annotated[float, Field(ge=0, le=1)]


class Strict(BaseModel):
    """Unknown keys are errors: a typo must never be silently ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class LocalizedText(Strict):
    id: NonEmpty
    en: NonEmpty


class Identity(Strict):
    name: NonEmpty
    official_name: NonEmpty
    kind: Literal["kota", "kabupaten", "provinsi"]
    region_code: RegionCode | None = Field(
        None, description="Kemendagri code of the kabupaten/kota (32.71) or province (31)"
    )
    province: NonEmpty
    time_zone: TimeZoneName
    default_locale: Literal["id", "en"] = "id"
    locales: list[Literal["id", "en"]] = ["id", "en"]


class Colors(Strict):
    primary: HexColor
    secondary: HexColor
    accent: HexColor | None = None
    text_on_primary: HexColor = "#FFFFFF"


class EmergencyNumber(Strict):
    """A number to call instead of writing a report, shown first on emergency categories."""

    name: LocalizedText
    number: Annotated[str, StringConstraints(pattern=r"^\+?[0-9][0-9 -]{1,19}$")]


#: Indonesia's national emergency number, shown when a city names none of its own.
NATIONAL_EMERGENCY = [
    EmergencyNumber(name=LocalizedText(id="Panggilan darurat", en="Emergency call"), number="112")
]


class Support(Strict):
    phone: NonEmpty | None = None
    whatsapp: NonEmpty | None = None
    email: NonEmpty | None = None
    website: NonEmpty | None = None
    address: NonEmpty | None = None
    emergency: list[EmergencyNumber] = Field(
        default_factory=list,
        description="Emergency numbers (112, Damkar 113, ambulans 118/119…); 112 when empty",
    )


def _tile_template(value: str) -> str:
    missing = [part for part in ("{z}", "{x}", "{y}") if part not in value]
    if missing:
        raise ValueError(f"the tile URL needs {', '.join(missing)} (an XYZ template)")
    if re.search(r"\{(?![zxy]\})", value):
        raise ValueError("only {z}, {x} and {y} may stand in braces")
    parts = urlsplit(value.replace("{z}", "0").replace("{x}", "0").replace("{y}", "0"))
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise ValueError("the tile URL must be an https:// (or http:// on a private network) URL")
    return value


class MapTiles(Strict):
    """Raster tiles under the app's maps. Without them the map is the city's
    boundary and points on a plain background, which needs no internet access;
    a city with its own tile server (or a provider's) names it here."""

    tile_url: Annotated[str, AfterValidator(_tile_template)] = Field(
        description="XYZ template, e.g. https://tiles.example.go.id/{z}/{x}/{y}.png"
    )
    attribution: NonEmpty = Field(description="The credit line the tiles' licence asks for")
    max_zoom: int = Field(18, ge=1, le=22)


class Branding(Strict):
    app_name: NonEmpty
    responder_app_name: NonEmpty | None = None
    tagline: LocalizedText | None = None
    colors: Colors
    logo: NonEmpty = Field(
        description=(
            "Path under tenant_configs/assets/, or upload:branding/logo-<hash>.png "
            "(uploaded in the console, kept in the city's own media folder)"
        )
    )
    support: Support = Support()
    map: MapTiles | None = None


class Features(Strict):
    anonymous_reports: bool = True
    public_feed: bool = True
    citizen_rating: bool = True
    published_rankings: bool = True


class CategoryGroup(Strict):
    code: Code
    name: LocalizedText


class SlaTarget(Strict):
    response: Duration
    resolution: Duration
    clock: Literal["working", "calendar"] = "working"


class Category(Strict):
    code: Code
    name: LocalizedText
    group: Code
    photo_required: bool | None = Field(
        None, description="Overrides verification.photo_required for this category"
    )
    emergency: bool = Field(False, description="Still accepted while the city is suspended")
    description: LocalizedText | None = None
    sla: SlaTarget | None = None


class Opd(Strict):
    code: Code
    name: NonEmpty
    short_name: NonEmpty | None = None
    kind: OpdKind
    parent: Code | None = None
    responder: bool = True
    head: NonEmpty | None = Field(None, description="Name of the head (kepala) of the OPD")
    phone: NonEmpty | None = Field(None, description="The OPD's contact phone number")
    email: NonEmpty | None = Field(None, description="The OPD's contact e-mail address")


class Polygon(Strict):
    type: Literal["Polygon", "MultiPolygon"]
    coordinates: list


class Area(Strict):
    code: AreaCode
    name: NonEmpty
    level: AreaLevel
    parent: AreaCode | None = None
    office_name: NonEmpty | None = Field(
        None,
        description=(
            "Name of the territorial office made for this area; default '<Level> <name>'. "
            "Papua's kecamatan are distrik ('Distrik Abepura')"
        ),
    )
    boundary: Polygon | None = Field(
        None,
        description=(
            "GeoJSON Polygon/MultiPolygon in [longitude, latitude]; reports whose point lies "
            "inside belong to this area (docs/areas.md)"
        ),
    )


class TerritorialOpds(Strict):
    """Generates one OPD per area of these levels (Kantor Camat, Kantor Lurah),
    coded ``wil-<area code>``, nested like the areas themselves."""

    levels: list[AreaLevel] = []
    responder: bool = True


class RoutingRule(Strict):
    category: Code
    area: AreaCode | None = Field(None, description="Applies to this area and all inside it")
    opd: str = Field(description="An OPD code, or @kecamatan / @kelurahan / @kota_administrasi")
    forward_to: Code | None = Field(None, description="Where the first responder hands over")


class Routing(Strict):
    default_opd: str
    rules: list[RoutingRule] = []


class SlaRule(Strict):
    category: Code | None = None
    priority: Code
    response: Duration
    resolution: Duration
    clock: Literal["working", "calendar"] = "working"


class Escalation(Strict):
    when: Literal["at_risk", "breached"]
    to: Literal["parent_opd", "command_center"]


class Sla(Strict):
    default: SlaTarget
    rules: list[SlaRule] = []
    at_risk_ratio: Annotated[float, Field(gt=0, lt=1)] = 0.8
    pause_while_waiting_for_citizen: bool = True
    restart_on_forward: bool = False
    auto_close_after: Duration = "10d"
    escalation: list[Escalation] = []


# The city-wide SLA settings a city profile stores (everything of ``sla`` but
# its targets), with their defaults taken from the model: written once.
SLA_POLICY_FIELDS = (
    "at_risk_ratio",
    "pause_while_waiting_for_citizen",
    "restart_on_forward",
    "auto_close_after",
    "escalation",
)


def sla_policy_defaults() -> dict:
    return {
        name: Sla.model_fields[name].get_default(call_default_factory=True)
        for name in SLA_POLICY_FIELDS
    }


class DayOff(Strict):
    date: dt.date
    name: NonEmpty


class Calendar(Strict):
    working_hours: dict[Literal[WEEKDAYS], WorkingHours | None]  # type: ignore[valid-type]
    public_holidays: Literal["ID"] | None = Field(
        "ID", description="'ID' = Indonesian national holidays from the holidays package"
    )
    days_off: list[DayOff] = Field([], description="The city's own days off (cuti bersama)")
    extra_working_days: list[dt.date] = []


class ChannelPolicy(Strict):
    """Per-channel overrides: a 112 call or a letter carries no photo, and
    browsers strip GPS from uploads while the native app sends the camera's own."""

    photo_required: bool | None = None
    missing_exif: Literal["pass", "warn", "fail"] | None = None
    missing_gps: Literal["pass", "warn", "fail"] | None = None
    max_photo_age: Duration | None = None


class Verification(Strict):
    photo_required: bool = True
    max_photo_age: Duration = "24h"
    missing_exif: Literal["warn", "fail"] = "warn"
    missing_gps: Literal["warn", "fail"] = "warn"
    max_gps_distance_m: Annotated[int, Field(gt=0, le=100_000)] = 200
    require_inside_city: bool = True
    reuse_hash_distance: Annotated[int, Field(ge=0, le=64)] = 6
    duplicate_radius_m: Annotated[int, Field(gt=0, le=10_000)] = 50
    duplicate_window: Duration = "7d"
    operator_triage: Literal["always", "on_warning", "never"] = "on_warning"
    field_survey: Literal["never", "on_request", "always"] = "on_request"
    max_upload_mb: Annotated[int, Field(gt=0, le=50)] = 15
    max_megapixels: Annotated[int, Field(gt=0, le=100)] = 40
    channels: dict[Channel, ChannelPolicy] = {}  # type: ignore[valid-type]


# A secret is never written in the YAML: the file names where it lives.
# ``env:KANAL_<SLUG>_...`` reads an environment variable (a Kubernetes secret
# mounted as env); the name must start with the city's own prefix, so one
# city's file can never point at another city's credentials (checks.py).
SecretRef = Annotated[
    str, StringConstraints(pattern=r"^env:[A-Z][A-Z0-9_]{2,120}$", max_length=124)
]
PhoneE164 = Annotated[str, StringConstraints(pattern=r"^\+[1-9][0-9]{6,14}$")]


class WhatsAppTemplate(Strict):
    """An approved WhatsApp message template, used when the 24-hour customer
    service window is closed (WhatsApp refuses free text then)."""

    name: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,512}$")]
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(_[A-Z]{2})?$")] = "id"


class WhatsAppSettings(Strict):
    """WhatsApp Business Cloud API: the city's own number and Meta app."""

    phone_number_id: Annotated[str, StringConstraints(pattern=r"^[0-9]{5,30}$")]
    display_number: PhoneE164 | None = None
    app_secret: SecretRef
    access_token: SecretRef
    verify_token: SecretRef
    status_template: WhatsAppTemplate | None = None
    otp_template: WhatsAppTemplate | None = None


class TelegramSettings(Strict):
    bot_username: Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_]{4,31}$")]
    bot_token: SecretRef
    secret_token: SecretRef


class SmsSettings(Strict):
    """An SMS gateway; Twilio today, the adapter is small so an Indonesian
    gateway can be added beside it."""

    provider: Literal["twilio"] = "twilio"
    account_sid: Annotated[str, StringConstraints(pattern=r"^AC[0-9a-fA-F]{32}$")]
    auth_token: SecretRef
    from_number: PhoneE164


class EmailSettings(Strict):
    """Inbound mail to the city's address arrives through the mail provider's
    inbound webhook (django-anymail); replies leave through Django's e-mail."""

    address: Annotated[
        str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)
    ]
    provider: Literal["mailgun"] = "mailgun"
    webhook_signing_key: SecretRef


class Messaging(Strict):
    """Where the city's messaging channels connect. A channel listed in
    ``channels`` without settings here is staffed by hand (the inbox)."""

    whatsapp: WhatsAppSettings | None = None
    telegram: TelegramSettings | None = None
    sms: SmsSettings | None = None
    email: EmailSettings | None = None
    messages_per_hour: Annotated[int, Field(ge=1, le=10_000)] = Field(
        30, description="A sender above this many messages an hour is held back (pranks, floods)"
    )


class RankingWeights(Strict):
    response_within_sla: Annotated[float, Field(ge=0)] = 0.35
    resolution_within_sla: Annotated[float, Field(ge=0)] = 0.35
    citizen_rating: Annotated[float, Field(ge=0)] = 0.15
    reopen_rate: Annotated[float, Field(ge=0)] = 0.15


class RedCard(Strict):
    min_reports: Annotated[int, Field(ge=1)] = 5
    response_within_sla_below: Fraction | None = None
    resolution_within_sla_below: Fraction | None = 0.5
    overdue_backlog_above: Annotated[int, Field(ge=0)] | None = None


class Ranking(Strict):
    period: Literal["weekly", "monthly"] = "monthly"
    weights: RankingWeights = RankingWeights()
    red_card: RedCard = RedCard()


class CityConfig(Strict):
    """One city's whole configuration."""

    version: Literal[1] = 1
    slug: Slug
    identity: Identity
    domains: list[HostName] = Field([], description="Custom host names the city owns")
    branding: Branding
    channels: list[Channel]  # type: ignore[valid-type]
    features: Features = Features()
    priorities: list[Code] = Field([], description="Priority classes; empty = none (Jakarta)")
    category_groups: list[CategoryGroup]
    categories: list[Category]
    opds: list[Opd]
    areas: list[Area] = []
    territorial_opds: TerritorialOpds = TerritorialOpds()
    routing: Routing
    sla: Sla
    calendar: Calendar
    verification: Verification = Verification()
    ranking: Ranking = Ranking()
    messaging: Messaging = Messaging()
    boundary: Polygon

    def territorial_opd_code(self, area_code: str) -> str:
        return territorial_opd_code(area_code)


def territorial_opd_code(area_code: str) -> str:
    return "wil-" + area_code.replace(".", "-")
