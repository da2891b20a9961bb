"""Export and import in Grafana's provisioning format: the pages, the command, the start-up
folder, refused entries, Go templates flagged for review, and the round trip."""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.integrations import REGISTRY
from app.models import AuditEntry, ContactPoint, Integration, NotificationTemplate
from app.provisioning import document as provisioning_document
from app.provisioning import template_entries
from tests.conftest import make_config
from tests.formdata import form_data
from tests.senders.conftest import body_of, make_group

# A copy of the shared Grafana provisioning sample, so that the test runs on any clone.
SAMPLE = Path(__file__).resolve().parent / "data/grafana-contact-points.yaml"
SAMPLE_TEXT = SAMPLE.read_text()
WAVE_1 = """\
apiVersion: 1
contactPoints:
  - orgId: 1
    name: ops-team
    receivers:
      - uid: ops_slack
        type: slack
        settings:
          url: https://hooks.slack.example/services/T000/B000/XXXX
          recipient: "#ops"
          title: '{{ template "default.title" . }}'
          text: '{{ template "slack.default.text" . }}'
          mentionChannel: here
          color: '{{ if eq .Status "firing" }}#D63232{{ else }}#36a64f{{ end }}'
      - uid: ops_mail
        type: email
        settings: {addresses: "oncall@example.com;lead@example.com", singleEmail: true}
        disableResolveMessage: true
      - uid: ops_teams
        type: teams
        settings:
          url: https://example.webhook.office.com/webhookb2/x
          message: '{{ template "teams.default.message" . }}'
      - uid: ops_discord
        type: discord
        settings: {url: "https://discord.example/api/webhooks/1/x", use_discord_username: true}
  - orgId: 1
    name: pager
    receivers:
      - uid: pager_pd
        type: pagerduty
        settings:
          integrationKey: 0123456789abcdef0123456789abcdef
          severity: critical
          component: api
          details: {team: core}
      - uid: pager_og
        type: opsgenie
        settings:
          apiKey: og-key
          apiUrl: https://api.opsgenie.com/v2/alerts
          autoClose: false
          responders: [{type: team, name: sre}]
  - orgId: 1
    name: hooks
    receivers:
      - uid: hooks_webhook
        type: webhook
        settings:
          url: https://hooks.example/alerts
          httpMethod: PUT
          maxAlerts: 5
          authorization_credentials: bearer-secret
          headers: {X-Team: core}
          title: '{{ template "short-title" . }}'
          hmacConfig: {secret: hmac-secret, header: X-Sig}
      - uid: hooks_telegram
        type: telegram
        settings: {bottoken: "123:abc", chatid: "-100123", message_thread_id: 7}
      - uid: hooks_chat
        type: googlechat
        settings: {url: "https://chat.googleapis.example/v1/spaces/x", hide_open_button: true}
templates:
  - orgId: 1
    name: short-title
    template: '{{ define "short-title" }}{{ .CommonLabels.alertname }} is {{ .Status }}{{ end }}'
"""
# The types beyond Grafana's, as a provisioning file would carry them.
BEYOND = """\
apiVersion: 1
contactPoints:
  - orgId: 1
    name: beyond
    receivers:
      - {uid: b_mm, type: mattermost, settings: {url: "https://mm.example/hooks/x", channel: ops}}
      - {uid: b_rc, type: rocketchat, settings: {url: "https://rc.example/hooks/x/y"}}
      - uid: b_zulip
        type: zulip
        settings: {site: "https://z.example", email: bot@z.example, api_key: zk, stream: ops,
                   topic: '{{ .CommonLabels.alertname }}'}
      - uid: b_matrix
        type: matrix
        settings: {homeserver: "https://m.example", room_id: "!r:m.example", access_token: mt}
      - {uid: b_ntfy, type: ntfy, settings: {topic: herald-ops, token: nt, priority: "4"}}
      - {uid: b_gotify, type: gotify, settings: {url: "https://g.example", token: gt}}
      - uid: b_twilio
        type: twilio
        settings: {account_sid: AC00000000000000000000000000000000, auth_token: tt,
                   from: "+14155550100", to: "+14155550123"}
      - {uid: b_apprise, type: apprise, settings: {url: "pover://user@token"}}
"""
BEYOND_SECRETS = {"b_mm": {"url": "https://mm.example/hooks/x"}, "b_zulip": {"api_key": "zk"},
                  "b_matrix": {"access_token": "mt"}, "b_ntfy": {"token": "nt"},
                  "b_twilio": {"auth_token": "tt"}, "b_apprise": {"url": "pover://user@token"}}
