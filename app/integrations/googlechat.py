"""Google Chat: a card message posted to a space's incoming webhook."""
from __future__ import annotations

from app.integrations.base import Field, IntegrationType

INTEGRATION = IntegrationType(
    type="googlechat",
    label="Google Chat",
    description="Posts a card to a Google Chat space through an incoming webhook.",
    fields=(
        Field("url", "URL", kind="url", required=True, secret=True,
              placeholder="Google Chat incoming webhook url"),
        Field("title", "Title", template="default.title", help="Templated title of the message."),
        Field("message", "Message", element="textarea", template="default.message"),
        Field("hide_open_button", "Hide open button", element="checkbox",
              help="Hide the button that links to the alert."),
        Field("hide_version_info", "Hide version info", element="checkbox",
              help="Hide Herald's version in the message footer."),
    ),
    summary=lambda values: "space webhook" if values.get("url") else "",
)
