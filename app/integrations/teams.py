"""Microsoft Teams: an Adaptive Card posted to a Workflows (or legacy connector) webhook."""
from __future__ import annotations

from app.integrations.base import (
    Field,
    IntegrationType,
    SendContext,
    SendError,
    Sent,
    Values,
    alert_list_url,
    url_host,
)
from app.transport import http

CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"


def summary(values: Values) -> str:
    return url_host(values.get("url", ""))


def text_block(text: str, **style: str) -> dict:
    """A TextBlock, its keys in Grafana's order."""
    return {"type": "TextBlock", "text": text, **style, "wrap": True}


def card_message(ctx: SendContext) -> dict:
    """Grafana's Adaptive Card message, as Teams Workflows and connectors accept it.

    https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using#send-adaptive-cards-using-an-incoming-webhook
    """
    title = ctx.text("title")
    color = "attention" if ctx.group.status == "firing" else "good"
    body = [text_block(title, color=color, size="large", weight="bolder"),
            text_block(ctx.text("message")),
            {"type": "ActionSet", "actions": [
                {"type": "Action.OpenUrl", "title": "View URL",
                 "url": alert_list_url(ctx.group.external_url)}]}]
    card = {"body": body, "$schema": CARD_SCHEMA, "type": "AdaptiveCard", "version": "1.4",
            "msTeams": {"width": "Full"}}
    message = {"attachments": [{"content": card,
                                "contentType": "application/vnd.microsoft.card.adaptive"}],
               "summary": title, "type": "message"}
    return {key: value for key, value in message.items() if value}


def send(ctx: SendContext) -> Sent:
    """Post the card; a legacy connector that answers anything but "1" has refused it."""
    url = ctx.url("url")
    answer = http.request("POST", url, json=card_message(ctx))
    # Office 365 connectors answer 200 with an error text instead of a failing status.
    # https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using#rate-limiting-for-connectors
    if url_host(url).endswith("webhook.office.com") and answer.text.strip() != "1":
        excerpt = http.answer_excerpt(answer)
        permanent = "429" not in excerpt and "throttl" not in excerpt.lower()
        raise SendError(f"Teams refused the message: {excerpt}", permanent=permanent,
                        status=answer.status)
    return Sent(answer.status)


INTEGRATION = IntegrationType(
    type="teams",
    label="Microsoft Teams",
    description="Posts an Adaptive Card to a Microsoft Teams channel through a webhook.",
    fields=(
        Field("url", "URL", kind="url", required=True, templated=True,
              placeholder="Teams incoming webhook url",
              help="A Teams Workflows (Power Automate) webhook URL, or a legacy connector URL."),
        Field("title", "Title", template="default.title",
              help="Templated title of the Teams message."),
        Field("sectiontitle", "Section Title",
              help="Kept for Grafana's settings; Grafana's Adaptive Card does not show it."),
        Field("message", "Message", element="textarea", template="teams.default.message"),
    ),
    summary=summary,
    send=send,
    category="Chat",
)
