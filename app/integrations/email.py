"""Email: one message per address, or one to all (singleEmail), through SMTP."""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from app.integrations.base import (
    Field,
    IntegrationType,
    SendContext,
    SendError,
    Sent,
    Values,
    cut_text,
    herald_icon_url,
    split_addresses,
)
from app.integrations.common import alert_list_url
from app.transport import http
from app.transport import smtp as mailer
from app.transport.errors import partly_sent
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


def alert_page_url(external_url: str) -> str:
    """Grafana's AlertPageUrl: the alert list showing what fires, at the external URL."""
    parts = urlsplit(alert_list_url(external_url))
    return urlunsplit(parts._replace(query="alertState=firing&view=state"))


def html_body(ctx: SendContext, subject: str, message: str) -> str:
    """Grafana's HTML email: the alerts, or the person's message, in the same layout."""
    icon = herald_icon_url(ctx.config)
    variables = {
        "Title": subject,
        "Message": message,
        "Now": datetime.now(UTC),
        "AppUrl": ctx.config.get("HERALD_EXTERNAL_URL") or ctx.group.external_url,
        "AlertPageUrl": alert_page_url(ctx.group.external_url),
        # An email cannot load Herald's icon from a relative address.
        "HeraldIconUrl": icon if icon.startswith(("http://", "https://")) else "",
    }
    return ctx.render(None, "email.default.html", html=True, label="Message",
                      variables=variables)


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
    text, html_text = text_body(ctx, message), html_body(ctx, subject, message)
    built = []
    for recipients in groups:
        mail = EmailMessage()
        mail["Subject"] = subject
        mail["From"] = sender
        mail["To"] = ", ".join(recipients)
        mail["Date"] = formatdate(localtime=True)
        mail["Message-ID"] = make_msgid(domain="herald")
        mail.set_content(text)
        if html_text:  # empty only when the built-in failed (too many alerts): text alone
            mail.add_alternative(html_text, subtype="html")
        built.append(mail)
    return built


def notice(config: Mapping[str, Any]) -> str:
    """Said in the form before anyone presses Test: without SMTP no email can go out."""
    return "" if mailer.is_configured(config.get("SMTP") or {}) else NOT_CONFIGURED_NOTICE


def send(ctx: SendContext) -> Sent:
    """Send through the SMTP server Herald is configured with.

    With one message per address, an address that earlier attempts reached is not sent to
    again, and a failure says how many were reached (SendError.done names them).
    """
    smtp = ctx.config.get("SMTP") or {}
    built = messages(ctx, mailer.sender_address(smtp))
    recipients = [str(mail["To"]) for mail in built]
    todo = [mail for mail, to in zip(built, recipients, strict=True) if to not in ctx.done]
    if not todo:
        return Sent()  # earlier attempts reached every address
    sent: list[EmailMessage] = []
    try:
        mailer.send_messages(todo, smtp, http.configured_timeout(), sent=sent)
    except SendError as error:
        done = ctx.done | {str(mail["To"]) for mail in sent}
        if len(built) == 1 or done.isdisjoint(recipients):
            raise
        raise partly_sent(error, error.message, done, recipients, "addresses") from None
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
