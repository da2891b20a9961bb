"""Delivery throughput with 1, 2 and 4 `flask --app app worker` processes.

`python bench/bench_worker_processes.py [DATABASE_URL]` fills the outbox with notifications
(a temporary SQLite file unless a URL is given), starts N worker processes against a
receiver in its own process (loopback, answering 200 at once), and prints how fast they
empty it, and the ratio to one process.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.contact_points import IntegrationInput, save_contact_point  # noqa: E402
from app.extensions import db  # noqa: E402
from bench.bench_pipeline import enqueue, start_receiver  # noqa: E402
from tests.pipeline import waiting  # noqa: E402

NOTIFICATIONS = 2000
COUNTS = (1, 2, 4)


def run(url: str, receiver_url: str, key: str, processes: int) -> float:
    """Seconds for that many worker processes to deliver NOTIFICATIONS."""
    app = create_app({"SECRET_KEY": "bench", "HERALD_ENCRYPTION_KEYS": [key],
                      "SQLALCHEMY_DATABASE_URI": url, "HERALD_AUTO_MIGRATE": True})
    with app.app_context():
        db.session.execute(db.text("DELETE FROM delivery_attempt"))
        db.session.execute(db.text("DELETE FROM notification"))
        db.session.commit()
        contact_point = save_contact_point(None, f"bench-{processes}", [IntegrationInput(
            type="webhook", values={"url": f"{receiver_url}/hook"})]).contact_point
        enqueue(contact_point, NOTIFICATIONS)
        env = {**os.environ, "HERALD_DATABASE_URL": url, "HERALD_ENCRYPTION_KEY": key,
               "HERALD_SECRET_KEY": "bench", "HERALD_AUTO_MIGRATE": "0"}
        started = time.perf_counter()
        workers = [subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "worker"],
                                    cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL) for _ in range(processes)]
        try:
            while waiting():
                time.sleep(0.05)
            elapsed = time.perf_counter() - started
        finally:
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
                worker.wait(timeout=60)
        db.session.remove()
        db.engine.dispose()
    return elapsed


def main() -> None:
    receiver, receiver_url = start_receiver()
    key = Fernet.generate_key().decode()
    try:
        with tempfile.TemporaryDirectory() as folder:
            url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{Path(folder) / 'b.sqlite3'}"
            print(f"{NOTIFICATIONS} notifications, {url.split(':')[0]}, 4 sender threads each")
            first = None
            for count in COUNTS:
                seconds = run(url, receiver_url, key, count)
                rate = NOTIFICATIONS / seconds
                first = first or rate
                print(f"  {count} worker process{'es' if count > 1 else ''}: "
                      f"{rate:7.0f} deliveries/s ({rate / first:.2f}x one process)")
    finally:
        receiver.terminate()


if __name__ == "__main__":
    main()
