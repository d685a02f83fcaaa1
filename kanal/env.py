"""Reading settings from the environment, with production safety checks.

Local defaults are convenient and insecure on purpose; :func:`check_production`
refuses to start a production process that still uses one of them, naming the
variable to fix.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

DEV_SECRET_KEY = "django-insecure-kanal-local-development-key-do-not-use-in-production"
# Senders and backends that never reach a citizen: refused in production.
DEVELOPMENT_OTP_SENDERS = {
    "",
    "people.otp.ConsoleSender",
    "people.otp.MemorySender",
    "people.otp.FileSender",
}
DEVELOPMENT_NOTIFY_BACKENDS = {
    "",
    "notifications.backends.LoggingBackend",
    "notifications.backends.MemoryBackend",
}
TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use true or false.")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number.") from exc


def check_production(
    *,
    secret_key: str,
    debug: bool,
    allowed_hosts: list[str],
    database_url: str,
    base_domain: str,
    stripe_api_key: str = "",
    stripe_webhook_secret: str = "",
    otp_sender: str = "",
    notify_backend: str = "",
) -> None:
    """Raise ImproperlyConfigured naming the first unsafe production setting."""
    problems: list[str] = []
    if not secret_key or secret_key == DEV_SECRET_KEY or len(secret_key) < 50:
        problems.append(
            "SECRET_KEY must be set to a random value of at least 50 characters "
            "(the local development default is refused)."
        )
    if debug:
        problems.append("DEBUG must be false in production.")
    if not allowed_hosts or "*" in allowed_hosts:
        problems.append("ALLOWED_HOSTS must list the served domains; '*' is refused.")
    if not database_url:
        problems.append("DATABASE_URL must be set; the embedded PostgreSQL is for development.")
    if base_domain in {"", "localhost"}:
        problems.append("KANAL_BASE_DOMAIN must be the public domain (e.g. kanal.id).")
    if stripe_api_key and not stripe_webhook_secret:
        problems.append(
            "STRIPE_WEBHOOK_SECRET must be set when STRIPE_API_KEY is (the webhook "
            "could not verify Stripe's signatures)."
        )
    if otp_sender in DEVELOPMENT_OTP_SENDERS:
        problems.append(
            f"KANAL_OTP_SENDER must name a real SMS or WhatsApp sender; {otp_sender!r} "
            "would print or keep citizens' sign-in codes instead of sending them."
        )
    if notify_backend in DEVELOPMENT_NOTIFY_BACKENDS:
        problems.append(
            f"KANAL_NOTIFY_BACKEND must name a real delivery backend; {notify_backend!r} "
            "would mark citizens' notifications as sent without sending them."
        )
    if problems:
        raise ImproperlyConfigured(
            "Refusing to start with KANAL_ENV=production: " + " ".join(problems)
        )
