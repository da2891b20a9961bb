"""Line endings are plain newlines, and email addresses are stored as Grafana stores them."""
from __future__ import annotations

import yaml
from sqlalchemy import select

from app.extensions import db
from app.models import Integration, NotificationTemplate
from tests.test_api import BASE
from tests.test_contact_points_views import post_form
from tests.test_export_import import import_document, textarea


def only_integration() -> Integration:
    db.session.expire_all()
    return db.session.scalar(select(Integration))


def exported_settings(client) -> dict:
    page = client.post("/contact-points/export", data={"format": "yaml", "action": "show"})
    document = yaml.safe_load(textarea(page.get_data(as_text=True), "exported"))
    return document["contactPoints"][0]["receivers"][0]["settings"]


def test_addresses_typed_on_separate_lines_are_stored_and_exported_as_grafana_does(client):
    response = post_form(client, "/contact-points/new", "ops", [("a1", "email", {
        "addresses": "a@example.com\r\nb@example.com\r\n\r\nc@example.com",
        "message.mode": "custom", "message": "First line\r\nsecond\rthird",
    })])

    assert response.status_code == 302
    settings = only_integration().settings
    assert settings["addresses"] == "a@example.com;b@example.com;c@example.com"
    assert settings["message"] == "First line\nsecond\nthird"
    exported = exported_settings(client)
    assert exported["addresses"] == "a@example.com;b@example.com;c@example.com"
    assert exported["message"] == "First line\nsecond\nthird"


def test_api_and_import_normalise_line_endings_too(client, anonymous, app):
    from app.provisioning.tokens import create_token

    _, value, _ = create_token("script", "editor", "tests")
    body = {"name": "ops", "type": "email", "settings": {
        "addresses": "a@example.com\r\nb@example.com", "subject": "One\r\nTwo"}}
    response = anonymous.open(f"{BASE}/contact-points", method="POST", json=body,
                              headers={"Authorization": f"Bearer {value}"}, csrf=False)
    assert response.status_code == 202
    assert only_integration().settings == {"addresses": "a@example.com;b@example.com",
                                           "subject": "One\nTwo"}
    assert response.get_json()["settings"]["addresses"] == "a@example.com;b@example.com"

    document = ("apiVersion: 1\ntemplates:\n  - orgId: 1\n    name: crlf\n"
                '    template: "A\\r\\nB\\rC"\n')
    assert import_document(client, document).status_code == 302
    assert db.session.scalar(select(NotificationTemplate)).template == "A\nB\nC"


def test_values_stored_before_are_normalised_when_read_and_exported(client, make_contact_point):
    make_contact_point("ops", [("email", {"addresses": "a@example.com"})])
    integration = only_integration()
    integration.settings = {"addresses": "a@example.com\r\nb@example.com",
                            "message": "One\r\nTwo"}
    db.session.commit()

    exported = exported_settings(client)

    assert exported["addresses"] == "a@example.com;b@example.com"
    assert exported["message"] == "One\nTwo"
    form = client.get(f"/contact-points/{integration.contact_point.uid}/edit")
    assert "a@example.com;b@example.com</textarea>" in form.get_data(as_text=True)
