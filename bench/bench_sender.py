"""Benchmark Herald's sender on loopback: `python bench/bench_sender.py`.

Prints (1) the per-delivery cost of Herald's webhook sender against a bare
requests.Session().post of the same JSON to the same receiver (target: at most 1.5x),
(2) the wall time of one contact point with 10 webhook integrations to a receiver that
waits 200 ms (target: at most 400 ms), (3) deliveries per second sustained through one
contact point with one webhook integration (recorded attempts included).
Everything stays on 127.0.0.1 and in a temporary SQLite file.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests
from cryptography.fernet import Fernet

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from app.alerts import test_alert_group  # noqa: E402
from app.contact_points import IntegrationInput, save_contact_point  # noqa: E402
from app.delivery.notify import notify  # noqa: E402
from app.integrations import get_type  # noqa: E402
from app.integrations.base import SendContext  # noqa: E402
from app.integrations.webhook import payload  # noqa: E402
from app.transport import http  # noqa: E402

DELIVERIES = 400
FAN_OUT = 10
SLOW_DELAY = 0.2
SUSTAINED_SECONDS = 3.0


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as providers do
    # Answer in one segment: a lone small write would wait for a delayed ACK (40 ms).
    disable_nagle_algorithm = True
    wbufsize = -1

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.server.delay:  # type: ignore[attr-defined]
            time.sleep(self.server.delay)  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def receiver(delay: float = 0.0) -> Iterator[str]:
    """A threaded loopback receiver answering 200 after delay seconds."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.delay = delay  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()


def per_call(action: Callable[[], object], count: int) -> float:
    """Median seconds per call over five rounds of count // 5 calls, after a warm-up."""
    for _ in range(20):
        action()
    rounds = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(count // 5):
            action()
        rounds.append((time.perf_counter() - started) / (count // 5))
    return statistics.median(rounds)


def bench_overhead(app, url: str) -> None:
    group = test_alert_group("bench", app.config["HERALD_EXTERNAL_URL"])
    webhook = get_type("webhook")
    values = {"url": url, "httpMethod": "POST"}
    context = SendContext(webhook, values, group, app.config)
    body = json.dumps(payload(context)).encode()
    session = requests.Session()

    def bare() -> None:
        session.post(url, data=body, headers={"Content-Type": "application/json"})

    def seam() -> None:
        http.request("POST", url, data=body, headers={"Content-Type": "application/json"})

    def herald() -> None:
        webhook.send(SendContext(webhook, values, group, app.config))

    bare_s, seam_s = per_call(bare, DELIVERIES), per_call(seam, DELIVERIES)
    herald_s = per_call(herald, DELIVERIES)
    print("(1) per delivery, loopback webhook receiver")
    print(f"    bare requests.Session().post           {bare_s * 1e6:8.0f} µs")
    print(f"    Herald HTTP seam, same bytes           {seam_s * 1e6:8.0f} µs"
          f"  ({seam_s / bare_s:.2f}x)")
    print(f"    Herald webhook sender, texts rendered  {herald_s * 1e6:8.0f} µs"
          f"  ({herald_s / bare_s:.2f}x, target ≤ 1.5x)")


def bench_fan_out(app) -> None:
    with receiver(SLOW_DELAY) as url:
        contact_point = make_contact_point("fan-out", [url] * FAN_OUT)
        group = test_alert_group("fan-out", app.config["HERALD_EXTERNAL_URL"])
        notify(contact_point, group)  # warm-up
        times = []
        for _ in range(5):
            started = time.perf_counter()
            results = notify(contact_point, group)
            times.append(time.perf_counter() - started)
            assert all(r.ok for r in results), [r.error for r in results]
    print(f"(2) {FAN_OUT} webhook integrations, receiver waits {SLOW_DELAY * 1000:.0f} ms")
    print(
        f"    wall time median {statistics.median(times) * 1000:.0f} ms, "
        f"max {max(times) * 1000:.0f} ms  (target ≤ 400 ms)"
    )


def bench_sustained(app, url: str) -> None:
    contact_point = make_contact_point("sustained", [url])
    group = test_alert_group("sustained", app.config["HERALD_EXTERNAL_URL"])
    sent, started = 0, time.perf_counter()
    while time.perf_counter() - started < SUSTAINED_SECONDS:
        (result,) = notify(contact_point, group)
        assert result.ok, result.error
        sent += 1
    elapsed = time.perf_counter() - started
    print("(3) one contact point, one webhook integration, attempts recorded")
    print(f"    {sent / elapsed:.0f} deliveries/s over {elapsed:.1f} s ({sent} deliveries)")


def make_contact_point(name: str, urls: list[str]):
    blocks = [IntegrationInput(type="webhook", values={"url": url}) for url in urls]
    result = save_contact_point(None, name, blocks)
    assert not result.errors, result.errors
    return result.contact_point


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench",
                "HERALD_ENCRYPTION_KEYS": [Fernet.generate_key().decode()],
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.sqlite3'}",
                "HERALD_EXTERNAL_URL": "http://herald.bench/",
            }
        )
        with app.app_context(), receiver() as url:
            bench_overhead(app, url)
            bench_fan_out(app)
            bench_sustained(app, url)
            from app.extensions import db

            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
