"""Local stand-ins for the messaging providers' HTTP APIs (WhatsApp Cloud API,
Telegram Bot API, Twilio), for tests and the demo.

Only the third party is faked, at its HTTP boundary: Kanal talks to these
servers through the providers' real client libraries, pointed here by the
``KANAL_*_API_BASE`` settings. One :class:`FakeServer` serves several
providers, each under its own path prefix (``/whatsapp``, ``/telegram``,
``/twilio``); ``GET /_sent/<prefix>`` answers what a provider was asked to
send, so a test or ``channel_simulate`` in another process can read it.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs


@dataclass
class Request:
    method: str
    path: str  # without the provider's prefix, with the query string
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass
class Answer:
    status: int = 200
    body: bytes | str | dict | list = b""
    content_type: str = "application/json"

    def encoded(self) -> bytes:
        if isinstance(self.body, (dict, list)):
            return json.dumps(self.body).encode()
        return self.body.encode() if isinstance(self.body, str) else self.body


@dataclass
class FakeProvider:
    """Subclasses answer :meth:`handle`; every request is kept in ``requests``
    and what was sent to a citizen in ``sent`` (plain dicts)."""

    requests: list[Request] = field(default_factory=list)
    sent: list[dict] = field(default_factory=list)
    fail_next: int = 0  # answer the next N requests with 503 (a provider outage)
    base_url: str = ""  # set by FakeServer: where this provider answers

    def handle(self, request: Request) -> Answer:  # pragma: no cover - abstract
        raise NotImplementedError

    def reset(self) -> None:
        self.requests.clear()
        self.sent.clear()
        self.fail_next = 0


class FakeServer:
    def __init__(self, providers: dict[str, FakeProvider], host: str = "127.0.0.1", port: int = 0):
        self.providers = providers
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                answer = server.dispatch(self.command, self.path, dict(self.headers), body)
                data = answer.encoded()
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        for prefix, provider in providers.items():
            provider.base_url = f"{self.url}/{prefix}"

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def dispatch(self, method: str, path: str, headers: dict, body: bytes) -> Answer:
        prefix, _, rest = path.lstrip("/").partition("/")
        if prefix == "_sent":
            provider = self.providers.get(rest.split("?")[0])
            return Answer(200, provider.sent if provider else [])
        if prefix == "_media" and method == "POST":
            # channel_simulate --photo: a photo the "citizen" sends, stored at the provider.
            provider = self.providers.get(rest.split("?")[0])
            add = getattr(provider, "add_media", None) or getattr(provider, "add_file", None)
            if add is None:
                return Answer(404, {"error": "this fake keeps no media"})
            content_type = headers.get("Content-Type", "image/jpeg")
            query = parse_qs(rest.partition("?")[2])
            if hasattr(provider, "accounts"):  # Twilio keeps media per account
                ref = add(query.get("account", [""])[0], body, content_type)
            else:
                ref = add(body, content_type)
            return Answer(200, {"ref": ref})
        provider = self.providers.get(prefix)
        if provider is None:
            return Answer(404, {"error": f"no fake provider at /{prefix}"})
        request = Request(method, "/" + rest, headers, body)
        provider.requests.append(request)
        if provider.fail_next > 0:
            provider.fail_next -= 1
            # One body every client library reads as a temporary failure: Graph's
            # error object, the Bot API's ok/error_code, Twilio's code/message.
            return Answer(
                503,
                {
                    "error": {"code": 2, "message": "Service temporarily unavailable"},
                    "ok": False,
                    "error_code": 503,
                    "description": "Service temporarily unavailable",
                    "code": 20503,
                    "message": "Service temporarily unavailable",
                    "status": 503,
                },
            )
        return provider.handle(request)

    def start(self) -> FakeServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
