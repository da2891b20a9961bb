"""Notification templates: the built-ins' exact text, saved templates, the sandbox, limits."""
from __future__ import annotations

import tracemalloc
from dataclasses import replace
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.alerts import Alert, AlertGroup, sample_groups
from app.alerts import test_alert_group as make_test_group
from app.extensions import db
from app.models import NotificationTemplate
from app.templating import (
    BUILTIN_TEMPLATES,
    BUILTIN_TEXT,
    Rendered,
    TemplateRenderError,
    check_syntax,
    filters,
    limits,
    render_field,
    render_source,
)
from app.templating import _render as render_in_jinja
from app.templating.defaults import DEFAULTS
from app.templating.limits import BUILTIN_LIMITS

SAMPLES = sample_groups()
FIRING, RESOLVED, MIXED = SAMPLES["firing"], SAMPLES["resolved"], SAMPLES["mixed"]
BASE = "https://grafana.example.com"
SILENCE = f"{BASE}/alerting/silence/new?alertmanager=grafana"


def default(name: str, group=FIRING, html: bool = False) -> str:
    return render_field(None, name, group, html=html).text


def alert_block(instance: str, severity: str, cpu: float) -> str:
    """One alert as Grafana's default.message lists it."""
    return (
        f"\nValue: A={cpu}\nLabels:\n - alertname = HighCPU\n - env = prod\n"
        f" - instance = {instance}\n - service = api\n - severity = {severity}\n"
        f"Annotations:\n - description = {instance} used {cpu}% CPU over the last 5 minutes.\n"
        f" - summary = CPU usage on {instance} is high\n"
        f"Source: {BASE}/alerting/grafana/cpu-high/view?orgId=1\n"
        f"Silence: {SILENCE}&matcher=alertname%3DHighCPU&matcher=env%3Dprod"
        f"&matcher=instance%3D{instance}&matcher=service%3Dapi&matcher=severity%3D{severity}\n"
        f"Dashboard: {BASE}/d/api-overview?orgId=1\n"
        f"Panel: {BASE}/d/api-overview?orgId=1&viewPanel=4\n"
    )


def save_template(name: str, source: str) -> NotificationTemplate:
    template = NotificationTemplate(template=source)
    template.set_name(name)
    db.session.add(template)
    db.session.commit()
    return template


# --- the built-in templates ------------------------------------------------------------


def test_builtin_names_cover_every_integration_default():
    assert set(BUILTIN_TEMPLATES) == {
        "default.title", "default.message", "slack.default.title", "slack.default.text",
        "teams.default.title", "teams.default.message", "telegram.default.message",
        "email.default.html", "__subject", "__text_values_list", "__text_alert_list",
        "__teams_text_alert_list", "pagerduty.default.firing", "pagerduty.default.resolved",
        "email.default.text", "__email_alerts_summarize", "opsgenie.default.description",
        "slack.default.footer", "webhook.default.payload",
    }


@pytest.mark.parametrize(("group", "title"), [
    (FIRING, "[FIRING:2] HighCPU api (prod)"),
    (RESOLVED, "[RESOLVED] HighCPU api (prod)"),
    (MIXED, "[FIRING:1, RESOLVED:1] HighCPU api (prod)"),
    (make_test_group("ops", "http://herald.test/"), "[FIRING:1] TestAlert (Herald)"),
])
def test_default_title_has_status_count_group_values_and_other_common_labels(group, title):
    assert default("default.title", group) == title
    assert default("slack.default.title", group) == title
    assert default("teams.default.title", group) == title


def test_default_message_for_firing_lists_each_alert_like_grafana():
    assert default("default.message", FIRING) == (
        "**Firing**\n" + alert_block("api-1", "critical", 97.2)
        + alert_block("api-2", "warning", 93.5)
    )


def test_default_message_for_resolved():
    assert default("default.message", RESOLVED) == (
        "**Resolved**\n" + alert_block("api-1", "critical", 41.8)
        + alert_block("api-2", "warning", 38.1)
    )


def test_default_message_for_mixed_puts_firing_first_then_two_blank_lines():
    assert default("default.message", MIXED) == (
        "**Firing**\n" + alert_block("api-1", "critical", 97.2) + "\n\n"
        + "**Resolved**\n" + alert_block("api-2", "warning", 38.1)
    )


