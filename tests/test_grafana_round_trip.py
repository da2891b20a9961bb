"""Grafana → Herald → Grafana: an import exported again gives Grafana the same templates."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from app.alerts import sample_groups
from app.extensions import db
from app.models import Integration, NotificationTemplate
from app.provisioning.goexport import to_go
from app.provisioning.gotemplate import is_go, split_defines, translate
from app.templating import render_source
from tests.test_export_import import import_document, textarea

DATA = Path(__file__).resolve().parent / "data"
DOCS = (DATA / "grafana-docs-templates.yaml").read_text()
SAMPLE = (DATA / "grafana-contact-points.yaml").read_text()
# Grafana's own spelling of a few docs examples differs from the form Herald writes back;
# both mean the same, and Herald reads both into the same template.
CANONICAL = {
    "Table": ('{{ if (eq .Name  "ServerInfo") -}}', '{{ if eq .Name "ServerInfo" -}}'),
}


def defines(document: dict) -> dict[str, str]:
    """Every {{ define }} of a document's templates: name -> body."""
    found: dict[str, str] = {}
    for entry in document.get("templates", []):
        found.update(split_defines(entry["template"]) or [(entry["name"], entry["template"])])
    return found


def settings_texts(document: dict) -> dict[str, dict]:
    return {receiver["uid"]: receiver["settings"] for point in document["contactPoints"]
            for receiver in point["receivers"]}


def exported(client, output_format: str = "yaml") -> dict:
    page = client.post("/contact-points/export", data={"format": output_format,
                                                     "action": "show"})
    text = textarea(page.get_data(as_text=True), "exported")
    return yaml.safe_load(text) if output_format == "yaml" else json.loads(text)


def expected_defines(original: dict) -> dict[str, str]:
    """The docs' defines, in the spelling Herald writes (which renders the same)."""
    wanted = defines(original)
    group = sample_groups()["firing"]
    for name, (grafana, herald) in CANONICAL.items():
        spelled = wanted[name].replace(grafana, herald)
        assert render_source(translate(spelled).text, group) == \
            render_source(translate(wanted[name]).text, group)
        wanted[name] = spelled
    return wanted


@pytest.mark.parametrize("output_format", ["yaml", "json"])
def test_grafanas_documented_templates_come_back_as_grafana_wrote_them(client, output_format):
    original = yaml.safe_load(DOCS)
    assert import_document(client, DOCS).status_code == 302

    document = exported(client, output_format)

    assert defines(document) == expected_defines(original)
    for uid, settings in settings_texts(original).items():
        back = settings_texts(document)[uid]
        assert {k: back[k] for k in settings if "{{" in str(settings[k])} == \
            {k: v for k, v in settings.items() if "{{" in str(v)}


def test_most_documented_templates_are_translated_not_just_kept(client):
    import_document(client, DOCS)

    stored = {t.name: t.template for t in select_all(NotificationTemplate)}

    in_herald = {name for name, text in stored.items() if not is_go(text)}
    assert {"email.subject", "slack.title", "common.subject_title",
            "my_conditional_notification", "Table", "docs.index", "docs.if",
            "docs.variables", "docs.pairs", "docs.comments", "docs.indentation",
            "docs.trimmed"} <= in_herald
    assert '{% include "email.subject" %}' in [
        i.settings.get("subject") for i in select_all(Integration)]


def select_all(model):
    db.session.expire_all()  # the import ran in its own request
    return list(db.session.scalars(select(model)))


def test_the_copy_of_the_shared_sample_is_up_to_date():
    shared = Path(__file__).resolve().parents[2] / "shared/samples/grafana-contact-points.yaml"
    if shared.exists():  # beside the repository on the team's machines, not in every clone
        assert shared.read_text() == SAMPLE


def test_the_shared_grafana_sample_round_trips(client):
    original = yaml.safe_load(SAMPLE)
    assert import_document(client, SAMPLE).status_code == 302

    document = exported(client)

    assert defines(document) == defines(original)
    for uid, settings in settings_texts(original).items():
        back = settings_texts(document)[uid]
        assert {k: v for k, v in back.items() if k in settings} == {
            k: v for k, v in settings.items() if k not in ("integrationKey", "url")} | {
            k: "[REDACTED]" for k in ("integrationKey", "url") if k in settings}


