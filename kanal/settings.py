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
from kanal.net import parse_networks

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

# --- Billing (Stripe; docs/billing.md) ----------------------------------------
# Without STRIPE_API_KEY no call goes to Stripe (billing services refuse with
# BILLING_NOT_CONFIGURED); the webhook refuses every event while
# STRIPE_WEBHOOK_SECRET is empty. STRIPE_API_BASE is Stripe's own API unless a
# test points it at a local fake (tests/billing run localstripe).
STRIPE_API_KEY = env_str("STRIPE_API_KEY", "")
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = env_str("STRIPE_API_BASE", "https://api.stripe.com")
# Days between a failed payment (or cancellation) and the city's suspension.
KANAL_BILLING_GRACE_DAYS = int(env_float("KANAL_BILLING_GRACE_DAYS", 14))
# --- end of Billing -------------------------------------------------------------


DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL or EMBEDDED_DATABASE_URL,
        conn_max_age=int(env_str("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# django-tenants' backend with city-count-independent table listing (kanal/db/).
DATABASES["default"]["ENGINE"] = "kanal.db"

# ISOLATION.md #1: behind a *transaction*-pooling PgBouncer a connection may come
# back with another city's search_path. django-tenants sets search_path as its
# own statement, which transaction pooling may send to another server
# connection, so only direct connections or *session* pooling are supported;
# the schema is then set once per connection and tenant switch.
KANAL_DB_POOL_MODE = env_str("KANAL_DB_POOL_MODE", "session")
if KANAL_DB_POOL_MODE != "session":
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "KANAL_DB_POOL_MODE must be 'session': transaction pooling could run a query under "
        "another city's search_path (see docs/scaling.md)."
    )
TENANT_LIMIT_SET_CALLS = True
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
    "kanal.apps.KanalAdminConfig",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django.contrib.staticfiles",
    "strawberry_django",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "kanal.apps.KanalAdminConfig",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "cityconfig",
    "people",
    "verification",
    "routing",
    "sla",
    "ranking",
    "reports",
    "notifications",
    "messaging",
    "api",
    "open311",
    "webshell",
]
INSTALLED_APPS = list(SHARED_APPS) + [a for a in TENANT_APPS if a not in SHARED_APPS]

TENANT_MODEL = "tenants.City"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_URLCONF = "kanal.urls_public"
ROOT_URLCONF = "kanal.urls_tenant"

MIDDLEWARE = [
    # First, so the answers CityMiddleware gives itself (unknown host, suspended
    # city, outage) carry HSTS and nosniff too.
    "django.middleware.security.SecurityMiddleware",
    "kanal.middleware.CityMiddleware",
    "servestatic.middleware.ServeStaticMiddleware",  # static files in production too
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "kanal.middleware.ConsoleLanguageMiddleware",  # /admin/: Indonesian unless switched
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "kanal.outage.OutageMiddleware",  # last: sees the views' exceptions first
]

# --- Staff sign-in: throttling (django-axes) and 2FA (django-otp) -----------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# One client address everywhere (kanal/net.py): no forwarding header is believed
# unless the peer is one of KANAL_TRUSTED_PROXIES (CIDRs; empty = none).
KANAL_TRUSTED_PROXIES = [str(n) for n in parse_networks(env_list("KANAL_TRUSTED_PROXIES", []))]
AXES_CLIENT_IP_CALLABLE = "kanal.net.client_ip"
# A locked account answers in the caller's format (GraphQL JSON on the API).
AXES_LOCKOUT_CALLABLE = "kanal.net.lockout_response"
RATELIMIT_IP_META_KEY = "kanal.net.ratelimit_ip"
KANAL_ADMIN_2FA = env_bool("KANAL_ADMIN_2FA", PRODUCTION)
OTP_TOTP_ISSUER = "Kanal"

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
        "CONFIG": {
            # redis-py 8 reads with a 5 s socket timeout, as long as channels_redis's
            # blocking BZPOPMIN: the read could time out and drop live websockets.
            "hosts": [{"address": REDIS_URL, "socket_timeout": 15}],
            "prefix": env_str("CACHE_KEY_PREFIX", "kanal") + ":ws",
        },
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
SERVESTATIC_USE_FINDERS = DEBUG  # development serves straight from the apps and webapp/dist
SERVESTATIC_AUTOREFRESH = DEBUG
STATICFILES_DIRS = [
    BASE_DIR / "webapp" / "dist",  # the built web app (npm run build)
    BASE_DIR / "kanal" / "static",  # the console's stylesheet and scripts
]
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
# Anonymous public queries (feed, map, categories) are cached this many seconds
# per city, invalidated by every committed report change (api/public_cache.py).
KANAL_PUBLIC_QUERY_CACHE_SECONDS = int(
    env_str("KANAL_PUBLIC_QUERY_CACHE_SECONDS", "0" if KANAL_ENV == "test" else "30")
)

