"""A city's host names, managed by the vendor: the city's config and its
``Domain`` rows change together, as one recorded config revision.

Why both: ``apply_config`` brings the ``Domain`` rows to the config's
``domains`` (and deletes the rest), so a row added without the config would
vanish at the next apply, and a config entry without its row would not serve.
The platform host ``<slug>.<KANAL_BASE_DOMAIN>`` is always there and is never
listed in the config.
"""

from __future__ import annotations

import socket
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import schema_context, tenant_context
from pydantic import TypeAdapter, ValidationError

from cityconfig.models import CityProfile
from cityconfig.revisions import Recording, recorded_change
from cityconfig.schema import HostName
from kanal.errors import InvalidInput, NotFound
from onboarding.services import platform_domain
from tenants.models import City, Domain

DNS_TIMEOUT_SECONDS = 2.0
_HOST = TypeAdapter(HostName)
_resolver = ThreadPoolExecutor(max_workers=4, thread_name_prefix="kanal-dns")


def clean_host(raw: str) -> str:
    """A host name as stored: trimmed, lower case, no trailing dot. Raises
    InvalidInput (field ``domain``) for anything that is not a host name."""
    host = (raw or "").strip().lower().rstrip(".")
    if host.startswith(("http://", "https://")) or "/" in host or ":" in host:
        raise InvalidInput(
            field="domain",
            code="DOMAIN_INVALID",
            message=_(
                "Tulis nama host saja, tanpa http:// atau garis miring (mis. lapor.kota.go.id)."
            ),
        )
    try:
        host = _HOST.validate_python(host)
    except ValidationError:
        host = ""
    if not host or "." not in host or len(host) > 253:
        raise InvalidInput(
            field="domain",
            code="DOMAIN_INVALID",
            message=_("'%(host)s' bukan nama host yang sah (mis. lapor.kota.go.id)."),
            params={"host": raw.strip()[:100]},
        )
    return host


def is_platform_host(host: str) -> bool:
    base = settings.KANAL_BASE_DOMAIN
    return host == base or host.endswith("." + base) or host in {"localhost", "127.0.0.1"}


def _change_domains(city: City, domains: list[str], *, actor: str, source: str) -> Recording:
    with tenant_context(city), recorded_change(actor, source) as recording:
        profile = CityProfile.load()
        profile.domains = domains
        profile.save(update_fields=["domains"])
        wanted = {platform_domain(city.slug): True, **{d: False for d in domains}}
        Domain.objects.filter(tenant=city).exclude(domain__in=wanted).delete()
        for host, primary in wanted.items():
            Domain.objects.update_or_create(
                domain=host, defaults={"tenant": city, "is_primary": primary}
            )
    return recording


def custom_domains(city: City) -> list[str]:
    with schema_context(city.schema_name):
        return list(CityProfile.load().domains)


def add_domain(city: City, raw: str, *, actor: str) -> str:
    """Add a custom host name to ``city``; returns it as stored.

    Raises InvalidInput (field ``domain``) for a malformed name, a platform
    host, a host of another city or one the city already has.
    """
    host = clean_host(raw)
    if is_platform_host(host):
        raise InvalidInput(
            field="domain",
            code="DOMAIN_PLATFORM",
            message=_("%(host)s adalah host platform Kanal; tambahkan hanya domain milik kota."),
            params={"host": host},
        )
    with transaction.atomic():
        owner = Domain.objects.select_for_update().filter(domain=host).select_related("tenant")
        owner = owner.first()
        if owner is not None and owner.tenant_id != city.pk:
            raise InvalidInput(
                field="domain",
                code="DOMAIN_TAKEN",
                message=_("%(host)s sudah dipakai kota lain (%(city)s)."),
                params={"host": host, "city": owner.tenant.name},
            )
        domains = custom_domains(city)
        if host in domains:
            raise InvalidInput(
                field="domain",
                code="DOMAIN_EXISTS",
                message=_("%(host)s sudah terdaftar untuk kota ini."),
                params={"host": host},
            )
        _change_domains(city, [*domains, host], actor=actor, source=f"domain + {host}")
    return host


def remove_domain(city: City, host: str, *, actor: str) -> None:
    """Remove a custom host name. The platform host cannot be removed
    (InvalidInput); a host the city does not have is NotFound."""
    host = (host or "").strip().lower()
    if host == platform_domain(city.slug):
        raise InvalidInput(
            field="domain",
            code="DOMAIN_PLATFORM",
            message=_("Host platform %(host)s selalu ada dan tidak dapat dihapus."),
            params={"host": host},
        )
    with transaction.atomic():
        domains = custom_domains(city)
        if host not in domains:
            raise NotFound(
                field="domain",
                message=_("%(host)s bukan domain kota ini."),
                params={"host": host[:100]},
            )
        _change_domains(
            city, [d for d in domains if d != host], actor=actor, source=f"domain - {host}"
        )


@dataclass(frozen=True)
class DomainStatus:
    host: str
    platform: bool
    state: str  # "active" | "unchecked" | "not_pointing"
    label: str
    hint: str = ""


def _resolve(host: str) -> set[str]:
    return {info[4][0] for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)}


def resolve(host: str, timeout: float = DNS_TIMEOUT_SECONDS) -> set[str]:
    """The addresses ``host`` resolves to; empty when it does not (or not in
    ``timeout`` seconds: the page never waits on a slow resolver)."""
    future = _resolver.submit(_resolve, host)
    try:
        return future.result(timeout=timeout)
    except (FutureTimeout, OSError, UnicodeError):
        return set()


def domain_status(city: City, host: str) -> DomainStatus:
    """Is ``host`` serving ``city``? The platform host always is; a custom one
    when its DNS points at ``KANAL_INGRESS_ADDRESSES`` (unknown if that is empty)."""
    if host == platform_domain(city.slug):
        return DomainStatus(host, True, "active", str(_("aktif")))
    ingress = set(settings.KANAL_INGRESS_ADDRESSES)
    record = _("Buat CNAME %(host)s → %(target)s atau A %(host)s → %(addresses)s.") % {
        "host": host,
        "target": platform_domain(city.slug),
        "addresses": ", ".join(sorted(ingress)) or _("alamat ingress Kanal"),
    }
    if not ingress:
        return DomainStatus(host, False, "unchecked", str(_("belum diperiksa")), record)
    if resolve(host) & ingress:
        return DomainStatus(host, False, "active", str(_("aktif")))
    return DomainStatus(host, False, "not_pointing", str(_("DNS belum mengarah ke Kanal")), record)


def domain_statuses(city: City) -> list[DomainStatus]:
    hosts = [platform_domain(city.slug), *custom_domains(city)]
    return [domain_status(city, host) for host in hosts]
