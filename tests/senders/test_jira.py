"""Jira: create, update, resolve and reopen the group's issue against a loopback Jira."""
from __future__ import annotations

import base64
import json

import pytest

from app.integrations.jira import reopen_minutes, search_jql
from tests.senders.grafana_groups import GROUP_HASH, grafana_group

API = "/rest/api/2"
AUTH = "Basic " + base64.b64encode(b"test:test").decode()
ALERT = [({"alertname": "TestAlert", "severity": "critical"},
          {"summary": "Test alert summary", "description": "Test alert description"})]
LABEL = f"ALERT{{{GROUP_HASH}}}"


def values(server, api=API, **extra) -> dict:
    return {"api_url": server.url_for(api), "project": "TEST", "issue_type": "Task",
            "summary": "sum", "description": "desc", "user": "test", "password": "test",
            **extra}


def found(key: str = "TEST-1", category: str = "indeterminate") -> dict:
    return {"issues": [{"key": key, "fields": {"status": {
        "name": "In Progress", "statusCategory": {"key": category}}}}]}


def requests_of(server) -> list[tuple[str, str, object]]:
    """(method, path, JSON body) of every request, each checked for Jira's headers."""
    seen = []
    for request, _ in server.log:
        assert request.headers["Authorization"] == AUTH
        assert request.headers["Accept-Language"] == "en"
        body = json.loads(request.get_data()) if request.get_data() else None
        seen.append((request.method, request.path, body))
    return seen


def search(firing: bool, **conf) -> dict:
    return {"fields": ["status"], "maxResults": 2,
            "jql": search_jql({"project": "TEST", **conf}, GROUP_HASH, firing)}


ISSUE = {"fields": {"summary": "sum", "description": "desc", "project": {"key": "TEST"},
                    "issuetype": {"name": "Task"}, "priority": {"name": "High"},
                    "labels": [LABEL]}}


def test_firing_creates_then_updates_then_resolved_transitions(httpserver, deliver):
    httpserver.expect_ordered_request(f"{API}/search", method="POST").respond_with_json(
        {"issues": []})
    httpserver.expect_ordered_request(f"{API}/issue", method="POST").respond_with_json(
        {"id": "10000", "key": "TEST-1"}, status=201)
    httpserver.expect_ordered_request(f"{API}/search", method="POST").respond_with_json(found())
    httpserver.expect_ordered_request(f"{API}/issue/TEST-1", method="PUT").respond_with_data(
        "", status=204)
    httpserver.expect_ordered_request(f"{API}/search", method="POST").respond_with_json(found())
    httpserver.expect_ordered_request(f"{API}/issue/TEST-1", method="PUT").respond_with_data(
        "", status=204)
    httpserver.expect_ordered_request(f"{API}/issue/TEST-1/transitions", method="GET"
                                      ).respond_with_json({"transitions": [
                                          {"id": "11", "name": "To Do"},
                                          {"id": "31", "name": "Done"}]})
    httpserver.expect_ordered_request(f"{API}/issue/TEST-1/transitions", method="POST"
                                      ).respond_with_data("", status=204)
    settings = values(httpserver, resolve_transition="Done", reopen_transition="To Do")

    created = deliver("jira", settings, grafana_group(ALERT))
    updated = deliver("jira", settings, grafana_group(ALERT))
    resolved = deliver("jira", settings, grafana_group(ALERT, status="resolved"))

    assert [r.outcome for r in (created, updated, resolved)] == ["success"] * 3, \
        [r.error for r in (created, updated, resolved)]
    assert (created.status_code, updated.status_code) == (201, 204)
    conf = {"resolve_transition": "Done", "reopen_transition": "To Do"}
    assert requests_of(httpserver) == [
        ("POST", f"{API}/search", search(True, **conf)),
        ("POST", f"{API}/issue", ISSUE),
        ("POST", f"{API}/search", search(True, **conf)),
        ("PUT", f"{API}/issue/TEST-1", ISSUE),
        ("POST", f"{API}/search", search(False, **conf)),
        ("PUT", f"{API}/issue/TEST-1", ISSUE),
        ("GET", f"{API}/issue/TEST-1/transitions", None),
        ("POST", f"{API}/issue/TEST-1/transitions", {"transition": {"id": "31"}}),
    ]


