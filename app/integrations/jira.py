"""Jira: one issue per alert group, found again by its dedup key, updated, resolved, reopened."""
from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, urlsplit

from app.integrations.base import (
    Field,
    IntegrationType,
    SendContext,
    SendError,
    Sent,
    Values,
    cut_text,
    url_host,
)
from app.transport import http

# https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/ - a summary
# is at most 255 characters, a description 32,767 (an ADF document takes 87 of them).
MAX_SUMMARY, MAX_DESCRIPTION, ADF_OVERHEAD = 255, 32_767, 87
DURATION_RE = re.compile(r"^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?"
                         r"(?:(\d+)s)?(?:(\d+)ms)?$")
DURATION_SECONDS = (365 * 86400, 7 * 86400, 86400, 3600, 60, 1, 0.001)
SEVERITY_PRIORITY = {"critical": "High", "warning": "Medium", "info": "Low"}
DONE = "done"


def reopen_minutes(text: str) -> int:
    """A Prometheus duration ("10m", "1h30m", "2d") in whole minutes; 0 when empty."""
    match = DURATION_RE.match(text or "")
    if not text or not match or not any(match.groups()):
        return 0
    seconds = sum(int(n) * unit for n, unit in zip(match.groups(), DURATION_SECONDS,
                                                    strict=True) if n)
    return int(seconds // 60)


def _valid(values: Values) -> Iterable[tuple[str, str]]:
    token, user, password = (values.get(k) for k in ("api_token", "user", "password"))
    if token and (user or password):
        yield "api_token", "Use either a Personal Access Token or a username and password."
    elif not token and not (user and password):
        yield "user", "Set a username and password, or a Personal Access Token."
    if values.get("reopen_duration") and not DURATION_RE.match(values["reopen_duration"]):
        yield "reopen_duration", "Reopen Duration must be a duration such as 10m, 2h or 1d."
    if values.get("dedup_key_field") and not values["dedup_key_field"].isdigit():
        yield "dedup_key_field", "Custom field ID for deduplication must be a number."


def is_v3(values: Values) -> bool:
    return urlsplit(values["api_url"]).path.rstrip("/").endswith("/3")


def search_jql(values: Values, dedup_key: str, firing: bool) -> str:
    """The JQL that finds the group's issue, as Grafana (and Alertmanager) write it."""
    parts = []
    if values.get("wont_fix_resolution"):
        parts.append(f"resolution != {_quoted(values['wont_fix_resolution'])}")
    minutes = reopen_minutes(values.get("reopen_duration") or "")
    if firing and not values.get("reopen_transition"):
        parts.append("statusCategory != Done")
    elif not firing and minutes:
        parts.append(f"(resolutiondate is EMPTY OR resolutiondate >= -{minutes}m)")
    elif not firing:
        parts.append("statusCategory != Done")
    label = _quoted(f"ALERT{{{dedup_key}}}")
    field = values.get("dedup_key_field")
    parts.append(f"(labels = {label} or cf[{field}] ~ {_quoted(dedup_key)})" if field
                 else f"labels = {label}")
    parts.append(f"project={_quoted(values['project'])} order by status ASC,resolutiondate DESC")
    return " and ".join(parts)


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def default_priority(ctx: SendContext) -> str:
    """High, Medium or Low from the firing (else resolved) alerts' severity labels."""
    for alerts in (ctx.group.firing, ctx.group.resolved):
        found = {alert.labels.get("severity") for alert in alerts}
        for severity, priority in SEVERITY_PRIORITY.items():
            if severity in found:
                return priority
    return ""


def issue_fields(ctx: SendContext) -> dict[str, Any]:
    """The issue's fields: summary, description, project, type, labels, priority, custom."""
    values, dedup_key = ctx.values, ctx.group.group_hash()
    fields: dict[str, Any] = {
        "summary": cut_text(ctx.text("summary"), MAX_SUMMARY),
        "description": description(ctx),
        "project": {"key": ctx.render(values["project"], label="Project Key").strip()},
        "issuetype": {"name": ctx.render(values["issue_type"], label="Issue Type").strip()},
    }
    labels = sorted(filter(None, (ctx.render(label, label="Labels").strip()
                                  for label in values.get("labels") or [])))
    priority = ctx.render(values.get("priority"), label="Priority").strip() \
        if values.get("priority") else default_priority(ctx)
    if priority:
        fields["priority"] = {"name": priority}
    for key, source in (values.get("fields") or {}).items():
        fields[key] = _custom_value(ctx.render(source, label=f"Custom Field Data {key}"))
    if values.get("dedup_key_field"):
        fields[f"customfield_{values['dedup_key_field']}"] = dedup_key
    else:
        labels.append(f"ALERT{{{dedup_key}}}")  # how the issue is found again
    fields["labels"] = labels
    return fields


def _custom_value(text: str) -> Any:
    """A custom field's value: JSON when it is JSON (objects, numbers), else the text."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def description(ctx: SendContext) -> Any:
    """Text for API v2; for v3 an ADF document (the rendered JSON when it is one)."""
    text = ctx.text("description")
    if not is_v3(ctx.values):
        return cut_text(text, MAX_DESCRIPTION)
    document = _custom_value(text)
    if isinstance(document, dict):
        return document
    return {"version": 1, "type": "doc", "content": [{"type": "paragraph", "content": [
        {"type": "text", "text": cut_text(text, MAX_DESCRIPTION - ADF_OVERHEAD)}]}]}


def api(ctx: SendContext, method: str, path: str, body: Any = None) -> http.HttpAnswer:
    """One Jira REST call under the configured API URL, authenticated."""
    values = ctx.values
    headers = {"Accept-Language": "en"}
    auth = None
    if values.get("api_token"):
        headers["Authorization"] = f"Bearer {values['api_token']}"
    else:
        auth = (values.get("user") or "", values.get("password") or "")
    return http.request(method, f"{values['api_url'].rstrip('/')}/{path}", json=body,
                        headers=headers, auth=auth)


def find_issue(ctx: SendContext, firing: bool) -> dict | None:
    """The group's most relevant existing issue, or None."""
    query = {"fields": ["status"],
             "jql": search_jql(ctx.values, ctx.group.group_hash(), firing), "maxResults": 2}
    answer = api(ctx, "POST", "search/jql" if is_v3(ctx.values) else "search", query)
    issues = answer.json.get("issues") if isinstance(answer.json, dict) else None
    return issues[0] if issues else None


def status_category(issue: dict) -> str:
    status = (issue.get("fields") or {}).get("status") or {}
    return (status.get("statusCategory") or {}).get("key", "")


def transition(ctx: SendContext, issue_key: str, name: str) -> None:
    """Move the issue through the named workflow transition."""
    path = f"issue/{quote(issue_key, safe='')}/transitions"
    answer = api(ctx, "GET", path)
    found = answer.json.get("transitions") if isinstance(answer.json, dict) else None
    ids = [t.get("id") for t in found or [] if t.get("name") == name]
    if not ids:
        raise SendError(f"can't find transition {name} for issue {issue_key}", permanent=True)
    api(ctx, "POST", path, {"transition": {"id": ids[0]}})


def send(ctx: SendContext) -> Sent:
    """Create or update the group's issue, then resolve or reopen it as configured."""
    firing = ctx.group.status == "firing"
    issue = find_issue(ctx, firing)
    if issue is None and not firing:
        return Sent(skipped="no open Jira issue for this alert group")
    body = {"fields": issue_fields(ctx)}
    if issue is None:
        return Sent(api(ctx, "POST", "issue", body).status)
    key = issue.get("key") or ""
    answer = api(ctx, "PUT", f"issue/{quote(key, safe='')}", body)
    done = status_category(issue) == DONE
    wanted = ctx.values.get("reopen_transition") if firing and done else \
        ctx.values.get("resolve_transition") if not firing and not done else ""
    if wanted and status_category(issue):
        transition(ctx, key, wanted)
    return Sent(answer.status)


INTEGRATION = IntegrationType(
    type="jira",
    label="Jira",
    category="Incident management",
    description="Creates Jira issues from alerts",
    fields=(
        Field("api_url", "API URL of Jira instance, including version of API", kind="url",
              required=True, placeholder="https://grafana.atlassian.net/rest/api/3",
              help="Supported v2 or v3 APIs"),
        Field("user", "HTTP Basic Authentication - Username", secret=True,
              help="Username to use for Jira authentication."),
        Field("password", "HTTP Basic Authentication - Password", secret=True,
              help="Password to use for Jira authentication."),
        Field("api_token", "Authorization Header - Personal Access Token", secret=True,
              help="Personal Access Token that is used as a bearer authorization header."),
        Field("project", "Project Key", required=True, placeholder="Grafana",
              help="The project key associated with the relevant Jira project"),
        Field("issue_type", "Issue Type", required=True, placeholder="Task",
              help="The type of the Jira issue (e.g., Bug, Task, Story). You can use "
              "templates to customize this field."),
        Field("summary", "Summary", template="default.title",
              help=f"The summary of the Jira issue. You can use templates to customize this "
              f"field. Maximum length is {MAX_SUMMARY} characters."),
        Field("description", "Description", element="textarea", template="default.message",
              help=f"The description of the Jira issue. You can use templates to customize "
              f"this field. Maximum length is {MAX_DESCRIPTION} characters."),
        Field("labels", "Labels", element="list",
              help="Labels to assign to the Jira issue. You can use templates to customize "
              "this field."),
        Field("priority", "Priority", placeholder="High, Medium or Low from the severity label",
              help="The priority of the Jira issue (e.g., High, Medium, Low). You can use "
              "templates to customize this field."),
        Field("resolve_transition", "Resolve Transition",
              help='Name of the workflow transition to resolve an issue. The target status '
              'must have the category "done". If not set, the issue will not be resolved.'),
        Field("reopen_transition", "Reopen Transition",
              help='Name of the workflow transition to resolve an issue. The target status '
              'must not have the category "done". If not set, the issue will not be '
              'reopened.'),
        Field("reopen_duration", "Reopen Duration", placeholder="10m",
              help="Reopen the issue when it is not older than this value in minutes. "
              "Otherwise, create a new issue."),
        Field("wont_fix_resolution", "\"Won't fix\" Transition",
              help="If reopen transition is defined, ignore issues with that resolution."),
        Field("dedup_key_field", "Custom field ID for deduplication", placeholder="10000",
              help="Id of the custom field where the deduplication key should be stored. "
              "Otherwise, it is added to labels in format 'ALERT($KEY).'"),
        Field("fields", "Custom Field Data", element="map",
              help="Custom field data to set on the Jira issue."),
    ),
    rules=(_valid,),
    summary=lambda values: f"{values.get('project', '')} on {url_host(values.get('api_url', ''))}",
    send=send,
    destination_keys=("api_url",),
)
