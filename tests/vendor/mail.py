"""A real SMTP server for tests (aiosmtpd on 127.0.0.1), collecting what it receives."""

from __future__ import annotations

import re
import socket
import time
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default

from aiosmtpd.controller import Controller

LINK = re.compile(r"https?://[^\s]+/undangan/[^\s/]+/[^\s/]+/")


class Mailbox:
    """aiosmtpd handler: every accepted message, parsed."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.port = 0

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=default))
        return "250 Message accepted for delivery"

    def to(self, address: str, timeout: float = 10) -> EmailMessage:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in reversed(self.messages):
                if address in message["To"]:
                    return message
            time.sleep(0.1)
        raise AssertionError(f"no e-mail reached {address}")

    @staticmethod
    def text(message: EmailMessage) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()

    def invite_link(self, address: str) -> str:
        match = LINK.search(self.text(self.to(address)))
        assert match, "the invitation has no link"
        return match.group(0)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_smtp() -> tuple[Controller, Mailbox]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    mailbox.port = controller.port
    return controller, mailbox
