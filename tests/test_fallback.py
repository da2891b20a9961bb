"""The fallback contact point: set in the form and in provisioning files, never in a cycle."""
from __future__ import annotations

import yaml
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, ContactPoint
from app.provisioning import parse as parse_document
from app.provisioning import plan_document
from app.provisioning.apply import apply
from app.provisioning.export import document
from tests.formdata import form_data


def edit(client, contact_point, **changes):
    page = client.get(f"/contact-points/{contact_point.uid}/edit").get_data(as_text=True)
    data = form_data(page)
    data.pop("csrf_token", None)
    data.update(changes)
    return client.post(f"/contact-points/{contact_point.uid}/edit", data=data)


def named(name: str) -> ContactPoint:
    db.session.expire_all()
    return db.session.scalar(select(ContactPoint).where(ContactPoint.name == name))


def test_the_form_sets_and_clears_the_fallback(client, make_contact_point):
    make_contact_point("backup", [])
    primary = make_contact_point("primary", [])

    response = edit(client, primary, fallback="BACKUP")

    assert response.status_code == 302
    assert named("primary").fallback.name == "backup"
    page = client.get(f"/contact-points/{primary.uid}/edit").get_data(as_text=True)
    assert 'id="fallback" name="fallback" value="backup"' in page
    assert '<label for="fallback">Fallback contact point</label>' in page

    edit(client, primary, fallback="")
    assert named("primary").fallback is None


def test_an_unknown_fallback_is_refused_keeping_what_was_typed(client, make_contact_point):
    primary = make_contact_point("primary", [])

    response = edit(client, primary, fallback="nobody", name="renamed")

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "There is no contact point named “nobody”." in page
    assert 'value="renamed"' in page and 'value="nobody"' in page
    assert named("primary") is not None and named("renamed") is None


def test_a_fallback_cycle_is_refused(client, make_contact_point):
    first = make_contact_point("first", [])
    second = make_contact_point("second", [])
    edit(client, first, fallback="second")

    own = edit(client, second, fallback="second")
    cycle = edit(client, second, fallback="first")

    assert "A contact point cannot be its own fallback." in own.get_data(as_text=True)
    assert "fallbacks may not form a cycle" in cycle.get_data(as_text=True)
    assert named("second").fallback is None


def import_yaml(text: str):
    plan = plan_document(parse_document(text, "test.yaml"))
    apply(plan)
    db.session.commit()
    return plan


def test_provisioning_files_carry_the_fallback_both_ways(app, make_contact_point):
    make_contact_point("backup", [])
    plan = import_yaml("""
apiVersion: 1
contactPoints:
  - orgId: 1
    name: primary
    fallback: backup
    receivers:
      - uid: p1
        type: webhook
        settings: {url: "http://127.0.0.1:9/hook"}
""")

    assert not plan.refused
    assert named("primary").fallback.name == "backup"
    exported = {cp["name"]: cp for cp in document()["contactPoints"]}
    assert exported["primary"]["fallback"] == "backup"
    assert "fallback" not in exported["backup"]
    assert db.session.scalars(select(AuditEntry)).all()


def test_provisioning_refuses_unknown_and_cyclic_fallbacks(app, make_contact_point):
    plan = import_yaml(yaml.safe_dump({"apiVersion": 1, "contactPoints": [
        {"orgId": 1, "name": "a", "fallback": "b", "receivers": []},
        {"orgId": 1, "name": "b", "fallback": "a", "receivers": []},
        {"orgId": 1, "name": "c", "fallback": "nowhere", "receivers": []},
    ]}))

    reasons = sorted(change.reason for change in plan.refused)
    assert reasons == ["fallback: fallbacks may not form a cycle.",
                       "fallback: fallbacks may not form a cycle.",
                       "fallback: there is no contact point named “nowhere”."]
    assert named("a").fallback is None and named("c").fallback is None