def test_default_message_says_no_value_and_leaves_out_missing_links():
    group = make_test_group("ops", "http://herald.test/")

    assert default("default.message", group) == (
        "**Firing**\n\nValue: [no value]\nLabels:\n - alertname = TestAlert\n"
        " - instance = Herald\nAnnotations:\n - summary = Notification test\n"
        "Source: http://herald.test/\n"
        "Silence: http://herald.test/alerting/silence/new?alertmanager=grafana"
        "&matcher=alertname%3DTestAlert&matcher=instance%3DHerald\n"
    )


texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
label_sets = st.dictionaries(texts, texts, max_size=5)
numbers = st.floats() | st.integers(-10**20, 10**20).map(float)
generated_alerts = st.builds(
    Alert, status=st.sampled_from(["firing", "resolved"]), labels=label_sets,
    annotations=label_sets, starts_at=st.just(FIRING.alerts[0].starts_at),
    generator_url=texts, silence_url=texts, dashboard_url=texts, panel_url=texts,
    values=st.none() | st.dictionaries(texts, numbers, max_size=3),
)
generated_groups = st.builds(
    AlertGroup, receiver=texts, status=st.sampled_from(["firing", "resolved"]),
    alerts=st.lists(generated_alerts, max_size=4), group_labels=label_sets,
    common_labels=label_sets,
)


@settings(max_examples=300, deadline=None)
@given(group=generated_groups, name=st.sampled_from(sorted(DEFAULTS)))
def test_python_defaults_render_exactly_what_their_templates_do(group, name):
    through_jinja = render_in_jinja(BUILTIN_TEXT.get_template(name), group, BUILTIN_LIMITS)

    assert DEFAULTS[name](group) == through_jinja
    assert render_field(None, name, group) == Rendered(through_jinja)


def test_python_defaults_leave_what_they_cannot_print_to_jinja():
    odd = replace(FIRING, group_labels={"alertname": 3})  # not text: Jinja's join prints it

    assert default("default.title", odd) == "[FIRING:2] 3 (prod api)"


def test_builtins_skip_the_limits_measuring_that_saved_templates_get(app, monkeypatch):
    measured = []
    real = filters.measure

    def counting(*args, **kwargs):
        measured.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(filters, "measure", counting)

    assert default("default.title") == "[FIRING:2] HighCPU api (prod)"
    assert default("default.message").startswith("**Firing**")
    assert measured == []
    assert render_source('{% include "default.title" %}', FIRING) == "[FIRING:2] HighCPU api (prod)"
    assert measured  # included from a saved template, the built-in runs under every limit


def test_a_builtin_longer_than_its_output_cap_gives_an_empty_text_and_a_warning():
    huge = make_test_group("ops", "http://herald.test/", labels={"blob": "x" * 600_000})
    huge.alerts.append(replace(huge.alerts[0], labels={**huge.alerts[0].labels, "n": "2"}))

    rendered = render_field(None, "default.message", huge)

    assert rendered == Rendered("", "built-in template 'default.message' failed: "
                                    "the output is longer than 1,048,576 characters")


def test_teams_message_is_grafanas_markdown_with_links_and_blank_lines():
    text = default("teams.default.message", RESOLVED)

    assert text.startswith(
        "**Resolved**\n\nValue: A=41.8\nLabels:\n - alertname = HighCPU\n - env = prod\n"
        " - instance = api-1\n - service = api\n - severity = critical\n\nAnnotations:\n"
        " - description = api-1 used 41.8% CPU over the last 5 minutes.\n"
        " - summary = CPU usage on api-1 is high\n\n"
        f"Source: [{BASE}/alerting/grafana/cpu-high/view?orgId=1]"
        f"({BASE}/alerting/grafana/cpu-high/view?orgId=1)\n\n"
    )
    assert text.endswith(
        f"Panel: [{BASE}/d/api-overview?orgId=1&viewPanel=4]"
        f"({BASE}/d/api-overview?orgId=1&viewPanel=4)\n\n\n"
    )


