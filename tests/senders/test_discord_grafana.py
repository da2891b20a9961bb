"""Discord sends what Grafana's own tests expect (tests/senders/grafana_cases/discord.py)."""
from __future__ import annotations

import pytest

from app.version import __version__
from tests.senders.conftest import body_of
from tests.senders.grafana_cases.discord import CASES


@pytest.mark.parametrize(("settings", "group", "expected"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_payload_is_grafanas(app, httpserver, deliver, settings, group, expected):
    httpserver.expect_request("/hook", method="POST").respond_with_data("", status=204)

    result = deliver("discord", {"url": httpserver.url_for("/hook"), **settings}, group)

    assert result.ok, result.error
    icon = app.config["HERALD_EXTERNAL_URL"].rstrip("/") + "/static/herald-32.png"
    footer = {"text": f"Herald v{__version__}", "icon_url": icon}
    wanted = {**expected, "embeds": [{**e, "footer": footer} for e in expected["embeds"]]}
    body = body_of(httpserver)
    assert body == wanted
    assert list(body) == list(wanted)  # Grafana's key order
    assert list(body["embeds"][0]) == list(wanted["embeds"][0])
