"""The registry of integration types: one module each, listed explicitly."""
from __future__ import annotations

from app.integrations import (
    alertmanager,
    dingding,
    discord,
    email,
    googlechat,
    jira,
    kafka,
    mqtt,
    oncall,
    opsgenie,
    pagerduty,
    pushover,
    sensugo,
    slack,
    sns,
    teams,
    telegram,
    threema,
    victorops,
    webex,
    webhook,
    wecom,
)
from app.integrations.base import IntegrationType

REGISTRY: dict[str, IntegrationType] = {
    module.INTEGRATION.type: module.INTEGRATION
    for module in (email, slack, teams, discord, pagerduty, webhook, telegram, opsgenie,
                   googlechat, alertmanager, pushover, victorops, webex, sensugo, kafka,
                   threema, wecom, dingding, oncall, sns, jira,
                   mqtt)
}
DEFAULT_TYPE = "email"


def get_type(type_id: str) -> IntegrationType | None:
    return REGISTRY.get(type_id)


def types_by_label() -> list[IntegrationType]:
    """Every registered type, in the order of the Integration dropdown."""
    return sorted(REGISTRY.values(), key=lambda t: t.label.casefold())
