"""Grafana's `policies` in provisioning files and the policies API: in, out, round trip."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from app.alerting.models import Policy
from app.alerting.policies import load_spec
from app.extensions import db
from app.provisioning import DocumentError, load, plan_document, provision
from app.provisioning.export import document as export_document
from tests.test_export_import import import_document, rows

TREE = {
    "orgId": 1, "receiver": "Ops", "group_by": ["alertname"], "group_wait": "30s",
    "group_interval": "5m", "repeat_interval": "4h",
    "routes": [
        {"receiver": "DB team", "object_matchers": [["team", "=", "db"]], "continue": True,
         "group_wait": "1m", "routes": [{"matchers": ['severity =~ "critical|page"'],
                                          "group_by": ["..."]}]},
        {"matchers": ["env!=dev", 'service="api"'], "repeat_interval": "1h"},
    ],
}


@pytest.fixture
def points(make_contact_point):
    make_contact_point("Ops", [("webhook", {"url": "http://127.0.0.1:9/a"})])
    make_contact_point("DB team", [("webhook", {"url": "http://127.0.0.1:9/b"})])


def write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "policies.json"
    path.write_text(json.dumps({"apiVersion": 1, **data}))
    return path


def policy_count() -> int:
    return db.session.scalar(select(func.count(Policy.id)))


def test_a_policy_tree_imports_exports_and_round_trips(points, tmp_path):
    plan = provision(write(tmp_path, {"policies": [TREE]}))
    assert [(c.kind, c.action) for c in plan.changes] == [("Notification policies", "updated")]
    root = load_spec()
    assert root.receiver == "Ops" and len(root.routes) == 2
    assert [str(m) for m in root.routes[1].matchers] == ['env!="dev"', 'service="api"']
    assert root.routes[0].routes[0].group_by == ["..."]
    exported = export_document()
    assert exported["policies"][0]["routes"][0]["object_matchers"] == [["team", "=", "db"]]
    again = plan_document(load(write(tmp_path, exported)))
    assert [c.action for c in again.changes if c.kind == "Notification policies"] == [
        "unchanged"]


def test_reset_policies_leaves_the_default_policy(points, tmp_path):
    provision(write(tmp_path, {"policies": [TREE]}))
    provision(write(tmp_path, {"resetPolicies": [1]}))
    assert policy_count() == 1 and load_spec().receiver == "Ops"


@pytest.mark.parametrize(("route", "message"), [
    ({"object_matchers": [["a", "=~", "(oops"]]}, "does not compile"),
    ({"object_matchers": [["a", "=", "v" * 1_000_000]]}, "too long"),
    ({"object_matchers": [["a", "=", "b"]] * 10_000}, "at most 100"),
    ({"receiver": "Nobody"}, "contact point not found: Nobody"),
])
def test_bad_policies_are_refused_and_nothing_is_stored(points, tmp_path, route, message):
    plan = provision(write(tmp_path, {"policies": [{**TREE, "routes": [route]}]}))
    assert [c.action for c in plan.changes] == ["refused"]
    assert message in plan.changes[0].reason
    assert policy_count() == 0


def test_a_cycle_through_yaml_aliases_is_refused(points, tmp_path):
    path = tmp_path / "cycle.yaml"
    path.write_text("apiVersion: 1\npolicies:\n- &root\n  receiver: Ops\n  routes: [*root]\n")
    with pytest.raises(DocumentError, match="aliases"):
        load(path)


@pytest.fixture
def api(anonymous, token, points):
    headers = token("editor")

    def call(method: str, path: str, body=None):
        extra = {} if method == "GET" else {"csrf": False}
        return anonymous.open(f"/api/v1/provisioning{path}", method=method, json=body,
                              headers=headers, **extra)

    return call


def test_policies_api_get_put_export_delete(api):
    tree = {key: value for key, value in TREE.items() if key != "orgId"}
    assert api("PUT", "/policies", tree).status_code == 202
    got = api("GET", "/policies").get_json()
    assert got["receiver"] == "Ops" and got["routes"][1]["object_matchers"] == [
        ["env", "!=", "dev"], ["service", "=", "api"]]
    exported = yaml.safe_load(api("GET", "/policies/export").get_data(as_text=True))
    assert exported["policies"][0]["orgId"] == 1
    assert json.loads(api("GET", "/policies/export?format=json").get_data(as_text=True)) == \
        exported
    assert api("DELETE", "/policies").get_json() == {"message": "policies resetted"}
    assert policy_count() == 1


@pytest.mark.parametrize(("tree", "status", "message"), [
    ({"receiver": "Ops", "routes": [{"object_matchers": [["a", "=~", "("]]}]}, 400,
     "does not compile"),
    ({"receiver": "Ops", "routes": [{"object_matchers": [["a", "=", "v" * 900_000]]}]}, 400,
     "too long"),
    ({"receiver": "Nobody"}, 400, "ontact point not found: Nobody"),
    ({"routes": []}, 400, "needs a contact point"),
    ([1], 400, "must be a JSON object"),
])
def test_policies_api_refuses_bad_trees_in_words(api, tree, status, message):
    response = api("PUT", "/policies", tree)
    assert response.status_code == status
    assert message in response.get_json()["message"]
    assert policy_count() == 0


def test_deleting_a_used_contact_point_through_the_api_is_a_conflict(api):
    api("PUT", "/policies", {"receiver": "Ops", "routes": [
        {"receiver": "DB team", "object_matchers": [["team", "=", "db"]]}]})
    uid = next(item["uid"] for item in api("GET", "/contact-points").get_json()
               if item["name"] == "DB team")
    response = api("DELETE", f"/contact-points/{uid}")
    assert response.status_code == 409
    assert "DB team" in response.get_json()["message"]
    assert "policy {team=\"db\"}" in response.get_json()["message"]


def test_the_import_page_previews_and_applies_a_policy_tree(client, points):
    text = json.dumps({"apiVersion": 1, "policies": [TREE]})
    page = client.post("/contact-points/import", data={"document": text}).get_data(as_text=True)
    assert rows(page) == ["Notification policies | Default policy | 4 policies | Updated | "]
    import_document(client, text)
    assert policy_count() == 4
