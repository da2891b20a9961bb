"""Pushover: the Message API, a multipart form with title, message and priority."""
from __future__ import annotations

from urllib3.filepost import encode_multipart_formdata

from app.integrations.base import Field, IntegrationType, SendContext, Sent, cut_text
from app.integrations.common import alert_list_url
from app.transport import http

API_URL = "https://api.pushover.net/1/messages.json"
# https://pushover.net/api#limits - title 250, message 1,024, URL 512 characters.
MAX_TITLE, MAX_MESSAGE, MAX_URL = 250, 1024, 512
EMERGENCY = "2"
PRIORITIES = (("2", "Emergency"), ("1", "High"), ("0", "Normal"), ("-1", "Low"),
              ("-2", "Lowest"))
SOUNDS = tuple((name, name.capitalize()) for name in (
    "default", "pushover", "bike", "bugle", "cashregister", "classical", "cosmic", "falling",
    "gamelan", "incoming", "intermission", "magic", "mechanical", "pianobar", "siren",
    "spacealarm", "tugboat", "alien", "climb", "persistent", "echo", "updown", "none"))


def form_fields(ctx: SendContext) -> list[tuple[str, str]]:
    """The form fields in Grafana's order; retry and expire only for emergency priority."""
    values, resolved = ctx.values, ctx.group.status == "resolved"
    priority = str(values.get("okPriority" if resolved else "priority") or "0")
    fields = [("user", values["userKey"]), ("token", values["apiToken"]),
              ("priority", priority)]
    if priority == EMERGENCY:
        fields += [("retry", str(values.get("retry") or 0)),
                   ("expire", str(values.get("expire") or 0))]
    if values.get("device"):
        fields.append(("device", ctx.render(values["device"], label="Device(s)")))
    # Pushover refuses an empty message.
    message = cut_text(ctx.text("message"), MAX_MESSAGE).strip() or "(no details)"
    fields += [("title", cut_text(ctx.text("title"), MAX_TITLE)),
               ("url", cut_text(alert_list_url(ctx.group.external_url), MAX_URL)),
               ("url_title", "Show alert rule"),
               ("message", message)]
    sound = values.get("okSound" if resolved else "sound") or ""
    if sound != "default":
        fields.append(("sound", sound))
    fields.append(("html", "1"))
    return fields


def send(ctx: SendContext) -> Sent:
    """Post the form to the Message API."""
    body, content_type = encode_multipart_formdata(form_fields(ctx))
    url = ctx.config.get("HERALD_PUSHOVER_API_URL") or API_URL
    answer = http.request("POST", url, data=body, headers={"Content-Type": content_type})
    return Sent(answer.status)


INTEGRATION = IntegrationType(
    type="pushover",
    label="Pushover",
    category="Chat",
    description="Sends HTTP POST request to the Pushover API",
    fields=(
        Field("apiToken", "API Token", required=True, secret=True,
              placeholder="Application token"),
        Field("userKey", "User key(s)", required=True, secret=True,
              placeholder="comma-separated list"),
        Field("device", "Device(s) (optional)",
              placeholder="comma-separated list; leave empty to send to all devices"),
        Field("priority", "Alerting priority", element="select", options=PRIORITIES,
              default="0"),
        Field("okPriority", "OK priority", element="select", options=PRIORITIES, default="0"),
        Field("retry", "Retry (Only used for Emergency Priority)", kind="int",
              placeholder="minimum 30 seconds",
              help="How often (in seconds) the Pushover servers will send the same alerting "
              "or OK notification to the user."),
        Field("expire", "Expire (Only used for Emergency Priority)", kind="int",
              placeholder="maximum 10800 seconds",
              help="How many seconds the alerting or OK notification will continue to be "
              "retried."),
        Field("sound", "Alerting sound", element="select", options=SOUNDS, default="default"),
        Field("okSound", "OK sound", element="select", options=SOUNDS, default="default"),
        Field("title", "Title", element="textarea", template="default.title"),
        Field("message", "Message", element="textarea", template="default.message"),
    ),
    summary=lambda values: values.get("device") or "",
    send=send,
)
