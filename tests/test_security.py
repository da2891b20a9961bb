"""Access matrix over every route, CSRF on every state change, escaping and secret leaks."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.routing import Rule

from app.alerting.matchers import Matcher
from app.alerting.models import Silence
from app.alerting.policies import load_spec, save_tree
from app.alerting.tree import PolicySpec
from app.extensions import db
from app.integrations import REGISTRY
from app.models import ApiToken, ContactPoint, DeliveryAttempt, NotificationTemplate, User, utcnow

# The least role of each endpoint. A route missing here fails test_every_route_is_listed:
# adding a route means deciding who may use it.
ROLES = {
    "contact_points.index": "viewer",
    "contact_points.list_page": "viewer",
    "contact_points.view": "viewer",
    "contact_points.new": "editor",
    "contact_points.edit": "editor",
    "contact_points.submit": "editor",
    "contact_points.test": "editor",
    "contact_points.duplicate": "editor",
    "contact_points.confirm_delete": "editor",
    "contact_points.delete": "editor",
    "notification_templates.list_page": "viewer",
    "notification_templates.view": "viewer",
    "notification_templates.view_builtin": "viewer",
    "notification_templates.preview": "viewer",
    "notification_templates.new": "editor",
    "notification_templates.edit": "editor",
    "notification_templates.submit": "editor",
    "notification_templates.duplicate": "editor",
    "notification_templates.confirm_delete": "editor",
    "notification_templates.delete": "editor",
    "auth.logout": "viewer",
    "users.list_page": "admin",
    "users.create": "admin",
    "users.set_role": "admin",
    "users.reset_password": "admin",
    "users.delete": "admin",
    "audit_log.list_page": "admin",
    "api.route_get_contactpoints": "viewer",
    "api.route_post_contactpoints": "editor",
    "api.route_put_contactpoint": "editor",
    "api.route_delete_contactpoints": "editor",
    "api.route_get_contactpoints_export": "viewer",
    "api.route_get_templates": "viewer",
    "api.route_get_template": "viewer",
    "api.route_put_template": "editor",
    "api.route_delete_template": "editor",
    "api.openapi": "viewer",
    # Posting alerts needs a sender token, or an editor's (or admin's) token or session.
    "api.route_post_webhook_alertmanager": "editor",
    "metrics": "viewer",
    "history.list_page": "viewer",
    "history.entry": "viewer",
    "history.resend": "editor",
    "provisioning.export_page": "viewer",
    "provisioning.import_page": "editor",
    "provisioning.preview": "editor",
    "provisioning.apply_import": "editor",
    "provisioning.api_docs": "viewer",
    "tokens.list_page": "admin",
    "tokens.create": "admin",
    "tokens.revoke": "admin",
    "settings.email_page": "admin",
    "settings.send_test": "admin",
    "api.route_get_policy_tree": "viewer",
    "api.route_put_policy_tree": "editor",
    "api.route_reset_policy_tree": "editor",
    "api.route_get_policy_tree_export": "viewer",
    "alertmanager.post_alerts": "editor",  # and Sender tokens (tests/alerting)
    "alertmanager.get_alerts": "viewer",
    "alertmanager.get_alert_groups": "viewer",
    "alertmanager.get_silences": "viewer",
    "alertmanager.post_silence": "editor",
    "alertmanager.get_silence": "viewer",
    "alertmanager.delete_silence": "editor",
    "alertmanager.status": "viewer",
    "alertmanager.receivers": "viewer",
    "policies.tree_page": "viewer",
    "policies.preview": "viewer",
    "policies.new": "editor",
    "policies.edit": "editor",
    "policies.save": "editor",
    "policies.confirm_delete": "editor",
    "policies.delete": "editor",
    "policies.move": "editor",
    "silences.list_page": "viewer",
    "silences.new": "editor",
    "silences.edit": "editor",
    "silences.save": "editor",
    "silences.expire": "editor",
    "alert_groups.list_page": "viewer",
}
PUBLIC = {"static", "auth.login", "auth.setup", "health.healthy", "health.ready"}
RANK = {"anonymous": 0, "viewer": 1, "editor": 2, "admin": 3}


def routes(app: Flask) -> list[tuple[Rule, str]]:
    return [(rule, method) for rule in app.url_map.iter_rules()
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]


def test_every_route_is_listed(app: Flask):
    endpoints = {rule.endpoint for rule, _ in routes(app)}
    assert endpoints - PUBLIC == set(ROLES), "give every new route a role in ROLES"


def url_for_rule(rule: Rule, values: dict) -> str:
    url = rule.rule
    for argument in rule.arguments:
        url = re.sub(rf"<(?:[a-z]+:)?{argument}>", str(values[argument]), url)
    return url


def fresh_objects(rule: Rule, make_contact_point, number: int) -> dict:
    """New objects for one request, so every route acts on something that exists."""
    contact_point = make_contact_point(f"matrix {number}",
                                       [("webhook", {"url": "http://127.0.0.1:9/"})])
    template = NotificationTemplate(template="{{ Status }}")
    template.set_name(f"matrix-{number}")
    user = User(password_hash="x", role="viewer")
    user.set_username(f"matrix-user-{number}")
    token = ApiToken(digest=f"{number:064d}", role="viewer")
    token.set_name(f"matrix-token-{number}")
    root = load_spec()
    policy = PolicySpec(matchers=[Matcher.make("matrix", "=", str(number))])
    root.routes.append(policy)
    save_tree(root)
    silence = Silence(matchers=[["matrix", "=", str(number)]], starts_at=utcnow(),
                      ends_at=utcnow() + timedelta(hours=1), created_by="matrix", comment="")
    attempt = DeliveryAttempt(integration_id=contact_point.integrations[0].id, outcome="failure",
                              contact_point_name=contact_point.name)
    db.session.add_all([template, user, token, silence, attempt])
    db.session.commit()
    api = rule.rule.startswith("/api/")
    return {"uid": contact_point.integrations[0].uid if api else contact_point.uid,
            "user_id": user.id, "filename": "app.css", "template_id": template.id,
            "name": "default.title" if "built-in" in rule.rule else template.name,
            "token_id": token.id, "policy_id": policy.id, "silence_id": silence.id,
            "attempt_id": attempt.id}


@pytest.mark.parametrize("who", ["anonymous", "viewer", "editor", "admin"])
def test_access_matrix(app: Flask, anonymous, client_as, make_contact_point, who):
    for number, (rule, method) in enumerate(routes(app)):
        if rule.endpoint in PUBLIC or rule.endpoint == "auth.logout":
            continue
        values = fresh_objects(rule, make_contact_point, number)
        client = anonymous if who == "anonymous" else client_as(who)
        response = client.open(url_for_rule(rule, values), method=method)
        needed = ROLES[rule.endpoint]
        where = f"{who} {method} {rule.rule}"
        if who == "anonymous":
            token_auth = rule.rule.startswith("/api/") or rule.rule == "/metrics"
            expected = 401 if token_auth else 302
            assert response.status_code == expected, where
            if expected == 302:
                assert "/login" in response.headers["Location"], where
        elif RANK[who] < RANK[needed]:
            assert response.status_code == 403, where
        else:
            assert response.status_code not in (401, 403, 404, 405, 500), where


def test_every_state_change_needs_a_csrf_token(app: Flask, client_as, make_contact_point):
    contact_point = make_contact_point("csrf", [])
    user_id = db.session.scalar(select(User.id).where(User.username == "viewer"))
    values = {"uid": contact_point.uid, "user_id": user_id, "template_id": 1,
              "name": "default.title", "token_id": 1, "policy_id": 1, "silence_id": "x",
              "attempt_id": 1}
    admin = client_as("admin")
    for rule, method in routes(app):
        if method == "GET" or rule.rule.startswith("/api/"):
            continue
        url = url_for_rule(rule, values)
        missing = admin.open(url, method=method, csrf=False)
        assert missing.status_code == 400, f"{method} {url} without a token"
        invalid = admin.open(url, method=method, csrf=False, headers={"X-CSRFToken": "forged"})
        assert invalid.status_code == 400, f"{method} {url} with a forged token"


XSS = '"><script>alert(1)</script><img src=x onerror=alert(2)>'


@pytest.mark.parametrize("type_id", sorted(REGISTRY))
def test_markup_in_every_text_field_comes_back_escaped(client, type_id):
    integration_type = REGISTRY[type_id]
    data = {"name": XSS, "block": ["a1"], "a1.type": type_id}
    for spec in integration_type.fields:
        if spec.element in ("input", "textarea"):
            data[f"a1.s.{spec.key}"] = XSS
            data[f"a1.s.{spec.key}.mode"] = "custom"
    response = client.post("/contact-points/new", data=data)
    if response.status_code == 302:  # every value was acceptable: the saved form shows them
        contact_point = db.session.scalar(select(ContactPoint))
        response = client.get(f"/contact-points/{contact_point.uid}/edit")
    page = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "onerror=alert(2)>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_saved_markup_is_escaped_on_the_list(client, make_contact_point):
    make_contact_point(XSS, [("slack", {"recipient": XSS, "token": "xoxb-1"})])
    page = client.get("/contact-points").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 2


def test_htmx_error_fragments_escape_what_they_echo(client):
    data = {"name": "x", "block": ["a1"], "a1.type": "email",
            "action": "delete:<img src=x>"}
    response = client.post("/contact-points/new", data=data, headers={"HX-Request": "true"})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "<img" not in body and "&lt;img src=x&gt;" in body
    assert response.headers["HX-Retarget"] == "#htmx-errors"
