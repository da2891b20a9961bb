"""Debian's Alertmanager forwards a group to Herald, which delivers it to a contact point."""
from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime

import pytest
import requests

from app.extensions import db
from tests.loopback import slow_receiver
from tests.pipeline import make_token
from tests.processes import free_port, kill, start_server, wait_for, wait_for_port

ALERTMANAGER = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
pytestmark = pytest.mark.skipif(ALERTMANAGER is None,
                                reason="Debian's prometheus-alertmanager is not installed")

CONFIG = """
route:
  receiver: herald
  group_by: [alertname]
  group_wait: 0s
  group_interval: 1s
receivers:
  - name: herald
    webhook_configs:
      - url: "http://127.0.0.1:{herald_port}/api/v1/webhook/alertmanager?contact_point=On-call%20team"
        send_resolved: true
        http_config:
          authorization:
            credentials: "{token}"
"""


def test_an_alert_posted_to_alertmanager_reaches_the_receiver(app, database_url, tmp_path,
                                                              make_contact_point):
    with slow_receiver(0) as receiver:
        make_contact_point("On-call team", [("webhook", {"url": receiver.url})])
        token = make_token("sender", "alertmanager")
        db.session.remove()
        herald_port, am_port = free_port(), free_port()
        config = tmp_path / "alertmanager.yml"
        config.write_text(CONFIG.format(herald_port=herald_port, token=token))
        log = tmp_path / "herald.log"
        herald = start_server(database_url, log, herald_port)
        alertmanager = subprocess.Popen(
            [ALERTMANAGER, f"--config.file={config}", f"--storage.path={tmp_path / 'am'}",
             f"--web.listen-address=127.0.0.1:{am_port}", "--cluster.listen-address="],
            stdout=subprocess.DEVNULL, stderr=(tmp_path / "am.log").open("wb"),
            start_new_session=True)
        try:
            wait_for_port(herald_port)
            wait_for_port(am_port)
            alert = [{"labels": {"alertname": "DiskFull", "instance": "db-1"},
                      "annotations": {"summary": "Disk is full"},
                      "startsAt": datetime.now(UTC).isoformat()}]
            answer = requests.post(f"http://127.0.0.1:{am_port}/api/v2/alerts", json=alert,
                                   timeout=10)
            assert answer.status_code == 200, answer.text

            wait_for(lambda: receiver.count >= 1, 60, "the notification at the receiver")
        finally:
            kill(alertmanager)
            kill(herald)
    body = json.loads(receiver.bodies[0])
    assert body["receiver"] == "On-call team"
    assert body["status"] == "firing"
    assert body["alerts"][0]["labels"] == {"alertname": "DiskFull", "instance": "db-1"}
    assert body["groupLabels"] == {"alertname": "DiskFull"}
    assert body["externalURL"].startswith("http://")
