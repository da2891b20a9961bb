"""The email's HTML part, as received by a real SMTP server: Grafana's ng_alert_notification
layout (grouping header, firing and resolved instances, buttons, footer), escaped."""
from __future__ import annotations

import re
from datetime import UTC, datetime

from app.alerts import Alert, fingerprint
from app.version import __version__
from tests.senders.conftest import make_group

BUTTON = 'style="display: inline-block; background: #3D71D9;'


def received_parts(smtp_server) -> tuple[str, str]:
    """The text and HTML parts of the only email received."""
    (mail,) = smtp_server.received
    text = mail.message.get_body(preferencelist=("plain",)).get_content()
    html = mail.message.get_body(preferencelist=("html",)).get_content()
    # Mail travels with CRLF line ends.
    return text.replace("\r\n", "\n"), html.replace("\r\n", "\n")


def link(html: str, label: str) -> str:
    """The href of the button or link with this text."""
    (found,) = re.findall(rf'<a href="([^"]*)"[^>]*>\s*{re.escape(label)}\s*</a>', html)
    return found


def test_firing_alerts_are_listed_as_grafana_lists_them(smtp_server, deliver):
    group = make_group("firing", count=2)
    group.alerts[0].silence_url = "http://herald.test/alerting/silence/new?a=1&b=2"
    group.alerts[0].values = {"B": 2.5, "A": 97.0}

    deliver("email", {"addresses": "a@example.test"}, group)

    text, html = received_parts(smtp_server)
    assert html.startswith("<!DOCTYPE html>")
    assert "<title>[FIRING:2] DiskFull (P2)</title>" in html
    assert "<strong>2 firing</strong> alert instances" in html  # the inbox preview
    assert "<h2>📁 Grouped by&nbsp;</h2>\n<p>alertname=DiskFull </p>" in html
    assert "<h3>🔥 2 firing instances</h3>" in html
    assert "resolved instances" not in html
    assert html.count(">Firing</span>") == 2
    assert html.count("<strong>DiskFull</strong>") == 2
    for number in (1, 2):
        assert f'<strong>instance</strong></td><td style="padding: 2px 0;">db-{number}</td>' \
            in html
    assert html.count("<strong>Summary</strong><br>Disk is full</td>") == 2
    assert "<strong>Annotations</strong>" not in html  # summary has its own section
    assert "A=97&nbsp; B=2.5&nbsp;" in html
    assert html.count("<strong>Values</strong>") == 1
    assert link(html, "Silence") == "http://herald.test/alerting/silence/new?a=1&amp;b=2"
    assert html.count(f'<a href="http://grafana.test/alerting/disk/view" {BUTTON}') == 2
    assert ("before this notification was delivered, at "
            "<strong>2026-01-02 03:04:05 +0000 UTC</strong>") in html
    assert re.search(r"Observed <strong>\d+h\d+m\d+s</strong> before", html)
    assert text.startswith("You have 2 firing alert(s), and 0 resolved alert(s)")


def test_footer_and_links_name_herald_at_its_external_url(smtp_server, deliver, firing):
    deliver("email", {"addresses": "a@example.test"}, firing)

    _, html = received_parts(smtp_server)
    year = datetime.now(UTC).year
    assert (f'&copy; {year} Herald. Sent by <a href="http://herald.test/" '
            f'style="color: #3D71D9;">Herald v{__version__}</a>.') in html
    assert link(html, "Go to alerts page") == (
        "http://herald.test/alerting/list?alertState=firing&amp;view=state")
    assert '<img src="http://herald.test/static/herald-32.png" alt="Herald"' in html
    assert "Grafana" not in html


def test_resolved_alerts_have_their_own_section(smtp_server, deliver, resolved):
    deliver("email", {"addresses": "a@example.test"}, resolved)

    _, html = received_parts(smtp_server)
    assert "<h3>✅ 1 resolved instances</h3>" in html
    assert "<strong>1 resolved</strong> alert instance</div>" in html
    assert "firing instances" not in html
    assert 'color: #32602b;">Resolved</span>' in html
    assert ">Firing</span>" not in html


