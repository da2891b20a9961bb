"""Opsgenie: the Alert API (create, and close when resolved)."""
from __future__ import annotations

from app.integrations.base import Field, IntegrationType

RESPONDER_TYPES = tuple((t, t) for t in ("team", "teams", "user", "escalation", "schedule"))
SEND_TAGS_AS = (("tags", "Tags"), ("details", "Extra Properties"), ("both", "Tags & Extra Properties"))

INTEGRATION = IntegrationType(
    type="opsgenie",
    label="Opsgenie",
    description="Creates and closes Opsgenie alerts through the Alert API.",
    fields=(
        Field("apiKey", "API Key", required=True, secret=True, placeholder="Opsgenie API Key"),
        Field("apiUrl", "Alert API URL", kind="url", required=True,
              default="https://api.opsgenie.com/v2/alerts"),
        Field("message", "Message", template="default.title",
              help="Alert text limited to 130 characters."),
        Field("description", "Description", element="textarea", template="default.message",
              help="A description of the incident."),
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
                  Field("type", "Type", element="select", options=RESPONDER_TYPES,
                        required=True),
                  Field("name", "Name"),
                  Field("id", "ID"),
                  Field("username", "Username"),
              )),
    ),
    summary=lambda values: "" if not values.get("responders") else
    f"{len(values['responders'])} responder(s)",
)
