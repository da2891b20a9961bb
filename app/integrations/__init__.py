"""The registry of integration types: one module each, listed explicitly."""
from __future__ import annotations

from app.integrations import (
    alertmanager,
    apprise_url,
    dingding,
    discord,
    email,
    googlechat,
    gotify,
    jira,
    kafka,
    matrix,
    mattermost,
    mqtt,
    ntfy,
    oncall,
    opsgenie,
    pagerduty,
    pushover,
    rocketchat,
    sensugo,
    slack,
    sns,
    teams,
    telegram,
    threema,
    twilio,
    victorops,
    webex,
    webhook,
    wecom,
    zulip,
)
from app.integrations.base import CATEGORIES, IntegrationType

REGISTRY: dict[str, IntegrationType] = {
    module.INTEGRATION.type: module.INTEGRATION
    for module in (email, slack, teams, discord, pagerduty, webhook, telegram, opsgenie,
                   googlechat, mattermost, rocketchat, zulip, matrix, ntfy, gotify, twilio,
                   apprise_url,
                   alertmanager, pushover, victorops, webex, sensugo, kafka, threema, wecom,
                   dingding, oncall, sns, jira, mqtt)
}
DEFAULT_TYPE = "email"


def get_type(type_id: str) -> IntegrationType | None:
    return REGISTRY.get(type_id)


def types_by_label() -> list[IntegrationType]:
    """Every registered type, in the order of the Integration dropdown."""
    return sorted(REGISTRY.values(), key=lambda t: t.label.casefold())


def type_groups() -> list[tuple[str, list[IntegrationType]]]:
    """The Integration dropdown's groups: each category in order, its types by label."""
    types = types_by_label()
    groups = [(category, [t for t in types if t.category == category])
              for category in CATEGORIES]
    return [(category, members) for category, members in groups if members]