def test_slack_and_telegram_defaults_are_grafanas_plain_text():
    group = make_test_group("ops", "http://herald.test/?a=1", labels={"team": "<ops> & co"})

    for name in ("slack.default.text", "telegram.default.message"):
        assert default(name, group) == default("default.message", group)
        assert "<ops> & co" in default(name, group)


def test_email_html_escapes_alert_data_even_when_html_is_not_asked_for():
    group = make_test_group("ops", "http://herald.test/", labels={"team": "<script>x</script>"})

    for html in (True, False):
        body = default("email.default.html", group, html=html)
        assert body.startswith("<!DOCTYPE html>")
        assert "<script>" not in body
        assert "&lt;script&gt;x&lt;/script&gt;" in body
        assert "<title>[FIRING:1] TestAlert (Herald &lt;script&gt;x&lt;/script&gt;)</title>" in body


# --- rendering a person's template -----------------------------------------------------


def test_empty_or_missing_source_uses_the_builtin_without_warning():
    for source in (None, "", "  \n"):
        assert render_field(source, "default.title", FIRING) == Rendered(
            "[FIRING:2] HighCPU api (prod)"
        )


def test_source_sees_grafanas_names():
    source = (
        "{{ Status }} {{ Receiver }} {{ Alerts|length }}/{{ Alerts.Firing|length }}"
        "/{{ Alerts.Resolved()|length }} {{ GroupLabels.Names()|join(',') }} "
        "{{ CommonLabels.env }} {{ CommonLabels['service'] }} {{ TruncatedAlerts }} "
        "{% for p in CommonLabels.SortedPairs() %}{{ p.Name }}={{ p.Value }};{% endfor %} "
        "{% for a in Alerts %}{{ a.Labels.instance }}:{{ a.Status }}:{{ a.ValueString }} "
        "{% endfor %}{{ Alerts[0].StartsAt.year > 2000 }} {{ Alerts[0].EndsAt }} "
        "{{ CommonLabels.Remove(['env']).Values()|join(' ') }} {{ GroupKey }} {{ ExternalURL }}"
    )

    assert render_source(source, MIXED) == (
        "firing ops-team 2/1/1 alertname,service prod api 0 "
        "alertname=HighCPU;env=prod;service=api; "
        "api-1:firing:[ var='A' labels={instance=api-1} value=97.2 ] "
        "api-2:resolved:[ var='A' labels={instance=api-2} value=38.1 ] "
        'True None HighCPU api {}:{alertname="HighCPU",service="api"} '
        "https://grafana.example.com/"
    )


def test_jinjas_usual_filters_and_tests_work():
    source = (
        "{% for group in Alerts|groupby('Status') %}{{ group.grouper }}={{ group.list|length }} "
        "{% endfor %}{{ Alerts|map(attribute='Labels.instance')|join(',') }} "
        "{{ Alerts|selectattr('Status', 'equalto', 'resolved')|list|length }} "
        "{% for k, v in CommonLabels|dictsort %}{{ k|upper }}{{ loop.cycle('-', '+') }}"
        "{% endfor %} "
        "{{ CommonLabels|tojson }} {{ CommonLabels.get('team', 'none') }} "
        "{{ CommonLabels.team|default('-') }} {{ CommonLabels.team is defined }} "
        "{{ '%s=%05.1f' % ('cpu', 97.25) }} "
        "{{ (Alerts[1].EndsAt - Alerts[1].StartsAt).total_seconds()|int }}"
    )

    assert render_source(source, MIXED) == (
        "firing=1 resolved=1 api-1,api-2 1 ALERTNAME-ENV+SERVICE- "
        '{"alertname": "HighCPU", "env": "prod", "service": "api"} none - False cpu=097.2 1380'
    )


def test_text_is_not_escaped_but_html_is():
    group = make_test_group("ops", "http://herald.test/", annotations={"summary": "<b>&"})
    source = "{{ CommonAnnotations.summary }}"

    assert render_field(source, "default.title", group).text == "<b>&"
    assert render_field(source, "default.title", group, html=True).text == "&lt;b&gt;&amp;"


def test_a_failing_template_falls_back_to_the_default_with_a_warning():
    assert render_field("{{ foo }}", "default.title", FIRING) == Rendered(
        "[FIRING:2] HighCPU api (prod)",
        "template failed, default used: line 1: 'foo' is undefined",
    )


