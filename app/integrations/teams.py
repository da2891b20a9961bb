"""Microsoft Teams: an Adaptive Card posted to a Workflows (or legacy connector) webhook."""
from __future__ import annotations

from app.integrations.base import Field, IntegrationType, Values, url_host


def summary(values: Values) -> str:
    return url_host(values.get("url", ""))


INTEGRATION = IntegrationType(
    type="teams",
    label="Microsoft Teams",
    description="Posts an Adaptive Card to a Microsoft Teams channel through a webhook.",
    fields=(
        Field("url", "URL", kind="url", required=True,
              placeholder="Teams incoming webhook url",
              help="A Teams Workflows (Power Automate) webhook URL, or a legacy connector URL."),
        Field("title", "Title", template="teams.default.title", help="Templated title of the Teams message."),
        Field("sectiontitle", "Section Title",
              help="Section title for the Teams message. Leave blank for none."),
        Field("message", "Message", element="textarea", template="teams.default.message"),
    ),
    summary=summary,
)
