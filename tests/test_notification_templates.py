"""The Notification templates tab: list, editor, preview, rename, copy and delete."""
from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from app import notification_templates as domain
from app.extensions import db
from app.models import AuditEntry, Integration, NotificationTemplate
from tests.formdata import form_data

HX = {"HX-Request": "true"}
SLACK_URL = "https://hooks.slack.example/services/T0/B0/x"


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def saved(name: str, source: str = "{{ Status }}") -> NotificationTemplate:
    result = domain.save_template(None, name, source)
    assert not result.errors, result.errors
    return result.notification_template


def stored(name: str) -> NotificationTemplate | None:
    return db.session.scalar(
        select(NotificationTemplate).where(NotificationTemplate.name == name)
    )


def audit_entries(object_type: str) -> list[tuple[str, str]]:
    query = select(AuditEntry).where(AuditEntry.object_type == object_type).order_by(
        AuditEntry.id)
    return [(entry.action, entry.object_name) for entry in db.session.scalars(query)]


def slack_using(make_contact_point, contact_point_name: str, template_name: str):
    title = '{% include "' + template_name + '" %}'
    return make_contact_point(contact_point_name, [("slack", {"url": SLACK_URL, "title": title})])


# --- references ---------------------------------------------------------------------------


def test_referenced_templates_finds_includes_and_imports_even_in_broken_source():
    source = '{% include "a" %}{% import "b" as m %}{% from "c" import x %}{{ m.y }}'
    assert domain.referenced_templates(source) == {"a", "b", "c"}
    assert domain.referenced_templates('{% include "a" %}\n{{ oops }') == {"a"}
    assert domain.referenced_templates("{{ Status }} include") == set()


def test_rename_references_rewrites_that_name_only_in_any_case():
    source = '{% include "Team " %} {%- include \'team\' %} {% include "teams" %}'
    assert domain.rename_references(source, "team", "Crew") == (
        '{% include "Crew" %} {%- include "Crew" %} {% include "teams" %}'
    )


def test_templates_in_use_lists_the_contact_points_that_include_it(app, make_contact_point):
    saved("Team title")
    slack_using(make_contact_point, "ops", "team title")
    make_contact_point("dev", [("slack", {"url": SLACK_URL})])
    assert [cp.name for cp in domain.templates_in_use("TEAM TITLE")] == ["ops"]
    assert domain.templates_in_use("other") == []


# --- the list -----------------------------------------------------------------------------


def test_empty_list_offers_adding_and_shows_the_builtins_read_only(client):
    page = text(client.get("/notification-templates"))
    assert "You don't have any notification templates yet." in page
    assert page.count("+ Add notification template") == 2
    assert '<label for="search">Search by name</label>' in page
    assert "Built-in templates" in page
    assert "default.message" in page and "Built-in · read-only" in page
    assert 'href="/notification-templates/built-in/default.title"' in page


def test_search_matches_part_of_the_name_and_htmx_gets_the_list_only(client):
    saved("Team title")
    saved("Pager message")
    page = text(client.get("/notification-templates?search=TITLE"))
    assert "Team title" in page and "Pager message" not in page
    assert "default.title" in page and "default.message" not in page
    fragment = text(client.get("/notification-templates?search=pager",
                               headers={**HX, "HX-Target": "notification-templates"}))
    assert fragment.startswith('<section id="notification-templates"')
    assert "Pager message" in fragment and "Team title" not in fragment


def test_list_says_which_contact_points_use_a_template(client, make_contact_point):
    saved("Team title")
    slack_using(make_contact_point, "ops", "Team title")
    assert "Used by contact point “ops”" in text(client.get("/notification-templates"))


# --- create, edit, rename ---------------------------------------------------------------------


