"""Matrix: an m.room.message event sent to a room through the client-server API."""
from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from html import escape
from urllib.parse import quote

from app.integrations.base import (
    Field,
    IntegrationType,
    SendContext,
    Sent,
    Values,
    cut_bytes,
    url_host,
)
from app.transport import http

# https://spec.matrix.org/latest/client-server-api/#put_matrixclientv3roomsroomidsendeventtypetxnid
# An event may be at most 65,536 bytes as a whole; the two bodies share that room.
MAX_BODY_BYTES = 28_000
MAX_TITLE_BYTES = 1_000
ROOM_ID_RE = re.compile(r"^![^:\s]+:\S+$")
MESSAGE_TYPES = (("m.text", "Text (m.text)"), ("m.notice", "Notice (m.notice, for bots)"))


def check_room_id(values: Values) -> Iterable[tuple[str, str]]:
    room = (values.get("room_id") or "").strip()
    if room and not ROOM_ID_RE.match(room):
        yield "room_id", ("Room ID must look like !abcdef:example.org (find it in the room's "
                          "settings; an alias such as #room:example.org is not accepted).")


def event(ctx: SendContext) -> dict:
    """The message event: plain body, and the same as HTML for clients that show it."""
    title = cut_bytes(ctx.text("title"), MAX_TITLE_BYTES)
    text = cut_bytes(ctx.text("message"), MAX_BODY_BYTES)
    html = f"<strong>{escape(title)}</strong>"
    if text:
        html += "<br>" + escape(text).replace("\n", "<br>")
    if len(html.encode()) > MAX_BODY_BYTES:  # escaping made it too long: keep the title
        html = f"<strong>{escape(title)}</strong>"
    return {
        "msgtype": ctx.values.get("msgtype") or "m.text",
        "body": f"{title}\n\n{text}".strip(),
        "format": "org.matrix.custom.html",
        "formatted_body": html,
    }


def send(ctx: SendContext) -> Sent:
    """PUT the event under a fresh transaction id, with the access token as bearer."""
    room = quote(ctx.values["room_id"].strip(), safe="")
    # Each notification is a new transaction: Matrix drops a repeated txnId as a duplicate.
    txn_id = f"herald-{uuid.uuid4().hex}"
    url = (f"{ctx.values['homeserver'].rstrip('/')}/_matrix/client/v3/rooms/{room}"
           f"/send/m.room.message/{txn_id}")
    answer = http.request("PUT", url, json=event(ctx),
                          headers={"Authorization": f"Bearer {ctx.values['access_token']}"})
    return Sent(answer.status)


INTEGRATION = IntegrationType(
    type="matrix",
    label="Matrix",
    description="Sends a message to a Matrix room (Element and other clients).",
    fields=(
        Field("homeserver", "Homeserver URL", kind="url", required=True,
              placeholder="https://matrix.example.org",
              help="The client-server API address of the bot account's homeserver."),
        Field("room_id", "Room ID", required=True, placeholder="!abcdef:example.org",
              help="The room's internal ID; the bot account must have joined the room."),
        Field("access_token", "Access token", required=True, secret=True,
              help="The access token of the account that sends the messages."),
        Field("title", "Title", template="default.title", help="Templated title, in bold."),
        Field("message", "Message", element="textarea", template="default.message"),
        Field("msgtype", "Message type", element="select", options=MESSAGE_TYPES,
              default="m.text", help="Notices are meant for bots and usually do not alert."),
    ),
    rules=(check_room_id,),
    summary=lambda values: f"{values['room_id']} on {url_host(values.get('homeserver', ''))}"
    if values.get("room_id") else "",
    send=send,
    destination_keys=("homeserver",),
    category="Chat",
)
