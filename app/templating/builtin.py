"""The built-in templates, modelled on Grafana's (grafana/alerting templates/default_template.go).

They are rendered with trim_blocks and lstrip_blocks, so a line holding only a block
tag leaves nothing behind.
"""
from __future__ import annotations

from app.templating.email_html import EMAIL_HTML
from app.version import __version__

# Grafana's __subject: the count of resolved alerts only when some are firing, and the
# spaces kept even when there are no group labels ("[FIRING:2]  (HighCPU)").
SUBJECT = (
    '[{{ Status|upper }}{% if Status == "firing" %}:{{ Alerts.Firing|length }}'
    '{% if Alerts.Resolved %}, RESOLVED:{{ Alerts.Resolved|length }}{% endif %}{% endif %}]'
    ' {{ GroupLabels.Values()|join(" ") }} '
    '{% if CommonLabels|length > GroupLabels|length %}'
    '({{ CommonLabels.Remove(GroupLabels.Names()).Values()|join(" ") }}){% endif %}'
)

# The templates below that Grafana calls with a sub-value ({{ template "x" .Alerts.Firing }})
# read it from `dot`; without one they use the whole group's alerts (or its first alert).
VALUES_LIST = (
    '{% set alert = dot if dot is defined else Alerts[0] %}'
    '{% for ref, value in alert.Values.items() %}{{ ", " if not loop.first }}'
    '{{ ref }}={{ value }}{% else %}[no value]{% endfor %}'
)

ALERT_LIST = """\
{% for alert in (dot if dot is defined else Alerts) %}

Value: {% with dot = alert %}{% include "__text_values_list" %}{% endwith %}

Labels:
{% for label in alert.Labels.SortedPairs() %}
 - {{ label.Name }} = {{ label.Value }}
{% endfor %}
Annotations:
{% for annotation in alert.Annotations.SortedPairs() %}
 - {{ annotation.Name }} = {{ annotation.Value }}
{% endfor %}
{% for name, url in [("Source", alert.GeneratorURL), ("Silence", alert.SilenceURL),
                     ("Dashboard", alert.DashboardURL), ("Panel", alert.PanelURL)] if url %}
{{ name }}: {{ url }}
{% endfor %}
{% endfor %}
"""

# Grafana's __teams_text_alert_list: Markdown, so blank lines separate the paragraphs.
TEAMS_ALERT_LIST = """\
{% for alert in (dot if dot is defined else Alerts) %}

Value: {% with dot = alert %}{% include "__text_values_list" %}{% endwith %}

Labels:
{% for label in alert.Labels.SortedPairs() %}
 - {{ label.Name }} = {{ label.Value }}
{% endfor %}

Annotations:
{% for annotation in alert.Annotations.SortedPairs() %}
 - {{ annotation.Name }} = {{ annotation.Value }}
{% endfor %}

{% for name, url in [("Source", alert.GeneratorURL), ("Silence", alert.SilenceURL),
                     ("Dashboard", alert.DashboardURL), ("Panel", alert.PanelURL)] if url %}
{{ name }}: [{{ url }}]({{ url }})

{% endfor %}

{% endfor %}
"""

# Firing alerts, then resolved ones, each list under a heading; sections are joined
# by two blank lines, as in Grafana's default.message.
SECTIONS = """\
{% if Alerts.Firing %}
**Firing**
{% with dot = Alerts.Firing %}{% include "{LIST}" %}{% endwith %}
{%- if Alerts.Resolved %}


{% endif %}
{% endif %}
{% if Alerts.Resolved %}
**Resolved**
{% with dot = Alerts.Resolved %}{% include "{LIST}" %}{% endwith %}
{%- endif %}
"""

# Grafana's plain-text email (templates/email/ng_alert_notification.txt): a summary of
# each alert. Text after a block tag loses its newline (trim_blocks), so newlines that
# follow a tag are written as {{ NL }}.
NL = '{{ "\\n" }}'
EMAIL_PAIRS = ('{% for pair in {NAME}.SortedPairs() %}' + NL
               + ' - {{ pair.Name }} = {{ pair.Value }}{% endfor %}')
