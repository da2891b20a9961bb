"""Discord: a message with an embed, posted to a channel webhook."""
from __future__ import annotations

from app.integrations.base import Field, IntegrationType

INTEGRATION = IntegrationType(
    type="discord",
    label="Discord",
    description="Posts to a Discord channel through a webhook.",
    fields=(
        Field("url", "Webhook URL", kind="url", required=True, secret=True,
              placeholder="Discord webhook URL"),
        Field("title", "Title", template="default.title", help="Templated title of the message."),
        Field("message", "Message Content", element="textarea", template="default.message",
              help="Mention a group using <@&ID> or a user using <@ID> when notifying."),
        Field("avatar_url", "Avatar URL", kind="url"),
        Field("use_discord_username", "Use Discord's Webhook Username", element="checkbox",
              help="Use the username configured in Discord's webhook settings. "
              "Otherwise, the username will be 'Herald'."),
        Field("use_embed_description", "Use embed description", element="checkbox",
              help="Put the message in the embed description instead of the message content."),
    ),
    summary=lambda values: "webhook" if values.get("url") else "",
)
