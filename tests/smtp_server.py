"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives, for tests."""
from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

# aiosmtpd narrates every connection at INFO; its warnings and errors are what tests need.
logging.getLogger("mail.log").setLevel(logging.WARNING)


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class MailHandler:
    """Keeps every message; can refuse recipients, like a real server."""

    received: list[ReceivedMail] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    busy: set[str] = field(default_factory=set)  # answered 421: the server ends the session
    # A message to one of these addresses is refused after its data, with the reply given.
    refuse_data: dict[str, str] = field(default_factory=dict)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        if address in self.busy:
            return "421 4.3.2 Service not available"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        for address in envelope.rcpt_tos:
            if address in self.refuse_data:
                return self.refuse_data[address]
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: MailHandler
    logins: list[tuple[str, str]]

    @property
    def received(self) -> list[ReceivedMail]:
        return self.handler.received

    def settings(self, **overrides: str) -> dict[str, object]:
        """The app's SMTP configuration pointing at this server."""
        smtp: dict[str, object] = {"host": self.host, "port": self.port, "user": "",
                                   "password": "", "from": "herald@example.test", "tls": "none"}
        smtp.update(overrides)
        return smtp


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_smtp_server(password: str = "right", smtputf8: bool = True) -> Iterator[SmtpServer]:
    """Start the server; AUTH LOGIN/PLAIN is offered without TLS and checks the password.
    Without smtputf8 it does not offer SMTPUTF8 (non-ASCII addresses)."""
    logins: list[tuple[str, str]] = []

    def authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            login = (auth_data.login.decode(), auth_data.password.decode())
            logins.append(login)
            return AuthResult(success=login[1] == password, handled=False)
        return AuthResult(success=False, handled=False)

    handler = MailHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port,
                            authenticator=authenticate, auth_require_tls=False,
                            enable_SMTPUTF8=smtputf8)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, handler, logins)
    finally:
        controller.stop()
