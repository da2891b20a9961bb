"""Email: one message per address, or one to all (singleEmail), through SMTP."""
from __future__ import annotations

import html
from collections.abc import Mapping
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

MAX_SUBJECT = 250
NOT_CONFIGURED_NOTICE = ("SMTP is not configured: email cannot be sent. "
                         "See Settings → Email (SMTP).")


def summary(values: Values) -> str:
    addresses = split_addresses(values.get("addresses", ""))
    shown = ", ".join(addresses[:2])
    return f"{shown} +{len(addresses) - 2} more" if len(addresses) > 2 else shown


def html_body(ctx: SendContext) -> str:
    """The HTML part: the built-in email, or the person's message kept as plain text."""
    if not ctx.values.get("message"):
        return ctx.render(None, "email.default.html", html=True, label="Message")
    text = html.escape(ctx.text("message"))
    return f'<!DOCTYPE html><html><body><div style="white-space: pre-wrap">{text}</div>' \
        "</body></html>"


def messages(ctx: SendContext, sender: str) -> list[EmailMessage]:
    """One message to all addresses (singleEmail), or one per address."""
    addresses = split_addresses(ctx.values.get("addresses", ""))
    groups = [addresses] if ctx.values.get("singleEmail") else [[a] for a in addresses]
    subject = cut_text(" ".join(ctx.text("subject").split()), MAX_SUBJECT)
    text, html_text = ctx.text("message"), html_body(ctx)
    built = []
    for recipients in groups:
        message = EmailMessage()
        message["Subject"] = subject
        message["From"] = sender
        message["To"] = ", ".join(recipients)
        message["Date"] = formatdate(localtime=True)
        message["Message-ID"] = make_msgid(domain="herald")
        message.set_content(text)
        message.add_alternative(html_text, subtype="html")
        built.append(message)
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
            template="default.message",
            help="Optional message to include with the email.",
        ),
    ),
    summary=summary,
    send=send,
    category="Email & SMS",
    notice=notice,
)
