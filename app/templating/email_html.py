"""The email's HTML part, laid out as Grafana's ng_alert_notification email.

Grafana builds it from emails/templates/ng_alert_notification.mjml and its partials
(grouping_labels, firing_instance, resolved_instance, instance_details, footer); this is
the same structure written for Jinja, with inline styles as email clients need, Herald's
name in the footer and links at Herald's external URL.

Rendered with autoescaping. The email sender gives it Title, Message, Now, AppUrl,
AlertPageUrl and HeraldIconUrl; without them (a preview, an include) it still renders.
"""
from __future__ import annotations

from app.version import __version__

# Shared inline styles: Grafana's light theme (theme.css) and mjml's text defaults.
STYLES = """\
{% set font = "font-family: Inter, Helvetica, Arial, sans-serif; font-size: 13px; \
line-height: 150%; color: #000000;" %}
{% set card = "background-color: #ffffff; border: 1px solid #e4e5e6; margin: 0 auto 20px;" %}
{% set cell = "padding: 10px 25px; text-align: left; vertical-align: top;" %}
{% set rule = "border-top: 1px solid #e4e5e6;" %}
{% set button = "display: inline-block; background: #3D71D9; color: #ffffff; \
padding: 5px 12px; border-radius: 3px; text-decoration: none; margin: 0 8px 4px 0;" %}
{% set badges = {
    "firing": "background: #fae0e3; border: 1px solid #ed8894; color: #931625;",
    "resolved": "background: #e5f2e4; border: 1px solid #94cb8c; color: #32602b;",
} %}
"""

# Go prints a time as "2006-01-02 15:04:05.999999999 -0700 MST" and a duration as 1h2m3s.
MACROS = """\
{% macro go_time(t) %}{{ t.strftime("%Y-%m-%d %H:%M:%S") }}\
{% if t.microsecond %}.{{ ("%06d" % t.microsecond).rstrip("0") }}{% endif %}\
{{ t.strftime(" %z %Z") }}{% endmacro %}
{% macro go_duration(seconds) %}{% if seconds >= 3600 %}{{ seconds // 3600 }}h{% endif %}\
{% if seconds >= 60 %}{{ seconds % 3600 // 60 }}m{% endif %}{{ seconds % 60 }}s{% endmacro %}
{% macro pairs_table(pairs) %}
<table role="presentation" style="border-collapse: collapse; width: 100%; font-size: 13px;">
{% for pair in pairs %}
<tr><td style="padding: 2px 12px 2px 0; width: 35%; vertical-align: top;">\
<strong>{{ pair.Name }}</strong></td><td style="padding: 2px 0;">{{ pair.Value }}</td></tr>
{% endfor %}
</table>
{% endmacro %}
{% macro lines(text) %}{% for line in text.split("\\n") %}{{ line }}<br>{% endfor %}{% endmacro %}
{# Go's html/template replaces a link of any scheme but http, https and mailto. #}
{% macro href(url) %}{% set scheme, colon, rest = url.partition(":") %}\
{{ "#ZgotmplZ" if colon and "/" not in scheme \
and scheme.lower() not in ("http", "https", "mailto") else url }}{% endmacro %}
{% macro plural(count) %}{{ "instance" if count == 1 else "instances" }}{% endmacro %}
"""

