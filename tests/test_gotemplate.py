"""Grafana's Go templates in Herald's language: what translates, what renders, what is flagged."""
from __future__ import annotations

import pytest

from app.alerts import sample_groups
from app.provisioning.gotemplate import is_go, split_defines, translate
from app.templating import render_source

TRANSLATED = [
    ('{{ template "default.title" . }}', '{% include "default.title" %}'),
    ('{{ template "default.message" . }}', '{% include "default.message" %}'),
    ('{{ template "slack.default.title" . }}', '{% include "slack.default.title" %}'),
    ('{{ template "slack.default.text" . }}', '{% include "slack.default.text" %}'),
    ('{{ template "teams.default.message" . }}', '{% include "teams.default.message" %}'),
    ("{{ .CommonLabels.alertname }}", "{{ CommonLabels.alertname }}"),
    ("{{ .Status }}: {{ len .Alerts.Firing }} firing",
     "{{ Status }}: {{ Alerts.Firing|length }} firing"),
    ("{{ .Alerts.Firing | len }}", "{{ Alerts.Firing|length }}"),
    ("{{ .Status | toUpper }}", "{{ Status|upper }}"),
    ('{{ if eq .Status "firing" }}🔥{{ else }}✅{{ end }}',
     '{% if Status == "firing" %}🔥{% else %}✅{% endif %}'),
    ('{{ if gt (len .Alerts.Resolved) 0 }}some resolved{{ end }}',
     "{% if (Alerts.Resolved|length) > 0 %}some resolved{% endif %}"),
    ("{{ if .CommonLabels.team }}{{ .CommonLabels.team }}{{ else }}nobody{{ end }}",
     '{% if CommonLabels.get("team") %}{{ CommonLabels.team }}{% else %}nobody{% endif %}'),
    ("{{ range .Alerts.Firing }}{{ .Labels.instance }} {{ end }}",
     "{% for alert in Alerts.Firing %}{{ alert.Labels.instance }} {% endfor %}"),
    ("{{ range .CommonLabels.SortedPairs }}{{ .Name }}={{ .Value }};{{ end }}",
     "{% for pair in CommonLabels.SortedPairs() %}{{ pair.Name }}={{ pair.Value }};"
     "{% endfor %}"),
    ("{{ range $alert := .Alerts }}{{ $alert.Labels.instance }}@{{ $.Status }} {{ end }}",
     "{% for alert in Alerts %}{{ alert.Labels.instance }}@{{ Status }} {% endfor %}"),
    ("{{ $count := len .Alerts }}{{ $count }} alerts",
     "{% set count = Alerts|length %}{{ count }} alerts"),
    ("{{- .Status -}}", "{{- Status -}}"),
    ('{{ index .CommonLabels "team" }}', '{{ CommonLabels["team"] }}'),
    # in a condition a missing key is false, as in Go
    ('{{ if index .CommonLabels "team" }}x{{ end }}',
     '{% if CommonLabels.get("team") %}x{% endif %}'),
    ("{{/* a note */}}\nA", "{# a note +#}\nA"),
    # Grafana's list templates called with a sub-value, as its own defaults do.
    ('{{ template "__text_alert_list" .Alerts.Firing }}',
     '{% with dot = Alerts.Firing %}{% include "__text_alert_list" %}{% endwith %}'),
    ('{{ range .Alerts }}{{ template "__text_values_list" . }};{{ end }}',
     '{% for alert in Alerts %}{% with dot = alert %}{% include "__text_values_list" %}'
     "{% endwith %};{% endfor %}"),
]


@pytest.mark.parametrize(("go", "herald"), TRANSLATED)
def test_common_go_forms_translate(go, herald):
    translation = translate(go)
    assert (translation.text, translation.problem, translation.go) == (herald, "", True)


