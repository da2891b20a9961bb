"""Email: one message per address, or one to all (singleEmail), through SMTP."""
from __future__ import annotations

from app.integrations.base import Field, IntegrationType, Values, split_addresses


def summary(values: Values) -> str:
    addresses = split_addresses(values.get("addresses", ""))
    shown = ", ".join(addresses[:2])
    return f"{shown} +{len(addresses) - 2} more" if len(addresses) > 2 else shown


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
)
