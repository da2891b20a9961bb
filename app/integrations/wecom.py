"""WeCom: a group robot's webhook, or an app's message API with a cached access token."""
from __future__ import annotations

import hashlib
import threading
import time
from urllib.parse import urlencode

from app.integrations.base import (
    Field,
    IntegrationType,
    SendContext,
    SendError,
    Sent,
    needs,
    one_of,
)
from app.integrations.common import check_errcode
from app.transport import http

ENDPOINT = "https://qyapi.weixin.qq.com"
MESSAGE_TYPES = (("markdown", "Markdown"), ("text", "Text"))
DEFAULT_TO_USER = "@all"
# A token is renewed five minutes before WeCom says it expires.
TOKEN_MARGIN = 300
# https://developer.work.weixin.qq.com/document/path/90313 - invalid or expired token.
STALE_TOKEN_CODES = {40014, 42001}
_tokens: dict[tuple[str, str, str], tuple[str, float]] = {}
_tokens_lock = threading.Lock()


def body(ctx: SendContext) -> dict:
    """Grafana's message: "# title" then the message in Markdown, or both as plain text."""
    msgtype = ctx.values.get("msgtype") or "markdown"
    title, message = ctx.text("title"), ctx.text("message")
    content = f"# {title}\n{message}\n" if msgtype == "markdown" else f"{title}\n{message}"
    return {"msgtype": msgtype, msgtype: {"content": content}}


def _token_key(ctx: SendContext, endpoint: str) -> tuple[str, str, str]:
    values = ctx.values
    return endpoint, values["corp_id"], hashlib.sha256(values["secret"].encode()).hexdigest()


def access_token(ctx: SendContext, endpoint: str) -> str:
    """The app's access token, fetched with corp ID and secret and kept until near expiry."""
    # https://developer.work.weixin.qq.com/document/path/91039
    values, key = ctx.values, _token_key(ctx, endpoint)
    with _tokens_lock:
        token, expires = _tokens.get(key, ("", 0.0))
        if token and expires > time.monotonic():
            return token
        query = urlencode({"corpid": values["corp_id"], "corpsecret": values["secret"]})
        answer = http.request("POST", f"{endpoint}/cgi-bin/gettoken?{query}",
                              headers={"Content-Type": "application/json"})
        check_errcode(answer, "WeCom")
        token = (answer.json or {}).get("access_token") if isinstance(answer.json, dict) else ""
        if not token:
            raise SendError("WeCom returned no access token", permanent=True)
        lifetime = float(answer.json.get("expires_in") or 7200) - TOKEN_MARGIN
        _tokens[key] = (token, time.monotonic() + lifetime)
        return token


def send(ctx: SendContext) -> Sent:
    """Post to the robot's webhook URL, or as the app to its message API."""
    if ctx.values.get("url"):
        answer = http.request("POST", ctx.values["url"], json=body(ctx))
    else:
        answer = send_as_app(ctx)
    check_errcode(answer, "WeCom")
    return Sent(answer.status)


def send_as_app(ctx: SendContext) -> http.HttpAnswer:
    """The message sent with the app's access token; a stale token is dropped for a retry."""
    endpoint = (ctx.values.get("endpointUrl") or ENDPOINT).rstrip("/")
    message = {**body(ctx), "agentid": ctx.values["agent_id"],
               "touser": ctx.values.get("touser") or DEFAULT_TO_USER}
    query = urlencode({"access_token": access_token(ctx, endpoint)})
    answer = http.request("POST", f"{endpoint}/cgi-bin/message/send?{query}", json=message)
    code = answer.json.get("errcode") if isinstance(answer.json, dict) else None
    if code in STALE_TOKEN_CODES:
        with _tokens_lock:
            _tokens.pop(_token_key(ctx, endpoint), None)
        raise SendError(f"WeCom error {code}: {answer.json.get('errmsg') or 'stale token'}")
    return answer


INTEGRATION = IntegrationType(
    type="wecom",
    label="WeCom",
    category="Chat",
    description="Sends alerts to WeCom",
    fields=(
        Field("url", "Webhook URL", kind="url", secret=True, primary=True,
              placeholder="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=xxxxxxxx",
              help="Required if using GroupRobot"),
        Field("agent_id", "Agent ID", primary=True, placeholder="1000002",
              help="Required if using APIAPP, see "
              "https://work.weixin.qq.com/wework_admin/frame#apps create ApiApp"),
        Field("corp_id", "Corp ID", primary=True, placeholder="wwxxxxxxxxx",
              help="Required if using APIAPP, see "
              "https://work.weixin.qq.com/wework_admin/frame#profile"),
        Field("secret", "Secret", secret=True, primary=True, placeholder="secret",
              help="Required if using APIAPP"),
        Field("msgtype", "Message Type", element="select", options=MESSAGE_TYPES,
              default="markdown"),
        Field("message", "Message", element="textarea", template="default.message",
              help="Custom WeCom message. You can use template variables."),
        Field("title", "Title", element="textarea", template="default.title",
              help="Templated title of the message"),
        Field("touser", "To User", placeholder="@all"),
        Field("endpointUrl", "API Endpoint", kind="url", placeholder=ENDPOINT,
              help="The WeCom API server, for app mode."),
    ),
    rules=(
        one_of(("url", "secret"), "Enter a Webhook URL (group robot) or a Secret (app)."),
        needs("secret", "corp_id", "Corp ID is required when using an app's Secret."),
        needs("secret", "agent_id", "Agent ID is required when using an app's Secret."),
    ),
    summary=lambda values: "group robot" if values.get("url") else
    f"app {values.get('agent_id', '')}",
    send=send,
    destination_keys=("endpointUrl",),  # the robot URL is itself a secret
)