# partials/alerting/firing_instance, resolved_instance and instance_details: one alert.
INSTANCE = """\
{% macro instance(alert, status, now) %}
<table role="presentation" style="{{ card }} {{ font }} width: 100%; max-width: 600px; \
border-collapse: collapse;">
<tr><td style="padding: 10px 0; border-bottom: 1px solid #e4e5e6;">
<table role="presentation" style="width: 100%; border-collapse: collapse; font-size: 13px;"><tr>
<td style="width: 33%; text-align: center;"><span style="display: inline-block; \
padding: 5px 12px; border-radius: 3px; {{ badges[status] }}">{{ status|capitalize }}</span></td>
<td style="width: 34%; text-align: center;"><strong>{{ alert.Labels.get("alertname", "") }}\
</strong></td>
<td style="width: 33%; text-align: center;">{% if alert.GeneratorURL %}\
<a href="{{ href(alert.GeneratorURL) }}" style="{{ button }}">View alert</a>{% endif %}</td>
</tr></table>
</td></tr>
{% set annotations = alert.Annotations %}
{% for key, title in [("summary", "Summary"), ("description", "Description")] \
if annotations.get(key) %}
<tr><td style="{{ cell }}"><strong>{{ title }}</strong><br>\
{{ lines(annotations[key]) if key == "description" else annotations[key] }}</td></tr>
{% endfor %}
{% if alert.Values %}
<tr><td style="{{ cell }}"><strong>Values</strong>
<div style="background-color: #f4f5f5; border: 1px solid #e4e5e6; padding: 10px; \
margin-top: 4px;">{% for ref, value in alert.Values.items() %}{{ ref }}={{ value }}&nbsp; \
{% endfor %}</div></td></tr>
{% endif %}
{% set other = annotations.Remove(["description", "summary"]) %}
<tr><td style="{{ cell }}">
{% if alert.Labels %}
<strong>Labels</strong>
{{ pairs_table(alert.Labels.SortedPairs()) }}
{% endif %}
{% if other %}
<p style="margin: 10px 0 0;"><strong>Annotations</strong></p>
{{ pairs_table(other.SortedPairs()) }}
{% endif %}
</td></tr>
{% set actions = [("Silence", alert.SilenceURL), ("View runbook", annotations.get("runbook_url")),
                  ("View dashboard", alert.DashboardURL), ("View panel", alert.PanelURL)] %}
{% if actions|selectattr(1)|list %}
<tr><td style="{{ cell }} {{ rule }} padding-top: 15px; padding-bottom: 15px;">
{% for name, url in actions if url %}
<a href="{{ href(url) }}" style="{{ button }}">{{ name }}</a>
{% endfor %}
</td></tr>
{% endif %}
<tr><td style="{{ cell }} {{ rule }} color: #91929e;">
{% if now %}
{% set seconds = [((now - alert.StartsAt).total_seconds())|round|int, 0]|max %}
Observed <strong>{{ go_duration(seconds) }}</strong> before this notification was delivered, \
at <strong>{{ go_time(alert.StartsAt) }}</strong>
{% else %}
Observed at <strong>{{ go_time(alert.StartsAt) }}</strong>
{% endif %}
</td></tr>
</table>
{% endmacro %}
"""

BODY = """\
{% set title = Title if Title is defined else none %}
{% set message = Message if Message is defined else "" %}
{% set now = Now if Now is defined else none %}
{% set app_url = AppUrl if AppUrl is defined else ExternalURL %}
{% set alert_page_url = AlertPageUrl if AlertPageUrl is defined else "" %}
{% set icon_url = HeraldIconUrl if HeraldIconUrl is defined else "" %}
{% set firing, resolved = Alerts.Firing|length, Alerts.Resolved|length %}
<!DOCTYPE html>
<html lang="en">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% if title is none %}{% include "default.title" %}{% else %}{{ title }}{% endif %}</title>
</head>
<body style="margin: 0; padding: 0; word-spacing: normal; background-color: #ffffff;">
<div style="display: none; font-size: 1px; color: #ffffff; line-height: 1px; max-height: 0; \
max-width: 0; opacity: 0; overflow: hidden;">
{% if firing %}<strong>{{ firing }} firing</strong> alert {{ plural(firing) }}{% endif %}
{% if firing and resolved %}&nbsp;and&nbsp;{% endif %}
{% if resolved %}<strong>{{ resolved }} resolved</strong> alert {{ plural(resolved) }}{% endif %}
</div>
<div style="margin: 0 auto; max-width: 600px; padding: 20px 0; {{ font }}">
{% if icon_url %}
<p style="margin: 0 0 20px;"><img src="{{ href(icon_url) }}" alt="Herald" width="32" height="32" \
style="border: 0; vertical-align: middle;"> <strong style="font-size: 18px; \
vertical-align: middle;">Herald</strong></p>
{% endif %}
{% if GroupLabels.Names() == ["alertname", "grafana_folder"] %}
<h2>📁 {{ GroupLabels.grafana_folder }} &rsaquo; {{ GroupLabels.alertname }}</h2>
{% elif GroupLabels %}
<h2>📁 Grouped by&nbsp;</h2>
<p>{% for pair in GroupLabels.SortedPairs() %}{{ pair.Name }}={{ pair.Value }} {% endfor %}</p>
{% endif %}
{% if message %}
<div style="{{ card }} padding: 10px 25px;">{{ lines(message) }}</div>
{% else %}
{% for status, alerts, heading in [("firing", Alerts.Firing, "🔥"), \
("resolved", Alerts.Resolved, "✅")] if alerts %}
<h3>{{ heading }} {{ alerts|length }} {{ status }} instances</h3>
{% for alert in alerts %}
{{ instance(alert, status, now) }}
{% endfor %}
{% endfor %}
{% if alert_page_url %}
<p><a href="{{ href(alert_page_url) }}" style="{{ button }}">Go to alerts page</a></p>
{% endif %}
{% endif %}
<p style="text-align: center; margin-top: 20px;">&copy; {% if now %}{{ now.year }} {% endif %}\
Herald. Sent by {% if app_url %}<a href="{{ href(app_url) }}" style="color: #3D71D9;">\
Herald vVERSION</a>{% else %}Herald vVERSION{% endif %}.</p>
</div>
</body>
</html>
""".replace("VERSION", __version__)

EMAIL_HTML = STYLES + MACROS + INSTANCE + BODY