WEBHOOK_SECRETS = {"authorization_credentials": "bearer-secret", "hmacConfig.secret": "hmac-secret"}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def integration(uid: str) -> Integration:
    db.session.expire_all()  # requests write through their own sessions
    return db.session.scalar(select(Integration).where(Integration.uid == uid))


def preview(client, text: str):
    return client.post("/contact-points/import", data={"document": text})


def import_document(client, text: str):
    """Preview the document on the Import page, then press Apply, as a person does."""
    page = preview(client, text)
    assert page.status_code == 200, page.get_data(as_text=True)
    fields = form_data(page.get_data(as_text=True))
    return client.post("/contact-points/import/apply",
                       data={k: fields[k][0] for k in ("document", "fingerprint")})


def rows(page: str) -> list[str]:
    """The preview's table rows as a person reads them, cells separated by ' | '."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    found = []
    for row in body.split("</tr>"):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)
        found += [" | ".join(" ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split())
                             for cell in cells)] if cells else []
    return found


def textarea(page: str, element_id: str) -> str:
    match = re.search(rf'<textarea id="{element_id}"[^>]*>(.*?)</textarea>', page, re.DOTALL)
    assert match, f"no textarea #{element_id}"
    return html.unescape(match.group(1))


def test_the_test_documents_and_the_grafana_examples_use_every_registered_type():
    from tests.test_grafana_types_provisioning import GRAFANA_OTHER_TYPES

    types = {r["type"] for document in (WAVE_1, BEYOND)
             for cp in yaml.safe_load(document)["contactPoints"] for r in cp["receivers"]}
    assert types | GRAFANA_OTHER_TYPES == set(REGISTRY)


def test_types_beyond_grafana_import_with_their_secrets_kept_apart(client):
    response = import_document(client, BEYOND)

    assert response.status_code == 302
    listing = client.get("/contact-points").get_data(as_text=True)
    assert "Imported: 1 contact point (8 integrations) created." in listing
    for uid, secrets in BEYOND_SECRETS.items():
        assert integration(uid).secrets == secrets
        assert not set(secrets) & set(integration(uid).settings)
    assert integration("b_zulip").settings["topic"] == "{{ CommonLabels.alertname }}"
    assert integration("b_ntfy").settings["priority"] == "4"


def test_grafana_file_with_every_type_previews_then_imports(client):
    page = preview(client, WAVE_1)

    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "3 contact points (9 integrations) created, 1 template created" in text
    assert "Template | short-title |  | Created" in rows(text)[0]
    assert any("ops-team | Slack · uid ops_slack | Created" in row for row in rows(text))
    assert count(ContactPoint) == 0, "a preview writes nothing"

    response = import_document(client, WAVE_1)

    assert response.status_code == 302
    listing = client.get("/contact-points").get_data(as_text=True)
    assert "Imported: 3 contact points (9 integrations) created, 1 template created." in listing
    for name in ("ops-team", "pager", "hooks"):
        assert f"<h2>{name}</h2>" in listing
    webhook = integration("hooks_webhook")
    assert webhook.settings == {"url": "https://hooks.example/alerts", "httpMethod": "PUT",
                                "headers": {"X-Team": "core"}, "maxAlerts": 5,
                                "title": '{% include "short-title" %}',
                                "hmacConfig": {"header": "X-Sig"}}
    assert webhook.secrets == WEBHOOK_SECRETS
    assert integration("ops_slack").settings["title"] == '{% include "default.title" %}'
    assert integration("ops_slack").settings["color"] == (
        '{% if Status == "firing" %}#D63232{% else %}#36a64f{% endif %}')
    assert integration("ops_mail").disable_resolve_message is True
    assert integration("pager_og").settings["responders"] == [{"type": "team", "name": "sre"}]
    template = db.session.scalar(select(NotificationTemplate))
    assert (template.name, template.template) == (
        "short-title", "{{ CommonLabels.alertname }} is {{ Status }}")


def test_the_shared_sample_file_imports(client):
    assert import_document(client, SAMPLE_TEXT).status_code == 302
    assert {cp.name for cp in db.session.scalars(select(ContactPoint))} == {"ops-team", "pager"}


def test_imported_template_reference_is_what_the_webhook_receives(client, httpserver):
    document = yaml.safe_load(WAVE_1)
    document["contactPoints"] = [{"orgId": 1, "name": "hook", "receivers": [{
        "uid": "h1", "type": "webhook",
        "settings": {"url": httpserver.url_for("/alerts"),
                     "title": '{{ template "short-title" . }}',
                     "message": "{{ len .Alerts.Firing }} firing on {{ .CommonLabels.instance }}"},
    }]}]
    httpserver.expect_request("/alerts").respond_with_data("ok")
    import_document(client, json.dumps(document))

    from app.delivery.notify import notify

    notify(integration("h1").contact_point, make_group("firing"))

    body = body_of(httpserver)
    assert (body["title"], body["message"]) == ("DiskFull is firing", "1 firing on db-1")


def test_untranslatable_go_is_imported_as_written_flagged_and_sends_the_default(
        client, httpserver):
    go_title = '{{ printf "%s!" .Status }}'
    document = {"apiVersion": 1, "contactPoints": [{"orgId": 1, "name": "review", "receivers": [
        {"uid": "r1", "type": "webhook",
         "settings": {"url": httpserver.url_for("/alerts"), "title": go_title}}]}]}
    text = json.dumps(document)
    page = preview(client, text).get_data(as_text=True)
    assert any('Needs review: Title: {{ printf "%s!" .Status }}: the function “printf”' in row
               for row in rows(page))

    import_document(client, text)

    assert integration("r1").settings["title"] == go_title
    listing = client.get("/contact-points").get_data(as_text=True)
    assert "Needs review: Title: {{ printf" in listing
    httpserver.expect_request("/alerts").respond_with_data("ok")
    from app.delivery.notify import notify

    (result,) = notify(integration("r1").contact_point, make_group("firing"))
    assert result.outcome == "success"
    assert body_of(httpserver)["title"].startswith("[FIRING:1] DiskFull ")


def test_list_templates_called_with_a_sub_value_import_translated_and_send(
        client, httpserver):
    go_message = ('{{ len .Alerts.Firing }} firing:'
                  '{{ template "__text_alert_list" .Alerts.Firing }}')
    document = {"apiVersion": 1, "contactPoints": [{"orgId": 1, "name": "lists", "receivers": [
        {"uid": "r1", "type": "webhook",
         "settings": {"url": httpserver.url_for("/alerts"), "message": go_message}}]}]}
    text = json.dumps(document)
    assert not any("Needs review" in row for row in rows(preview(client, text).get_data(
        as_text=True)))

    import_document(client, text)

    assert integration("r1").review_note == ""
    httpserver.expect_request("/alerts").respond_with_data("ok")
    from app.delivery.notify import notify

    (result,) = notify(integration("r1").contact_point, make_group("firing"))
    assert result.outcome == "success", result.error
    assert body_of(httpserver)["message"].startswith(
        "1 firing:\nValue: [no value]\nLabels:\n - alertname = DiskFull\n")


def test_go_templates_in_pagerduty_details_are_translated(client):
    details = {"firing": '{{ template "__text_alert_list" .Alerts.Firing }}',
               "count": "{{ len .Alerts }}", "plain": "no template"}
    document = {"apiVersion": 1, "contactPoints": [{"orgId": 1, "name": "pd", "receivers": [
        {"uid": "p1", "type": "pagerduty",
         "settings": {"integrationKey": "k", "details": details}}]}]}

    import_document(client, json.dumps(document))

    assert integration("p1").review_note == ""
    assert integration("p1").settings["details"] == {
        "firing": '{% with dot = Alerts.Firing %}{% include "__text_alert_list" %}{% endwith %}',
        "count": "{{ Alerts|length }}", "plain": "no template"}


def test_saving_the_contact_point_with_a_valid_title_clears_the_review(client):
    document = {"apiVersion": 1, "contactPoints": [{"orgId": 1, "name": "review", "receivers": [
        {"uid": "r1", "type": "webhook",
         "settings": {"url": "https://h.example/x", "title": "{{ .Foo | bar }}"}}]}]}
    import_document(client, json.dumps(document))
    contact_point = integration("r1").contact_point
    edit = f"/contact-points/{contact_point.uid}/edit"
    data = form_data(client.get(edit).get_data(as_text=True))
    token = data["block"][0]
    assert client.post(edit, data=data).status_code == 422, "the Go title is not valid as is"

    data[f"{token}.s.title.mode"] = ["default"]
    response = client.post(edit, data=data)

    assert response.status_code == 302
    assert integration("r1").review_note == ""
    assert "Needs review" not in client.get("/contact-points").get_data(as_text=True)


REFUSED = """\
apiVersion: 1
contactPoints:
  - name: mixed
    receivers:
      - {uid: good, type: webhook, settings: {url: "https://ok.example/"}}
      - {uid: odd, type: carrier-pigeon, settings: {}}
      - {uid: bad, type: webhook, settings: {url: "not a url"}}
      - {uid: hidden, type: slack, settings: {url: "[REDACTED]"}}
      - {uid: twice, type: webhook, settings: {url: "https://a.example/"}}
      - {uid: twice, type: webhook, settings: {url: "https://b.example/"}}
  - orgId: 2
    name: elsewhere
    receivers: []