@pytest.mark.parametrize(("source", "error"), [
    ("ok\n\n{{ 1 }", "line 3: unexpected '}'"),
    ("{% if x %}", "line 1: Unexpected end of template. Jinja was looking for the following "
     "tags: 'elif' or 'else' or 'endif'. The innermost block that needs to be closed is 'if'."),
    ("{{ 1|nosuchfilter }}", "line 1: No filter named 'nosuchfilter'."),
    ("{{ ''.__class__ }}", "line 1: names starting with '_' are not available: '__class__'"),
    ("\n{{ config }}", "line 2: 'config' is not available in templates"),
])
def test_syntax_errors_name_the_line(source, error):
    with pytest.raises(TemplateRenderError) as caught:
        check_syntax(source)

    assert str(caught.value) == error
    assert caught.value.lineno == int(error.split(":")[0].removeprefix("line "))


@pytest.mark.parametrize(("source", "error"), [
    ("a\nb\n{{ CommonLabels.team }}", "line 3: there is no label or annotation named 'team'"),
    ("{% macro m() %}\n\n{{ 1 / 0 }}{% endmacro %}\n{{ m() }}", "line 3: division by zero"),
    ("\n{{ Alerts[0].Nope }}", "line 2: an alert has no field 'Nope'"),
    ("{{ Alerts[7] }}", "line 1: there is no item at index 7 (the list has 2)"),
])
def test_render_errors_name_the_line(source, error):
    check_syntax(source)
    with pytest.raises(TemplateRenderError) as caught:
        render_source(source, FIRING)

    assert str(caught.value) == error


# --- saved templates -------------------------------------------------------------------


def test_a_saved_template_is_included_by_name_ignoring_case(app):
    save_template("CPU Summary", "{{ Alerts.Firing|length }} hot: {{ CommonLabels.service }}")

    assert render_source('{% include "cpu summary" %}!', FIRING) == "2 hot: api!"
    rendered = render_field('{% include " CPU SUMMARY " %}', "default.title", FIRING)
    assert rendered == Rendered("2 hot: api")


def test_saved_template_changes_show_in_the_next_rendering(app):
    template = save_template("greeting", "hello")
    assert render_source('{% include "greeting" %}', FIRING) == "hello"

    template.template = "bonjour"
    db.session.commit()

    assert render_source('{% include "greeting" %}', FIRING) == "bonjour"


def test_saved_macros_can_be_imported(app):
    save_template("macros", "{% macro count(alerts) %}n={{ alerts|length }}{% endmacro %}")

    source = '{% import "macros" as m %}{{ m.count(Alerts) }} {% from "macros" import count %}'
    assert render_source(source + "{{ count(Alerts.Resolved) }}", FIRING) == "n=2 n=0"


def test_builtins_can_be_included_and_win_over_saved_names(app):
    save_template("default.title", "not me")

    assert render_source('>> {% include "default.title" %}', FIRING) == (
        ">> [FIRING:2] HighCPU api (prod)"
    )


@pytest.mark.parametrize(("saved", "error"), [
    ("a\n{{ 1 }", "line 2: in template 'inner' line 2: unexpected '}'"),
    ("a\n{{ nope }}", "line 2: in template 'inner' line 2: 'nope' is undefined"),
    ('{% include "inner" %}', "line 2: in template 'inner' line 1: templates call or include "
     "each other too deeply"),
])
def test_errors_in_saved_templates_name_the_template(app, saved, error):
    save_template("inner", saved)

    with pytest.raises(TemplateRenderError) as caught:
        render_source('x\n{% include "inner" %}', FIRING)

    assert str(caught.value) == error


def test_a_missing_template_falls_back_with_a_warning(app):
    assert render_field('{% include "nope" %}', "default.title", FIRING).warning == (
        "template failed, default used: line 1: there is no template named 'nope'"
    )


def test_saved_templates_need_an_app_context():
    with pytest.raises(TemplateRenderError, match="there is no template named 'x'"):
        render_source('{% include "x" %}', FIRING)


# --- the sandbox -----------------------------------------------------------------------

