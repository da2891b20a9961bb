"""Herald's log: one line per request and per failed delivery, logfmt or JSON, no secrets."""
from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from app import create_app, logs
from tests.conftest import make_config
from tests.loopback import closed_port


def herald_lines(capsys) -> list[str]:
    """The lines Herald's own handler wrote to stderr."""
    return [line for line in capsys.readouterr().err.splitlines() if line.startswith("time=")
            or line.startswith("{")]


def test_each_request_writes_one_line_without_its_query_string(client, capsys):
    capsys.readouterr()
    client.get("/contact-points?search=db-password-hunter2")

    (line,) = [line for line in herald_lines(capsys) if "logger=herald.request" in line]
    assert " msg=request method=GET path=/contact-points status=200 duration_ms=" in line
    assert "hunter2" not in line and "search" not in line


def test_a_failed_delivery_writes_one_line_with_its_reason(client, make_contact_point, capsys):
    port = closed_port()
    contact_point = make_contact_point("ops", [("webhook", {
        "url": f"http://127.0.0.1:{port}/hook", "password": "s3cret-basic-password"})])
    capsys.readouterr()

    client.post(f"/contact-points/{contact_point.uid}/test")

    failed = [line for line in herald_lines(capsys) if "msg=\"delivery failed\"" in line]
    assert len(failed) == 1
    assert "type=webhook" in failed[0]
    assert f'error="connection refused (127.0.0.1:{port})"' in failed[0]
    assert "s3cret" not in failed[0]


def test_json_format_writes_one_object_per_line(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.setenv("HERALD_LOG_FORMAT", "json")
    app = create_app(make_config(tmp_path / "herald.sqlite3", HERALD_AUTO_MIGRATE=True))
    capsys.readouterr()
    try:
        app.test_client().get("/login?next=/secret-place")
    finally:
        logs.configure("logfmt")

    (line,) = [json.loads(line) for line in herald_lines(capsys) if '"herald.request"' in line]
    assert {key: line[key] for key in ("level", "msg", "method", "path", "status")} == {
        "level": "info", "msg": "request", "method": "GET", "path": "/login", "status": "302"}
    assert isinstance(line["duration_ms"], float)


def test_other_libraries_lines_go_through_the_same_handler_and_filter(app, capsys):
    capsys.readouterr()
    with logs.secrets_hidden(["tok-1234567890abcdef"]):
        logging.getLogger("waitress").warning("client sent tok-1234567890abcdef\nand more")

    (line,) = [line for line in herald_lines(capsys) if "logger=waitress" in line]
    assert line.endswith('msg="client sent [REDACTED]\\nand more"')


def test_the_configuration_secrets_are_hidden_from_every_line(app, capsys):
    capsys.readouterr()
    logging.getLogger("herald.test").error("key is %s", app.config["SECRET_KEY"])

    assert app.config["SECRET_KEY"] not in capsys.readouterr().err


@pytest.mark.parametrize("value", ["xml", ""])
def test_log_format_accepts_only_logfmt_or_json(tmp_path: Path, monkeypatch, value):
    monkeypatch.setenv("HERALD_LOG_FORMAT", value)
    if value:
        with pytest.raises(RuntimeError, match="HERALD_LOG_FORMAT must be one of logfmt, json"):
            create_app(make_config(tmp_path / "herald.sqlite3"))
    else:
        assert create_app(make_config(tmp_path / "herald.sqlite3")).config[
            "HERALD_LOG_FORMAT"] == "logfmt"


@pytest.mark.parametrize(("value", "written"), [
    ("POST", "POST"),
    (202, "202"),
    (1.5, "1.5"),
    ("/api/v1/alerts", "/api/v1/alerts"),
    ("", '""'),
    (None, '""'),
    ("two words", '"two words"'),
    ("a=b", '"a=b"'),
    ('say "hi"', '"say \\"hi\\""'),
    ("back\\slash", '"back\\\\slash"'),
    ("line\nbreak", '"line\\nbreak"'),
    ("tab\there", '"tab\\there"'),
    ("ünïcode", "ünïcode"),
])
def test_a_logfmt_value_is_quoted_only_when_it_must_be(value, written):
    record = logging.LogRecord("herald.test", logging.INFO, "", 0, "msg", None, None)
    record.fields = {"value": value}
    line = logs.LineFormatter("logfmt").format(record)
    assert line.endswith(f" value={written}")
