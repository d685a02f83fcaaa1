"""``python -m kanal.serve [uvicorn options]``: uvicorn with Kanal's proxy trust.

uvicorn trusts ``X-Forwarded-For`` from 127.0.0.1 by default, and the chart
once trusted it from anyone; then a client could forge its address and lift
the sign-in lockout. This launcher derives uvicorn's proxy flags from the one
setting Django reads too, ``KANAL_TRUSTED_PROXIES`` (kanal/net.py), so the
server and the application never disagree about who the client is.
"""

from __future__ import annotations

import os
import sys


def command(argv: list[str]) -> list[str]:
    from kanal.env import env_list
    from kanal.net import uvicorn_proxy_args

    for flag in ("--proxy-headers", "--no-proxy-headers", "--forwarded-allow-ips"):
        if any(arg == flag or arg.startswith(flag + "=") for arg in argv):
            raise SystemExit(f"{flag}: set KANAL_TRUSTED_PROXIES instead (kanal/net.py).")
    trusted = env_list("KANAL_TRUSTED_PROXIES", [])
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "kanal.asgi:application",
        *uvicorn_proxy_args(trusted),
        *argv,
    ]


def main() -> None:
    args = command(sys.argv[1:])
    os.execv(args[0], args)  # noqa: S606 (our own fixed argv)


if __name__ == "__main__":
    main()
