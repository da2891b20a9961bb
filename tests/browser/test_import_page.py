"""A person imports a Grafana provisioning file in a real browser: preview, apply, list."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer
from tests.browser.pages import row, row_menu_action

GRAFANA_FILE = """\
apiVersion: 1
contactPoints:
  - orgId: 1
    name: ops-team
    receivers:
      - uid: ops_slack
        type: slack
        settings:
          url: https://hooks.slack.example/services/T000/B000/XXXX
          recipient: "#ops"
          title: '{{ template "default.title" . }}'
      - uid: ops_hook
        type: webhook
        settings:
          url: https://hooks.example/alerts
          title: '{{ .CommonLabels.alertname | reReplaceAll "-" " " }}'
  - orgId: 1
    name: pager
    receivers:
      - uid: pager_pd
        type: pagerduty
        settings: {integrationKey: 0123456789abcdef, severity: critical}
      - uid: pager_pigeon
        type: carrier-pigeon
        settings: {}
templates:
  - orgId: 1
    name: short-title
    template: '{{ define "short-title" }}{{ .CommonLabels.alertname }} is {{ .Status }}{{ end }}'
"""


def preview_row(page: Page, name: str, detail: str):
    return page.get_by_role("row").filter(has_text=name).filter(has_text=detail)


def test_import_a_file_check_the_preview_apply_and_see_the_list(
    page: Page, live_server: LiveServer, tmp_path: Path
):
    grafana_file = tmp_path / "contact-points.yaml"
    grafana_file.write_text(GRAFANA_FILE)
    page.goto(live_server("/contact-points"))

    page.get_by_role("link", name="Import").click()
    page.get_by_label("Provisioning file").set_input_files(grafana_file)
    page.get_by_role("button", name="Preview").click()

    expect(page.get_by_role("heading", name="Import preview")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text(
        "2 contact points (3 integrations) created, 1 template created, 1 entry refused.")
    expect(preview_row(page, "short-title", "Created")).to_have_count(1)
    expect(preview_row(page, "ops-team", "Slack · uid ops_slack")).to_contain_text("Created")
    hook = preview_row(page, "ops-team", "Webhook · uid ops_hook")
    expect(hook).to_contain_text("Needs review: Title:")
    expect(hook).to_contain_text("reReplaceAll")
    pigeon = preview_row(page, "pager", "uid pager_pigeon")
    expect(pigeon).to_contain_text("Refused")
    expect(pigeon).to_contain_text("Unknown integration type 'carrier-pigeon'")

    page.get_by_role("button", name="Apply").click()

    expect(page).to_have_url(re.compile(r"/contact-points$"))
    expect(page.get_by_role("status").filter(has_text="Imported:")).to_contain_text(
        "Imported: 2 contact points (3 integrations) created, 1 template created, "
        "1 entry refused.")
    ops = row(page, "ops-team")
    expect(ops.locator(".integration")).to_have_count(2)
    expect(ops).to_contain_text("Needs review: Title:")
    expect(row(page, "pager").locator(".integration")).to_have_count(1)
    expect(row(page, "pager")).not_to_contain_text("Needs review")


def test_pasted_document_with_an_error_keeps_the_text_and_says_why(
    page: Page, live_server: LiveServer
):
    page.goto(live_server("/contact-points/import"))
    document = page.get_by_label("Or paste YAML or JSON")

    document.fill("apiVersion: 2\ncontactPoints: []\n")
    page.get_by_role("button", name="Preview").click()

    expect(page.get_by_role("alert")).to_have_text("apiVersion must be 1 (found 2).")
    expect(page.get_by_label("Or paste YAML or JSON")).to_have_value(
        "apiVersion: 2\ncontactPoints: []\n")


def test_export_a_row_as_json(page: Page, live_server: LiveServer, make_contact_point):
    make_contact_point("ops", [("slack", {"url": "https://hooks.slack.example/very-secret",
                                          "recipient": "#ops"})])
    page.goto(live_server("/contact-points"))

    row_menu_action(row(page, "ops"), "Export").click()
    page.get_by_label("Format").select_option(label="JSON")
    page.get_by_role("button", name="Show").click()

    exported = page.get_by_label("Exported document")
    expect(exported).to_contain_text('"name": "ops"')
    expect(exported).to_contain_text('"url": "[REDACTED]"')
    expect(page.get_by_label("Include secrets")).to_have_count(0)