EMAIL_SUMMARY = (
    '{% for alert in (dot if dot is defined else Alerts) %}{% set labels = alert.Labels %}'
    '{% if labels.get("alertname") %}' + NL + 'Alertname: {{ labels.alertname }}'
    '{% set labels = labels.Remove(["alertname"]) %}{% endif %}'
    + NL + 'Labels: ' + EMAIL_PAIRS.replace("{NAME}", "labels")
    + '{% set annotations = alert.Annotations %}'
    + ''.join(
        f'{{% if annotations.get("{key}") %}}' + NL + f'{title}: {{{{ annotations["{key}"] }}}}'
        f'{{% set annotations = annotations.Remove(["{key}"]) %}}{{% endif %}}'
        for key, title in (("summary", "Summary"), ("description", "Description"),
                           ("runbook_url", "Runbook")))
    + '{% if annotations %}' + NL + 'Annotations: ' + EMAIL_PAIRS.replace("{NAME}", "annotations")
    + '{% endif %}' + NL + '{% endfor %}'
)
EMAIL_TEXT = (
    'You have {{ Alerts.Firing|length }} firing alert(s), and {{ Alerts.Resolved|length }} '
    'resolved alert(s) for map[{% for pair in GroupLabels.SortedPairs() %}'
    '{{ " " if not loop.first }}{{ pair.Name }}:{{ pair.Value }}{% endfor %}]' + NL + NL
    + '{% if Alerts.Firing %}({{ Alerts.Firing|length }}) FIRING' + NL + '-----------' + NL
    + '{% with dot = Alerts.Firing %}{% include "__email_alerts_summarize" %}{% endwith %}'
    '{% endif %}{% if Alerts.Resolved %}' + NL + '({{ Alerts.Resolved|length }}) RESOLVED'
    + NL + '-------------' + NL
    + '{% with dot = Alerts.Resolved %}{% include "__email_alerts_summarize" %}{% endwith %}'
    '{% endif %}' + NL + 'Go to the Alerts page: {{ ExternalURL.rstrip("/") }}'
    '/alerting/list?alertState=firing&view=state'
)

BUILTIN_TEMPLATES: dict[str, str] = {
    "default.title": '{% include "__subject" %}',
    "default.message": SECTIONS.replace("{LIST}", "__text_alert_list"),
    "__subject": SUBJECT,
    "__text_values_list": VALUES_LIST,
    "__text_alert_list": ALERT_LIST,
    "__teams_text_alert_list": TEAMS_ALERT_LIST,
    "teams.default.message": SECTIONS.replace("{LIST}", "__teams_text_alert_list"),
    # PagerDuty's default custom details "firing" and "resolved".
    "pagerduty.default.firing":
        '{% with dot = Alerts.Firing %}{% include "__text_alert_list" %}{% endwith %}',
    "pagerduty.default.resolved":
        '{% with dot = Alerts.Resolved %}{% include "__text_alert_list" %}{% endwith %}',
    # Grafana's Slack footer, with Herald's name and version.
    "slack.default.footer": f"Herald v{__version__}",
    "email.default.html": EMAIL_HTML,
    "email.default.text": EMAIL_TEXT,
    # Opsgenie's default description: the title, the alert list, the message.
    "opsgenie.default.description":
        '{% include "default.title" %}' + NL + '{{ ExternalURL.rstrip("/") }}/alerting/list'
        + NL + NL + '{% include "default.message" %}',
    "__email_alerts_summarize": EMAIL_SUMMARY,
}

# Grafana's webhook.default.payload: the webhook's default body as pretty JSON, for a custom
# payload template to start from; title and message are the default ones.
WEBHOOK_PAYLOAD = """\
{%- set ns = namespace(alerts=[]) -%}
{%- for alert in Alerts -%}
{%- set ns.alerts = ns.alerts + [{
  "status": alert.Status, "labels": alert.Labels, "annotations": alert.Annotations,
  "startsAt": alert.StartsAt.isoformat()|replace("+00:00", "Z"),
  "endsAt": alert.EndsAt.isoformat()|replace("+00:00", "Z") if alert.EndsAt
            else "0001-01-01T00:00:00Z",
  "generatorURL": alert.GeneratorURL, "fingerprint": alert.Fingerprint,
  "silenceURL": alert.SilenceURL, "dashboardURL": alert.DashboardURL,
  "panelURL": alert.PanelURL, "values": alert.Values or none,
  "valueString": alert.ValueString}] -%}
{%- endfor -%}
{%- set title %}{% include "default.title" %}{% endset -%}
{%- set message %}{% include "default.message" %}{% endset -%}
{{ {"receiver": Receiver, "status": Status, "alerts": ns.alerts, "groupLabels": GroupLabels,
    "commonLabels": CommonLabels, "commonAnnotations": CommonAnnotations,
    "externalURL": ExternalURL, "version": "1", "orgId": 1,
    "truncatedAlerts": TruncatedAlerts, "groupKey": GroupKey,
    "state": "ok" if Status == "resolved" else "alerting", "title": title,
    "message": message}|tojson(indent=1) }}"""
BUILTIN_TEMPLATES["webhook.default.payload"] = WEBHOOK_PAYLOAD

# Names Herald used for its own defaults before they became Grafana's; kept so that
# saved templates including them still render.
BUILTIN_TEMPLATES.update({
    "slack.default.title": '{% include "default.title" %}',
    "slack.default.text": '{% include "default.message" %}',
    "teams.default.title": '{% include "default.title" %}',
    "telegram.default.message": '{% include "default.message" %}',
})

# The built-ins that take a sub-value, as {% with dot = value %}{% include name %}.
DOT_TEMPLATES = frozenset({"__text_values_list", "__text_alert_list",
                           "__teams_text_alert_list", "__email_alerts_summarize"})
