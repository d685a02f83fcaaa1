"""One client address everywhere (kanal/net.py): forwarding headers count only
from KANAL_TRUSTED_PROXIES, and uvicorn is started with the same trust."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from kanal.net import client_ip, parse_networks, resolve_client_ip, uvicorn_proxy_args
from kanal.serve import command

INGRESS = parse_networks(["10.0.0.0/8"])


@pytest.mark.parametrize(
    ("peer", "forwarded", "networks", "client"),
    [
        # Nothing trusted (the default): the header is ignored, whatever it says.
        ("127.0.0.1", "203.0.113.5", (), "127.0.0.1"),
        ("198.51.100.7", "10.1.1.1", (), "198.51.100.7"),
        # A client talking to the pod directly cannot claim another address.
        ("198.51.100.7", "203.0.113.5", INGRESS, "198.51.100.7"),
        # Through the ingress: the hop it appended, not what the client prepended.
        ("10.2.0.4", "203.0.113.5, 198.51.100.7", INGRESS, "198.51.100.7"),
        ("10.2.0.4", "198.51.100.7, 10.9.9.9", INGRESS, "198.51.100.7"),
        ("10.2.0.4", "garbage, 198.51.100.7", INGRESS, "198.51.100.7"),
        ("10.2.0.4", "198.51.100.7:4711", INGRESS, "198.51.100.7"),
        ("10.2.0.4", "", INGRESS, "10.2.0.4"),
        ("::ffff:127.0.0.1", "", (), "127.0.0.1"),
    ],
)
def test_the_client_is_the_rightmost_untrusted_hop(peer, forwarded, networks, client):
    assert resolve_client_ip(peer, forwarded, networks) == client


def test_a_request_uses_the_setting(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR="192.0.2.1")
    settings.KANAL_TRUSTED_PROXIES = []
    assert client_ip(request) == "10.0.0.3"
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR="192.0.2.1")
    settings.KANAL_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(request) == "192.0.2.1"


@pytest.mark.parametrize("value", ["*", "10.0.0.0/33", "ingress"])
def test_trusting_everyone_or_garbage_is_refused(value):
    with pytest.raises(ImproperlyConfigured, match="KANAL_TRUSTED_PROXIES"):
        parse_networks([value])


def test_uvicorn_gets_the_same_trust(monkeypatch):
    assert uvicorn_proxy_args([]) == ["--no-proxy-headers"]
    assert uvicorn_proxy_args(["10.0.0.0/8", "192.168.1.1"]) == [
        "--proxy-headers",
        "--forwarded-allow-ips",
        "10.0.0.0/8,192.168.1.1/32",
    ]
    monkeypatch.delenv("KANAL_TRUSTED_PROXIES", raising=False)
    argv = command(["--port", "8000"])
    assert argv[1:4] == ["-m", "uvicorn", "kanal.asgi:application"]
    assert "--no-proxy-headers" in argv and argv[-2:] == ["--port", "8000"]
    with pytest.raises(SystemExit, match="KANAL_TRUSTED_PROXIES"):
        command(["--forwarded-allow-ips", "*"])