def test_firing_comes_before_resolved_in_one_email(smtp_server, deliver, firing):
    gone = make_group("resolved").alerts[0]
    gone.labels = {**gone.labels, "instance": "db-9"}
    firing.alerts.append(gone)

    deliver("email", {"addresses": "a@example.test"}, firing)

    _, html = received_parts(smtp_server)
    assert ("<strong>1 firing</strong> alert instance&nbsp;and&nbsp;"
            "<strong>1 resolved</strong> alert instance") in html
    assert html.index("🔥 1 firing instances") < html.index("✅ 1 resolved instances")
    assert html.index(">db-1<") < html.index("✅") < html.index(">db-9<")


def test_default_grouping_shows_folder_and_rule(smtp_server, deliver, firing):
    firing.group_labels = {"alertname": "DiskFull", "grafana_folder": "Storage & <Disks>"}

    deliver("email", {"addresses": "a@example.test"}, firing)

    _, html = received_parts(smtp_server)
    assert "<h2>📁 Storage &amp; &lt;Disks&gt; &rsaquo; DiskFull</h2>" in html
    assert "Grouped by" not in html


def hostile_alert() -> Alert:
    labels = {"alertname": "<script>alert(1)</script>", "team": '"><img src=x onerror=y>'}
    return Alert(
        status="firing", labels=labels, fingerprint=fingerprint(labels),
        annotations={"description": "line <b>one</b>\nline two", "note": "<i>x</i>",
                     "runbook_url": "javascript:alert(1)"},
        starts_at=datetime(2026, 1, 2, 3, 4, 5, 250000, tzinfo=UTC),
        generator_url='http://grafana.test/view?x="><script>',
        dashboard_url="JavaScript:alert(2)",
    )


def test_hostile_values_are_escaped_and_unsafe_links_replaced(smtp_server, deliver, firing):
    firing.alerts = [hostile_alert()]

    deliver("email", {"addresses": "a@example.test"}, firing)

    _, html = received_parts(smtp_server)
    assert "<script>" not in html and "<img src=x" not in html and "<b>" not in html
    assert "<strong>&lt;script&gt;alert(1)&lt;/script&gt;</strong>" in html
    assert "&#34;&gt;&lt;img src=x onerror=y&gt;</td>" in html
    assert "<strong>Description</strong><br>line &lt;b&gt;one&lt;/b&gt;<br>line two<br>" in html
    assert '<strong>note</strong></td><td style="padding: 2px 0;">&lt;i&gt;x&lt;/i&gt;' in html
    assert link(html, "View alert") == "http://grafana.test/view?x=&#34;&gt;&lt;script&gt;"
    assert link(html, "View runbook") == "#ZgotmplZ"
    assert link(html, "View dashboard") == "#ZgotmplZ"
    assert 'href="javascript' not in html.lower()
    assert "<strong>2026-01-02 03:04:05.25 +0000 UTC</strong>" in html


def test_custom_message_goes_into_the_same_layout(smtp_server, deliver, firing):
    values = {"addresses": "a@example.test",
              "message": "Check <the> disk on {{ CommonLabels.instance }}\nthen call ops"}

    deliver("email", values, firing)

    text, html = received_parts(smtp_server)
    assert ("<div style=\"background-color: #ffffff; border: 1px solid #e4e5e6; "
            "margin: 0 auto 20px; padding: 10px 25px;\">"
            "Check &lt;the&gt; disk on db-1<br>then call ops<br></div>") in html
    assert "<h2>📁 Grouped by&nbsp;</h2>" in html
    assert "firing instances" not in html and "View alert" not in html
    assert f"Herald v{__version__}</a>." in html
    assert text.startswith("Check <the> disk on db-1\nthen call ops\n\n\nSent by Herald v")


def test_an_html_part_too_large_to_build_leaves_the_text_alone(smtp_server, deliver):
    group = make_group("firing", count=250)
    for alert in group.alerts:
        alert.annotations = {**alert.annotations, "note": "x" * 3_000}

    result = deliver("email", {"addresses": "a@example.test"}, group)

    assert result.ok, result.error
    (mail,) = smtp_server.received
    assert mail.message.get_content_type() == "text/plain"
    assert mail.message.get_content().startswith("You have 250 firing alert(s)")
