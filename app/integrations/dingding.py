"""DingDing (DingTalk): a link or actionCard message to a group robot's webhook."""
from __future__ import annotations

from urllib.parse import urlencode

from app.integrations.base import Field, IntegrationType, SendContext, Sent
from app.integrations.common import alert_list_url, check_errcode
from app.transport import http

MESSAGE_TYPES = (("link", "Link"), ("actionCard", "ActionCard"))


def open_link(external_url: str) -> str:
    """A dingtalk:// link that opens the alert list outside DingTalk's own browser."""
    # https://open.dingtalk.com/document/orgapp/message-link-description
    query = urlencode({"pc_slide": "false", "url": alert_list_url(external_url)})
    return f"dingtalk://dingtalkclient/page/link?{query}"


def body(ctx: SendContext) -> dict:
    """The robot message: a link card, or an action card with a "More" button."""
    link = open_link(ctx.group.external_url)
    title, text = ctx.text("title"), ctx.text("message")
    if ctx.values.get("msgType") == "actionCard":
        return {"msgtype": "actionCard", "actionCard": {
            "text": text, "title": title, "singleTitle": "More", "singleURL": link}}
    return {"msgtype": "link", "link": {"text": text, "title": title, "messageUrl": link}}


def send(ctx: SendContext) -> Sent:
    """Post the message; DingTalk answers 200 with a non-zero errcode when it refuses it."""
    answer = http.request("POST", ctx.url("url"), json=body(ctx))
    check_errcode(answer, "DingTalk")
    return Sent(answer.status)


INTEGRATION = IntegrationType(
    type="dingding",
    label="DingDing",
    category="Chat",
    description="Sends HTTP POST request to DingDing",
    fields=(
        Field("url", "URL", kind="url", required=True, secret=True, templated=True,
              placeholder="https://oapi.dingtalk.com/robot/send?access_token=xxxxxxxxx"),
        Field("msgType", "Message Type", element="select", options=MESSAGE_TYPES,
              default="link"),
        Field("title", "Title", element="textarea", template="default.title",
              help="Templated title of the message"),
        Field("message", "Message", element="textarea", template="default.message",
              help="Custom DingDing message. You can use template variables."),
    ),
    summary=lambda values: values.get("msgType") or "link",
    send=send,
)
