"""Email: one message per address, or one to all (singleEmail), through SMTP."""
from __future__ import annotations

import html
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from app.integrations.base import (
    Field,
    IntegrationType,
    SendContext,
    Sent,
    Values,
    cut_text,
    split_addresses,
)
from app.transport import http
from app.transport import smtp as mailer
from app.version import __version__

MAX_SUBJECT = 250
NOT_CONFIGURED_NOTICE = ("SMTP is not configured: email cannot be sent. "
                         "See Settings → Email (SMTP).")
LINE_BREAKS_RE = re.compile(r"[\r\n]+")


def summary(values: Values) -> str:
    addresses = split_addresses(values.get("addresses", ""))
    shown = ", ".join(addresses[:2])
    return f"{shown} +{len(addresses) - 2} more" if len(addresses) > 2 else shown


def has_message(ctx: SendContext) -> bool:
    return bool((ctx.values.get("message") or "").strip())


def html_body(ctx: SendContext, message: str) -> str:
    """The HTML part: the built-in email, or the person's message kept as plain text."""
    if not message:
        return ctx.render(None, "email.default.html", html=True, label="Message")
    return f'<!DOCTYPE html><html><body><div style="white-space: pre-wrap">' \
        f"{html.escape(message)}</div></body></html>"


def text_body(ctx: SendContext, message: str) -> str:
    """Grafana's text part: the message, or its summary of the alerts, then who sent it."""
    text = message or ctx.text("message")
    year = datetime.now(UTC).year
    return f"{text}\n\n\nSent by Herald v{__version__} (c) {year} Herald\n"


def messages(ctx: SendContext, sender: str) -> list[EmailMessage]:
    """One message to all addresses (singleEmail), or one per address."""
    addresses = split_addresses(ctx.values.get("addresses", ""))
    groups = [addresses] if ctx.values.get("singleEmail") else [[a] for a in addresses]
    # Grafana keeps the subject's spacing ("[FIRING:1]  (x)"); a header holds no line break.
    subject = cut_text(LINE_BREAKS_RE.sub(" ", ctx.text("subject")), MAX_SUBJECT)
    message = ctx.render(ctx.values.get("message"), label="Message") if has_message(ctx) else ""
    text, html_text = text_body(ctx, message), html_body(ctx, message)
    built = []
    for recipients in groups:
        mail = EmailMessage()
        mail["Subject"] = subject
        mail["From"] = sender
        mail["To"] = ", ".join(recipients)
        mail["Date"] = formatdate(localtime=True)
        mail["Message-ID"] = make_msgid(domain="herald")
        mail.set_content(text)
        mail.add_alternative(html_text, subtype="html")
        built.append(mail)
    return built


def notice(config: Mapping[str, Any]) -> str:
    """Said in the form before anyone presses Test: without SMTP no email can go out."""
    return "" if mailer.is_configured(config.get("SMTP") or {}) else NOT_CONFIGURED_NOTICE


def send(ctx: SendContext) -> Sent:
    """Send through the SMTP server Herald is configured with."""
    smtp = ctx.config.get("SMTP") or {}
    mailer.send_messages(messages(ctx, mailer.sender_address(smtp)), smtp,
                         http.configured_timeout())
    return Sent()


INTEGRATION = IntegrationType(
    type="email",
    label="Email",
    description="Sends notifications by email, through the SMTP server Herald is configured with.",
    fields=(
        Field(
            "addresses",
            "Addresses",
            element="textarea",
            kind="emails",
            required=True,
            placeholder="Enter your email addresses",
            help="You can enter multiple email addresses using a \";\", \",\" or new line.",
        ),
        Field(
            "singleEmail",
            "Single email",
            element="checkbox",
            help="Send a single email to all recipients.",
        ),
        Field("subject", "Subject", template="default.title", help="Email subject."),
        Field(
            "message",
            "Message",
            element="textarea",
            template="email.default.text",
            help="Optional message. You can use templates to customize this field. Using a "
            "custom message will replace the default message.",
        ),
    ),
    summary=summary,
    send=send,
    category="Email & SMS",
    notice=notice,
)
