"""Accounts: first admin, login, throttling, sessions, roles on every route, users page."""
from __future__ import annotations

import re
import time

import pytest
from flask import Flask
from sqlalchemy import delete, select

from app.auth import hash_password
from app.extensions import db
from app.models import AuditEntry, LoginFailure, User
from tests.conftest import PASSWORD


def login(client, username: str, password: str = PASSWORD, address: str = "127.0.0.1"):
    return client.post("/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_anonymous_pages_redirect_to_login(anonymous):
    response = anonymous.get("/contact-points?search=x")
    assert response.status_code == 302
    assert "/login?next=/contact-points?search%3Dx" in response.headers["Location"] or \
        "/login?next=%2Fcontact-points%3Fsearch%3Dx" in response.headers["Location"]


def test_htmx_request_without_session_gets_a_redirect_header(anonymous):
    response = anonymous.get("/contact-points", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login")


def test_first_visit_without_accounts_asks_for_the_first_admin(app: Flask, anonymous):
    db.session.execute(delete(User))
    db.session.commit()
    app.extensions.pop("herald_has_users", None)
    response = anonymous.get("/contact-points")
    assert response.headers["Location"].endswith("/setup")
    page = anonymous.get("/setup").get_data(as_text=True)
    assert "Create the first admin account" in page
    bad = anonymous.post("/setup", data={"username": "root", "password": "short",
                                         "confirm": "short"})
    assert bad.status_code == 422
    assert "Password must be at least 8 characters." in bad.get_data(as_text=True)
    assert 'value="root"' in bad.get_data(as_text=True)
    good = anonymous.post("/setup", data={"username": "root", "password": "long enough pw",
                                          "confirm": "long enough pw"})
    assert good.status_code == 302
    assert db.session.scalar(select(User)).role == "admin"
    assert anonymous.get("/contact-points").status_code == 200
    assert anonymous.get("/setup").status_code == 302  # only while there is no account


def test_login_and_logout(anonymous):
    response = login(anonymous, "editor")
    assert response.status_code == 302
    assert anonymous.get("/contact-points").status_code == 200
    anonymous.post("/logout")
    assert anonymous.get("/contact-points").status_code == 302


def test_login_goes_back_to_a_local_page_only(anonymous):
    response = anonymous.post("/login?next=https://evil.example/",
                              data={"username": "editor", "password": PASSWORD})
    assert response.headers["Location"] == "/contact-points"
    anonymous.post("/logout")
    response = anonymous.post("/login?next=/notification-templates",
                              data={"username": "editor", "password": PASSWORD})
    assert response.headers["Location"] == "/notification-templates"


def test_wrong_password_says_so_and_keeps_the_username(anonymous):
    response = login(anonymous, "editor", "wrong")
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert "Invalid username or password." in page and 'value="editor"' in page


def test_account_locks_after_repeated_failures(anonymous):
    for _ in range(5):
        login(anonymous, "viewer", "wrong")
    response = login(anonymous, "viewer", PASSWORD)
    assert response.status_code == 401
    assert "Too many failed logins. Try again in" in response.get_data(as_text=True)
    assert login(anonymous, "editor", PASSWORD, address="127.0.0.2").status_code == 302


def test_client_address_locks_after_many_failures(anonymous):
    for number in range(20):
        login(anonymous, f"nobody{number}", "wrong", address="10.9.9.9")
    response = login(anonymous, "editor", PASSWORD, address="10.9.9.9")
    assert "Too many failed logins from your address." in response.get_data(as_text=True)
    assert db.session.get(LoginFailure, "10.9.9.9").count == 20
    assert login(anonymous, "editor", PASSWORD, address="127.0.0.3").status_code == 302


def test_session_ends_after_idle_time(app: Flask, client):
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - 61 * 60
    assert client.get("/contact-points").status_code == 302


def test_password_reset_ends_open_sessions(client_as):
    viewer = client_as("viewer")
    admin = client_as("admin")
    user = db.session.scalar(select(User).where(User.username == "viewer"))
    assert admin.post(f"/users/{user.id}/password",
                      data={"password": "a new password"}).status_code == 302
    assert viewer.get("/contact-points").status_code == 302


def test_session_cookie_flags(anonymous):
    response = login(anonymous, "editor")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


ROUTES_WITH_ROLE = {
    "viewer": ["/contact-points", "/notification-templates"],
    "editor": ["/contact-points/new"],
    "admin": ["/users", "/audit-log"],
}


@pytest.mark.parametrize("role", ["viewer", "editor", "admin"])
def test_roles_gate_pages(client_as, role):
    client = client_as(role)
    rank = ["viewer", "editor", "admin"].index(role)
    for needed, urls in ROUTES_WITH_ROLE.items():
        for url in urls:
            expected = 200 if ["viewer", "editor", "admin"].index(needed) <= rank else 403
            assert client.get(url).status_code == expected, (role, url)


def test_viewer_sees_no_change_buttons_and_cannot_post(client_as, make_contact_point):
    contact_point = make_contact_point("ops", [("webhook", {"url": "https://h.example"})])
    viewer = client_as("viewer")
    page = viewer.get("/contact-points").get_data(as_text=True)
    assert "ops" in page
    assert "+ Create contact point" not in page and ">Delete<" not in page
    assert viewer.post(f"/contact-points/{contact_point.uid}/test").status_code == 403
    assert viewer.post(f"/contact-points/{contact_point.uid}/duplicate").status_code == 403
    assert viewer.delete(f"/contact-points/{contact_point.uid}").status_code == 403


def test_users_page_manages_accounts_and_protects_the_last_admin(client_as):
    admin = client_as("admin")
    response = admin.post("/users", data={"username": "newbie", "password": "password123",
                                          "role": "editor"})
    assert response.status_code == 302
    assert db.session.scalar(select(User).where(User.username == "newbie")).role == "editor"
    duplicate = admin.post("/users", data={"username": "NEWBIE", "password": "password123",
                                           "role": "editor"})
    assert duplicate.status_code == 422
    assert "already exists" in duplicate.get_data(as_text=True)
    me = db.session.scalar(select(User).where(User.username == "admin"))
    demote = admin.post(f"/users/{me.id}/role", data={"role": "viewer"})
    assert demote.status_code == 422
    assert "The last admin cannot be demoted" in demote.get_data(as_text=True)
    remove = admin.post(f"/users/{me.id}/delete")
    assert "The last admin cannot be removed." in remove.get_data(as_text=True)
    assert db.session.get(User, me.id) is not None


def test_changes_are_audit_logged_without_secrets(client_as, make_contact_point):
    admin = client_as("admin")
    data = {"name": "audited", "block": ["a1"], "a1.type": "discord",
            "a1.s.url": "https://discord.example/very-secret-hook"}
    assert admin.post("/contact-points/new", data=data).status_code == 302
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.object_type == "contact-point"))
    assert (entry.actor, entry.action, entry.object_name) == ("admin", "create", "audited")
    assert entry.after["integrations"][0]["secureFields"] == ["url"]
    page = admin.get("/audit-log").get_data(as_text=True)
    assert "create contact-point “audited”" in page
    assert "very-secret-hook" not in page


