"""``python -m devtools.fakes [HOST:PORT]``: every fake messaging provider on
one local port, for the demo (``scripts/dev.py demo`` starts it)."""

from __future__ import annotations

import sys
import time

from devtools.fakes.base import FakeServer


def providers() -> dict:
    from devtools.fakes.telegram import FakeTelegram
    from devtools.fakes.twilio import FakeTwilio
    from devtools.fakes.whatsapp import FakeWhatsApp

    return {"whatsapp": FakeWhatsApp(), "telegram": FakeTelegram(), "twilio": FakeTwilio()}


def main() -> None:
    addr = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:8079"
    host, _, port = addr.rpartition(":")
    server = FakeServer(providers(), host=host, port=int(port)).start()
    print(f"fake WhatsApp/Telegram/Twilio on {server.url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
