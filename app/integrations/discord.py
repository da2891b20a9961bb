"""Discord: a message with an embed, posted to a channel webhook."""
from __future__ import annotations

from app.integrations.base import (
    Field,
    IntegrationType,
    SendContext,
    Sent,
    alert_list_url,
    cut_text,
    herald_icon_url,
)
from app.transport import http
from app.version import __version__

# https://discord.com/developers/docs/resources/webhook#execute-webhook
MAX_CONTENT = 2000  # Grafana cuts the content and the description alike
# https://discord.com/developers/docs/resources/message#embed-object-embed-limits
MAX_TITLE = 256
FIRING_COLOR, RESOLVED_COLOR = 0xD63232, 0x36A64F


def message(ctx: SendContext) -> dict:
    """Grafana's webhook body: content (or embed description) and one rich embed."""
    text = cut_text(ctx.text("message"), MAX_CONTENT)
    in_embed = bool(ctx.values.get("use_embed_description"))
    body: dict = {}
    if not ctx.values.get("use_discord_username"):
        body["username"] = "Herald"
    body["content"] = "" if in_embed else text
    avatar = ctx.render(ctx.values.get("avatar_url"))
    if avatar:
        body["avatar_url"] = avatar
    embed = {"title": cut_text(ctx.text("title"), MAX_TITLE), "type": "rich"}
    if in_embed and text:
        embed["description"] = text
    embed.update(
        url=alert_list_url(ctx.group.external_url),
        color=FIRING_COLOR if ctx.group.status == "firing" else RESOLVED_COLOR,
        footer={"text": f"Herald v{__version__}", "icon_url": herald_icon_url(ctx.config)},
    )
    body["embeds"] = [{key: value for key, value in embed.items() if value}]
    return body


def send(ctx: SendContext) -> Sent:
    """Execute the webhook; a 429 carries retry_after in its JSON body."""
    answer = http.request("POST", ctx.values["url"], json=message(ctx))
    return Sent(answer.status)


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
    send=send,
    category="Chat",
)
