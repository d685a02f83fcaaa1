"""Probes and metrics for the orchestrator, answered on any host.

- ``/healthz``: the process is alive (no database, no Redis).
- ``/readyz``: the database answers, Redis answers, and the public schema has
  no unapplied migration; 503 with JSON naming what failed. Cached 10 s per
  process (``KANAL_READINESS_CACHE_SECONDS``) so probes stay cheap.
- ``/metrics``: Prometheus text format; ``Authorization: Bearer <METRICS_TOKEN>``
  required when that setting is set.

Kubernetes probes call the pod IP or the bare base domain, which select no
city and may not be in ``ALLOWED_HOSTS``: ``kanal.middleware.CityMiddleware``
answers these paths itself, before any host check (:func:`probe_response`).
They are in both URL maps too, so ``reverse()`` knows them.
"""

from __future__ import annotations

import hmac
import logging
import os
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import load_backend
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)

PROBE_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


@dataclass
class Readiness:
    checks: dict[str, str] = field(default_factory=dict)
    checked_at: float = field(default_factory=time.time)

    @property
    def failed(self) -> list[str]:
        return [name for name, state in self.checks.items() if state != "ok"]

    @property
    def ok(self) -> bool:
        return not self.failed

    def as_json(self) -> dict:
        return {
            "status": "ready" if self.ok else "unavailable",
            "failed": self.failed,
            "checks": self.checks,
        }


def _reason(exc: Exception) -> str:
    # Only the kind of error goes out (the probe answers on public hosts);
    # the whole message is logged.
    return f"error: {type(exc).__name__}"


def _database_checks(overrides: dict | None) -> dict[str, str]:
    """Connect, ``SELECT 1``, then compare the public schema's applied
    migrations with the code's. ``overrides`` (e.g. ``{"PORT": "1"}``) replace
    keys of the default database's settings on a separate, closed-after connection."""
    from django.db.migrations.executor import MigrationExecutor

    checks: dict[str, str] = {}
    default = connections[DEFAULT_DB_ALIAS]
    if overrides is None:
        conn, own = default, False
    else:
        settings_dict = {**default.settings_dict, **overrides}
        conn = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "readiness")
        own = True
    try:
        conn.set_schema_to_public()
        try:
            with conn.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
            checks["database"] = "ok"
        except Exception as exc:
            logger.warning("readiness: database unreachable: %s", exc)
            checks["database"] = _reason(exc)
            checks["migrations"] = "not checked: no database"
            return checks
        try:
            executor = MigrationExecutor(conn)
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except Exception as exc:
            logger.warning("readiness: migrations not checked: %s", exc)
            checks["migrations"] = _reason(exc)
            return checks
        if plan:
            names = [f"{m.app_label}.{m.name}" for m, _backwards in plan]
            logger.warning("readiness: unapplied migrations in public: %s", ", ".join(names))
            more = f" (+{len(names) - 5})" if len(names) > 5 else ""
            checks["migrations"] = f"unapplied: {', '.join(names[:5])}{more}"
        else:
            checks["migrations"] = "ok"
        return checks
    finally:
        if own:
            conn.close()


def _redis_check(url: str) -> str:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:
        logger.warning("readiness: Redis unreachable: %s", exc)
        return _reason(exc)
    return "ok"


def check_readiness(*, database: dict | None = None, redis_url: str | None = None) -> Readiness:
    """Run every readiness check now. ``database`` overrides settings of the
    default database and ``redis_url`` replaces ``REDIS_URL`` for this check only."""
    result = Readiness()
    result.checks.update(_database_checks(database))
    urls = {"redis": redis_url or settings.REDIS_URL}
    broker = getattr(settings, "CELERY_BROKER_URL", urls["redis"])
    if redis_url is None and broker != urls["redis"]:
        urls["broker"] = broker
    for name, url in urls.items():
        result.checks[name] = _redis_check(url)
    return result


_cache: dict[tuple, Readiness] = {}
_cache_lock = threading.Lock()


def cached_readiness() -> Readiness:
    """:func:`check_readiness` at most once per ``KANAL_READINESS_CACHE_SECONDS``."""
    key = (settings.REDIS_URL, getattr(settings, "CELERY_BROKER_URL", ""))
    ttl = getattr(settings, "KANAL_READINESS_CACHE_SECONDS", 10)
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None and time.time() - cached.checked_at < ttl:
            return cached
        result = check_readiness()
        _cache.clear()
        _cache[key] = result
        return result


def clear_readiness_cache() -> None:
    with _cache_lock:
        _cache.clear()


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    result = cached_readiness()
    return JsonResponse(result.as_json(), status=200 if result.ok else 503)


def _registry():
    from prometheus_client import REGISTRY, CollectorRegistry, multiprocess

    import kanal.metrics  # registers our collectors

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # several worker processes
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(kanal.metrics.QUEUE_DEPTH)
        return registry
    return REGISTRY


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    token = settings.METRICS_TOKEN
    if not token and settings.PRODUCTION:
        # Never open to the internet by accident: production needs METRICS_TOKEN.
        return JsonResponse({"error": {"code": "NOT_FOUND", "message": "Not found."}}, status=404)
    if token:
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            response = JsonResponse(
                {"error": {"code": "UNAUTHORIZED", "message": "Bearer token required."}},
                status=401,
            )
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
            return response
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)


VIEWS = {"/healthz": healthz, "/readyz": readyz, "/metrics": metrics}


def probe_response(request: HttpRequest) -> HttpResponse | None:
    """The answer to a probe path on any host, or None for every other path."""
    view = VIEWS.get(request.path_info)
    if view is None or request.method not in {"GET", "HEAD"}:
        return None
    return view(request)
