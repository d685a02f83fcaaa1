"""Django settings for Kanal, read from the environment (see README, "Settings").

KANAL_ENV selects the mode: ``development`` (default), ``test`` or
``production``. Production refuses insecure defaults (see kanal.env).
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from kanal import REPO_ROOT
from kanal.env import (
    DEV_SECRET_KEY,
    check_production,
    env_bool,
    env_float,
    env_list,
    env_str,
)

BASE_DIR: Path = REPO_ROOT
KANAL_ENV = env_str("KANAL_ENV", "development")
if KANAL_ENV not in {"development", "test", "production"}:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"KANAL_ENV={KANAL_ENV!r} is not one of development, test, production."
    )
PRODUCTION = KANAL_ENV == "production"

SECRET_KEY = env_str("SECRET_KEY", "" if PRODUCTION else DEV_SECRET_KEY)
DEBUG = env_bool("DEBUG", not PRODUCTION and KANAL_ENV != "test")

# Cities are served on <slug>.<KANAL_BASE_DOMAIN>; the bare base domain is the
# vendor's public site (public schema).
KANAL_BASE_DOMAIN = env_str("KANAL_BASE_DOMAIN", "" if PRODUCTION else "localhost").lower()
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS",
    [f".{KANAL_BASE_DOMAIN}", KANAL_BASE_DOMAIN]
    if PRODUCTION and KANAL_BASE_DOMAIN
    else [".localhost", "localhost", "127.0.0.1", "[::1]", "testserver"],
)

# Embedded PostgreSQL (pgserver) of the checkout, started by scripts/dev.py.
EMBEDDED_PG_DIR = Path(env_str("KANAL_PGDATA", str(BASE_DIR / ".kanal" / "pgdata")))
EMBEDDED_DATABASE_URL = f"postgresql://postgres@/kanal?host={EMBEDDED_PG_DIR}"
DATABASE_URL = env_str("DATABASE_URL", "")

if PRODUCTION:
    check_production(
        secret_key=SECRET_KEY,
        debug=DEBUG,
        allowed_hosts=ALLOWED_HOSTS,
        database_url=DATABASE_URL,
        base_domain=KANAL_BASE_DOMAIN,
    )

DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL or EMBEDDED_DATABASE_URL,
        conn_max_age=int(env_str("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"

# ISOLATION.md #1: behind a *transaction*-pooling PgBouncer a connection may come
# back with another city's search_path, so the schema must be set for every
# query; with direct connections or *session* pooling it is set once per
# connection and tenant switch (half the round trips of a submission).
KANAL_DB_POOL_MODE = env_str("KANAL_DB_POOL_MODE", "session")
if KANAL_DB_POOL_MODE not in {"session", "transaction"}:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("KANAL_DB_POOL_MODE must be 'session' or 'transaction'.")
TENANT_LIMIT_SET_CALLS = KANAL_DB_POOL_MODE == "session"
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)

# --- Tenancy ---------------------------------------------------------------
# Public schema: the cities themselves, their domains, plans, billing and the
# vendor's staff. Tenant schemas: everything a city owns.
SHARED_APPS = [
    "django_tenants",
    "tenants",
    "onboarding",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
    "django.contrib.staticfiles",
    "strawberry_django",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
    "cityconfig",
    "people",
    "verification",
    "routing",
    "sla",
    "ranking",
    "reports",
    "notifications",
    "api",
    "open311",
]
INSTALLED_APPS = list(SHARED_APPS) + [a for a in TENANT_APPS if a not in SHARED_APPS]

TENANT_MODEL = "tenants.City"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_URLCONF = "kanal.urls_public"
ROOT_URLCONF = "kanal.urls_tenant"

MIDDLEWARE = [
    "kanal.middleware.CityMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kanal" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "kanal.wsgi.application"
ASGI_APPLICATION = "kanal.asgi.application"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language and time -------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"  # stored in UTC; each city's zone is activated per request

# --- Cache (tenant-aware keys: ISOLATION.md #2) ---------------------------
# Redis, shared by every process (rate limits must be): REDIS_URL.
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "kanal"),
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
    }
}
RATELIMIT_USE_CACHE = "default"
# Live report events (GraphQL subscriptions) travel through Redis between processes.
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [REDIS_URL], "prefix": env_str("CACHE_KEY_PREFIX", "kanal") + ":ws"},
    }
}
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)

# --- Sessions and cookies (host-only: ISOLATION.md #6) ----------------------
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / ".kanal" / "media")))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TENANT_CONFIG_DIR = BASE_DIR / "tenant_configs"

# GraphQL API limits (OWASP): uploads per request and per photo.
KANAL_MAX_UPLOADS = 5
KANAL_MAX_UPLOAD_BYTES = 15 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = KANAL_MAX_UPLOADS + 1
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # non-file fields
KANAL_GRAPHQL_INTROSPECTION = env_bool("KANAL_GRAPHQL_INTROSPECTION", not PRODUCTION)

# Where one-time codes go: console in development, memory in tests; an SMS or
# WhatsApp gateway class in production.
KANAL_OTP_SENDER = env_str(
    "KANAL_OTP_SENDER",
    {"test": "people.otp.MemorySender"}.get(KANAL_ENV, "people.otp.ConsoleSender"),
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "pgserver": {"level": "WARNING"},
    },
}

# --- Error reporting (Sentry) ------------------------------------------------
SENTRY_DSN = env_str("SENTRY_DSN", "")
if SENTRY_DSN:
    from kanal.observability import init_sentry

    init_sentry(
        SENTRY_DSN,
        environment=KANAL_ENV,
        traces_sample_rate=env_float("SENTRY_TRACES_SAMPLE_RATE", 0.0),
    )
