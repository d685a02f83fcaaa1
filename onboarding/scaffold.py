"""A new kabupaten or kota's config from official data: ``manage.py scaffold_city 52.01``.

The scaffold writes what can be known without the city: its official name,
kind, province and time zone, every kecamatan and kelurahan/desa with its
Kemendagri code (``onboarding.regions``), the territorial offices made from
them, a catalogue template (``onboarding.catalogue``), the national SLA of
LAPOR!-SP4N and the national cuti bersama. What only the city can decide
(contacts, domains, branding, the real boundary) is marked ``# TODO``. The
result validates and plans cleanly as it stands.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import yaml
from django.utils import timezone
from django.utils.translation import gettext as _
from lokal import holidays as lokal_holidays

from cityconfig.checks import INDONESIA_BOUNDS
from cityconfig.schema import INDONESIAN_TIME_ZONES, NATIONAL_EMERGENCY, CityConfig
from kanal.errors import InvalidInput
from onboarding.catalogue import DEFAULT_TEMPLATES, catalogue_for, get_template
from onboarding.loading import parse_config
from onboarding.regions import (
    DATA_PACKAGE,
    DATA_SOURCE,
    PAPUA_PROVINCES,
    Regency,
    find_regency,
)
from tenants.models import City

SLUG_MAX = 40
UTC_OFFSETS = {"WIB": "UTC+7", "WITA": "UTC+8", "WIT": "UTC+9"}
# Half the side of the placeholder square around a given centre (~17 km).
PLACEHOLDER_HALF_SIDE = 0.15
NEUTRAL_COLORS = {"primary": "#1F5FA8", "secondary": "#F2B705", "text_on_primary": "#FFFFFF"}
PLACEHOLDER_LOGO = "assets/_placeholder/logo.svg"


@dataclass(frozen=True)
class Scaffold:
    slug: str
    text: str  # the YAML of tenant_configs/<slug>.yaml
    config: CityConfig
    regency: Regency
    template: str

    @property
    def region_name(self) -> str:
        return self.regency.name

    @property
    def counts(self) -> dict[str, int]:
        levels: dict[str, int] = {}
        for area in self.config.areas:
            levels[area.level] = levels.get(area.level, 0) + 1
        return levels


def default_slug(regency: Regency) -> str:
    """``kota-bogor``, ``kab-lombok-barat``: stable for a region, unique per code
    (two regencies never share a kind and a name)."""
    words = re.sub(r"[^a-z0-9]+", "-", regency.short_name.lower()).strip("-")
    slug = f"{'kota' if regency.kind == 'kota' else 'kab'}-{words}"
    while len(slug) > SLUG_MAX:
        slug = slug.rsplit("-", 1)[0]
    return slug


def check_slug_free(slug: str, regency: Regency) -> None:
    """A slug names one city forever: refuse one another region already holds."""
    city = City.objects.filter(slug=slug).first()
    if city is None:
        return
    code = _region_code_of(city)
    if code == regency.code:
        return  # the same region scaffolded again: its file plans as changes
    raise InvalidInput(
        code="SLUG_TAKEN",
        field="slug",
        message=_(
            "Slug '%(slug)s' sudah dipakai %(city)s. Pilih slug lain, "
            "mis. '%(suggestion)s' (opsi --slug)."
        )
        % {"slug": slug, "city": city.name, "suggestion": f"{slug}-{regency.code[3:5]}"},
    )


def _region_code_of(city: City) -> str | None:
    from django_tenants.utils import schema_context

    from cityconfig.models import CityProfile

    with schema_context(city.schema_name):
        profile = CityProfile.objects.first()
        return (profile.identity or {}).get("region_code") if profile else None


def _placeholder_boundary(center: tuple[float, float] | None) -> dict:
    if center is None:
        min_lon, min_lat, max_lon, max_lat = INDONESIA_BOUNDS
    else:
        lat, lon = center
        h = PLACEHOLDER_HALF_SIDE
        min_lon, min_lat, max_lon, max_lat = lon - h, lat - h, lon + h, lat + h
    ring = [
        [min_lon, min_lat],
        [max_lon, min_lat],
        [max_lon, max_lat],
        [min_lon, max_lat],
        [min_lon, min_lat],
    ]
    return {"type": "Polygon", "coordinates": [[[round(x, 6) for x in p] for p in ring]]}


def parse_center(raw: str) -> tuple[float, float]:
    """``"-8.58, 116.12"`` → (lat, lon), inside Indonesia."""
    parts = [p.strip() for p in (raw or "").replace(";", ",").split(",")]
    try:
        lat, lon = (float(p) for p in parts)
    except ValueError:
        raise InvalidInput(
            field="center",
            message=_("Titik pusat ditulis 'lintang, bujur', mis. '-8.58, 116.12'."),
        ) from None
    min_lon, min_lat, max_lon, max_lat = INDONESIA_BOUNDS
    if not (min_lat <= lat <= max_lat and min_lon <= lon <= max_lon):
        raise InvalidInput(
            field="center",
            message=_(
                "Titik %(lat)s, %(lon)s tidak di Indonesia (lintang −11,5…6,5; bujur 94…141,5). "
                "Tertukar urutannya?"
            )
            % {"lat": lat, "lon": lon},
        )
    return lat, lon


def _days_off(today: dt.date) -> list[dict]:
    """The national cuti bersama of this year and the next, where the SKB is out."""
    days = []
    for year in (today.year, today.year + 1):
        try:
            decree = lokal_holidays.get_holidays(year)
        except ValueError:
            continue  # the SKB for that year is not published yet
        for holiday in decree.holidays:
            if holiday.type == "cuti_bersama":
                days.append(
                    {
                        "date": dt.date.fromisoformat(holiday.date),
                        "name": f"Cuti bersama {holiday.name}",
                    }
                )
    return days


def _areas(regency: Regency) -> list[dict]:
    areas = []
    for district in regency.districts():
        entry: dict[str, Any] = {"code": district.code, "name": district.name, "level": "kecamatan"}
        if district.office_name != f"Kecamatan {district.name}":
            entry["office_name"] = district.office_name
        areas.append(entry)
        for village in district.villages:
            row: dict[str, Any] = {
                "code": village.code,
                "name": village.name,
                "level": village.level,
                "parent": district.code,
            }
            default = f"{village.level.capitalize()} {village.name}"
            if village.office_name != default:
                row["office_name"] = village.office_name
            areas.append(row)
    return areas


def build_config_data(
    regency: Regency,
    *,
    slug: str,
    template_code: str,
    center: tuple[float, float] | None,
    today: dt.date,
) -> dict[str, Any]:
    """The config of a new region as plain data, in file order."""
    areas = _areas(regency)
    levels_present = {a["level"] for a in areas}
    template = get_template(template_code)
    catalogue = catalogue_for(
        template, name=regency.name, short_name=regency.short_name, levels_present=levels_present
    )
    head = "Wali Kota" if regency.kind == "kota" else "Bupati"
    calendar = catalogue.pop("calendar")
    calendar["public_holidays"] = "ID"
    calendar["days_off"] = _days_off(today)
    calendar["extra_working_days"] = []
    return {
        "version": 1,
        "slug": slug,
        "identity": {
            "name": regency.name,
            "official_name": f"Pemerintah {regency.name}",
            "kind": regency.kind,
            "region_code": regency.code,
            "province": regency.province,
            "time_zone": regency.time_zone,
            "default_locale": "id",
            "locales": ["id", "en"],
        },
        "domains": [],
        "branding": {
            "app_name": f"Lapor {regency.short_name}",
            "responder_app_name": f"Tanggap {regency.short_name}",
            "colors": dict(NEUTRAL_COLORS),
            "logo": PLACEHOLDER_LOGO,
            "support": {
                "emergency": [e.model_dump() for e in NATIONAL_EMERGENCY],
            },
        },
        **{k: catalogue[k] for k in ("channels", "features", "priorities") if k in catalogue},
        "category_groups": catalogue["category_groups"],
        "categories": catalogue["categories"],
        "opds": catalogue["opds"],
        "areas": areas,
        "territorial_opds": catalogue["territorial_opds"],
        "routing": catalogue["routing"],
        "sla": catalogue["sla"],
        "calendar": calendar,
        "verification": catalogue.get("verification", {}),
        "ranking": catalogue.get("ranking", {}),
        "boundary": _placeholder_boundary(center),
        "_head": head,  # for the comments only; removed before writing
    }


class _Dumper(yaml.SafeDumper):
    """Small mappings of scalars on one line (``{code: x, name: y}``), as people write them."""


def _represent_dict(dumper: _Dumper, data: dict):
    if not getattr(dumper, "_below_top", False):  # the section itself: block style
        dumper._below_top = True
        return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=False)
    flat = all(
        not isinstance(v, (dict, list))
        or (
            isinstance(v, dict)
            and len(v) <= 2
            and all(not isinstance(x, (dict, list)) for x in v.values())
        )
        for v in data.values()
    )
    flow = flat and len(str(data)) <= 120
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=flow)


def _has_mapping(value: Any) -> bool:
    if isinstance(value, dict):
        return True
    return isinstance(value, list) and any(_has_mapping(v) for v in value)


def _represent_list(dumper: _Dumper, data: list):
    # Names and coordinates on one line; lists of mappings one item per line.
    flow = not _has_mapping(data) and len(str(data)) <= 2000
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(list, _represent_list)


def _dump(value: Any) -> str:
    return yaml.dump(value, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120)


def render_yaml(data: dict[str, Any], regency: Regency, template_code: str) -> str:
    """The config file, with the comments a reviewer needs: sources and ``# TODO``s."""
    data = dict(data)
    head = data.pop("_head")
    zone = INDONESIAN_TIME_ZONES[data["identity"]["time_zone"]]
    counts: dict[str, int] = {}
    for area in data["areas"]:
        counts[area["level"]] = counts.get(area["level"], 0) + 1
    today = timezone.localdate().isoformat()
    out = [
        "# " + "=" * 77,
        f"# Konfigurasi Kanal: {regency.name} ({regency.province}), "
        f"kode Kemendagri {regency.code}.",
        f"# Dibuat oleh `manage.py scaffold_city {regency.code}` pada {today} dari templat",
        f"# '{template_code}'. Periksa setiap `# TODO` (kontak, domain, merek, batas wilayah),",
        "# lalu:",
        f"#   python manage.py onboard tenant_configs/{data['slug']}.yaml --plan",
        f"#   python manage.py onboard tenant_configs/{data['slug']}.yaml --apply",
        "# " + "=" * 77,
        "",
        _dump({"version": 1, "slug": data["slug"]}).rstrip(),
        "",
        f"# Zona waktu menurut provinsi: {zone} ({UTC_OFFSETS[zone]}).",
        _dump({"identity": data["identity"]}).rstrip(),
        "",
        "# TODO: domain milik Pemda (mis. lapor.<daerah>.go.id); "
        "<slug>.<domain dasar> ditambahkan otomatis.",
        "domains: []",
        "",
        "# TODO: nama aplikasi, warna dan logo daerah; kontak pengaduan resmi",
        "# (support.phone, whatsapp, email, website, address) dari Diskominfo.",
        _dump({"branding": data["branding"]}).rstrip(),
        "",
    ]
    for key in ("channels", "features", "priorities", "category_groups", "categories", "opds"):
        if key in data:
            if key == "category_groups":
                out.append(
                    f"# Katalog aduan dari templat '{template_code}'; sesuaikan dengan {head}."
                )
            out += [_dump({key: data[key]}).rstrip(), ""]
    papua = regency.province_code in PAPUA_PROVINCES
    words = {"kecamatan": "distrik", "desa": "kampung"} if papua else {}
    summary = ", ".join(f"{n} {words.get(level, level)}" for level, n in counts.items())
    out += [
        f"# Sumber: {DATA_PACKAGE} (data Kemendagri: {DATA_SOURCE}), diambil {today}.",
        f"# {regency.name}: {summary}.",
        "# Batas wilayah kecamatan dan kelurahan/desa belum ada: pelapor memilih wilayah",
        "# dari daftar. TODO: impor batas resmi (BIG/Kemendagri atau OpenStreetMap) dengan",
        "# `manage.py import_areas` (docs/areas.md) agar titik di peta menemukan wilayahnya.",
        _dump({"areas": data["areas"]}).rstrip(),
        "",
        "# Satu kantor wilayah (Camat, Lurah, Kepala Desa) per wilayah di atas. TODO: putuskan",
        "# apakah kantor desa ikut menanggapi laporan (Kepala Desa bukan perangkat daerah):",
        "# bila tidak, hapus 'desa' dari levels; aturan @kelurahan lalu hanya ke kelurahan.",
        _dump({"territorial_opds": data["territorial_opds"]}).rstrip(),
        "",
        _dump({"routing": data["routing"]}).rstrip(),
        "",
        "# SLA nasional LAPOR!-SP4N (Perpres 76/2013, PermenPAN-RB 62/2018): diteruskan",
        "# paling lama 3 hari kerja, ditindaklanjuti paling lama 5 hari kerja, ditutup",
        "# otomatis setelah 10 hari kerja tanpa tanggapan pelapor.",
        _dump({"sla": data["sla"]}).rstrip(),
        "",
        "# Libur nasional dari paket holidays; cuti bersama dari SKB 3 Menteri",
        f"# ({DATA_PACKAGE}). TODO: tambahkan libur daerah (HUT {regency.name}).",
        _dump({"calendar": data["calendar"]}).rstrip(),
        "",
        _dump({"verification": data["verification"]}).rstrip(),
        "",
        _dump({"ranking": data["ranking"]}).rstrip(),
        "",
        "# TODO: BATAS SEMENTARA (placeholder), BUKAN batas resmi: "
        + (
            "persegi sekitar titik pusat yang diberikan."
            if data["boundary"]["coordinates"][0][0][0] != INDONESIA_BOUNDS[0]
            else "seluruh Indonesia (tidak ada titik pusat)."
        ),
        "# Ganti dengan batas resmi daerah sebelum dipakai warga: laporan di luar batas ditolak.",
        _dump({"boundary": data["boundary"]}).rstrip(),
        "",
    ]
    return "\n".join(out)


