"""The built-in templates, modelled on Grafana's (grafana/alerting templates/default_template.go).

They are rendered with trim_blocks and lstrip_blocks, so a line holding only a block
tag leaves nothing behind.
"""
from __future__ import annotations

TITLE = (
    '{% set firing = Alerts.Firing|length %}{% set resolved = Alerts.Resolved|length %}'
    '[{{ Status|upper }}:{{ firing if Status == "firing" else resolved }}'
    '{% if Status == "firing" and resolved %}, RESOLVED:{{ resolved }}{% endif %}]'
    '{% if GroupLabels %} {{ GroupLabels.Values()|join(" ") }}{% endif %}'
    '{% set extra = CommonLabels.Remove(GroupLabels.Names()) %}'
    '{% if extra %} ({{ extra.Values()|join(" ") }}){% endif %}'
)

# Firing alerts, then resolved ones, each list under a heading; sections are joined
# by two blank lines, as in Grafana.
SECTIONS = """\
{% if Alerts.Firing %}
{FIRING}
{{ alert_list(Alerts.Firing) }}
{%- if Alerts.Resolved %}


{% endif %}
{% endif %}
{% if Alerts.Resolved %}
{RESOLVED}
{{ alert_list(Alerts.Resolved) }}
{%- endif %}
"""

MESSAGE = """\
{% macro alert_list(alerts) %}
{% for alert in alerts %}

Value: {{ alert.ValueString or "[no value]" }}
Labels:
{% for label in alert.Labels.SortedPairs() %}
 - {{ label.Name }} = {{ label.Value }}
{% endfor %}
Annotations:
{% for annotation in alert.Annotations.SortedPairs() %}
 - {{ annotation.Name }} = {{ annotation.Value }}
{% endfor %}
{% if alert.GeneratorURL %}
Source: {{ alert.GeneratorURL }}
{% endif %}
{% if alert.SilenceURL %}
Silence: {{ alert.SilenceURL }}
{% endif %}
{% if alert.DashboardURL %}
Dashboard: {{ alert.DashboardURL }}
{% endif %}
{% if alert.PanelURL %}
Panel: {{ alert.PanelURL }}
{% endif %}
{% endfor %}
{% endmacro %}
""" + SECTIONS.replace("{FIRING}", "**Firing**").replace("{RESOLVED}", "**Resolved**")

# Grafana's teams.default.message: Markdown, so blank lines separate the paragraphs.
TEAMS_MESSAGE = """\
{% macro alert_list(alerts) %}
{% for alert in alerts %}

Value: {{ alert.ValueString or "[no value]" }}
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
{% endmacro %}
""" + SECTIONS.replace("{FIRING}", "**Firing**").replace("{RESOLVED}", "**Resolved**")

# Slack mrkdwn: &, < and > are escaped; links are <url|text>.
# https://api.slack.com/reference/surfaces/formatting#escaping
SLACK_TEXT = """\
{% macro esc(text) %}{{ text|replace("&", "&amp;")|replace("<", "&lt;")|replace(">", "&gt;") }}\
{% endmacro %}
{% macro alert_list(alerts) %}
{% for alert in alerts %}

*Value:* {{ esc(alert.ValueString or "[no value]") }}
*Labels:*
{% for label in alert.Labels.SortedPairs() %}
 - {{ esc(label.Name) }} = {{ esc(label.Value) }}
{% endfor %}
*Annotations:*
{% for annotation in alert.Annotations.SortedPairs() %}
 - {{ esc(annotation.Name) }} = {{ esc(annotation.Value) }}
{% endfor %}
{% for name, url in [("Source", alert.GeneratorURL), ("Silence", alert.SilenceURL),
                     ("Dashboard", alert.DashboardURL), ("Panel", alert.PanelURL)] if url %}
{{ " | " if not loop.first else "" }}<{{ esc(url)|replace("|", "%7C") }}|{{ name }}>
{%- if loop.last %}{{ "\\n" }}{% endif %}
{% endfor %}
{% endfor %}
{% endmacro %}
""" + SECTIONS.replace("{FIRING}", "*Firing*").replace("{RESOLVED}", "*Resolved*")