RENDERED = [
    ("{{ .CommonLabels.alertname }} is {{ .Status }}", "HighCPU is firing"),
    ("{{ len .Alerts.Firing }}/{{ len .Alerts }}", "2/2"),
    ("{{ range .Alerts }}- {{ .Labels.instance }}\n{{ end }}",
     "- api-1\n- api-2\n"),
    ("{{ if .CommonLabels.missing }}yes{{ else }}no{{ end }}", "no"),
    # Go keeps the text around its actions: trim_blocks and lstrip_blocks must not eat it.
    ("Alerts:\n  {{ range .Alerts }}\n  * {{ .Labels.severity }}\n  {{ end }}\nend",
     "Alerts:\n  \n  * critical\n  \n  * warning\n  \nend"),
    ("{{ range .Alerts -}}\n  {{ .Labels.instance }}\n{{ end -}}", "api-1\napi-2\n"),
    ('{{ range .Alerts }}{{ template "__text_values_list" . }};{{ end }}', "A=97.2;A=93.5;"),
    # Go's url.QueryEscape: "/" and ":" escaped, a space as "+"
    ('{{ .ExternalURL | urlquery }}', "https%3A%2F%2Fgrafana.example.com%2F"),
    ('{{ urlquery "a b/c" }}', "a+b%2Fc"),
    ('{{ len "abc" }} {{ toUpper "x" }}', "3 X"),
]


@pytest.mark.parametrize(("go", "output"), RENDERED)
def test_translations_render_what_grafana_renders(app, go, output):
    translation = translate(go)
    assert translation.problem == ""
    assert render_source(translation.text, sample_groups()["firing"]) == output


UNTRANSLATABLE = [
    ('{{ printf "%s" .Status }}', "printf"),
    ("{{ .Values.B }}", "Herald has no “.Values”"),
    ("{{ range $i, $a := .Alerts }}x{{ end }}", "index and a value"),
    ('{{ template "custom.title" . }}', "no template named “custom.title”"),
    ('{{ range .Alerts }}{{ template "default.title" . }}{{ end }}', "whole alert data"),
    ('{{ template "default.message" .Alerts.Firing }}', "whole alert data"),
    ("{{ with .CommonLabels }}x{{ end }}", "“with”"),
    ("{{ if .Status }}never closed", "has no {{ end }}"),
    ("{{ .CommonLabels.alertname | reReplaceAll \"a\" \"b\" }}", "reReplaceAll"),
]


@pytest.mark.parametrize(("go", "why"), UNTRANSLATABLE)
def test_anything_else_is_kept_as_written_with_the_reason(go, why):
    translation = translate(go)
    assert translation.text == go
    assert why in translation.problem


@pytest.mark.parametrize("text", [
    "Plain words, no template",
    "{{ CommonLabels.alertname }} in Herald's own language",
    '{% include "default.title" %}',
    "{% if Status == 'firing' %}{{ Status }}{% endif %}",
    "{{ not Status }} {{ title ~ '!' }} {{ len }}",  # Jinja, though Go has such functions
])
def test_herald_text_is_left_alone(text):
    assert not is_go(text)
    assert translate(text).text == text


def test_references_resolve_through_the_given_names():
    names = {"short-title": "Short title"}

    translation = translate('{{ template "short-title" . }}', names.get)

    assert translation.text == '{% include "Short title" %}'


def test_define_blocks_are_split_out_with_their_bodies():
    source = ('{{ define "a" }}A: {{ if .Status }}{{ .Status }}{{ end }}{{ end }}\n'
              '{{ define "b" -}}\n  B\n{{- end }}')

    assert split_defines(source) == [("a", "A: {{ if .Status }}{{ .Status }}{{ end }}"),
                                     ("b", "B")]
    assert split_defines("no defines here") == []


def test_grafanas_own_sub_value_calls_render_grafanas_text(app):
    """A Grafana-written default.message, imported, renders what Herald's built-in does."""
    go = ('{{ if gt (len .Alerts.Firing) 0 }}**Firing**\n'
          '{{ template "__text_alert_list" .Alerts.Firing }}{{ if gt (len .Alerts.Resolved) 0 }}'
          '\n\n{{ end }}{{ end }}{{ if gt (len .Alerts.Resolved) 0 }}**Resolved**\n'
          '{{ template "__text_alert_list" .Alerts.Resolved }}{{ end }}')
    translation = translate(go)
    assert translation.problem == ""
    for group in sample_groups().values():
        assert render_source(translation.text, group) == render_source(
            '{% include "default.message" %}', group)