def test_security_headers_on_every_page(client):
    response = client.get("/contact-points")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    page = response.get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\ssrc=)", page), "inline script found"
    assert not re.search(r"\son[a-z]+=", page), "inline event handler found"


def test_error_pages_leak_nothing(client):
    response = client.get("/contact-points/does-not-exist/edit")
    assert response.status_code == 404
    assert "Traceback" not in response.get_data(as_text=True)
    assert "This contact point does not exist" in response.get_data(as_text=True)


def test_test_button_is_rate_limited_per_user(app: Flask, client_as, make_contact_point):
    app.extensions["herald_test_limiter"].limit = 2
    contact_point = make_contact_point("empty")
    editor = client_as("editor")
    for _ in range(2):
        assert editor.post(f"/contact-points/{contact_point.uid}/test").status_code == 200
    limited = editor.post(f"/contact-points/{contact_point.uid}/test")
    assert limited.status_code == 429
    assert "Too many tests: at most 2 a minute." in limited.get_data(as_text=True)
    other = client_as("admin").post(f"/contact-points/{contact_point.uid}/test")
    assert other.status_code == 200, other.get_data(as_text=True)


def test_every_route_declares_a_role(app: Flask):
    from app.auth import PUBLIC_ENDPOINTS

    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        view = app.view_functions[rule.endpoint]
        assert getattr(view, "required_role", None), rule.endpoint




