"""receivers/webhook/v1/webhook_test.go (TestNotify_CustomPayload), as data: the payload
template written in Herald's template language, its vars, the alerts and the body Grafana's
test expects (compared as JSON, or as text for the empty payload).

Grafana's alerts carry an orgId that Herald's do not (see webhook.py). Go's `urlquery` is
Herald's `urlquery` filter (Jinja's urlencode keeps "/").
"""
from __future__ import annotations

from datetime import UTC, datetime

from tests.senders.grafana_cases import FIRING_VAL1, alert, group
from tests.senders.grafana_cases.webhook import alert_json, body, message_text, sample_alert

DEFAULT_PAYLOAD = '{% include "webhook.default.payload" %}'
GENERATOR = "http://localhost/generator"
FIRING_GENERATOR = FIRING_VAL1.replace("Silence:", f"Source: {GENERATOR}\nSilence:")

VARS = "{{ Vars|tojson(indent=1) }}"

# Grafana's coll.Slice/coll.Append loop: each alert's times and links as JSON.
ALERTMANAGER_LIKE = """\
[{% for alert in Alerts %}{{ {
  "labels": alert.Labels, "annotations": alert.Annotations,
  "startsAt": alert.StartsAt.strftime("%Y-%m-%dT%H:%M:%SZ"),
  "endsAt": alert.EndsAt.strftime("%Y-%m-%dT%H:%M:%SZ") if alert.EndsAt
            else "0001-01-01T00:00:00Z",
  "generatorURL": alert.GeneratorURL}|tojson }}{{ "," if not loop.last }}{% endfor %}]"""

# Grafana's tmpl.Exec "default.title" / "default.message" inside a coll.Dict.
KAFKA_ESQUE = """\
{% set description %}{% include "default.title" %}{% endset %}
{% set details %}{% include "default.message" %}{% endset %}
{{ {"type": "JSON", "data": {
  "description": description, "details": details, "client": "Grafana",
  "client_url": ExternalURL ~ "/alerting/list", "alert_state": Status,
  "incident_key": GroupKey}}|tojson(indent=1) }}"""

# Grafana's "dingding-like payload": a link message whose URL is query-escaped.
DINGDING_LIKE = """\
{% set url = ExternalURL ~ "/alerting/list" %}
{% set title %}{% include "default.title" %}{% endset %}
{% set text %}{% include "default.message" %}{% endset %}
{{ {"msgtype": "link", "link": {"title": title, "text": text, "messageUrl":
  "dingtalk://dingtalkclient/page/link?pc_slide=false&url=" ~ url|urlquery}}|tojson(indent=1) }}"""


def _alert(number: int, **fields):
    return alert({"alertname": f"alert{number}", "lbl1": f"val{number}"},
                 {f"ann{number}": f"annv{number}"}, generator_url=GENERATOR, **fields)


# name, settings, group, expected JSON (or the exact text for a plain-text body)
CASES = [
    ("Custom payload with one alert", {"payload.template": DEFAULT_PAYLOAD},
     group(sample_alert("val1"), receiver="my_receiver"),
     body([alert_json("val1")], "[FIRING:1]  (val1)", message_text("val1"))),
    ("variables and extra fields",
     {"maxAlerts": "1", "payload.template": VARS,
      "payload.vars": {"var1": "val1", "var2": "val2"}},
     group(_alert(1), _alert(2)), {"var1": "val1", "var2": "val2"}),
    ("Alertmanager-like payload",
     {"payload.template": ALERTMANAGER_LIKE},
     group(_alert(1, starts_at=datetime(2025, 1, 1, tzinfo=UTC))),
     [{"startsAt": "2025-01-01T00:00:00Z", "endsAt": "0001-01-01T00:00:00Z",
       "generatorURL": GENERATOR, "labels": {"alertname": "alert1", "lbl1": "val1"},
       "annotations": {"ann1": "annv1"}}]),
    ("kafka-esque payload",
     {"payload.template": KAFKA_ESQUE},
     group(_alert(1)),
     {"data": {"alert_state": "firing", "client": "Grafana",
               "client_url": "http://localhost/alerting/list",
               "description": "[FIRING:1]  (val1)", "details": FIRING_GENERATOR,
               "incident_key": "alertname"},
      "type": "JSON"}),
    ("dingding-like payload",
     {"payload.template": DINGDING_LIKE},
     group(_alert(1)),
     {"link": {"messageUrl": "dingtalk://dingtalkclient/page/link?pc_slide=false&url="
                             "http%3A%2F%2Flocalhost%2Falerting%2Flist",
               "text": FIRING_GENERATOR, "title": "[FIRING:1]  (val1)"},
      "msgtype": "link"}),
    ("empty payload", {"payload.template": '{{- "" -}}'}, group(_alert(1)), ""),
]