def scaffold_city(
    code: str,
    *,
    slug: str | None = None,
    template: str | None = None,
    center: tuple[float, float] | None = None,
    today: dt.date | None = None,
) -> Scaffold:
    """The config of the kabupaten/kota ``code``, validated (nothing is written).

    Raises :class:`InvalidInput`: ``UNKNOWN_REGION`` (with near matches),
    ``UNKNOWN_TEMPLATE``, ``SLUG_TAKEN``, or a bad slug or centre.
    """
    regency = find_regency(code)
    slug = (slug or "").strip().lower() or default_slug(regency)
    if not re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", slug) or len(slug) > SLUG_MAX:
        raise InvalidInput(
            field="slug",
            message=_(
                "Slug memakai huruf kecil, angka dan tanda hubung, diawali huruf, "
                "paling panjang %(max)s karakter (mis. 'kota-bogor')."
            )
            % {"max": SLUG_MAX},
        )
    check_slug_free(slug, regency)
    template_code = template or DEFAULT_TEMPLATES[regency.kind]
    data = build_config_data(
        regency,
        slug=slug,
        template_code=template_code,
        center=center,
        today=today or timezone.localdate(),
    )
    text = render_yaml(data, regency, template_code)
    config = parse_config(text, file=f"{slug}.yaml", expected_slug=slug)
    return Scaffold(slug, text, config, regency, template_code)