# Telegram's HTML parse mode: text escaped, links as <a href>.
# https://core.telegram.org/bots/api#html-style
TELEGRAM_MESSAGE = """\
{% macro alert_list(alerts) %}
{% for alert in alerts %}

Value: {{ (alert.ValueString or "[no value]")|e }}
Labels:
{% for label in alert.Labels.SortedPairs() %}
 - {{ label.Name|e }} = {{ label.Value|e }}
{% endfor %}
Annotations:
{% for annotation in alert.Annotations.SortedPairs() %}
 - {{ annotation.Name|e }} = {{ annotation.Value|e }}
{% endfor %}
{% for name, url in [("Source", alert.GeneratorURL), ("Silence", alert.SilenceURL),
                     ("Dashboard", alert.DashboardURL), ("Panel", alert.PanelURL)] if url %}
{{ " | " if not loop.first else "" }}<a href="{{ url|e }}">{{ name }}</a>
{%- if loop.last %}{{ "\\n" }}{% endif %}
{% endfor %}
{% endfor %}
{% endmacro %}
""" + SECTIONS.replace("{FIRING}", "<b>Firing</b>").replace("{RESOLVED}", "<b>Resolved</b>")

# An email body, rendered with autoescaping (html=True).
EMAIL_HTML = """\
<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>{% include "default.title" %}</title></head>
<body style="font-family: Arial, Helvetica, sans-serif; color: #1f1f1f; margin: 0; padding: 16px;">
{% set color = "#D63232" if Status == "firing" else "#36a64f" %}
<h1 style="font-size: 20px; border-left: 6px solid {{ color }}; padding-left: 10px;">\
{% include "default.title" %}</h1>
{% for heading, alerts in [("Firing", Alerts.Firing), ("Resolved", Alerts.Resolved)] if alerts %}
<h2 style="font-size: 16px;">{{ alerts|length }} {{ heading }}</h2>
{% for alert in alerts %}
<div style="border: 1px solid #d8d8d8; border-radius: 4px; padding: 8px 12px; margin: 8px 0;">
<p style="margin: 4px 0;"><strong>Value:</strong> {{ alert.ValueString or "[no value]" }}</p>
{% for title, pairs in [("Labels", alert.Labels), ("Annotations", alert.Annotations)] if pairs %}
<p style="margin: 8px 0 4px;"><strong>{{ title }}</strong></p>
<table style="border-collapse: collapse;">
{% for pair in pairs.SortedPairs() %}
<tr><td style="padding: 2px 12px 2px 0; color: #6e6e6e;">{{ pair.Name }}</td>\
<td style="padding: 2px 0;">{{ pair.Value }}</td></tr>
{% endfor %}
</table>
{% endfor %}
<p style="margin: 8px 0 4px;">
{% for name, url in [("Source", alert.GeneratorURL), ("Silence", alert.SilenceURL),
                     ("Dashboard", alert.DashboardURL), ("Panel", alert.PanelURL)] if url %}
<a href="{{ url }}" style="margin-right: 12px;">{{ name }}</a>
{% endfor %}
</p>
</div>
{% endfor %}
{% endfor %}
{% if TruncatedAlerts %}
<p>{{ TruncatedAlerts }} more alert(s) were left out.</p>
{% endif %}
<p style="color: #6e6e6e; font-size: 12px;">Sent by Herald\
{% if ExternalURL %} from <a href="{{ ExternalURL }}">{{ ExternalURL }}</a>{% endif %}.</p>
</body>
</html>
"""

BUILTIN_TEMPLATES: dict[str, str] = {
    "default.title": TITLE,
    "default.message": MESSAGE,
    "slack.default.title": '{% include "default.title" %}',
    "slack.default.text": SLACK_TEXT,
    "teams.default.title": '{% include "default.title" %}',
    "teams.default.message": TEAMS_MESSAGE,
    "telegram.default.message": TELEGRAM_MESSAGE,
    "email.default.html": EMAIL_HTML,
}
