"""Title/message fields: Default, Custom or a saved Template, checked on save, previewed."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Integration, NotificationTemplate
from app.template_fields import mode_of

HX = {"HX-Request": "true"}


def slack_form(**fields) -> dict:
    data = {"name": "ops", "block": ["a1"], "a1.type": "slack",
            "a1.s.url": "https://hooks.slack.example/x"}
    data.update({f"a1.s.{key}": value for key, value in fields.items()})
    return data


def save_template(name: str, text: str) -> None:
    template = NotificationTemplate(template=text)
    template.set_name(name)
    db.session.add(template)
    db.session.commit()


def test_default_mode_stores_nothing(client):
    data = slack_form(**{"title.mode": "default", "title": "typed but not chosen"})
    assert client.post("/contact-points/new", data=data).status_code == 302
    assert "title" not in db.session.scalar(select(Integration)).settings


def test_custom_mode_stores_the_text(client):
    data = slack_form(**{"title.mode": "custom", "title": "{{ Status }}: {{ CommonLabels.x }}"})
    assert client.post("/contact-points/new", data=data).status_code == 302
    stored = db.session.scalar(select(Integration)).settings["title"]
    assert stored == "{{ Status }}: {{ CommonLabels.x }}"


def test_template_mode_stores_an_include_and_edit_shows_it_chosen(client):
    save_template("Short title", "{{ Status }}")
    data = slack_form(**{"title.mode": "template", "title.tpl": "Short title"})
    assert client.post("/contact-points/new", data=data).status_code == 302
    integration = db.session.scalar(select(Integration))
    assert integration.settings["title"] == '{% include "Short title" %}'
    page = client.get(f"/contact-points/{integration.contact_point.uid}/edit").get_data(
        as_text=True)
    assert 'value="template" checked' in page
    assert '<option value="Short title" selected>Short title</option>' in page


def test_template_mode_needs_a_choice(client):
    data = slack_form(**{"title.mode": "template", "title.tpl": ""})
    response = client.post("/contact-points/new", data=data)
    assert response.status_code == 422
    assert "Title: choose a notification template." in response.get_data(as_text=True)


def test_syntax_error_is_refused_with_its_line(client):
    data = slack_form(**{"text.mode": "custom", "text": "ok\n{{ Status }\n"})
    response = client.post("/contact-points/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Text Body: line 2: unexpected &#39;}&#39;" in page
    assert "{{ Status }" in page  # the typed text is kept


def test_unknown_saved_template_is_refused(client):
    data = slack_form(**{"title.mode": "custom", "title": '{% include "nope" %}x'})
    response = client.post("/contact-points/new", data=data)
    assert response.status_code == 422
    assert "Title: no notification template named “nope”." in response.get_data(as_text=True)


def test_preview_renders_the_default_with_the_sample_alert(client):
    data = {**slack_form(**{"title.mode": "default"}), "action": "preview:a1:title"}
    fragment = client.post("/contact-points/new", data=data, headers=HX).get_data(as_text=True)
    assert "[FIRING:2] HighCPU api (prod)" in fragment


def test_preview_sends_to_the_contact_point_being_edited(client, make_contact_point):
    data = {**slack_form(**{"title.mode": "custom", "title": "to {{ Receiver }}"}),
            "name": "Database on-call", "action": "preview:a1:title"}
    fragment = client.post("/contact-points/new", data=data, headers=HX).get_data(as_text=True)
    assert "to Database on-call" in fragment
    assert "ops-team" not in fragment

    make_contact_point("payments", [("slack", {"url": "https://hooks.slack.example/x"})])
    uid = db.session.scalar(select(Integration)).contact_point.uid
    data["name"] = "payments (renamed)"
    page = client.post(f"/contact-points/{uid}/edit", data=data).get_data(as_text=True)
    assert "to payments (renamed)" in page


def test_preview_shows_errors_with_their_line(client):
    data = {**slack_form(**{"title.mode": "custom", "title": "{{ Nope }}"}),
            "action": "preview:a1:title"}
    fragment = client.post("/contact-points/new", data=data, headers=HX).get_data(as_text=True)
    assert "Line 1:" in fragment and "Nope" in fragment


def test_mode_of_reads_stored_values():
    assert mode_of("") == ("default", "")
    assert mode_of('{% include "x y" %}') == ("template", "x y")
    assert mode_of('{%- include "x" -%}') == ("template", "x")
    assert mode_of('{% include "x" %} and more') == ("custom", "")


def test_other_rendered_settings_are_checked_too(client):
    data = slack_form(footer='{{ printf "%s" .Status }}')
    response = client.post("/contact-points/new", data=data)
    assert response.status_code == 422
    assert "Footer: line 1:" in response.get_data(as_text=True)


def test_template_syntax_in_map_values_is_checked(client):
    data = {"name": "ops", "block": ["a1"], "a1.type": "pagerduty",
            "a1.s.integrationKey": "k", "a1.s.details.k": ["firing"],
            "a1.s.details.v": ["{{ Alerts.Firing | length }"]}
    response = client.post("/contact-points/new", data=data)
    assert response.status_code == 422
    assert "Details: line 1:" in response.get_data(as_text=True)


def test_a_template_including_a_missing_template_is_refused(client):
    response = client.post("/notification-templates/new",
                           data={"name": "outer", "template": '{% include "nowhere" %}'})
    assert response.status_code == 422
    assert "There is no notification template named “nowhere”." in response.get_data(
        as_text=True)