def test_a_removed_accounts_session_does_not_pass_to_a_new_account(client_as):
    admin = client_as("admin")
    admin.post("/users", data={"username": "mallory", "password": "password123",
                               "role": "viewer"})
    mallory = db.session.scalar(select(User).where(User.username == "mallory"))
    from tests.conftest import log_in

    session_of_mallory = log_in(client_as("viewer"), "mallory")
    assert session_of_mallory.get("/contact-points").status_code == 200
    admin.post(f"/users/{mallory.id}/delete")
    db.session.expunge(mallory)
    # SQLite may hand the id out again, PostgreSQL's sequences never do: reuse it by hand.
    carol = User(id=mallory.id, password_hash=hash_password("password123"), role="admin")
    carol.set_username("carol")
    db.session.add(carol)
    db.session.commit()
    assert session_of_mallory.get("/users").status_code == 302


def test_logging_out_ends_copied_sessions_too(client_as):
    editor = client_as("editor")
    with editor.session_transaction() as session:
        copied = dict(session)
    editor.post("/logout")
    thief = client_as("viewer")
    with thief.session_transaction() as session:
        session.clear()
        session.update(copied)
    assert thief.get("/contact-points").status_code == 302


def test_parallel_guesses_are_all_counted(app: Flask):
    from concurrent.futures import ThreadPoolExecutor

    from tests.conftest import FormClient

    def guess(_: int) -> int:
        app.test_client_class = FormClient
        return login(app.test_client(), "viewer", "wrong", address="10.1.1.1").status_code

    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(guess, range(10)))
    db.session.expire_all()
    viewer = db.session.scalar(select(User).where(User.username == "viewer"))
    assert viewer.failed_logins == 5  # checked one by one; the rest met the lock


def test_old_address_failures_are_forgotten(anonymous):
    from datetime import timedelta

    from app.models import utcnow

    db.session.add(LoginFailure(address="10.7.7.7", count=3,
                                last_failure_at=utcnow() - timedelta(days=2)))
    db.session.commit()
    login(anonymous, "nobody", "wrong", address="10.8.8.8")
    db.session.expire_all()
    assert db.session.get(LoginFailure, "10.7.7.7") is None


def test_a_row_test_costs_one_per_integration(app: Flask, client_as, make_contact_point):
    app.extensions["herald_test_limiter"].limit = 3
    two = make_contact_point("two", [("webhook", {"url": "http://127.0.0.1:9/a"}),
                                     ("webhook", {"url": "http://127.0.0.1:9/b"})])
    editor = client_as("editor")
    assert editor.post(f"/contact-points/{two.uid}/test").status_code == 200
    assert editor.post(f"/contact-points/{two.uid}/test").status_code == 429


def test_removing_the_last_admin_in_page_explains_on_the_reloaded_page(client_as):
    admin = client_as("admin")
    me = db.session.scalar(select(User).where(User.username == "admin"))
    response = admin.post(f"/users/{me.id}/delete", headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"] == "/users"
    assert response.get_data(as_text=True) == ""
    page = admin.get("/users").get_data(as_text=True)
    assert '<p class="flash error">The last admin cannot be removed.</p>' in page


def test_account_name_clash_reads_well(client_as):
    response = client_as("admin").post("/users", data={"username": "Editor",
                                                       "password": "password123",
                                                       "role": "viewer"})
    assert "An account named “Editor” already exists." in response.get_data(as_text=True)


def test_an_admin_stepping_down_lands_on_a_page_they_can_see(client_as):
    admin = client_as("admin")
    admin.post("/users", data={"username": "second", "password": "password123",
                               "role": "admin"})
    page = admin.get("/users").get_data(as_text=True)
    assert 'hx-confirm="Change your own role?' in page
    me = db.session.scalar(select(User).where(User.username == "admin"))
    response = admin.post(f"/users/{me.id}/role", data={"role": "viewer"})
    assert response.headers["Location"] == "/contact-points"
    assert admin.get("/contact-points").status_code == 200


def test_a_request_without_a_session_cookie_builds_no_signer(app: Flask, anonymous, client,
                                                             monkeypatch):
    interface = app.session_interface
    built = []
    original = interface.get_signing_serializer

    def counting(flask_app):
        built.append(flask_app)
        return original(flask_app)

    monkeypatch.setattr(interface, "get_signing_serializer", counting)
    assert anonymous.get("/-/healthy").status_code == 200
    assert built == []
    # A signed-in browser still has its session read (and checked) from its cookie.
    assert client.get("/contact-points").status_code == 200
    assert built
    # A cookie that does not verify still counts for nothing.
    anonymous.set_cookie("session", "forged.value.signature")
    assert anonymous.get("/contact-points").status_code == 302
