"""Matrix client-server API: PUT an m.room.message event with a bearer access token."""
from __future__ import annotations

import json
import re

from app.integrations import REGISTRY
from app.integrations.base import validate
from tests.senders.conftest import body_of, request_of

TEXTS = {"title": "Disk <full>", "message": "Check & fix\nthe disk"}
# The room id is percent-encoded in the URL; the test server matches the decoded path.
RAW_PATH_RE = re.compile(
    r"^/_matrix/client/v3/rooms/%21room%3Amatrix\.test/send/m\.room\.message/herald-[0-9a-f]{32}$")
PATH_RE = re.compile(
    r"^/_matrix/client/v3/rooms/!room:matrix\.test/send/m\.room\.message/herald-[0-9a-f]{32}$")


def values(server, **extra) -> dict:
    return {"homeserver": server.url_for("/"), "room_id": "!room:matrix.test",
            "access_token": "syt_token", **TEXTS, **extra}


def test_event_is_put_with_plain_and_html_bodies(httpserver, deliver, firing):
    httpserver.expect_request(PATH_RE, method="PUT").respond_with_json({"event_id": "$e"})

    result = deliver("matrix", values(httpserver), firing)

    assert (result.outcome, result.status_code) == ("success", 200)
    request = request_of(httpserver)
    assert RAW_PATH_RE.match(request.environ["RAW_URI"]), request.environ["RAW_URI"]
    assert request.headers["Authorization"] == "Bearer syt_token"
    assert body_of(httpserver) == {
        "msgtype": "m.text",
        "body": "Disk <full>\n\nCheck & fix\nthe disk",
        "format": "org.matrix.custom.html",
        "formatted_body": "<strong>Disk &lt;full&gt;</strong><br>Check &amp; fix<br>the disk",
    }


def test_each_send_uses_a_new_transaction_id(httpserver, deliver, firing):
    httpserver.expect_request(PATH_RE, method="PUT").respond_with_json({"event_id": "$e"})

    deliver("matrix", values(httpserver, msgtype="m.notice"), firing)
    deliver("matrix", values(httpserver), firing)

    paths = [request.path for request, _ in httpserver.log]
    assert len(set(paths)) == 2
    assert json.loads(httpserver.log[0][0].get_data())["msgtype"] == "m.notice"


def test_forbidden_answer_shows_the_matrix_error(httpserver, deliver, firing):
    httpserver.expect_request(PATH_RE).respond_with_json(
        {"errcode": "M_FORBIDDEN", "error": "User @bot:matrix.test not in room"}, status=403)

    result = deliver("matrix", values(httpserver), firing)

    assert result.outcome == "failure"
    assert result.error == "HTTP 403: User @bot:matrix.test not in room"


def test_room_alias_is_refused_with_a_clear_message():
    errors = validate(REGISTRY["matrix"], {"homeserver": "https://m.test",
                                           "room_id": "#ops:m.test", "access_token": "x"})
    assert errors["room_id"].startswith("Room ID must look like !abcdef:example.org")