# Where one-time codes go: console in development, memory in tests; in
# production the city's own SMS number, else its WhatsApp otp_template
# (messaging.otp.ChannelOtpSender).
KANAL_OTP_SENDER = env_str(
    "KANAL_OTP_SENDER",
    {"test": "people.otp.MemorySender", "development": "people.otp.ConsoleSender"}.get(
        KANAL_ENV, "messaging.otp.ChannelOtpSender"
    ),
)
KANAL_OTP_FILE = env_str("KANAL_OTP_FILE", "")  # people.otp.FileSender (browser tests)

# --- Logging -----------------------------------------------------------------
# One line per record: JSON in production (LOG_FORMAT=json), text in development.
# Every record carries the city's slug and the request (or job) id (kanal.logs);
# a request's id comes from a well-formed X-Request-ID header and is echoed back.
LOG_FORMAT = env_str("LOG_FORMAT", "json" if PRODUCTION else "text")
if LOG_FORMAT not in {"json", "text"}:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("LOG_FORMAT must be 'json' or 'text'.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "kanal.logs.ContextFilter"}},
    "formatters": {
        "line": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(city)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
        if LOG_FORMAT == "json"
        else {"format": "%(asctime)s %(levelname)s %(name)s [%(city)s %(request_id)s] %(message)s"}
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "line", "filters": ["context"]}
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "pgserver": {"level": "WARNING"},
        # Messaging providers' clients log request bodies (sign-in codes, phone
        # numbers) at DEBUG and URLs holding tokens (Telegram's) at INFO.
        "pywa": {"level": "INFO"},
        "twilio": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
        "urllib3": {"level": "INFO"},
    },
}
MIDDLEWARE = ["kanal.logs.request_id_middleware", *MIDDLEWARE]
# --- end Logging ---

# --- Error reporting (Sentry) ------------------------------------------------
SENTRY_DSN = env_str("SENTRY_DSN", "")
if SENTRY_DSN:
    from kanal.observability import init_sentry

    init_sentry(
        SENTRY_DSN,
        environment=KANAL_ENV,
        traces_sample_rate=env_float("SENTRY_TRACES_SAMPLE_RATE", 0.0),
    )

