"""The contact points list and the create/edit form, through the Flask test client."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from app.extensions import db
from app.models import ContactPoint, Integration


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def block_form(token: str, type_id: str, settings: dict, **extra) -> dict:
    """Form fields of one integration block, as the browser posts them."""
    data = {f"{token}.type": type_id}
    data.update({f"{token}.s.{key}": value for key, value in settings.items()})
    data.update({f"{token}.{key}": value for key, value in extra.items()})
    return data


def post_form(client, url: str, name: str, blocks: list[tuple[str, str, dict]], **extra):
    data = {"name": name, "block": [token for token, _, _ in blocks], **extra}
    for token, type_id, settings in blocks:
        data.update(block_form(token, type_id, settings))
    return client.post(url, data=data)


def test_empty_list_shows_the_create_button(client):
    page = client.get("/contact-points").get_data(as_text=True)
    assert "You don't have any contact points yet." in page
    assert page.count("+ Create contact point") == 2


def test_root_redirects_to_contact_points(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/contact-points")


def test_new_form_starts_with_one_email_block(client):
    page = client.get("/contact-points/new").get_data(as_text=True)
    assert '<label for="name">Name' in page
    assert re.search(r'<option value="email" selected>Email</option>', page)
    assert "Addresses" in page
    assert "Optional Email settings" in page
    assert "Notification settings" in page
    assert "Disable resolved message" in page
    assert "+ Add contact point integration" in page
    assert "Save contact point" in page
    note = "If you create a contact point with no integrations, no notifications will be sent."
    assert note in page


def test_every_input_has_a_label(client, make_contact_point):
    contact_point = make_contact_point("ops", [("webhook", {"url": "https://h.example/x"})])
    for url in ("/contact-points/new", f"/contact-points/{contact_point.uid}/edit"):
        page = client.get(url).get_data(as_text=True)
        labelled = set(re.findall(r'<label for="([^"]+)"', page))
        controls = r'<(?:input|select|textarea)(?![^>]*type="hidden")[^>]*\sid="([^"]+)"'
        inputs = re.findall(controls, page)
        assert inputs
        assert set(inputs) <= labelled, set(inputs) - labelled


def test_create_with_two_integrations_saves_in_order(client):
    response = post_form(
        client,
        "/contact-points/new",
        "  Ops team  ",
        [
            ("a1", "email", {"addresses": "a@example.com; b@example.com", "singleEmail": "on"}),
            ("b2", "webhook", {"url": "https://hooks.example.com/alert", "httpMethod": "PUT"}),
        ],
    )
    assert response.status_code == 302
    contact_point = db.session.scalar(select(ContactPoint))
    assert contact_point.name == "Ops team"
    assert [i.type for i in contact_point.integrations] == ["email", "webhook"]
    assert contact_point.integrations[0].settings == {
        "addresses": "a@example.com;b@example.com",  # as Grafana separates them
        "singleEmail": True,
    }
    assert contact_point.integrations[1].settings["httpMethod"] == "PUT"
    listing = client.get("/contact-points").get_data(as_text=True)
    assert "Ops team" in listing
    assert "hooks.example.com" in listing
    assert "Contact point “Ops team” created." in listing


def test_contact_point_without_integrations_is_allowed(client):
    response = post_form(client, "/contact-points/new", "silent", [])
    assert response.status_code == 302
    listing = client.get("/contact-points").get_data(as_text=True)
    assert "No integrations — no notifications will be sent" in listing


def test_missing_required_field_answers_422_and_keeps_every_value(client):
    response = post_form(
        client,
        "/contact-points/new",
        "ops",
        [
            ("a1", "email", {"addresses": "", "subject": "my subject"}),
            ("b2", "webhook", {"url": "https://kept.example.com/x", "maxAlerts": "5"}),
        ],
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Addresses is required." in page
    assert 'value="my subject"' in page
    assert 'value="https://kept.example.com/x"' in page
    assert 'value="5"' in page
    assert 'value="ops"' in page
    assert count(ContactPoint) == 0 and count(Integration) == 0


def test_invalid_url_and_email_messages(client):
    response = post_form(
        client,
        "/contact-points/new",
        "ops",
        [
            ("a1", "email", {"addresses": "good@example.com, not-an-address"}),
            ("b2", "webhook", {"url": "ftp://example.com/x"}),
        ],
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Not a valid email address: not-an-address" in page
    assert "URL must be a valid http:// or https:// URL." in page


def test_cross_field_rules(client):
    response = post_form(
        client,
        "/contact-points/new",
        "ops",
        [
            ("a1", "slack", {"token": "xoxb-1"}),
            ("b2", "webhook", {"url": "https://x.example", "username": "u", "password": "p",
                               "authorization_credentials": "c",
                               "headers.k": ["X-Team", "Authorization"],
                               "headers.v": ["a", "b"]}),
        ],
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Recipient is required when a Token is used." in page
    assert "Use either HTTP Basic Authentication or an Authorization header, not both." in page
    assert "These headers cannot be set here: Authorization" in page


def test_bad_names(client, make_contact_point):
    make_contact_point("Ops")
    cases = {
        "   ": "Name is required.",
        "oPS": "A contact point named “oPS” already exists.",
        "x" * 10_000: "Name must be at most 190 characters.",
    }
    for name, message in cases.items():
        response = post_form(client, "/contact-points/new", name, [])
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert count(ContactPoint) == 1


def test_html_in_fields_is_escaped(client):
    payload = '<script>alert(1)</script>'
    response = post_form(client, "/contact-points/new", payload,
                         [("a1", "email", {"addresses": payload})])
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert payload not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_malformed_structure_is_a_400(client):
    cases = [
        {"name": "x", "block": ["A B"], "A B.type": "email"},
        {"name": "x", "block": ["a1"], "a1.type": "carrier-pigeon"},
        {"name": "x", "block": ["a1", "a1"], "a1.type": "email"},
        {"name": "x", "block": ["a1"], "a1.type": "email", "action": "explode:a1"},
        {"name": "x", "block": ["a1"], "a1.type": "email", "action": "delete:zz"},
    ]
    for data in cases:
        response = client.post("/contact-points/new", data=data)
        assert response.status_code == 400, data
    assert count(ContactPoint) == 0


def test_missing_csrf_token_is_refused(client):
    response = client.post("/contact-points/new", data={"name": "x"}, csrf=False)
    assert response.status_code == 400
    assert count(ContactPoint) == 0


def test_body_over_the_size_limit_is_refused(client):
    response = client.post("/contact-points/new", data={"name": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert count(ContactPoint) == 0


def test_rename_keeps_uid_and_integrations(client, make_contact_point):
    contact_point = make_contact_point("old", [("email", {"addresses": "a@example.com"})])
    integration_uid = contact_point.integrations[0].uid
    edit = client.get(f"/contact-points/{contact_point.uid}/edit").get_data(as_text=True)
    token = re.search(r'name="block" value="([a-z0-9]+)"', edit).group(1)
    response = client.post(
        f"/contact-points/{contact_point.uid}/edit",
        data={"name": "new", "block": [token], f"{token}.type": "email",
              f"{token}.uid": integration_uid, f"{token}.source": integration_uid,
              f"{token}.s.addresses": "a@example.com"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    renamed = db.session.scalar(select(ContactPoint))
    assert (renamed.uid, renamed.name) == (contact_point.uid, "new")
    assert [i.uid for i in renamed.integrations] == [integration_uid]


def test_edit_unknown_contact_point_is_404(client):
    assert client.get("/contact-points/nope/edit").status_code == 404


def test_values_that_would_only_fail_at_send_time_are_refused(client):
    response = post_form(
        client,
        "/contact-points/new",
        "ops",
        [
            ("a1", "email", {"addresses": " ; , "}),
            ("b2", "webhook", {"url": "http://127.0.0.1:99999/x", "maxAlerts": "-3",
                               "headers.k": ["X Bad Header:"], "headers.v": ["v"]}),
        ],
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Addresses: enter at least one email address." in page
    assert "URL must be a valid http:// or https:// URL." in page
    assert "Max Alerts must be a whole number from 0 to 2,147,483,647." in page
    assert "Not a valid header name: X Bad Header:" in page
    assert count(ContactPoint) == 0


def test_a_number_too_long_for_python_is_a_message_not_a_500(client):
    response = post_form(client, "/contact-points/new", "ops",
                         [("a1", "webhook", {"url": "https://h.example", "maxAlerts": "9" * 5000})])
    assert response.status_code == 422
    assert "Max Alerts must be a whole number" in response.get_data(as_text=True)


def test_secrets_may_hold_template_characters(client):
    response = post_form(client, "/contact-points/new", "ops",
                         [("a1", "webhook", {"url": "https://h.example", "username": "u",
                                             "password": "pa{{ss"})])
    assert response.status_code == 302
