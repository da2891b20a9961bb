"""Delivery throughput with 1, 2 and 4 `flask --app app worker` processes, by database.

`python bench/bench_worker_processes.py [--postgres | --postgres-url URL] [--notifications N]`

For each process count: start the worker processes (4 sender threads each) and wait until
every one has written its heartbeat, so Python's start-up is not timed; then fill the outbox
in one transaction and time its emptying against a receiver in its own process (loopback,
answering 200 at once, bench/receiver.py). The rate is counted at the receiver, from the
first delivery to the last; the time from the commit until the outbox is empty (which
includes the workers noticing the new rows, up to their 1 s poll) is printed too.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import requests
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.contact_points import IntegrationInput, save_contact_point  # noqa: E402
from app.delivery.models import WorkerHeartbeat  # noqa: E402
from app.extensions import db  # noqa: E402
from bench.bench_pipeline import enqueue, start_receiver  # noqa: E402
from bench.proc_bench import (  # noqa: E402
    COUNTS,
    NAMES,
    add_database_options,
    bench_app,
    databases,
    empty_tables,
    load_line,
    side_by_side,
    stop_all,
    wait_until,
)
from tests.pipeline import waiting  # noqa: E402
from tests.processes import start_worker  # noqa: E402

THREADS = 4


def heartbeats() -> int:
    return db.session.scalar(select(func.count()).select_from(WorkerHeartbeat))


def run(url: str, receiver: str, processes: int, notifications: int, log: Path) -> float:
    """Deliveries per second of that many worker processes, counted at the receiver."""
    empty_tables("delivery_attempt", "notification", "worker_heartbeat")
    requests.get(f"{receiver}/reset", timeout=10)
    contact_point = save_contact_point(None, f"bench-{processes}", [IntegrationInput(
        type="webhook", values={"url": f"{receiver}/hook"})]).contact_point
    workers = [start_worker(url, log, THREADS, HERALD_AUTO_MIGRATE="0")
               for _ in range(processes)]
    try:
        wait_until(lambda: heartbeats() >= processes, 120, f"{processes} worker heartbeats")
        enqueue(contact_point, notifications)  # one transaction, one commit
        committed = time.time()
        wait_until(lambda: not waiting(), 600, "the outbox to empty")
        emptied = time.time()
    finally:
        stop_all(workers)
    arrivals = sorted(at for at, _ in requests.get(f"{receiver}/times", timeout=30).json())
    if len(arrivals) != notifications:
        raise SystemExit(f"the receiver got {len(arrivals)} of {notifications} deliveries")
    rate = (len(arrivals) - 1) / (arrivals[-1] - arrivals[0])
    print(f"  {processes} process{'es' if processes > 1 else '  '}: {rate:6.0f} deliveries/s "
          f"at the receiver; commit to empty outbox {emptied - committed:5.2f} s "
          f"({notifications / (emptied - committed):.0f}/s), first delivery "
          f"{(arrivals[0] - committed) * 1000:.0f} ms after the commit", flush=True)
    return rate


def run_backend(backend: str, url: str, receiver: str, args: argparse.Namespace,
                log: Path) -> dict[int, float]:
    print(f"{NAMES[backend]}:", flush=True)
    app = bench_app(url)
    with app.app_context():
        rates = {count: run(url, receiver, count, args.notifications, log) for count in COUNTS}
        db.session.remove()
        db.engine.dispose()
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notifications", type=int, default=3000,
                        help="notifications in the outbox for each run (default 3000)")
    add_database_options(parser)
    args = parser.parse_args()
    print(load_line())
    print(f"{args.notifications} notifications per run, {THREADS} sender threads per worker "
          "process, receiver in its own process (loopback)", flush=True)
    receiver, receiver_url = start_receiver()
    results: dict[str, dict[int, float]] = {}
    try:
        with tempfile.TemporaryDirectory() as folder, databases(args) as found:
            log = Path(folder) / "workers.log"
            for backend, url in found:
                results[backend] = run_backend(backend, url, receiver_url, args, log)
    finally:
        receiver.terminate()
    side_by_side("workers", "deliveries/s", results)
    print(load_line().replace("at start", "at the end"))


if __name__ == "__main__":
    main()