def test_firing_again_reopens_a_done_issue(httpserver, deliver):
    httpserver.expect_request(f"{API}/search").respond_with_json(found(category="done"))
    httpserver.expect_request(f"{API}/issue/TEST-1", method="PUT").respond_with_data(
        "", status=204)
    httpserver.expect_request(f"{API}/issue/TEST-1/transitions", method="GET").respond_with_json(
        {"transitions": [{"id": "11", "name": "Reopen"}]})
    httpserver.expect_request(f"{API}/issue/TEST-1/transitions", method="POST"
                              ).respond_with_data("", status=204)

    result = deliver("jira", values(httpserver, reopen_transition="Reopen"), grafana_group())

    assert result.ok, result.error
    assert requests_of(httpserver)[-1] == ("POST", f"{API}/issue/TEST-1/transitions",
                                           {"transition": {"id": "11"}})


def test_resolved_without_an_issue_sends_nothing_more(httpserver, deliver):
    httpserver.expect_request(f"{API}/search").respond_with_json({"issues": []})

    result = deliver("jira", values(httpserver), grafana_group(status="resolved"))

    assert result.outcome == "skipped"
    assert [m for m, _, _ in requests_of(httpserver)] == ["POST"]


def test_missing_transition_is_a_failure(httpserver, deliver):
    httpserver.expect_request(f"{API}/search").respond_with_json(found())
    httpserver.expect_request(f"{API}/issue/TEST-1", method="PUT").respond_with_data("")
    httpserver.expect_request(f"{API}/issue/TEST-1/transitions").respond_with_json(
        {"transitions": [{"id": "1", "name": "Close"}]})

    result = deliver("jira", values(httpserver, resolve_transition="Done"),
                     grafana_group(status="resolved"))

    assert result.error == "can't find transition Done for issue TEST-1"


def test_v3_uses_search_jql_adf_description_and_a_token(httpserver, deliver):
    api = "/rest/api/3"
    httpserver.expect_request(f"{api}/search/jql", method="POST",
                              headers={"Authorization": "Bearer pat-1"}).respond_with_json(
        {"issues": [], "isLast": True})
    httpserver.expect_request(f"{api}/issue", method="POST").respond_with_json(
        {"key": "TEST-2"}, status=201)
    settings = {**values(httpserver, api=api, api_token="pat-1", labels=["a", "{{ "
                "CommonLabels.alertname }}"], priority="Highest", dedup_key_field="10000",
                         fields={"customfield_10001": '{"value": "red"}'}),
                "user": "", "password": ""}

    result = deliver("jira", settings, grafana_group(ALERT))

    assert result.ok, result.error
    request, _ = httpserver.log[1]
    assert json.loads(request.get_data())["fields"] == {
        "summary": "sum", "project": {"key": "TEST"}, "issuetype": {"name": "Task"},
        "description": {"version": 1, "type": "doc", "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": "desc"}]}]},
        "labels": ["TestAlert", "a"], "priority": {"name": "Highest"},
        "customfield_10001": {"value": "red"}, "customfield_10000": GROUP_HASH}


# Grafana's TestGetSearchJql cases, with the group key "group1".
@pytest.mark.parametrize(("conf", "firing", "jql"), [
    ({}, True, 'statusCategory != Done and labels = "ALERT{group1}" and project="TEST" '
     'order by status ASC,resolutiondate DESC'),
    ({"wont_fix_resolution": "won't fix"}, True, 'resolution != "won\'t fix" and '
     'statusCategory != Done and labels = "ALERT{group1}" and project="TEST" order by '
     'status ASC,resolutiondate DESC'),
    ({"reopen_transition": "test"}, True, 'labels = "ALERT{group1}" and project="TEST" '
     'order by status ASC,resolutiondate DESC'),
    ({"dedup_key_field": "12345"}, True, 'statusCategory != Done and (labels = '
     '"ALERT{group1}" or cf[12345] ~ "group1") and project="TEST" order by status ASC,'
     'resolutiondate DESC'),
    ({}, False, 'statusCategory != Done and labels = "ALERT{group1}" and project="TEST" '
     'order by status ASC,resolutiondate DESC'),
    ({"reopen_duration": "30m"}, False, '(resolutiondate is EMPTY OR resolutiondate >= -30m) '
     'and labels = "ALERT{group1}" and project="TEST" order by status ASC,resolutiondate DESC'),
])
def test_search_jql_matches_grafana(conf, firing, jql):
    assert search_jql({"project": "TEST", **conf}, "group1", firing) == jql


def test_reopen_duration_in_minutes():
    assert [reopen_minutes(t) for t in ("", "10m", "1h30m", "2d", "90s")] == [0, 10, 90,
                                                                              2880, 1]


def test_authentication_must_be_one_kind(client):
    response = client.post("/contact-points/new", data={
        "name": "j", "block": ["t1"], "t1.type": "jira", "t1.s.api_url": "https://j.example/2",
        "t1.s.project": "P", "t1.s.issue_type": "Task"})

    assert response.status_code == 422
    assert "Set a username and password, or a Personal Access Token." in response.get_data(
        as_text=True)
