"""A real SMTP server on loopback for the e-mail tests (aiosmtpd), and the settings that point the
product at it.

`running()` starts one in a thread on a free port and yields a `Mailbox`: every message it accepted,
parsed (subject and body decoded from their UTF-8 encodings) with the envelope's recipients.
Recipients listed in `refuse` get `550` at RCPT, as a server answers for an unknown mailbox; with
`users`, the server offers AUTH (without TLS, on loopback) and accepts those user/password pairs.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

SENDER = "填报系统 <tracker@bureau.example.cn>"


@dataclass
class Received:
    envelope_to: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        return self.message.get_content()


@dataclass
class Mailbox:
    port: int
    messages: list[Received] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def to(self, address: str) -> list[Received]:
        with self.lock:
            return [m for m in self.messages if address in m.envelope_to]

    @property
    def recipients(self) -> list[str]:
        with self.lock:
            return sorted(r for m in self.messages for r in m.envelope_to)


class _Handler:
    def __init__(self, box: Mailbox, refuse: set[str]):
        self.box, self.refuse = box, refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # aiosmtpd's hook names
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        parsed = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self.box.lock:
            self.box.messages.append(Received(list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running(refuse: set[str] | None = None, users: dict[str, str] | None = None) -> Iterator[Mailbox]:
    box = Mailbox(free_port())
    extra = {}
    if users:
        def authenticate(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and users.get(auth_data.login.decode()) == auth_data.password.decode()
            if ok:
                box.logins.append(auth_data.login.decode())
            return AuthResult(success=ok, handled=False)
        extra = {"authenticator": authenticate, "auth_require_tls": False, "auth_required": True}
    controller = Controller(_Handler(box, refuse or set()), hostname="127.0.0.1", port=box.port, **extra)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


def use(monkeypatch: pytest.MonkeyPatch, port: int, **more: str) -> None:
    """Point the product's settings at a server on loopback port `port` (no TLS: a local relay)."""
    monkeypatch.setenv("TRACKER_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("TRACKER_SMTP_PORT", str(port))
    monkeypatch.setenv("TRACKER_SMTP_FROM", SENDER)
    monkeypatch.setenv("TRACKER_SMTP_TLS", "none")
    monkeypatch.setenv("TRACKER_SMTP_TIMEOUT", "5")
    for name, value in more.items():
        monkeypatch.setenv(name, value)


def no_mail(monkeypatch: pytest.MonkeyPatch) -> None:
    """No mail server configured, whatever the environment the tests run in holds."""
    for name in ("TRACKER_SMTP_HOST", "TRACKER_SMTP_FROM", "TRACKER_SMTP_USER", "TRACKER_SMTP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
