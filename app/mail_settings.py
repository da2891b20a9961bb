"""The SMTP server Herald sends email through: the settings in effect, and a test email."""
from __future__ import annotations

from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from app.integrations.base import EMAIL_RE, SendError
from app.transport import http
from app.transport import smtp as mailer
from app.transport.smtp import is_configured

__all__ = ["SendError", "address_problem", "is_configured", "send_test_email", "smtp_rows"]

SECURITY = {"starttls": "STARTTLS", "ssl": "TLS from the start (SSL)",
            "none": "none: plain text"}


def smtp_rows(smtp: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(setting, variable, value shown) of each SMTP setting; never the password itself."""
    mode = (smtp.get("tls") or "starttls").lower()
    port = smtp.get("port") or mailer.DEFAULT_PORTS.get(mode, 25)
    sender = mailer.sender_address(smtp)
    return [
        ("Host", "HERALD_SMTP_HOST", smtp.get("host") or "not set"),
        ("Port", "HERALD_SMTP_PORT",
         str(port) if smtp.get("port") else f"{port} (the default for {mode})"),
        ("Security", "HERALD_SMTP_TLS", SECURITY.get(mode, mode)),
        ("User", "HERALD_SMTP_USER", smtp.get("user") or "not set"),
        ("Password", "HERALD_SMTP_PASSWORD", "configured" if smtp.get("password") else "not set"),
        ("From", "HERALD_SMTP_FROM", smtp.get("from") or f"{sender} (not set: the default)"),
    ]


def address_problem(address: str) -> str | None:
    """Why a test email cannot go to this address, or None."""
    if not address:
        return "Enter the address to send the test email to."
    if not EMAIL_RE.match(address):
        return f"Not a valid email address: {address[:100]}"
    return None


def build_test_email(smtp: Mapping[str, Any], to: str, sent_by: str,
                     external_url: str) -> EmailMessage:
    """The test email: who asked for it and which server it went through."""
    message = EmailMessage()
    message["Subject"] = "Herald test email"
    message["From"] = mailer.sender_address(smtp)
    message["To"] = to
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain="herald")
    message.set_content(
        f"This is a test email from Herald ({external_url}), sent by {sent_by} through "
        f"{smtp.get('host')}.\n\nIf you can read it, Herald can send notifications by email.\n")
    return message


def send_test_email(smtp: Mapping[str, Any], to: str, sent_by: str, external_url: str) -> None:
    """Send the test email through app.transport.smtp; failures raise SendError."""
    mailer.send_messages([build_test_email(smtp, to, sent_by, external_url)], smtp,
                         http.configured_timeout())
