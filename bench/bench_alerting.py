"""Benchmark alert intake and routing: 10,000 active alerts in 500 groups under 50 policies.

Run `python bench/bench_alerting.py`. Herald runs under waitress on a loopback port with a
temporary SQLite file; the alerts are posted to POST /api/v2/alerts in batches of 100 with
a Sender token, as Prometheus would, twice (first sight, then the refresh every evaluation
brings). Routing one alert is timed in-process. Debian's Alertmanager
(/usr/bin/prometheus-alertmanager) gets the same batches in the same run, for the ratio.
"""
from __future__ import annotations

import argparse
import json
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

import requests
from cryptography.fernet import Fernet

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from app.alerting.grouping import flush_due_groups  # noqa: E402
from app.alerting.policies import current_route, save_tree  # noqa: E402
from app.alerting.tree import spec_from_dict  # noqa: E402
from app.contact_points import IntegrationInput, save_contact_point  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import utcnow  # noqa: E402
from app.provisioning.tokens import create_token  # noqa: E402

TEAMS, NAMES, BATCH = 50, 10, 100
TARGET_RATE, TARGET_ROUTE_MS = 2000.0, 0.2
ALERTMANAGER = "/usr/bin/prometheus-alertmanager"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def alerts(count: int) -> list[dict]:
    """count alerts over TEAMS teams x NAMES alert names: 500 groups under the policies."""
    return [{"labels": {"alertname": f"Alert{i % NAMES}", "team": f"team-{(i // NAMES) % TEAMS}",
                        "instance": f"host-{i}", "severity": "warning"},
             "annotations": {"summary": f"Alert {i} fires"},
             "generatorURL": f"http://prometheus.example/graph?g0.expr=up%7Bi%3D{i}%7D"}
            for i in range(count)]


def seed() -> str:
    """Ten contact points, a tree of one default and 50 child policies; a Sender token."""
    for number in range(10):
        result = save_contact_point(None, f"team-cp-{number}", [IntegrationInput(
            "webhook", {"url": f"http://127.0.0.1:9/hook-{number}"})])
        assert not result.errors, result.errors
    tree = {"receiver": "team-cp-0", "group_by": ["alertname"], "routes": [
        {"receiver": f"team-cp-{team % 10}", "object_matchers": [["team", "=", f"team-{team}"]]}
        for team in range(TEAMS)]}
    save_tree(spec_from_dict(tree))
    db.session.commit()
    _, token, errors = create_token("bench", "sender", "")
    assert not errors, errors
    return token


def post_all(url: str, batches: list[list[dict]], headers: dict[str, str]) -> float:
    """Post every batch in order; alerts accepted per second."""
    session = requests.Session()
    started = time.perf_counter()
    for batch in batches:
        response = session.post(url, data=json.dumps(batch), headers=headers, timeout=60)
        assert response.status_code == 200, (response.status_code, response.text[:300])
    return sum(len(b) for b in batches) / (time.perf_counter() - started)


def serve(app) -> tuple[str, object]:
    from waitress import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    return f"http://127.0.0.1:{server.effective_port}", server


def route_ms(app, sample: list[dict]) -> float:
    with app.app_context():
        root = current_route()
        labels = [item["labels"] for item in sample]
        started = time.perf_counter()
        for item in labels:
            root.match(item)
        return (time.perf_counter() - started) * 1000 / len(labels)


def alertmanager_rate(batches: list[list[dict]], workdir: Path) -> float | None:
    """The same batches posted to Debian's Alertmanager (None when it is not installed)."""
    if not shutil.which(ALERTMANAGER):
        return None
    config = workdir / "alertmanager.yml"
    routes = ", ".join(f"{{receiver: 'null', matchers: ['team=\"team-{t}\"']}}"
                       for t in range(TEAMS))
    config.write_text(f"route: {{receiver: 'null', group_by: [alertname], routes: [{routes}]}}\n"
                      "receivers: [{name: 'null'}]\n")
    port = free_port()
    process = subprocess.Popen(
        [ALERTMANAGER, f"--config.file={config}", f"--storage.path={workdir / 'am'}",
         f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if requests.get(f"{url}/-/ready", timeout=1).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        headers = {"Content-Type": "application/json"}
        post_all(f"{url}/api/v2/alerts", batches, headers)
        return post_all(f"{url}/api/v2/alerts", batches, headers)
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=10_000)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="herald-bench-alerting-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'herald.sqlite3'}",
                      "SECRET_KEY": "bench", "HERALD_ENCRYPTION_KEYS": [Fernet.generate_key()
                                                                        .decode()],
                      "HERALD_AUTO_MIGRATE": True})
    with app.app_context():
        token = seed()
    url, _server = serve(app)
    sample = alerts(args.alerts)
    batches = [sample[i:i + BATCH] for i in range(0, len(sample), BATCH)]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    first = post_all(f"{url}/api/v2/alerts", batches, headers)
    refresh = post_all(f"{url}/api/v2/alerts", batches, headers)
    routing = route_ms(app, sample)
    with app.app_context():
        started = time.perf_counter()
        groups = 0
        while flushed := flush_due_groups(now=utcnow() + timedelta(seconds=31), limit=100):
            groups += flushed
        flush_seconds = time.perf_counter() - started
    reference = alertmanager_rate(batches, workdir)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"intake, first sight:   {first:8.0f} alerts/s (target >= {TARGET_RATE:.0f})")
    print(f"intake, refresh:       {refresh:8.0f} alerts/s (target >= {TARGET_RATE:.0f})")
    print(f"routing one alert:     {routing:8.4f} ms (target < {TARGET_ROUTE_MS})")
    print(f"first flush:           {groups} groups in {flush_seconds:.2f} s")
    print(f"max RSS (server + flush, one process): {rss_mb:.0f} MB")
    if reference is None:
        print("Alertmanager: not installed, no ratio")
    else:
        print(f"Alertmanager intake:   {reference:8.0f} alerts/s; Herald/Alertmanager = "
              f"{refresh / reference:.2f} (refresh), {first / reference:.2f} (first sight)")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
