"""SMTP plumbing for the email integration: one connection, clear errors."""
from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Iterable, Mapping
from email.message import EmailMessage
from typing import Any

from app.transport import outbound
from app.transport.errors import SendError

NOT_CONFIGURED = (
    "SMTP is not configured: set HERALD_SMTP_HOST (and HERALD_SMTP_PORT, HERALD_SMTP_FROM) "
    "and restart Herald"
)
DEFAULT_PORTS = {"ssl": 465, "starttls": 587, "none": 25}


def is_configured(smtp: Mapping[str, Any]) -> bool:
    """Whether there is an SMTP server to send through (HERALD_SMTP_HOST)."""
    return bool(smtp.get("host"))


def sender_address(smtp: Mapping[str, Any]) -> str:
    """The From address: HERALD_SMTP_FROM, else the login when it is an address."""
    user = smtp.get("user") or ""
    return smtp.get("from") or (user if "@" in user else "Herald <herald@localhost>")


def send_messages(messages: Iterable[EmailMessage], smtp: Mapping[str, Any], timeout: float,
                  sent: list[EmailMessage] | None = None) -> None:
    """Send every message over one SMTP connection; failures raise SendError.

    A message whose every recipient is refused, or that the server refuses for good after
    its data (a 5xx such as a full mailbox), does not stop the messages after it: the
    refusals are raised together at the end, named by the message's To. A 4xx stops the
    send, as the messages after it would most likely be deferred too. Each message the
    server accepted is appended to sent, so a caller can tell which went out before a
    failure.
    """
    if not is_configured(smtp):
        raise SendError(NOT_CONFIGURED, permanent=True)
    host = smtp["host"]
    mode = (smtp.get("tls") or "starttls").lower()
    port = int(smtp.get("port") or DEFAULT_PORTS.get(mode, 25))
    try:
        with _connect(host, port, mode, timeout) as connection:
            if mode == "starttls":
                try:
                    connection.starttls(context=ssl.create_default_context())
                except smtplib.SMTPNotSupportedError:
                    raise SendError("the SMTP server does not offer STARTTLS: set "
                                    "HERALD_SMTP_TLS to ssl or none", permanent=True) from None
            if smtp.get("user"):
                connection.login(smtp["user"], smtp.get("password") or "")
            refused: dict[str, tuple[int, bytes]] = {}
            for message in messages:
                try:
                    # Recipients refused while others were accepted come back, not raised.
                    refused.update(connection.send_message(message))
                except smtplib.SMTPRecipientsRefused as exc:
                    refused.update(exc.recipients)
                    if connection.sock is None:  # a 421: the server ended the session
                        break
                    continue  # smtplib reset the session: the next message can go
                except smtplib.SMTPDataError as exc:
                    if exc.smtp_code < 500 or connection.sock is None:
                        raise
                    refused[str(message["To"])] = (exc.smtp_code, exc.smtp_error)
                    continue  # smtplib reset the session, as above
                if sent is not None:
                    sent.append(message)
        if refused:
            raise smtplib.SMTPRecipientsRefused(refused)
    except outbound.DestinationRefused as exc:
        raise SendError(str(exc), permanent=True) from None
    except smtplib.SMTPException as exc:
        raise _smtp_error(exc) from None
    except OSError as exc:  # sockets, DNS and TLS: smtplib lets them through as they are
        raise _network_error(exc, host, port, timeout) from None


def _network_error(exc: OSError, host: str, port: int, timeout: float) -> SendError:
    where = f"{host}:{port}"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return SendError(f"TLS certificate error: {exc.verify_message}", permanent=True)
    if isinstance(exc, ssl.SSLError):
        return SendError(f"TLS error: {exc.reason or exc}")
    if isinstance(exc, TimeoutError):
        return SendError(f"timed out after {timeout:g} s talking to {where}")
    if isinstance(exc, socket.gaierror):
        return SendError(f"DNS name not found: {host}", permanent=True)
    if isinstance(exc, ConnectionRefusedError):
        return SendError(f"connection refused ({where})")
    return SendError(f"network error reaching {where}: {exc.strerror or exc}")


class _PolicedSMTP(smtplib.SMTP):
    """SMTP whose socket dials only an address the destination policy permits."""

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        return outbound.connect(host, port, timeout, source_address=self.source_address)


class _PolicedSMTPSSL(smtplib.SMTP_SSL, _PolicedSMTP):
    """SMTP over TLS: SMTP_SSL wraps the socket that _PolicedSMTP opened."""


def _connect(host: str, port: int, mode: str, timeout: float) -> smtplib.SMTP:
    if mode == "ssl":
        context = ssl.create_default_context()
        return _PolicedSMTPSSL(host, port, timeout=timeout, context=context)
    return _PolicedSMTP(host, port, timeout=timeout)


def _smtp_error(exc: smtplib.SMTPException) -> SendError:
    """Words for an SMTP failure; 5xx replies are permanent, 4xx ones transient."""
    if isinstance(exc, smtplib.SMTPNotSupportedError):  # e.g. a non-ASCII address, no SMTPUTF8
        return SendError(f"the SMTP server does not support this message: {exc}",
                         permanent=True)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return SendError(f"SMTP login refused: {_reply(exc.smtp_error)}", permanent=True)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = ", ".join(f"{address} ({code} {_reply(text)})"
                            for address, (code, text) in exc.recipients.items())
        codes = [code for code, _ in exc.recipients.values()]
        return SendError(f"the SMTP server refused {refused}",
                         permanent=all(code >= 500 for code in codes))
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return SendError(f"the SMTP server refused the sender {exc.sender}: "
                         f"{exc.smtp_code} {_reply(exc.smtp_error)}",
                         permanent=exc.smtp_code >= 500)
    if isinstance(exc, smtplib.SMTPResponseException):
        return SendError(f"SMTP {exc.smtp_code}: {_reply(exc.smtp_error)}",
                         permanent=exc.smtp_code >= 500)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return SendError("the SMTP server closed the connection")
    return SendError(f"SMTP error: {exc}")


def _reply(text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return " ".join(text.split())
