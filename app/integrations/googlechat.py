"""Google Chat: a card message posted to a space's incoming webhook."""
from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from app.integrations.base import (
    Field,
    IntegrationType,
    SendContext,
    Sent,
    alert_list_url,
    cut_text,
)
from app.transport import http
from app.version import __version__

# https://developers.google.com/workspace/chat/create-messages - a message's text is at most
# 4,096 characters; the card text shares the 32,000-byte message limit.
MAX_TEXT = 4096


def version_line() -> str:
    """Herald's version and the time, in Go's RFC822 layout as Grafana writes it."""
    return f"Herald v{__version__} | {datetime.now(UTC).strftime('%d %b %y %H:%M UTC')}"


def card_message(ctx: SendContext) -> dict:
    """Grafana's card: the title as header, the message, the open button, the version."""
    title = ctx.text("title")
    widgets: list[dict] = []
    text = cut_text(ctx.text("message"), MAX_TEXT)
    if text:  # Google Chat refuses an empty textParagraph
        widgets.append({"textParagraph": {"text": text}})
    link = alert_list_url(ctx.group.external_url)
    # Google shows an empty alert for a relative link, so the button needs an absolute one.
    if not ctx.values.get("hide_open_button") and urlsplit(link).scheme:
        widgets.append({"buttons": [{"textButton": {
            "text": "OPEN IN HERALD", "onClick": {"openLink": {"url": link}}}}]})
    if not ctx.values.get("hide_version_info"):
        widgets.append({"textParagraph": {"text": version_line()}})
    return {"previewText": title, "fallbackText": title,
            "cards": [{"header": {"title": title}, "sections": [{"widgets": widgets}]}]}


def send(ctx: SendContext) -> Sent:
    answer = http.request("POST", ctx.url("url"), json=card_message(ctx),
                          headers={"Content-Type": "application/json; charset=UTF-8"})
    return Sent(answer.status)


INTEGRATION = IntegrationType(
    type="googlechat",
    label="Google Chat",
    description="Posts a card to a Google Chat space through an incoming webhook.",
    fields=(
        Field("url", "URL", kind="url", required=True, secret=True, templated=True,
              placeholder="Google Chat incoming webhook url"),
        Field("title", "Title", template="default.title", help="Templated title of the message."),
        Field("message", "Message", element="textarea", template="default.message"),
        Field("hide_open_button", "Hide open button", element="checkbox",
              help="Hide the button that links to the alert."),
        Field("hide_version_info", "Hide version info", element="checkbox",
              help="Hide Herald's version in the message footer."),
    ),
    summary=lambda values: "space webhook" if values.get("url") else "",
    send=send,
    category="Chat",
)