SSTI_PAYLOADS = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ ''['__class__']['__mro__'] }}",
    "{{ ''|attr('__class__') }}",
    "{{ (''|attr('__cla' ~ 'ss__')).mro() }}",
    "{{ Alerts|attr('__class__') }}",
    "{{ cycler.__init__.__globals__.os }}",
    "{{ joiner.__init__.__globals__.os.popen('id').read() }}",
    "{{ namespace.__init__.__globals__.os.environ }}",
    "{{ self.__init__.__globals__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ lipsum.__globals__ }}",
    "{{ lipsum }}",
    "{{ config }}",
    "{{ config.items() }}",
    "{{ request }}",
    "{{ request.application.__globals__ }}",
    "{{ url_for.__globals__ }}",
    "{{ g }}",
    "{{ ''.format }}",
    "{{ '{0.__class__.__mro__}'.format('') }}",
    "{{ '{0.Labels}'.format(Alerts[0]) }}",
    "{{ 'x'.format_map({}) }}",
    "{{ cycler }}",
    "{{ range }}",
    "{{ dict }}",
    "{{ Alerts[0].Labels.items }}",
    "{{ Alerts[0].FIELDS }}",
    "{{ CommonLabels.update({'a': 'b'}) }}",
    "{{ Alerts.append(1) }}",
    "{{ (1).to_bytes(8, 'big') }}",
    "{{ 'x'.encode() }}",
    "{{ Alerts[0].StartsAt.tzinfo.utcoffset }}",
    "{{ Alerts.Firing.fget }}",
    "{% for x in Alerts %}{{ loop }}{% endfor %}",
    "{% import 'os' as os %}",
    "{% include '/etc/passwd' %}",
    "{% include '../app/config.py' %}",
    "{% extends '/etc/hostname' %}",
]
TOO_LONG = "text would be longer than 65,536 characters"
MIB = 1024 * 1024


class PeakMemory:
    """The most memory Python allocated inside the block, in bytes (tracemalloc)."""

    def __enter__(self) -> PeakMemory:
        tracemalloc.start()
        self.bytes = 0
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.bytes = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
# What a leak would look like: objects' reprs, configuration, files, paths, addresses.
LEAKS = ("<class", "<function", "SECRET-do-not-leak", "root:", " at 0x", "site-packages", "/work")


@pytest.mark.parametrize("payload", SSTI_PAYLOADS)
def test_template_injection_payloads_are_refused(app, payload):
    app.config["SECRET_KEY"] = "SECRET-do-not-leak"

    with pytest.raises(TemplateRenderError) as caught:
        render_source(payload, FIRING)
    rendered = render_field(payload, "default.title", FIRING)

    assert rendered.text == "[FIRING:2] HighCPU api (prod)"
    assert rendered.warning.startswith("template failed, default used: line 1: ")
    for leak in LEAKS:
        assert leak not in str(caught.value)
        assert leak not in rendered.warning


# --- the limits ------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "error"), [
    ("{% for i in range(10**9) %}{% endfor %}", "range() is limited to 10,000 items"),
    ("{{ 'a' * 10**9 }}", TOO_LONG),
    ("{{ 10**9 * 'a' }}", TOO_LONG),
    ("{{ [0] * 10**9 }}", "a value would have more than 10,000 items"),
    ("{{ 2 ** 100000 }}", "numbers are limited to 4,096 bits"),
    ("{{ 'a'|center(10**9) }}", TOO_LONG),
    ("{{ '%999999999d'|format(1) }}", "format widths are limited to 1,000 characters"),
    ("{{ '%*d' % (10**9, 1) }}", "format widths are limited to 1,000 characters"),
    ("{{ ('a' * 9000).replace('a', 'aaaaaaaaaa') }}", TOO_LONG),
    ("{{ ('a' * 9000)|replace('a', 'aaaaaaaaaa') }}", TOO_LONG),
    ("{{ ','.join(['a' * 9000] * 10) }}", TOO_LONG),
    ("{{ (['a' * 9000] * 10)|join }}", TOO_LONG),
    ("{{ [1]|batch(10**9, 0)|list }}", "a value would have more than 10,000 items"),
])
def test_single_huge_operations_are_refused_before_they_run(source, error):
    with PeakMemory() as peak, pytest.raises(TemplateRenderError) as caught:
        render_source(source, FIRING)

    assert str(caught.value) == f"line 1: {error}"
    assert peak.bytes < 16 * MIB  # any of them run would have taken a gigabyte or more