templates:
  - {name: default.title, template: mine}
"""


def test_refused_entries_say_why_and_the_rest_still_imports(client):
    page = preview(client, REFUSED).get_data(as_text=True)

    found = rows(page)
    assert "1 contact point (1 integration) created, 7 entries refused" in page
    assert any("Unknown integration type 'carrier-pigeon'" in row for row in found)
    assert any("uid bad | Refused | Invalid settings: settings.url: URL must be a valid" in row
               for row in found)
    assert any('settings.url is “[REDACTED]”: give its value' in row for row in found)
    assert sum("used by more than one receiver" in row for row in found) == 2
    assert any("elsewhere" in row and "Herald has one organisation" in row for row in found)
    assert any("“default.title” is the name of a built-in template" in row for row in found)

    import_document(client, REFUSED)

    assert [i.uid for i in db.session.scalars(select(Integration))] == ["good"]


def test_redacted_secret_keeps_the_stored_one_for_an_existing_integration(
        client, make_contact_point):
    contact_point = make_contact_point("ops", [("slack", {"url": "https://hooks.slack.example/1",
                                                         "recipient": "#old"})])
    uid = contact_point.integrations[0].uid
    document = {"apiVersion": 1, "contactPoints": [{"name": "ops", "receivers": [
        {"uid": uid, "type": "slack", "settings": {"url": "[REDACTED]", "recipient": "#new"}}]}]}

    page = preview(client, json.dumps(document)).get_data(as_text=True)
    assert "1 contact point (1 integration) updated" in page
    import_document(client, json.dumps(document))

    assert integration(uid).secrets == {"url": "https://hooks.slack.example/1"}
    assert integration(uid).settings["recipient"] == "#new"


def test_apply_refuses_when_something_changed_since_the_preview(client, make_contact_point):
    page = preview(client, WAVE_1).get_data(as_text=True)
    fields = form_data(page)
    make_contact_point("pager", [("email", {"addresses": "a@example.com"})])

    response = client.post("/contact-points/import/apply",
                           data={k: fields[k][0] for k in ("document", "fingerprint")})

    assert response.status_code == 409
    assert "Something changed since the preview" in response.get_data(as_text=True)
    assert count(Integration) == 1


def test_deleting_integrations_and_templates(client, make_contact_point):
    import_document(client, WAVE_1)
    document = {"apiVersion": 1,
                "deleteContactPoints": [{"orgId": 1, "uid": "pager_pd"},
                                        {"orgId": 1, "uid": "pager_og"},
                                        {"orgId": 1, "uid": "nope"}],
                "deleteTemplates": [{"orgId": 1, "name": "short-title"}]}

    page = preview(client, json.dumps(document)).get_data(as_text=True)

    found = rows(page)
    assert any("pager | the whole contact point | Deleted | its last integration goes" in row
               for row in found)
    assert any("nothing to delete: no integration has uid nope" in row for row in found)
    assert any("short-title" in row and "used by contact point “hooks”" in row for row in found)
    import_document(client, json.dumps(document))
    names = {cp.name for cp in db.session.scalars(select(ContactPoint))}
    assert names == {"ops-team", "hooks"}
    assert count(NotificationTemplate) == 1


def test_export_is_the_provisioning_shape_with_secrets_redacted_for_viewers(
        client, client_as):
    import_document(client, WAVE_1)
    viewer = client_as("viewer")

    page = viewer.get("/contact-points/export?name=hooks").get_data(as_text=True)

    assert "Include secrets" not in page
    exported = yaml.safe_load(textarea(page, "exported"))
    receiver = exported["contactPoints"][0]["receivers"][0]
    assert exported["apiVersion"] == 1 and exported["contactPoints"][0]["orgId"] == 1
    assert receiver["settings"]["authorization_credentials"] == "[REDACTED]"
    assert receiver["settings"]["hmacConfig"] == {"secret": "[REDACTED]", "header": "X-Sig"}
    assert [t["name"] for t in exported["templates"]] == ["short-title"]
    assert viewer.post("/contact-points/export",
                       data={"include_secrets": "on", "format": "yaml"}).status_code == 403


def test_admin_exports_secrets_as_a_download_and_it_is_audited(client, client_as):
    import_document(client, WAVE_1)

    response = client_as("admin").post("/contact-points/export", data={
        "format": "json", "include_secrets": "on", "action": "download"})

    assert response.headers["Content-Disposition"] == 'attachment; filename="contact-points.json"'
    exported = json.loads(response.get_data(as_text=True))
    webhook = exported["contactPoints"][0]["receivers"][0]
    assert webhook["settings"]["hmacConfig"]["secret"] == "hmac-secret"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export-secrets"))
    assert (entry.actor, entry.object_name) == ("admin", "all contact points")


def test_list_offers_export_to_everyone_and_import_to_editors(client, client_as,
                                                              make_contact_point):
    make_contact_point("ops", [("email", {"addresses": "a@example.com"})])
    viewer_page = client_as("viewer").get("/contact-points").get_data(as_text=True)
    editor_page = client.get("/contact-points").get_data(as_text=True)

    assert "Export all" in viewer_page and ">Export</a>" in viewer_page
    assert ">Import</a>" not in viewer_page
    assert ">Import</a>" in editor_page


@pytest.fixture
def empty_instance(fresh_database):
    """A second Herald on its own fresh database."""
    application = create_app(make_config(fresh_database()))
    yield application
    with application.app_context():
        db.engine.dispose()


def test_export_import_into_an_empty_instance_export_gives_the_same_document(
        client, client_as, empty_instance):
    import_document(client, WAVE_1)
    download = {"format": "yaml", "include_secrets": "on", "action": "download"}
    first = client_as("admin").post("/contact-points/export", data=download).get_data(
        as_text=True)

    from tests.conftest import FormClient, log_in

    empty_instance.test_client_class = FormClient
    with empty_instance.app_context():
        other = log_in(empty_instance.test_client(), "admin")
        assert import_document(other, first).status_code == 302
        second = other.post("/contact-points/export", data=download)

    assert second.get_data(as_text=True) == first
    assert "[REDACTED]" not in first and "hmac-secret" in first


def test_provision_command_dry_run_writes_nothing(app, tmp_path):
    (tmp_path / "a.yaml").write_text(WAVE_1)
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["provision", str(tmp_path), "--dry-run"])

    assert dry.exit_code == 0, dry.output
    assert "created\tcontact point\tops-team\tSlack · uid ops_slack" in dry.output
    assert ("Dry run, nothing written: 3 contact points (9 integrations) created, "
            "1 template created") in dry.output
    assert count(Integration) == 0

    applied = runner.invoke(args=["provision", str(tmp_path / "a.yaml")])
    assert applied.exit_code == 0 and count(Integration) == 9


def test_provision_command_fails_on_refused_entries_after_importing_the_rest(app, tmp_path):
    (tmp_path / "refused.json").write_text(json.dumps(yaml.safe_load(REFUSED)))

    result = app.test_cli_runner().invoke(args=["provision", str(tmp_path / "refused.json")])

    assert result.exit_code == 1
    assert "7 entries were refused; the rest was imported." in result.output
    assert count(Integration) == 1


def test_provisioning_folder_is_applied_at_start_and_again_changes_nothing(
        database_url, tmp_path):
    folder = tmp_path / "provisioning"
    folder.mkdir()
    (folder / "1-templates.yml").write_text(
        "apiVersion: 1\ntemplates:\n  - {name: t1, template: '{{ .Status }}'}\n")
    (folder / "2-points.json").write_text(json.dumps({"apiVersion": 1, "contactPoints": [
        {"name": "from-disk", "receivers": [
            {"uid": "d1", "type": "webhook",
             "settings": {"url": "https://d.example/", "title": '{{ template "t1" . }}'}}]}]}))
    (folder / "notes.txt").write_text("not provisioning")

    for _ in range(2):
        started = create_app(make_config(database_url, HERALD_PROVISIONING_DIR=str(folder)))
        with started.app_context():
            assert integration("d1").settings["title"] == '{% include "t1" %}'
            audit_count = count(AuditEntry)
    assert audit_count == 2, "the second start found everything unchanged"


def test_a_known_uid_under_another_name_moves_and_the_emptied_contact_point_goes(
        client, make_contact_point):
    old = make_contact_point("old", [("webhook", {"url": "https://h.example/1"})])
    uid = old.integrations[0].uid
    document = {"apiVersion": 1, "contactPoints": [{"name": "new", "receivers": [
        {"uid": uid, "type": "webhook", "settings": {"url": "https://h.example/2"}}]}]}

    found = rows(preview(client, json.dumps(document)).get_data(as_text=True))

    assert found == [f"Contact point | new | Webhook · uid {uid} | Updated | moves from “old”",
                     "Contact point | old | the whole contact point | Deleted | "
                     "its last integration goes"]
    import_document(client, json.dumps(document))
    assert integration(uid).contact_point.name == "new"
    assert [cp.name for cp in db.session.scalars(select(ContactPoint))] == ["new"]


def test_a_template_group_with_several_defines_becomes_one_template_each(client):
    group = ('{{ define "mine.title" }}{{ .Status }}{{ end }}\n'
             '{{ define "mine.body" }}{{ template "mine.title" . }}: {{ len .Alerts }}{{ end }}')
    document = {"apiVersion": 1, "templates": [{"name": "mine", "template": group}]}

    import_document(client, json.dumps(document))

    templates = {t.name: t.template for t in db.session.scalars(select(NotificationTemplate))}
    assert templates == {"mine.title": "{{ Status }}",
                         "mine.body": '{% include "mine.title" %}: {{ Alerts|length }}'}


# --- documents that would cost far more to read than they weigh --------------------------


def alias_bomb(levels: int) -> str:
    """Each level lists the previous one ten times: ~600 bytes for 10**levels strings."""
    lines = ["apiVersion: 1", "x:", "  a0: &a0 [" + ", ".join(['"aaaaaaaaaa"'] * 10) + "]"]
    lines += [f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, levels)]
    lines += ["contactPoints:", "  - {name: bomb, receivers: [{uid: bomb1, type: opsgenie, "
              f"settings: {{apiKey: k, responders: [{{type: team, x: *a{levels - 1}}}]}}}}]}}"]
    return "\n".join(lines) + "\n"


def test_yaml_aliases_are_refused_before_they_multiply(client):
    document = alias_bomb(6)

    page = preview(client, document)
    applied = client.post("/contact-points/import/apply",
                          data={"document": document, "fingerprint": "x"})

    for answer in (page, applied):
        assert answer.status_code == 422
        assert ("YAML aliases (*name) are not supported in provisioning files (line 4)."
                in answer.get_data(as_text=True))
    assert count(Integration) == 0


@pytest.mark.parametrize("document", [
    "apiVersion: 1\ncontactPoints: " + "[" * 3000 + "]" * 3000 + "\n",
    '{"apiVersion": 1, "contactPoints": ' + '{"a": ' * 3000 + "1" + "}" * 3001,
], ids=["yaml", "json"])
def test_a_deeply_nested_document_is_refused_in_words(client, document):
    page = preview(client, document)

    assert page.status_code == 422
    assert "values are nested more than 50 levels deep (line " in page.get_data(as_text=True)


def test_a_document_of_too_many_values_is_refused_in_words(client, monkeypatch):
    monkeypatch.setattr(provisioning_document, "MAX_NODES", 1000)
    document = {"apiVersion": 1, "templates": [{"name": f"t{i}", "template": "x"}
                                               for i in range(300)]}

    page = preview(client, json.dumps(document))

    assert page.status_code == 422
    assert "there are more than 1,000 values" in page.get_data(as_text=True)
    assert count(NotificationTemplate) == 0


def test_template_texts_are_read_for_users_only_when_templates_are_deleted(
        client, monkeypatch):
    # Finding who uses a template parses texts: a document of many settings that deletes
    # nothing must not pay for it (the reviewer's 681-byte document took 52 s).
    parsed: list[str] = []
    real = template_entries.referenced_names
    monkeypatch.setattr(template_entries, "referenced_names",
                        lambda text: parsed.append(text) or real(text))
    import_document(client, WAVE_1)
    assert parsed == []

    document = {"apiVersion": 1, "deleteTemplates": [{"name": "short-title"}]}
    found = rows(preview(client, json.dumps(document)).get_data(as_text=True))

    assert any("used by contact point “hooks”" in row for row in found)
    assert parsed and all("{%" in text for text in parsed)


# --- records (Opsgenie's responders) -------------------------------------------------------


def responders_document(*responders: dict) -> str:
    return json.dumps({"apiVersion": 1, "contactPoints": [{"name": "pager", "receivers": [
        {"uid": "og", "type": "opsgenie",
         "settings": {"apiKey": "og-key", "responders": list(responders)}}]}]})


def test_imported_responders_keep_only_their_declared_settings(client):
    document = responders_document({"type": "team", "name": "sre", "note": "x",
                                    "extra": {"deep": ["a", "b"]}})

    found = rows(preview(client, document).get_data(as_text=True))
    import_document(client, document)

    assert found == ["Contact point | pager | Opsgenie · uid og | Created | settings Herald "
                     "does not know are left out: responders[0].note, responders[0].extra"]
    assert integration("og").settings["responders"] == [{"type": "team", "name": "sre"}]


def test_a_responder_setting_that_is_not_text_is_refused(client):
    document = responders_document({"type": "team", "name": "sre"},
                                   {"type": "user", "username": ["a", "b"]})

    found = rows(preview(client, document).get_data(as_text=True))

    assert found == ["Contact point | pager | Opsgenie · uid og | Refused | Invalid settings: "
                     "settings.responders[1].username must be text."]


def test_the_summary_counts_contact_points_integrations_and_templates_apart(client):
    document = """\
apiVersion: 1
contactPoints:
  - name: ops
    receivers:
      - {uid: ops_hook, type: webhook, settings: {url: "https://ops.example/"}}
      - {uid: ops_mail, type: email, settings: {addresses: "a@example.com"}}
  - name: db
    receivers:
      - {uid: db_hook, type: webhook, settings: {url: "https://db.example/"}}
      - {uid: db_odd, type: carrier-pigeon, settings: {}}
templates:
  - {name: short, template: "{{ .Status }}"}
"""
    summary = "2 contact points (3 integrations) created, 1 template created, 1 entry refused"

    assert f"{summary}." in preview(client, document).get_data(as_text=True)
    import_document(client, document)
    assert f"Imported: {summary}." in client.get("/contact-points").get_data(as_text=True)
