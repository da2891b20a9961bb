"""Discord: content up to 2,000 characters, one rich embed, username Herald."""
from __future__ import annotations

from app.version import __version__
from tests.senders.conftest import body_of

TEXTS = {"title": "Disk full", "message": "Check the disk"}


def embed(color: int, **extra) -> dict:
    return {"title": "Disk full", "type": "rich", **extra,
            "url": "http://herald.test/alerting/list", "color": color,
            "footer": {"text": f"Herald v{__version__}",
                       "icon_url": "http://herald.test/static/herald-32.png"}}


def test_firing_message_with_red_embed_and_herald_username(httpserver, deliver, firing):
    httpserver.expect_request("/api/webhooks/1/abc", method="POST").respond_with_data(
        "", status=204)

    result = deliver("discord", {"url": httpserver.url_for("/api/webhooks/1/abc"), **TEXTS},
                     firing)

    assert (result.outcome, result.status_code) == ("success", 204)
    assert body_of(httpserver) == {"username": "Herald", "content": "Check the disk",
                                   "embeds": [embed(0xD63232)]}


def test_resolved_uses_discord_username_avatar_and_embed_description(
    httpserver, deliver, resolved
):
    httpserver.expect_request("/hook").respond_with_data("", status=204)
    values = {"url": httpserver.url_for("/hook"), "use_discord_username": True,
              "use_embed_description": True, "avatar_url": "https://img.test/a.png", **TEXTS}

    deliver("discord", values, resolved)

    assert body_of(httpserver) == {
        "content": "", "avatar_url": "https://img.test/a.png",
        "embeds": [embed(0x36A64F, description="Check the disk")]}


def test_content_and_title_are_cut_to_discords_limits(httpserver, deliver, firing):
    httpserver.expect_request("/hook").respond_with_data("", status=204)

    deliver("discord", {"url": httpserver.url_for("/hook"), "title": "t" * 300,
                        "message": "🔥" * 1500}, firing)

    body = body_of(httpserver)
    assert len(body["embeds"][0]["title"]) == 256
    content = body["content"]
    # Counted in UTF-16 units the content still fits: no emoji is split in half.
    assert len(content.encode("utf-16-le")) // 2 <= 2000
    assert content == "🔥" * 999 + "…"


def test_rate_limit_answer_is_reported(httpserver, deliver, firing):
    httpserver.expect_request("/hook").respond_with_json(
        {"message": "You are being rate limited.", "retry_after": 0.5, "global": False},
        status=429)

    result = deliver("discord", {"url": httpserver.url_for("/hook")}, firing)

    assert (result.outcome, result.status_code) == ("failure", 429)
    assert result.error == "HTTP 429: You are being rate limited."
