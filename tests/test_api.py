"""The provisioning API as a script sees it: Grafana's paths, models and status codes,
tokens and roles, secrets never returned, the OpenAPI description and the tokens page."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.integrations import REGISTRY
from app.models import ApiToken, AuditEntry, ContactPoint, Integration
from app.provisioning.tokens import create_token
from tests.test_registry_contract import MINIMAL

BASE = "/api/v1/provisioning"
SLACK = {"name": "ops", "type": "slack",
         "settings": {"url": "https://hooks.slack.example/SECRET-1", "recipient": "#ops"}}


@pytest.fixture
def api(anonymous, token):
    """api("POST", "/contact-points", body): a call with an editor token and no cookie."""
    editor = token("editor")

    def call(method: str, path: str, body=None, headers=None):
        # (the test client adds a CSRF header to writes unless told not to; scripts send none)
        no_csrf = {} if method == "GET" else {"csrf": False}
        return anonymous.open(BASE + path, method=method, json=body, headers=headers or editor,
                              **no_csrf)

    return call


def stored(uid: str) -> Integration | None:
    db.session.expire_all()
    return db.session.scalar(select(Integration).where(Integration.uid == uid))


def test_a_token_with_the_longest_name_is_audited_as_itself(anonymous):
    name = "t" * 190
    _, value, errors = create_token(name, "editor", "tests")
    assert not errors
    created = anonymous.open(BASE + "/contact-points", method="POST", json=SLACK, csrf=False,
                             headers={"Authorization": f"Bearer {value}"})

    assert created.status_code == 202, created.get_data(as_text=True)
    actor = db.session.scalar(select(AuditEntry.actor).where(AuditEntry.object_name == "ops"))
    assert actor.startswith("token:ttt") and len(actor) == 190


def test_create_read_update_delete_round_trip(api):
    created = api("POST", "/contact-points", SLACK)

    assert created.status_code == 202
    entry = created.get_json()
    uid = entry.pop("uid")
    assert entry == {"name": "ops", "type": "slack", "settings": {"recipient": "#ops"},
                     "disableResolveMessage": False}
    assert api("GET", "/contact-points").get_json() == [{"uid": uid, **entry}]

    changed = {**SLACK, "settings": {"recipient": "#alerts"}, "disableResolveMessage": True}
    updated = api("PUT", f"/contact-points/{uid}", changed)

    assert updated.status_code == 202
    assert updated.get_json()["settings"] == {"recipient": "#alerts"}
    assert stored(uid).secrets == {"url": "https://hooks.slack.example/SECRET-1"}
    assert stored(uid).disable_resolve_message is True

    deleted = api("DELETE", f"/contact-points/{uid}")

    assert deleted.status_code == 202
    assert api("GET", "/contact-points").get_json() == []
    assert db.session.scalar(select(ContactPoint)) is None, "its last integration went"


def test_post_joins_the_contact_point_of_the_same_name(api, make_contact_point):
    make_contact_point("Ops", [("email", {"addresses": "a@example.com"})])
    make_contact_point("other", [("email", {"addresses": "b@example.com"})])

    api("POST", "/contact-points", SLACK)

    listed = api("GET", "/contact-points?name=ops").get_json()
    assert [(e["name"], e["type"]) for e in listed] == [("Ops", "email"), ("Ops", "slack")]


def test_redacted_secret_in_an_update_keeps_the_stored_value(api):
    uid = api("POST", "/contact-points", SLACK).get_json()["uid"]

    body = {**SLACK, "settings": {"url": "[REDACTED]", "recipient": "#x"}}
    assert api("PUT", f"/contact-points/{uid}", body).status_code == 202

    assert stored(uid).secrets["url"] == "https://hooks.slack.example/SECRET-1"


@pytest.mark.parametrize("type_id", sorted(REGISTRY))
def test_secrets_are_never_returned(api, client_as, type_id):
    body = {"name": f"cp {type_id}", "type": type_id, "settings": MINIMAL[type_id]}
    created = api("POST", "/contact-points", body)
    assert created.status_code == 202, created.get_json()

    answers = [created, api("GET", "/contact-points"),
               api("PUT", f"/contact-points/{created.get_json()['uid']}", body),
               api("GET", "/contact-points/export?format=json")]
    answers.append(client_as("viewer").get(f"/contact-points/export?name=cp {type_id}"))

    for answer in answers:
        assert "SECRET-" not in answer.get_data(as_text=True), answer.request.path


def test_tokens_and_roles_are_enforced(api, token, anonymous):
    viewer = token("viewer")

    assert anonymous.get(BASE + "/contact-points").status_code == 401
    assert anonymous.post(BASE + "/contact-points", json=SLACK, csrf=False).status_code == 401
    bad = {"Authorization": "Bearer hrld_not-a-token"}
    assert api("GET", "/contact-points", headers=bad).status_code == 401
    assert api("POST", "/contact-points", SLACK, headers=bad).status_code == 401
    assert api("GET", "/contact-points", headers=viewer).status_code == 200
    for method, path in (("POST", "/contact-points"), ("PUT", "/contact-points/x"),
                         ("DELETE", "/contact-points/x"), ("PUT", "/templates/x"),
                         ("DELETE", "/templates/x")):
        answer = api(method, path, SLACK, headers=viewer)
        assert (answer.status_code, answer.get_json()) == (
            403, {"message": "Your role does not allow this."}), path
    assert api("GET", "/contact-points/export?decrypt=true").status_code == 403
    assert db.session.scalar(select(Integration)) is None


def test_a_session_cookie_writes_only_with_the_csrf_header(client):
    without = client.post(BASE + "/contact-points", json=SLACK, csrf=False)
    assert without.status_code == 400
    assert "security token" in without.get_json()["message"]
    assert db.session.scalar(select(Integration)) is None

    assert client.post(BASE + "/contact-points", json=SLACK).status_code == 202


def test_admin_exports_decrypted_and_it_is_audited(api, token):
    api("POST", "/contact-points", SLACK)

    answer = api("GET", "/contact-points/export?decrypt=true&download=true",
                 headers=token("admin"))

    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/yaml")
    assert answer.headers["Content-Disposition"] == 'attachment; filename="contact-points.yaml"'
    assert "url: https://hooks.slack.example/SECRET-1" in answer.get_data(as_text=True)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export-secrets"))
    assert entry.actor.startswith("token:admin")


def test_a_signed_in_admin_exports_secrets_only_through_the_export_form(
        api, client_as, token):
    api("POST", "/contact-points", SLACK)
    admin = client_as("admin")

    # A GET carries the session cookie from any site's link: it must not hand out secrets.
    answer = admin.get(BASE + "/contact-points/export?decrypt=true")

    assert answer.status_code == 403
    assert answer.get_json() == {"message": (
        "decrypt=true needs an admin's API token (Authorization: Bearer); signed in, use "
        "the Export page with “Include secrets” instead.")}
    assert "SECRET-1" in admin.post("/contact-points/export",
                                    data={"include_secrets": "on"}).get_data(as_text=True)
    assert "SECRET-1" not in admin.get(BASE + "/contact-points/export").get_data(as_text=True)


def test_responders_keep_only_their_declared_text_settings(api):
    body = {"name": "pager", "type": "opsgenie", "settings": {"apiKey": "og-key", "responders": [
        {"type": "team", "name": "sre", "x": {"nested": ["a"]}}]}}

    created = api("POST", "/contact-points", body)
    refused = api("POST", "/contact-points", {**body, "settings": {
        "apiKey": "og-key", "responders": [{"type": "team", "id": 42}]}})

    assert created.status_code == 202
    assert stored(created.get_json()["uid"]).settings["responders"] == [
        {"type": "team", "name": "sre"}]
    assert (refused.status_code, refused.get_json()) == (400, {
        "message": "Invalid settings: settings.responders[0].id must be text."})


def test_a_deeply_nested_body_is_refused_in_words(api, anonymous, token):
    nested: list = []
    for _ in range(60):
        nested = [nested]
    body = {"name": "x", "type": "webhook",
            "settings": {"url": "https://h.example/", "headers": {"X": nested}}}
    beyond_python = '{"name": ' + "[" * 100_000 + "]" * 100_000 + "}"

    answers = [api("POST", "/contact-points", body),
               anonymous.post(BASE + "/contact-points", data=beyond_python, csrf=False,
                              content_type="application/json", headers=token("editor"))]

    for answer in answers:
        assert (answer.status_code, answer.get_json()) == (400, {
            "message": "The body cannot be read: values are nested more than 50 levels deep."})
    assert db.session.scalar(select(Integration)) is None


ERRORS = [
    ("POST", "/contact-points", {"name": "x", "type": "webhook", "settings": {}}, 400,
     "settings.url: URL is required."),
    ("POST", "/contact-points", {"name": "x", "type": "pigeon", "settings": {}}, 400,
     "Unknown integration type 'pigeon'"),
    ("POST", "/contact-points", {"type": "slack", "settings": {}}, 400, "name is required"),
    ("POST", "/contact-points", {"name": "x", "type": "slack", "settings": {"url": "[REDACTED]"}},
     400, 'settings.url is “[REDACTED]”'),
    ("POST", "/contact-points", ["not", "an", "object"], 400, "The body must be a JSON object."),
    ("PUT", "/contact-points/missing", SLACK, 404, "There is no integration with uid missing."),
    ("DELETE", "/contact-points/missing", None, 404, "Nothing to delete"),
    ("GET", "/contact-points/export?format=xml", None, 400, "format must be yaml or json."),
    ("GET", "/contact-points/export?name=nobody", None, 404, "no contact point named"),
    ("PUT", "/templates/default.title", {"template": "x"}, 409, "name of a built-in template"),
    ("PUT", "/templates/broken", {"template": "{% if %}"}, 400, "Template: line 1"),
    ("PUT", "/templates/empty", {}, 400, "template is required"),
    ("GET", "/templates/missing", None, 404, "There is no template named 'missing'."),
    ("DELETE", "/templates/missing", None, 404, "Nothing to delete"),
]


@pytest.mark.parametrize(("method", "path", "body", "status", "message"), ERRORS)
def test_errors_answer_a_message_with_the_right_status(api, method, path, body, status, message):
    answer = api(method, path, body)

    assert answer.status_code == status
    assert message in answer.get_json()["message"]


def test_post_with_a_uid_in_use_is_a_conflict(api):
    uid = api("POST", "/contact-points", SLACK).get_json()["uid"]

    answer = api("POST", "/contact-points", {**SLACK, "uid": uid})

    assert (answer.status_code, answer.get_json()) == (
        409, {"message": f"An integration with uid {uid} already exists."})


def test_an_invalid_update_changes_nothing(api):
    uid = api("POST", "/contact-points", SLACK).get_json()["uid"]

    answer = api("PUT", f"/contact-points/{uid}",
                 {"name": "renamed", "type": "slack", "settings": {"url": "nope"}})

    assert answer.status_code == 400
    assert stored(uid).contact_point.name == "ops"
    assert stored(uid).settings == {"recipient": "#ops"}


def test_templates_crud_with_grafana_define_translated(api):
    body = {"template": '{{ define "short" }}{{ .CommonLabels.alertname }}{{ end }}'}

    put = api("PUT", "/templates/short", body)

    assert (put.status_code, put.get_json()) == (
        202, {"name": "short", "template": "{{ CommonLabels.alertname }}"})
    assert api("GET", "/templates").get_json() == [put.get_json()]
    assert api("GET", "/templates/SHORT").get_json() == put.get_json()
    uses = {**SLACK, "settings": {**SLACK["settings"], "title": '{{ template "short" . }}'}}
    uid = api("POST", "/contact-points", uses).get_json()["uid"]
    assert stored(uid).settings["title"] == '{% include "short" %}'

    in_use = api("DELETE", "/templates/short")
    assert (in_use.status_code, in_use.get_json()["message"]) == (
        409, "it is used by contact point “ops”.")
    api("DELETE", f"/contact-points/{uid}")
    assert api("DELETE", "/templates/short").status_code == 204
    assert api("GET", "/templates").get_json() == []


def test_openapi_paths_and_methods_match_the_url_map(app, anonymous, token):
    answer = anonymous.get("/api/openapi.json", headers=token("viewer"))

    document = answer.get_json()
    assert document["openapi"].startswith("3.")
    described = {(path, method.upper()) for path, item in document["paths"].items()
                 for method in item}
    served = {(re.sub(r"<(\w+)>", r"{\1}", rule.rule), method)
              for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert described == served
    put = document["paths"][BASE + "/contact-points/{uid}"]["put"]
    assert put["description"] == "Requires the editor role."
    assert "202" in put["responses"] and "404" in put["responses"]


def test_api_page_lists_the_endpoints(client_as):
    page = client_as("admin").get("/api-docs").get_data(as_text=True)

    assert "<code>PUT</code>" in page
    assert f"<code>{BASE}/contact-points/{{uid}}</code>" in page
    assert "/api/openapi.json" in page


def test_tokens_page_shows_a_new_token_once_and_revokes_it(client_as, anonymous):
    admin = client_as("admin")

    created = admin.post("/api-tokens", data={"name": "ci", "role": "editor"})

    page = created.get_data(as_text=True)
    value = re.search(r'id="token-value" value="(hrld_[^"]+)"', page).group(1)
    token = db.session.scalar(select(ApiToken))
    assert (token.name, token.role, token.created_by) == ("ci", "editor", "admin")
    assert token.digest != value and value not in token.digest
    headers = {"Authorization": f"Bearer {value}"}
    assert anonymous.get(BASE + "/contact-points", headers=headers).status_code == 200
    assert value not in admin.get("/api-tokens").get_data(as_text=True)

    admin.post(f"/api-tokens/{token.id}/revoke")

    assert anonymous.get(BASE + "/contact-points", headers=headers).status_code == 401
    actions = [e.action for e in db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "api-token"))]
    assert actions == ["create", "delete"]


def test_tokens_page_refuses_a_duplicate_name(client_as):
    admin = client_as("admin")
    admin.post("/api-tokens", data={"name": "ci", "role": "viewer"})

    again = admin.post("/api-tokens", data={"name": "CI", "role": "viewer"})

    assert again.status_code == 422
    assert "A token named “CI” already exists." in again.get_data(as_text=True)


def test_tokens_command_prints_a_working_token(app, anonymous):
    result = app.test_cli_runner().invoke(args=["tokens", "create", "deploy", "--role", "editor"])

    assert result.exit_code == 0
    headers = {"Authorization": f"Bearer {result.output.strip()}"}
    answer = anonymous.post(BASE + "/contact-points", json=SLACK, headers=headers, csrf=False)
    assert answer.status_code == 202


def test_a_kept_secret_never_follows_a_changed_destination(api):
    body = {"name": "Ops", "type": "webhook", "settings": {
        "url": "https://hooks.example/a", "username": "u", "password": "SECRET-pw"}}
    uid = api("POST", "/contact-points", body).get_json()["uid"]

    moved = {**body, "settings": {"url": "https://elsewhere.example/b", "username": "u"}}
    answer = api("PUT", f"/contact-points/{uid}", moved)

    assert answer.status_code == 400
    assert answer.get_json()["message"].startswith(
        "settings.password: give its value again: settings.url changed")
    assert stored(uid).settings["url"] == "https://hooks.example/a"
    retyped = {**body, "settings": {**moved["settings"], "password": "SECRET-pw2"}}
    assert api("PUT", f"/contact-points/{uid}", retyped).status_code == 202


def test_a_token_does_no_more_than_its_creator_may_now(app, anonymous, client_as):
    from app.accounts import find_user, set_role
    from tests.conftest import log_in

    admin = client_as("admin")
    page = admin.post("/api-tokens", data={"name": "deploy", "role": "editor"})
    value = re.search(r"hrld_[A-Za-z0-9_-]+", page.get_data(as_text=True)).group(0)
    headers = {"Authorization": f"Bearer {value}"}
    body = {"name": "x", "type": "email", "settings": {"addresses": "a@example.com"}}
    second = client_as("admin")
    second.post("/users", data={"username": "boss", "password": "password123", "role": "admin"})
    set_role(find_user("admin"), "viewer")
    refused = anonymous.open(BASE + "/contact-points", method="POST", json=body,
                             headers=headers, csrf=False)
    assert refused.status_code == 403
    set_role(find_user("admin"), "admin")
    boss = log_in(client_as("viewer"), "boss")
    boss.post(f"/users/{find_user('admin').id}/delete")
    gone = anonymous.get(BASE + "/contact-points", headers=headers)
    assert gone.status_code == 401


def test_leaving_out_a_defaulted_destination_keeps_the_secret(api):
    body = {"name": "Ops", "type": "opsgenie", "settings": {"apiKey": "SECRET-og"}}
    uid = api("POST", "/contact-points", body).get_json()["uid"]
    update = {"name": "Ops", "type": "opsgenie", "settings": {"message": "hi"}}
    assert api("PUT", f"/contact-points/{uid}", update).status_code == 202
    assert stored(uid).secrets["apiKey"] == "SECRET-og"


def test_an_api_change_makes_an_open_edit_form_ask_before_overwriting(api, client):
    from tests.formdata import form_data

    body = {"name": "Ops", "type": "webhook", "settings": {"url": "https://a.example/"}}
    uid = api("POST", "/contact-points", body).get_json()["uid"]
    contact_point = stored(uid).contact_point
    page = client.get(f"/contact-points/{contact_point.uid}/edit").get_data(as_text=True)
    changed = {**body, "settings": {"url": "https://b.example/"}}
    assert api("PUT", f"/contact-points/{uid}", changed).status_code == 202
    data = form_data(page)
    data.pop("csrf_token")
    response = client.post(f"/contact-points/{contact_point.uid}/edit", data=data)
    assert response.status_code == 409
    assert stored(uid).settings["url"] == "https://b.example/"


def test_command_line_tokens_belong_to_no_account(app, client_as):
    from click.testing import CliRunner

    from app.cli import tokens_cli

    result = CliRunner().invoke(tokens_cli, ["create", "deploy", "--role", "admin"],
                                obj=None, standalone_mode=False)
    assert result.exception is None, result.output
    client_as("admin").post("/users", data={"username": "Command Line",
                                            "password": "password123", "role": "viewer"})
    value = re.search(r"hrld_[A-Za-z0-9_-]+", result.output).group(0)
    answer = app.test_client().get(BASE + "/contact-points/export?decrypt=true",
                                   headers={"Authorization": f"Bearer {value}"})
    assert answer.status_code == 200


def test_a_contact_point_takes_at_most_a_hundred_integrations(api, monkeypatch):
    import importlib

    applying = importlib.import_module("app.provisioning.apply")  # the module, not apply()
    monkeypatch.setattr(applying, "MAX_INTEGRATIONS", 2)
    body = {"name": "Big", "type": "email", "settings": {"addresses": "a@example.com"}}
    for _ in range(2):
        assert api("POST", "/contact-points", body).status_code == 202
    answer = api("POST", "/contact-points", body)
    assert answer.status_code == 409
    assert "“Big” would have 3 integrations; a contact point can have at most 2." in (
        answer.get_json()["message"])
    assert len(db.session.scalar(select(ContactPoint)).integrations) == 2
