"""Cisco Webex Teams: a Markdown message to a room through the Messages API, as a bot."""
from __future__ import annotations

from app.integrations.base import Field, IntegrationType, SendContext, Sent
from app.integrations.common import cut_bytes
from app.transport import http

API_URL = "https://webexapis.com/v1/messages"
# https://developer.webex.com/docs/api/v1/messages/create-a-message - 7,439 bytes at most;
# Grafana keeps to 4,096.
MAX_MESSAGE_BYTES = 4096


def send(ctx: SendContext) -> Sent:
    """Create a message in the room with the bot's token."""
    message = {"roomId": ctx.values["room_id"],
               "markdown": cut_bytes(ctx.text("message"), MAX_MESSAGE_BYTES)}
    headers = {"Authorization": f"Bearer {ctx.values['bot_token']}"}
    answer = http.request("POST", ctx.url("api_url", API_URL), json=message,
                          headers=headers)
    return Sent(answer.status)


INTEGRATION = IntegrationType(
    type="webex",
    label="Cisco Webex Teams",
    category="Chat",
    description="Sends notifications to Cisco Webex Teams",
    fields=(
        Field("api_url", "Cisco Webex API URL", kind="url", default=API_URL, templated=True,
              placeholder="https://api.ciscospark.com/v1/messages",
              help="API endpoint at which we'll send webhooks to."),
        Field("room_id", "Room ID", required=True, placeholder="GMtOWY0ZGJkNzMyMGFl",
              help="The room ID to send messages to."),
        Field("bot_token", "Bot Token", required=True, secret=True,
              placeholder="GMtOWY0ZGJkNzMyMGFl-12535454-123213",
              help="Non-expiring access token of the bot that will post messages on our "
              "behalf."),
        Field("message", "Notification Template", element="textarea",
              template="default.message",
              help="Notification template to use. Markdown is supported."),
    ),
    summary=lambda values: values.get("room_id") or "",
    send=send,
    destination_keys=("api_url",),
)