def test_export_flags_what_cannot_be_written_in_grafanas_language(client, make_contact_point):
    make_contact_point("ops", [("webhook", {
        "url": "https://hooks.example/a",
        "title": "{{ Status|replace('firing', 'FIRING') }}",
        "message": "{{ Alerts.Firing|length }} firing",
    })])

    page = client.post("/contact-points/export", data={"format": "yaml", "action": "show"})

    text = page.get_data(as_text=True)
    assert "1 text could not be written in Grafana's template language" in text
    assert "Contact point “ops”, Webhook" in text
    assert "settings.title:" in text
    assert "the filter “replace”" in text
    document = yaml.safe_load(textarea(text, "exported"))
    settings = document["contactPoints"][0]["receivers"][0]["settings"]
    assert settings["title"] == "{{ Status|replace('firing', 'FIRING') }}"
    assert settings["message"] == "{{ len .Alerts.Firing }} firing"


def test_api_export_writes_go_templates(client_as, make_contact_point):
    make_contact_point("ops", [("slack", {
        "url": "https://hooks.slack.example/x",
        "title": '{% include "default.title" %}',
        "text": "{% for alert in Alerts.Firing %}{{ alert.Labels.instance }}\n{% endfor %}",
    })])
    client = client_as("viewer")

    response = client.get("/api/v1/provisioning/contact-points/export?format=json")

    settings = response.get_json()["contactPoints"][0]["receivers"][0]["settings"]
    assert settings["title"] == '{{ template "default.title" . }}'
    assert settings["text"] == "{{ range .Alerts.Firing }}{{ .Labels.instance }}\n{{ end }}"


HERALD_TO_GO = [
    ('{% include "oncall.message" %}', '{{ template "oncall.message" . }}'),
    ("{{ Alerts.Firing|length }}", "{{ len .Alerts.Firing }}"),
    ("{% for alert in Alerts %}\n- {{ alert.Labels.instance }}\n{% endfor +%}\nend",
     "{{ range .Alerts -}}\n- {{ .Labels.instance }}\n{{ end }}\nend"),
    ('{% for a in Alerts %}{% for p in a.Labels.SortedPairs() %}{{ a.Status }}{{ p.Name }}'
     '{% endfor %}{% endfor %}',
     "{{ range $a := .Alerts }}{{ range $a.Labels.SortedPairs }}{{ $a.Status }}{{ .Name }}"
     "{{ end }}{{ end }}"),
    ('{% if CommonLabels.get("my-label") %}x{% endif %}',
     '{{ if index .CommonLabels "my-label" }}x{{ end }}'),
    ("{% if Status == 'firing' and CommonLabels.team %}{{ Status|upper }}{% endif %}",
     '{{ if and (eq .Status "firing") .CommonLabels.team }}{{ toUpper .Status }}{{ end }}'),
    ("  {% if Status %}\n  x\n  {% endif %}\n", "{{ if .Status }}  x\n{{ end -}}\n"),
    ("{# note #}\nA", "{{/* note */ -}}\nA"),
]


@pytest.mark.parametrize(("herald", "go"), HERALD_TO_GO)
def test_herald_text_is_written_in_go(herald, go):
    assert to_go(herald).text == go
    assert to_go(herald).problem == ""


@pytest.mark.parametrize("text", [
    "no template at all", '{{ template "default.title" . }}', "{{ .Status }}"])
def test_plain_and_go_text_is_exported_as_is(text):
    assert to_go(text).text == text


RENDERED_BOTH_WAYS = [
    "{{ Alerts.Firing|length }} firing of {{ Alerts|length }}",
    "{% for alert in Alerts %}\n- {{ alert.Labels.instance }}\n{% endfor +%}\nend",
    '{% if CommonLabels.get("my-label") %}x{% else %}y{% endif %}',
    "{% if Status == 'firing' and CommonLabels.alertname %}{{ Status|upper }}{% endif %}",
    "  {% if Status %}\n  x\n  {% endif %}\n",
    "{# note #}\nA",
    "Alerts:\n  {% for alert in Alerts %}\n  * {{ alert.Status }}\n  {% endfor %}\nend\n",
    "{% set n = Alerts|length %}\n{% if n > 1 %}\nmany\n{% elif n %}\none\n{% else %}\n"
    "none\n{% endif %}\n",
    '{% for a in Alerts %}{% for p in a.Labels.SortedPairs() %}{{ a.Status }}:{{ p.Name }} '
    '{% endfor %}{% endfor %}',
]


@pytest.mark.parametrize("herald", RENDERED_BOTH_WAYS)
def test_herald_to_grafana_and_back_renders_the_same(app, herald):
    group = sample_groups()["firing"]
    back = translate(to_go(herald).text)

    assert back.problem == ""
    assert render_source(back.text, group) == render_source(herald, group)