@pytest.mark.parametrize(("source", "error"), [
    ("{% set ns = namespace(s='ab') %}{% for i in range(100) %}{% set ns.s = ns.s ~ ns.s %}"
     "{% endfor %}", TOO_LONG),
    ("{% set ns = namespace(s='ab') %}{% for i in range(100) %}{% set ns.s = ns.s + ns.s %}"
     "{% endfor %}", TOO_LONG),
    ("{% set ns = namespace(s=[1]) %}{% for i in range(100) %}{% set ns.s = [ns.s, ns.s] %}"
     "{% endfor %}", "a value would have more than 10,000 items"),
    ("{% set ns = namespace(s=(1,)) %}{% for i in range(100) %}{% set ns.s = (ns.s, ns.s) %}"
     "{% endfor %}{{ {ns.s: 1} }}", "a value would have more than 10,000 items"),
    ("{% set xs = range(10000)|list %}{% for a in xs %}{% for b in xs %}{% endfor %}"
     "{% endfor %}", "loops ran more than 100,000 times"),
    ("{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}",
     "templates call or include each other too deeply"),
    ("{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}x{% endmacro %}"
     "{{ f(60) }}", "the template produced more than 262,144 characters"),
    ("{% set s %}{% for i in range(10000) %}{% for j in range(9) %}" + "x" * 50
     + "{% endfor %}{% endfor %}{% endset %}",
     "the template produced more than 262,144 characters"),
    ("{% for i in range(3000) %}" + "x" * 30 + "{% endfor %}",
     "the output is longer than 65,536 characters"),
])
def test_growth_in_loops_and_recursion_is_stopped(source, error, monkeypatch):
    # The clock stands still: each is stopped by its own limit, not by the time limit, on
    # however busy a machine.
    monkeypatch.setattr(limits, "time", SimpleNamespace(monotonic=lambda: 0.0))
    with pytest.raises(TemplateRenderError) as caught:
        render_source(source, FIRING)

    assert error in str(caught.value)


def test_slow_rendering_is_stopped_after_one_second(monkeypatch):
    source = "{% for i in range(10000) %}{% set n = ('ab ' * 20000)|wordcount %}{% endfor %}"
    # A clock that moves a tenth of a second each time it is read: the rendering's second
    # is up after ten readings, however fast or busy the machine.
    readings = []

    def clock() -> float:
        readings.append(None)
        return len(readings) / 10

    monkeypatch.setattr(limits, "time", SimpleNamespace(monotonic=clock))
    with pytest.raises(TemplateRenderError, match="rendering took longer than 1 second"):
        render_source(source, FIRING)
    assert len(readings) < 20  # stopped at the first check past the second, not at the end

    rendered = render_field(source, "default.title", FIRING)
    assert rendered.warning == (
        "template failed, default used: line 1: rendering took longer than 1 second"
    )
    assert rendered.text == "[FIRING:2] HighCPU api (prod)"


def test_limits_leave_room_for_ordinary_templates():
    source = (
        "{% for i in range(10000) %}{% if i % 1000 == 0 %}{{ i }},{% endif %}{% endfor %}"
        "{{ ('x' * 60000)|length }} {{ ([1] * 9000)|sum }} {{ 2 ** 64 }}"
    )

    assert render_source(source, FIRING) == (
        "0,1000,2000,3000,4000,5000,6000,7000,8000,9000,60000 9000 18446744073709551616"
    )


def test_source_longer_than_64k_is_refused():
    with pytest.raises(TemplateRenderError, match="longer than 65,536 characters"):
        check_syntax("x" * 70_000)


def test_render_field_never_raises_even_without_a_usable_default():
    assert render_field("{{ nope }}", "no.such.template", FIRING) == Rendered(
        "",
        "template failed, default used: line 1: 'nope' is undefined; built-in template "
        "'no.such.template' failed: there is no built-in template named 'no.such.template'",
    )
