"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps every message it receives."""
from __future__ import annotations

import socket
import time
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from reports.alerts import MailServer


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted"


class MailCatcher:
    """Started and stopped as a context manager; `server` is the MailServer setting that reaches it."""

    def __init__(self) -> None:
        self._inbox = _Inbox()
        self.port = free_port()
        self._controller = Controller(self._inbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> MailCatcher:
        self._controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self._controller.stop()

    @property
    def server(self) -> MailServer:
        return MailServer(host="127.0.0.1", port=self.port, sender="barometer@provincie.example",
                          recipients=("planning@provincie.example", "data@provincie.example"), timeout=10)

    @property
    def messages(self) -> list[EmailMessage]:
        return list(self._inbox.messages)

    def wait_for(self, count: int, timeout: float = 30) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self._inbox.messages) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.messages
