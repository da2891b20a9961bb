"""Block actions, secrets on edit, duplicate, delete, search and pagination."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.models import ContactPoint, Integration
from tests.formdata import form_data

HX = {"HX-Request": "true"}


def edit_form(client, contact_point) -> tuple[str, dict]:
    """The edit page and the form data a browser would submit from it unchanged."""
    page = client.get(f"/contact-points/{contact_point.uid}/edit").get_data(as_text=True)
    data = form_data(page)
    data.pop("csrf_token", None)
    return page, data


def test_add_action_returns_a_new_email_block(client):
    data = {"name": "n", "block": ["a1"], "a1.type": "email", "action": "add"}
    fragment = client.post("/contact-points/new", data=data, headers=HX).get_data(as_text=True)
    assert fragment.count('class="integration-block"') == 1
    assert '<option value="email" selected>Email</option>' in fragment
    assert 'value="a1"' not in fragment


def test_add_action_without_javascript_rerenders_the_whole_form(client):
    data = {"name": "kept name", "block": ["a1"], "a1.type": "email",
            "a1.s.addresses": "x@example.com", "action": "add"}
    page = client.post("/contact-points/new", data=data).get_data(as_text=True)
    assert page.count('class="integration-block"') == 2
    assert 'value="kept name"' in page
    assert "x@example.com" in page


def test_retype_swaps_only_that_block(client):
    data = {"name": "n", "block": ["a1", "b2"], "a1.type": "slack", "b2.type": "webhook",
            "b2.s.url": "https://other.example", "action": "retype:a1"}
    fragment = client.post("/contact-points/new", data=data, headers=HX).get_data(as_text=True)
    assert 'id="block-a1"' in fragment and 'id="block-b2"' not in fragment
    assert "Webhook URL" in fragment and "Optional Slack settings" in fragment


def test_duplicate_block_copies_values_under_a_new_token(client):
    data = {"name": "n", "block": ["a1"], "a1.type": "webhook",
            "a1.s.url": "https://copy.example/x", "a1.disableResolveMessage": "on",
            "action": "duplicate:a1"}
    fragment = client.post("/contact-points/new", data=data, headers=HX).get_data(as_text=True)
    assert 'id="block-a1"' not in fragment
    assert 'value="https://copy.example/x"' in fragment
    assert re.search(r'name="[a-z0-9]+\.disableResolveMessage" value="on"\s+checked', fragment)


def test_delete_block_fragment_is_empty(client):
    data = {"name": "n", "block": ["a1"], "a1.type": "email", "action": "delete:a1"}
    response = client.post("/contact-points/new", data=data, headers=HX)
    assert response.status_code == 200 and response.get_data(as_text=True) == ""


def test_untouched_secret_is_kept_and_never_shown(client, make_contact_point):
    secret = "https://hooks.slack.example/services/T/B/very-secret"
    contact_point = make_contact_point("ops", [("slack", {"url": secret, "recipient": "#a"})])
    page, data = edit_form(client, contact_point)
    assert secret not in page
    assert 'value="configured" disabled' in page
    data["name"] = "ops renamed"
    assert client.post(f"/contact-points/{contact_point.uid}/edit", data=data).status_code == 302
    db.session.expire_all()
    integration = db.session.scalar(select(Integration))
    assert integration.secrets["url"] == secret
    assert integration.settings["recipient"] == "#a"


def test_reset_turns_a_secret_into_an_empty_input_and_saving_empty_clears_it(
    client, make_contact_point
):
    contact_point = make_contact_point(
        "ops", [("webhook", {"url": "https://h.example", "password": "pw-1", "username": "u"})]
    )
    page, data = edit_form(client, contact_point)
    token = data["block"][0]
    fragment = client.post(
        f"/contact-points/{contact_point.uid}/edit",
        data={**data, "action": f"reset:{token}:password"},
        headers=HX,
    ).get_data(as_text=True)
    assert re.search(rf'type="password" id="{token}-password" name="{token}.s.password" '
                     r'value=""', fragment)
    data[f"{token}.s.password"] = ""
    data[f"{token}.s.username"] = ""
    assert client.post(f"/contact-points/{contact_point.uid}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(Integration)).secrets == {}


def test_secret_source_from_another_contact_point_is_ignored(client, make_contact_point):
    victim = make_contact_point("victim", [("discord", {"url": "https://d.example/secret"})])
    attacker = make_contact_point("attacker")
    stolen_uid = victim.integrations[0].uid
    response = client.post(
        f"/contact-points/{attacker.uid}/edit",
        data={"name": "attacker", "block": ["a1"], "a1.type": "discord",
              "a1.uid": stolen_uid, "a1.source": stolen_uid},
    )
    assert response.status_code == 422
    assert "Webhook URL is required." in response.get_data(as_text=True)


def test_duplicate_contact_point_copies_settings_and_secrets(client, make_contact_point):
    original = make_contact_point("ops", [("pagerduty", {"integrationKey": "pd-key",
                                                          "severity": "warning"})])
    response = client.post(f"/contact-points/{original.uid}/duplicate")
    assert response.status_code == 302
    copy = db.session.scalar(select(ContactPoint).where(ContactPoint.name == "ops (copy)"))
    assert copy.uid != original.uid
    assert copy.integrations[0].secrets == {"integrationKey": "pd-key"}
    assert copy.integrations[0].settings["severity"] == "warning"
    assert copy.integrations[0].uid != original.integrations[0].uid
    client.post(f"/contact-points/{original.uid}/duplicate")
    assert db.session.scalar(select(ContactPoint).where(ContactPoint.name == "ops (copy 2)"))


def test_delete_with_htmx_removes_the_row_and_its_integrations(client, make_contact_point):
    contact_point = make_contact_point("ops", [("email", {"addresses": "a@example.com"})])
    make_contact_point("other")
    response = client.delete(f"/contact-points/{contact_point.uid}?search=o", headers=HX)
    assert response.status_code == 200
    fragment = response.get_data(as_text=True)
    assert 'id="contact-point-count" hx-swap-oob="true"' in fragment
    assert "1 contact point matching “o”" in fragment
    assert db.session.scalar(select(ContactPoint).where(ContactPoint.name == "ops")) is None
    assert db.session.scalar(select(Integration)) is None


def test_delete_without_javascript_asks_first(client, make_contact_point):
    contact_point = make_contact_point("ops")
    page = client.get(f"/contact-points/{contact_point.uid}/delete").get_data(as_text=True)
    assert "Delete the contact point “ops”" in page
    response = client.post(f"/contact-points/{contact_point.uid}/delete")
    assert response.status_code == 302
    assert db.session.scalar(select(ContactPoint)) is None


def test_search_matches_names_and_types(client, make_contact_point):
    make_contact_point("Platform on-call", [("pagerduty", {"integrationKey": "k"})])
    make_contact_point("Frontend", [("slack", {"url": "https://hooks.example/x"})])
    make_contact_point("100%_sure")
    by_name = client.get("/contact-points?search=PLATFORM").get_data(as_text=True)
    assert "Platform on-call" in by_name and "Frontend" not in by_name
    by_type = client.get("/contact-points?search=slack").get_data(as_text=True)
    assert "Frontend" in by_type and "Platform on-call" not in by_type
    literal = client.get("/contact-points?search=%_").get_data(as_text=True)
    assert "100%_sure" in literal and "Frontend" not in literal
    none = client.get("/contact-points?search=zzz").get_data(as_text=True)
    assert "No contact points match “zzz”." in none


def test_active_search_returns_only_the_list(client, make_contact_point):
    make_contact_point("ops")
    response = client.get("/contact-points?search=op",
                          headers={**HX, "HX-Target": "contact-points"})
    fragment = response.get_data(as_text=True)
    assert fragment.lstrip().startswith('<section id="contact-points"')
    assert "<html" not in fragment and "ops" in fragment


def test_list_paginates_25_per_page(client, make_contact_point):
    for number in range(30):
        make_contact_point(f"cp-{number:02d}")
    first = client.get("/contact-points").get_data(as_text=True)
    assert first.count('class="contact-point"') == 25
    assert "Page 1 of 2" in first and "cp-24" in first and "cp-25" not in first
    second = client.get("/contact-points?page=2").get_data(as_text=True)
    assert second.count('class="contact-point"') == 5 and "cp-29" in second
    beyond = client.get("/contact-points?page=99").get_data(as_text=True)
    assert "Page 2 of 2" in beyond


def test_row_describes_each_integration(client, make_contact_point):
    make_contact_point("ops", [
        ("email", {"addresses": "a@example.com, b@example.com; c@example.com\nd@example.com"}),
        ("webhook", {"url": "https://alerts.internal.example:8443/hook"}),
        ("slack", {"token": "xoxb-1", "recipient": "#ops-alerts"}),
    ])
    page = client.get("/contact-points").get_data(as_text=True)
    assert "a@example.com, b@example.com +2 more" in page
    assert "alerts.internal.example" in page
    assert "#ops-alerts" in page


def test_saving_over_someone_elses_newer_save_asks_first(client, client_as, make_contact_point):
    contact_point = make_contact_point("ops", [("email", {"addresses": "a@example.com"})])
    _, mine = edit_form(client, contact_point)
    _, theirs = edit_form(client_as("admin"), contact_point)
    theirs["name"] = "ops from them"
    token = theirs["block"][0]
    theirs[f"{token}.s.addresses"] = "them@example.com"  # and their integration too
    assert client_as("admin").post(f"/contact-points/{contact_point.uid}/edit",
                                   data=theirs).status_code == 302
    mine["name"] = "ops from me"
    response = client.post(f"/contact-points/{contact_point.uid}/edit", data=mine)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else saved this contact point after you opened it" in page
    assert 'value="ops from me"' in page
    db.session.expire_all()
    assert db.session.scalar(select(ContactPoint)).name == "ops from them"
    again = form_data(page)
    again.pop("csrf_token", None)
    assert client.post(f"/contact-points/{contact_point.uid}/edit", data=again).status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(ContactPoint)).name == "ops from me"


def test_add_row_gives_a_map_another_empty_row_and_keeps_typed_rows(client):
    data = {"name": "n", "block": ["a1"], "a1.type": "webhook", "a1.s.url": "https://h.example",
            "a1.s.headers.k": ["X-Team"], "a1.s.headers.v": ["storage"],
            "action": "addrow:a1:headers"}
    fragment = client.post("/contact-points/new", data=data, headers=HX).get_data(as_text=True)
    assert 'name="a1.s.headers.k" value="X-Team"' in fragment
    assert fragment.count('name="a1.s.headers.k" value=""') == 2
    assert re.search(r'<details class="settings" open>\s*<summary>Optional Webhook', fragment)


def test_a_viewer_reads_every_setting_but_no_secret(client_as, make_contact_point):
    contact_point = make_contact_point("ops", [
        ("webhook", {"url": "https://hooks.example/x", "username": "herald",
                     "password": "SECRET-pw", "headers": {"X-Team": "storage"}}),
    ])
    viewer = client_as("viewer")
    assert f'href="/contact-points/{contact_point.uid}"' in viewer.get("/contact-points").get_data(
        as_text=True)
    page = viewer.get(f"/contact-points/{contact_point.uid}").get_data(as_text=True)
    assert "https://hooks.example/x" in page and "X-Team: storage" in page
    assert "<dt>HTTP Basic Authentication - Password</dt><dd>configured</dd>" in page
    assert "SECRET-pw" not in page


def test_added_rows_add_up_across_clicks(client):
    data = {"name": "n", "block": ["a1"], "a1.type": "webhook", "a1.s.url": "https://h.example",
            "a1.rows.headers": "1", "action": "addrow:a1:headers"}
    fragment = client.post("/contact-points/new", data=data, headers=HX).get_data(as_text=True)
    assert fragment.count('name="a1.s.headers.k" value=""') == 3
    assert 'name="a1.rows.headers" value="2"' in fragment
