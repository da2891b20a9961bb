"""Text that is not valid Unicode or holds control characters is refused at every door."""
from __future__ import annotations

import html
import io
import json

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import ApiToken, ContactPoint, NotificationTemplate, User
from app.text import BadText, clean
from tests.test_api import SLACK
from tests.test_api import api as api  # noqa: F401 (fixtures)


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def test_clean_names_the_field_and_normalises_newlines():
    assert clean({"a": ["x\r\ny\rz\tw"]}) == {"a": ["x\ny\nz\tw"]}
    with pytest.raises(BadText, match=r"^settings\.url: contains an unpaired surrogate \(U\+DF"):
        clean({"settings": {"url": "http://x/\udfff"}})
    with pytest.raises(BadText, match=r"^items\[1\]: contains a control character \(U\+0000\)"):
        clean({"items": ["ok", "\x00"]})
    with pytest.raises(BadText, match=r"^settings\.\(a key\): contains a control"):
        clean({"settings": {"\x1b": 1}})


@pytest.mark.parametrize(("body", "field"), [
    ({**SLACK, "name": "ops\udfff"}, "name"),
    ({**SLACK, "settings": {**SLACK["settings"], "recipient": "#ops\x07"}}, "settings.recipient"),
    ({**SLACK, "settings": {**SLACK["settings"], "url": "https://hooks.example/\ud800"}},
     "settings.url"),
])
def test_api_refuses_bad_text_naming_the_field_and_stores_nothing(api, body, field):
    answer = api("POST", "/contact-points", body)

    assert answer.status_code == 400
    assert answer.get_json()["message"].startswith(f"{field}: contains ")
    assert count(ContactPoint) == 0
    assert api("GET", "/contact-points/export?format=json").status_code == 200


def test_api_refuses_a_template_with_a_control_character(api):
    answer = api("PUT", "/templates/team", {"template": "{{ Status }}\x0c"})

    assert answer.status_code == 400
    assert answer.get_json()["message"].startswith("template: contains a control character")
    assert count(NotificationTemplate) == 0


@pytest.mark.parametrize(("path", "data"), [
    ("/contact-points/new", {"name": "ops\x00", "block": []}),
    ("/notification-templates/new", {"name": "team", "template": "{{ Status }}\x1b[31m"}),
    ("/users", {"username": "eve\x08", "password": "password123", "role": "viewer"}),
    ("/api-tokens", {"name": "ci\x7f", "role": "viewer"}),
])
def test_forms_refuse_control_characters_naming_the_field(client_as, path, data):
    models = (ContactPoint, NotificationTemplate, User, ApiToken)
    before = [count(model) for model in models]
    name = next(key for key, value in data.items() if isinstance(value, str) and
                any(ord(c) < 32 or ord(c) == 127 for c in value))

    answer = client_as("admin").post(path, data=data)

    assert answer.status_code == 422
    page = html.unescape(answer.get_data(as_text=True))
    assert f"The field “{name}” contains a control character" in page
    assert [count(model) for model in models] == before


def test_form_text_keeps_tab_and_newline_and_turns_carriage_returns_into_newlines(client):
    client.post("/notification-templates/new",
                data={"name": "team", "template": "a\tb\r\nc\rd"})

    assert db.session.scalar(select(NotificationTemplate.template)) == "a\tb\nc\nd"


@pytest.mark.parametrize(("document", "message"), [
    ("apiVersion: 1\ncontactPoints:\n  - name: a\x00b\n", "line 3 contains a control character"),
    ('{"apiVersion": 1, "contactPoints": [{"name": "x\\udfff"}]}',
     "contactPoints[0].name: contains an unpaired surrogate (U+DFFF)"),
    ('apiVersion: 1\ncontactPoints:\n  - name: "a\\x07"\n',
     "contactPoints[0].name: contains a control character (U+0007)"),
    ("apiVersion: 1\ncontactPoints:\n  - name: ops\n    n: " + "9" * 5000 + "\n",
     "a number has too many digits"),
])
def test_import_refuses_bad_text_and_huge_numbers_in_words(client, app, tmp_path, document,
                                                           message):
    page = client.post("/contact-points/import", data={
        "file": (io.BytesIO(document.encode("utf-8", "surrogatepass")),
                 "cp.yaml")})
    path = tmp_path / "cp.yaml"
    path.write_bytes(document.encode("utf-8", "surrogatepass"))
    command = app.test_cli_runner().invoke(args=["provision", str(path)])

    assert page.status_code == 422
    assert message in page.get_data(as_text=True)
    assert command.exit_code == 1 and message in command.output
    assert "Traceback" not in command.output
    assert count(ContactPoint) == 0


def test_the_export_of_what_the_api_stored_is_valid_json(api):
    body = {**SLACK, "name": "ünïcødé\u2028🚨", "settings": {
        **SLACK["settings"], "recipient": "#ops\ttab\r\nline"}}
    assert api("POST", "/contact-points", body).status_code == 202

    exported = api("GET", "/contact-points/export?format=json")

    assert exported.status_code == 200
    (entry,) = json.loads(exported.get_data(as_text=True))["contactPoints"]
    assert entry["name"] == "ünïcødé\u2028🚨"
    assert entry["receivers"][0]["settings"]["recipient"] == "#ops\ttab\nline"