# --- Background jobs ---------------------------------------------------------
# Celery on Redis, tenant-aware (kanal/celery.py, kanal/jobs.py; ISOLATION.md #4).
# Workers: `celery -A kanal worker`; the schedule: `celery -A kanal beat` (one
# replica). Each scheduled job fans out to one task per active city, run in that
# city's schema. Schedules are seconds or cron strings (UTC), so that settings
# never import Celery.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_DEFAULT_QUEUE = "kanal"
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True  # the jobs are idempotent: a lost worker's job runs again
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 600
CELERY_TASK_TIME_LIMIT = 660
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # keep LOGGING (JSON, city, request id)
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
# Beat touches its liveness file on every tick (kanal/heartbeat.py): tick at
# least every 60 s so the chart's probe can tell a stuck scheduler.
CELERY_BEAT_SCHEDULER = "kanal.celery:HeartbeatScheduler"
CELERY_BEAT_MAX_LOOP_INTERVAL = 60
CELERY_BEAT_SCHEDULE = {
    "outbox": {
        "task": "notifications.deliver_outbox_all",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
    "sla-sweep": {"task": "sla.sweep_all", "schedule": "* * * * *", "options": {"expires": 50}},
    "auto-close": {"task": "reports.auto_close_all", "schedule": "5 * * * *"},
    # Inbound messages whose job was lost (Redis down at the webhook) are swept up.
    "inbound": {
        "task": "messaging.process_inbound_all",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    "ranking": {"task": "ranking.refresh_all", "schedule": "0 2 * * *"},
    "billing": {"task": "tenants.suspend_overdue_cities", "schedule": "30 1 * * *"},
}
# Outbox delivery: the channel backend (notifications.backends), and retries
# with exponential backoff (30 s, 1 min, 2 min... at most 6 h) before "dead".
KANAL_NOTIFY_BACKEND = env_str(
    "KANAL_NOTIFY_BACKEND",
    {"test": "notifications.backends.MemoryBackend"}.get(
        KANAL_ENV, "messaging.delivery.ChannelBackend"
    ),
)
# Messaging providers (messaging/adapters): their API roots are settings, like
# STRIPE_API_BASE, so tests and the demo point the real client libraries at
# local fakes (devtools/fakes). Each city's ids and secret names are in its config.
KANAL_WHATSAPP_API_BASE = env_str("KANAL_WHATSAPP_API_BASE", "https://graph.facebook.com")
KANAL_WHATSAPP_API_VERSION = env_str("KANAL_WHATSAPP_API_VERSION", "v22.0")
KANAL_TELEGRAM_API_BASE = env_str("KANAL_TELEGRAM_API_BASE", "https://api.telegram.org")
KANAL_SMS_API_BASE = env_str("KANAL_SMS_API_BASE", "https://api.twilio.com")
# The public base URL providers reach webhooks on, when it differs from the
# request's (behind a proxy); Twilio signs the full URL it called. "{host}" in
# it stands for the city's host (e.g. "https://{host}" behind a TLS proxy).
KANAL_WEBHOOK_BASE_URL = env_str("KANAL_WEBHOOK_BASE_URL", "")
KANAL_NOTIFY_MAX_ATTEMPTS = int(env_str("KANAL_NOTIFY_MAX_ATTEMPTS", "8"))
KANAL_NOTIFY_RETRY_BASE_SECONDS = 30
KANAL_NOTIFY_RETRY_MAX_SECONDS = 6 * 3600
# --- end Background jobs ---

# --- Health & metrics --------------------------------------------------------
# /healthz (alive), /readyz (database, Redis, public migrations; cached 10 s) and
# /metrics (Prometheus) answer on any host, the pod IP included (kanal/health.py).
# /metrics wants "Authorization: Bearer <METRICS_TOKEN>" when the token is set.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
KANAL_READINESS_CACHE_SECONDS = 10
KANAL_JOB_QUEUES = [CELERY_TASK_DEFAULT_QUEUE]  # their depth is a gauge on /metrics
MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    *MIDDLEWARE,
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]
# --- end Health & metrics ---

# --- Content Security Policy ---------------------------------------------------
# django-csp sends one strict policy on every response: scripts, styles, fonts
# and connections from the page's own origin only, images also from data:/blob:
# (photo previews), no plugins, no framing, forms and <base> to the same origin.
# No inline script anywhere; templates link static stylesheets, and the two
# pages that must stand alone (the error page, also served when static files
# are not: unknown host, suspended city, outage; the vendor's home page) style
# themselves with the request's nonce (NONCE is left out of the header unless
# a page used it). kanal/csp.py adds the few per-response sources: the web app
# shell's per-city colour <style> hash and tile server (img-src), WebSockets to
# the page's own host, GraphiQL's data: fonts.
# CSPMiddleware runs before CityMiddleware, so the refusals CityMiddleware
# answers itself carry the header too.
from csp.constants import NONCE, NONE, SELF  # noqa: E402

INSTALLED_APPS.append("csp")  # its system checks (outdated CSP_* settings)
MIDDLEWARE.insert(
    MIDDLEWARE.index("kanal.middleware.CityMiddleware"), "csp.middleware.CSPMiddleware"
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# HSTS from Django itself, not only from the ingress: in production every
# HTTPS response (request.is_secure() through SECURE_PROXY_SSL_HEADER) says
# "HTTPS only for a year", subdomains included (cities are served on
# <slug>.<KANAL_BASE_DOMAIN>, all over HTTPS). No preload: entering the
# browsers' preload list is a one-way decision about the vendor's whole domain.
# SECURE_HSTS_SECONDS may be lowered while a new domain is being rolled out.
SECURE_HSTS_SECONDS = int(env_float("SECURE_HSTS_SECONDS", 31_536_000 if PRODUCTION else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = False
# Other sites (a city's tile server, a link a citizen follows) learn the
# origin only, never a path (tracking codes are in paths); tile providers such
# as OpenStreetMap ask for a Referer.
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
# --- end Content Security Policy -------------------------------------------------

# --- E-mail and city onboarding (vendor console) -----------------------------
# Staff invitations go out through Django's e-mail backend. Development prints
# them on the console (the demo shows the link); test and production send by
# SMTP to KANAL_SMTP_HOST (the tests run a real aiosmtpd server).
EMAIL_BACKEND = env_str(
    "KANAL_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if KANAL_ENV == "development"
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("KANAL_SMTP_HOST", env_str("EMAIL_HOST", "localhost"))
EMAIL_PORT = int(env_str("KANAL_SMTP_PORT", env_str("EMAIL_PORT", "25")))
EMAIL_HOST_USER = env_str("KANAL_SMTP_USER", env_str("EMAIL_HOST_USER", ""))
EMAIL_HOST_PASSWORD = env_str("KANAL_SMTP_PASSWORD", env_str("EMAIL_HOST_PASSWORD", ""))
EMAIL_USE_TLS = env_bool("KANAL_SMTP_USE_TLS", env_bool("EMAIL_USE_TLS", False))
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str(
    "KANAL_EMAIL_FROM", env_str("DEFAULT_FROM_EMAIL", "Kanal <noreply@kanal.localhost>")
)
# The addresses a city's custom domain must resolve to (the ingress); empty =
# unknown, so the console shows a custom domain as "not checked".
KANAL_INGRESS_ADDRESSES = env_list("KANAL_INGRESS_ADDRESSES", [])
# --- end E-mail and city onboarding ---

# --- Production safety (kanal.env.check_production) ---------------------------
# Last, so it sees every setting; names the first variable to fix.
if PRODUCTION:
    check_production(
        secret_key=SECRET_KEY,
        debug=DEBUG,
        allowed_hosts=ALLOWED_HOSTS,
        database_url=DATABASE_URL,
        base_domain=KANAL_BASE_DOMAIN,
        stripe_api_key=STRIPE_API_KEY,
        stripe_webhook_secret=STRIPE_WEBHOOK_SECRET,
        otp_sender=KANAL_OTP_SENDER,
        notify_backend=KANAL_NOTIFY_BACKEND,
    )
