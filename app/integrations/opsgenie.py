"""Opsgenie: the Alert API (create, and close when resolved)."""
from __future__ import annotations

from app.integrations.base import (
    Field,
    IntegrationType,
    SendContext,
    Sent,
    alert_list_url,
    cut_text,
)
from app.transport import http

RESPONDER_TYPES = tuple((t, t) for t in ("team", "teams", "user", "escalation", "schedule"))
SEND_TAGS_AS = (("tags", "Tags"), ("details", "Extra Properties"),
                ("both", "Tags & Extra Properties"))

# https://docs.opsgenie.com/docs/alert-api#create-alert - message up to 130 characters,
# description up to 15,000.
MAX_MESSAGE = 130
MAX_DESCRIPTION = 15_000
PRIORITIES = {"P1", "P2", "P3", "P4", "P5"}
DEFAULT_API_URL = "https://api.opsgenie.com/v2/alerts"


def responders(ctx: SendContext) -> list[dict[str, str]]:
    """The configured responders; a "teams" row names several teams, comma separated."""
    found: list[dict[str, str]] = []
    for row in ctx.values.get("responders") or []:
        responder = {key: ctx.render(row.get(key), label="Responders")
                     for key in ("id", "name", "username", "type")}
        responder = {key: value for key, value in responder.items() if value}
        if responder.get("type") == "teams":
            names = [name.strip() for name in responder.get("name", "").split(",")]
            found.extend({"name": name, "type": "team"} for name in names if name)
        elif set(responder) - {"type"}:
            found.append(responder)
    return found


def description(ctx: SendContext) -> str:
    """The description; one that renders blank gets Grafana's default, as in Grafana."""
    text = ctx.text("description")
    if not text.strip():
        text = ctx.render(None, "opsgenie.default.description")
    return cut_text(text, MAX_DESCRIPTION)


def create_alert(ctx: SendContext) -> dict:
    """Grafana's Create Alert body, aliased on the group key so that it can be closed later."""
    labels = dict(sorted(ctx.group.common_labels.items()))
    send_as = ctx.values.get("sendTagsAs") or "tags"
    details = {"url": alert_list_url(ctx.group.external_url)}
    if send_as in ("details", "both"):
        details.update(labels)
    tags = [f"{key}:{value}" for key, value in labels.items()] \
        if send_as in ("tags", "both") else []
    body = {
        "alias": ctx.group.group_hash(),
        "message": cut_text(ctx.text("message"), MAX_MESSAGE),
        "description": description(ctx),
        "details": dict(sorted(details.items())),  # Go writes a map's keys in order
        "source": "Herald",
        "responders": responders(ctx),
        "tags": sorted(tags),
    }
    priority = labels.get("og_priority", "")
    if ctx.values.get("overridePriority") and priority in PRIORITIES:
        body["priority"] = priority
    return {key: value for key, value in body.items() if value or key in ("tags", "details")}


def send(ctx: SendContext) -> Sent:
    """Create the alert, or close it by alias once the group is resolved (with autoClose)."""
    api_url = ctx.url("apiUrl", DEFAULT_API_URL)
    headers = {"Authorization": f"GenieKey {ctx.values['apiKey']}"}
    if ctx.group.status == "resolved":
        if not ctx.values.get("autoClose"):
            return Sent(skipped="auto close is off, so resolved alerts are not sent")
        url = f"{api_url.rstrip('/')}/{ctx.group.group_hash()}/close?identifierType=alias"
        answer = http.request("POST", url, json={"source": "Herald"}, headers=headers)
    else:
        answer = http.request("POST", api_url, json=create_alert(ctx), headers=headers)
    return Sent(answer.status)


INTEGRATION = IntegrationType(
    type="opsgenie",
    label="Opsgenie",
    description="Creates and closes Opsgenie alerts through the Alert API.",
    fields=(
        Field("apiKey", "API Key", required=True, secret=True, placeholder="Opsgenie API Key"),
        Field("apiUrl", "Alert API URL", kind="url", required=True, templated=True,
              default=DEFAULT_API_URL),
        Field("message", "Message", template="default.title",
              help="Alert text limited to 130 characters."),
        Field("description", "Description", element="textarea",
              template="opsgenie.default.description",
              help="A description of the incident. Empty: the default title, a link to the "
              "alert list and the default message, as Grafana sends them."),
        Field("autoClose", "Auto close incidents", element="checkbox", default=True,
              help="Automatically close alerts in Opsgenie once the alert goes back to OK."),
        Field("overridePriority", "Override priority", element="checkbox", default=True,
              help="Allow the alert priority to be set using the og_priority label."),
        Field("sendTagsAs", "Send notification tags as", element="select", options=SEND_TAGS_AS,
              default="tags", help="Send the common annotations to Opsgenie as either Extra "
              "Properties, Tags or both."),
        Field("responders", "Responders", element="records",
              help="If the API key belongs to a team, this is ignored. One of Name, ID or "
              "Username is needed per responder.",
              subfields=(
                  # Grafana also takes a template that renders to one of the types.
                  Field("type", "Type", element="select", options=RESPONDER_TYPES,
                        required=True, templated=True),
                  Field("name", "Name"),
                  Field("id", "ID"),
                  Field("username", "Username"),
              )),
    ),
    summary=lambda values: "" if not values.get("responders") else
    f"{len(values['responders'])} responder(s)",
    send=send,
    destination_keys=("apiUrl",),
    category="Incident management",
)