def test_creating_a_template_saves_it_flashes_and_audits(client):
    response = client.post("/notification-templates/new",
                           data={"name": " Team title ", "template": "[{{ Status }}]\r\nok"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/notification-templates")
    template = stored("Team title")
    assert template.template == "[{{ Status }}]\nok"
    assert "Notification template “Team title” created." in text(
        client.get("/notification-templates"))
    assert audit_entries("template") == [("create", "Team title")]


def test_editing_changes_the_text_and_audits_before_and_after(client):
    template = saved("Team title", "old")
    response = client.post(f"/notification-templates/{template.id}/edit",
                           data={"name": "Team title", "template": "new {{ Status }}"})
    assert response.status_code == 302
    db.session.expire_all()
    assert stored("Team title").template == "new {{ Status }}"
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.action, entry.object_type) == ("update", "template")
    assert entry.before["template"] == "old" and entry.after["template"] == "new {{ Status }}"


def test_renaming_updates_the_include_in_contact_points_in_the_same_save(
    client, make_contact_point
):
    template = saved("Team title")
    contact_point = slack_using(make_contact_point, "ops", "Team title")
    response = client.post(f"/notification-templates/{template.id}/edit",
                           data={"name": "Crew title", "template": "{{ Status }}"})
    assert response.status_code == 302
    db.session.expire_all()
    settings = db.session.scalar(select(Integration)).settings
    assert settings["title"] == '{% include "Crew title" %}'
    assert "1 contact point updated to the new name." in text(
        client.get("/notification-templates"))
    assert ("update", "ops") in audit_entries("contact-point")
    edit_form = form_data(text(client.get(f"/contact-points/{contact_point.uid}/edit")))
    assert [key for key in edit_form if key.endswith(".s.title.mode")]
    assert "template" in next(v for k, v in edit_form.items() if k.endswith(".s.title.mode"))
    assert next(v for k, v in edit_form.items() if k.endswith(".s.title.tpl")) == ["Crew title"]


def test_renaming_updates_other_templates_that_include_it(client):
    template = saved("Team title")
    saved("Full message", '{% include "team title" %}\n{{ Alerts|length }}')
    client.post(f"/notification-templates/{template.id}/edit",
                data={"name": "Crew title", "template": "{{ Status }}"})
    db.session.expire_all()
    assert stored("Full message").template == '{% include "Crew title" %}\n{{ Alerts|length }}'


def test_names_are_unique_ignoring_case_and_the_form_keeps_what_was_typed(client):
    saved("Team title")
    response = client.post("/notification-templates/new",
                           data={"name": "TEAM TITLE", "template": "typed {{ Status }}"})
    assert response.status_code == 422
    page = text(response)
    assert "A notification template named “TEAM TITLE” already exists." in page
    assert 'value="TEAM TITLE"' in page and "typed {{ Status }}</textarea>" in page
    assert len(domain.list_templates()) == 1


@pytest.mark.parametrize(("name", "message"), [
    ("   ", "Name is required."),
    ("x" * 191, "Name must be at most 190 characters."),
    ('say "hi"', "Name cannot contain double quotes, backslashes or line breaks."),
    ("Default.Message", "“default.message” is the name of a built-in template."),
])
def test_unusable_names_are_refused(client, name, message):
    response = client.post("/notification-templates/new",
                           data={"name": name, "template": "{{ Status }}"})
    assert response.status_code == 422
    assert message in text(response)
    assert domain.list_templates() == []


def test_a_name_of_190_characters_is_accepted(client):
    response = client.post("/notification-templates/new",
                           data={"name": "x" * 190, "template": "{{ Status }}"})
    assert response.status_code == 302


def test_syntax_error_is_refused_with_its_line_and_nothing_is_saved(client):
    template = saved("Team title", "good")
    source = "first\nsecond\n{{ Status }"
    response = client.post(f"/notification-templates/{template.id}/edit",
                           data={"name": "Renamed", "template": source})
    assert response.status_code == 422
    page = text(response)
    assert "Line 3: unexpected '}'" in page
    assert 'value="Renamed"' in page and f"{source}</textarea>" in page
    db.session.expire_all()
    assert stored("Team title").template == "good" and stored("Renamed") is None
    assert audit_entries("template") == [("create", "Team title")]


def test_template_over_64_kib_is_refused(client):
    response = client.post("/notification-templates/new",
                           data={"name": "big", "template": "x" * (64 * 1024 + 1)})
    assert response.status_code == 422
    assert "Template must be at most 64 KiB." in text(response)


def test_editor_page_has_labelled_fields_and_a_debounced_htmx_preview(client):
    page = client.get("/notification-templates/new").get_data(as_text=True)
    for control_id in re.findall(r'<(?:input|textarea|select)[^>]*\bid="([^"]+)"', page):
        assert f'<label for="{control_id}"' in page, control_id
    assert 'hx-post="/notification-templates/preview"' in page
    assert 'hx-trigger="input changed delay:400ms, change"' in page
    for label in ("Sample firing group", "Sample resolved group", "Custom data (JSON)"):
        assert label in page
    assert "<script" not in page.split("</head>")[1] and " onclick=" not in page


# --- preview ----------------------------------------------------------------------------------


def preview(client, source: str, data: str = "firing", **extra):
    return client.post("/notification-templates/preview", headers=HX,
                       data={"template": source, "data": data, **extra})


def test_preview_renders_the_sample_firing_and_resolved_groups(client):
    source = "{{ Status }}: {{ Alerts|length }} {{ CommonLabels.alertname }}"
    firing = text(preview(client, source))
    assert firing.startswith('<section id="template-preview"')
    assert "firing: 2 HighCPU" in firing
    assert "resolved: 2 HighCPU" in text(preview(client, source, "resolved"))


def test_preview_uses_the_custom_json(client):
    data = '{"status": "firing", "alerts": [{"labels": {"alertname": "DiskFull"}}]}'
    response = preview(client, "{{ Alerts[0].Labels.alertname }}", "custom", custom_json=data)
    assert "<pre class=\"preview-output\" tabindex=\"0\">DiskFull</pre>" in text(response)


@pytest.mark.parametrize(("data", "message"), [
    ('{"alerts": [', "The alert data is not valid JSON: line 1, column 13"),
    ('{"alerts": []}', "The alert data is not a valid alert group: alerts must be a non-empty"),
    ("", "Enter the alert data as JSON, or choose a sample group."),
])
def test_preview_explains_bad_custom_data(client, data, message):
    assert message in text(preview(client, "{{ Status }}", "custom", custom_json=data))


def test_preview_explains_custom_data_nested_too_deeply(client_as):
    response = preview(client_as("viewer"), "{{ Status }}", "custom",
                       custom_json="[" * 100_000)

    assert response.status_code == 200
    assert "The alert data is not valid JSON: it is nested too deeply." in text(response)


def test_preview_shows_errors_with_their_line_number(client):
    page = text(preview(client, "ok\n{{ Status }\n"))
    assert "Line 2: unexpected '}'" in page and "preview-output" not in page
    assert "Line 2: 'Nope' is undefined" in text(preview(client, "ok\n{{ Nope }}"))


def test_preview_includes_saved_templates(client):
    saved("Team title", "[{{ Status|upper }}]")
    assert "[FIRING] done" in text(preview(client, '{% include "team title" %} done'))


def test_preview_and_keep_editing_without_javascript(client):
    response = client.post("/notification-templates/new", data={
        "name": "draft", "template": "{{ Status }}", "data": "resolved", "action": "preview"})
    page = text(response)
    assert response.status_code == 200
    assert '<pre class="preview-output" tabindex="0">resolved</pre>' in page
    assert 'value="draft"' in page and 'value="resolved" checked' in page
    assert domain.list_templates() == []


# --- duplicate and delete ----------------------------------------------------------------------


def test_duplicating_a_builtin_makes_an_editable_copy(client):
    response = client.post("/notification-templates/built-in/default.message/duplicate")
    copy = stored("default.message (copy)")
    assert copy.template == domain.get_builtin("default.message").template
    assert response.headers["Location"].endswith(f"/notification-templates/{copy.id}/edit")
    client.post("/notification-templates/built-in/default.message/duplicate")
    assert stored("default.message (copy 2)") is not None
    assert audit_entries("template")[0] == ("create", "default.message (copy)")


def test_duplicating_a_saved_template(client):
    template = saved("Team title", "{{ Receiver }}")
    client.post(f"/notification-templates/{template.id}/duplicate")
    assert stored("Team title (copy)").template == "{{ Receiver }}"


def test_deleting_an_unused_template_removes_its_row(client):
    template = saved("Team title")
    response = client.delete(f"/notification-templates/{template.id}", headers=HX)
    assert response.status_code == 200 and response.get_data(as_text=True) == ""
    assert domain.list_templates() == []
    assert audit_entries("template")[-1] == ("delete", "Team title")


def test_list_deletes_in_place_and_without_javascript_through_a_confirmation(client):
    template = saved("Team title")
    page = client.get("/notification-templates").get_data(as_text=True)
    assert f'hx-delete="/notification-templates/{template.id}"' in page
    confirm = client.get(f"/notification-templates/{template.id}/delete").get_data(as_text=True)
    action = re.search(r'<form method="post" action="([^"]+)" class="form-actions"', confirm)[1]
    assert action == f"/notification-templates/{template.id}/delete"
    response = client.post(action)
    assert "Notification template “Team title” deleted." in text(
        client.get(response.headers["Location"]))
    assert domain.list_templates() == []


def test_deleting_a_used_template_is_refused_naming_the_contact_points(
    client, make_contact_point
):
    template = saved("Team title")
    slack_using(make_contact_point, "ops", "Team title")
    slack_using(make_contact_point, "dev", "TEAM TITLE")
    response = client.delete(f"/notification-templates/{template.id}", headers=HX)
    assert response.status_code == 409
    message = "Cannot delete “Team title”: it is used by contact points “dev”, “ops”."
    assert response.get_data(as_text=True).startswith(f'<article class="template-row" '
                                                      f'id="template-{template.id}"')
    assert message in text(response)
    response = client.post(f"/notification-templates/{template.id}/delete")
    assert message in text(client.get(response.headers["Location"]))
    confirm = text(client.get(f"/notification-templates/{template.id}/delete"))
    assert "cannot be deleted" in confirm and "contact points “dev”, “ops”" in confirm
    assert stored("Team title") is not None
    assert ("delete", "Team title") not in audit_entries("template")


def test_deleting_a_template_another_template_includes_is_refused(client):
    template = saved("Team title")
    saved("Full message", '{% include "Team title" %}')
    response = client.delete(f"/notification-templates/{template.id}", headers=HX)
    assert response.status_code == 409
    assert "it is used by template “Full message”" in text(response)


# --- roles ------------------------------------------------------------------------------------


def test_viewer_reads_and_previews_but_cannot_change(client_as):
    template = saved("Team title", "{{ Status }} here")
    viewer = client_as("viewer")
    page = text(viewer.get("/notification-templates"))
    assert "Team title" in page
    assert "+ Add notification template" not in page and ">Edit<" not in page
    assert "Duplicate" not in page and "Delete" not in page
    view = text(viewer.get(f"/notification-templates/{template.id}"))
    assert "readonly" in view and "Save template" not in view and "firing here" in view
    assert viewer.get("/notification-templates/built-in/default.title").status_code == 200
    assert "firing" in text(preview(viewer, "{{ Status }}"))
    for method, url in [
        ("get", "/notification-templates/new"),
        ("post", "/notification-templates/new"),
        ("get", f"/notification-templates/{template.id}/edit"),
        ("post", f"/notification-templates/{template.id}/edit"),
        ("post", f"/notification-templates/{template.id}/duplicate"),
        ("post", "/notification-templates/built-in/default.title/duplicate"),
        ("delete", f"/notification-templates/{template.id}"),
        ("post", f"/notification-templates/{template.id}/delete"),
    ]:
        assert getattr(viewer, method)(url, data={"name": "x", "template": "y"}).status_code \
            == 403, url
    assert [t.name for t in domain.list_templates()] == ["Team title"]


def test_anonymous_visitors_are_asked_to_log_in(anonymous):
    response = anonymous.get("/notification-templates")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_unknown_templates_are_404(client):
    assert client.get("/notification-templates/999/edit").status_code == 404
    assert client.get("/notification-templates/built-in/nope").status_code == 404


def test_markup_in_names_and_text_comes_back_escaped(client):
    markup = "<script>alert(1)</script>"
    template = saved(f"x {markup}", f"{markup} {{{{ Status }}}}")
    for url in ("/notification-templates", f"/notification-templates/{template.id}/edit"):
        page = client.get(url).get_data(as_text=True)
        assert markup not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    fragment = preview(client, markup).get_data(as_text=True)
    assert markup not in fragment and "&lt;script&gt;" in fragment
