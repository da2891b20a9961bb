"""Benchmark the delivery pipeline on loopback: `python bench/bench_pipeline.py`.

Prints, side by side in one run, against a receiver in its own process answering 200 at once:
(1) the delivery path per notification (claim, render, send, record) against a bare
    requests.Session().post of the same body (target: at most 1.5x);
(2) sustained deliveries per second with the default worker threads (target: 1,000/s),
    beside bare requests.Session().post calls from as many threads in this process: the
    most any sender built on requests reaches here; with the voluntary context switches
    each costs this process (a thread giving up the GIL to another in a system call).
    Herald's time runs from the workers' start to the receiver's last arrival;
(3) intake: alert groups accepted (202) per second with one integration each, through
    the WSGI app (target: 1,000/s), beside a do-nothing Flask app that reads the JSON body
    and answers 202 through the same test client: the floor Flask alone sets;
(4) latency from intake to the receiver, p50 and p95, with the worker running (target p50
    under 50 ms);
(5) the CPU a worker's claim costs per row taken, with 1,000 and with 20,000 rows due:
    the same figure for both means claiming does not slow down as a backlog grows.
Everything stays on 127.0.0.1 and in a temporary SQLite file.
"""
from __future__ import annotations

import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from unittest import mock

import requests
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import auth, create_app  # noqa: E402
from app.alerting import webhook  # noqa: E402
from app.alerts import group_from_dict  # noqa: E402
from app.contact_points import IntegrationInput, save_contact_point  # noqa: E402
from app.delivery import outbox  # noqa: E402
from app.delivery.worker import Worker  # noqa: E402
from app.extensions import db  # noqa: E402
from app.integrations import get_type  # noqa: E402
from app.integrations.base import SendContext  # noqa: E402
from app.integrations.webhook import payload  # noqa: E402
from app.provisioning.tokens import create_token  # noqa: E402
from app.runner import build_worker  # noqa: E402
from bench.loadgen import do_nothing_app  # noqa: E402
from tests.pipeline import alert, waiting, webhook_body  # noqa: E402

PATH_ROUNDS, PATH_BATCH = 5, 200
SUSTAINED = 4000
INTAKE = 2000
LATENCY_SAMPLES = 200
BACKLOGS, CLAIMS = (1000, 20000), 20


def start_receiver() -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen([sys.executable, str(ROOT / "bench" / "receiver.py")],
                               stdout=subprocess.PIPE, text=True)
    port = int(process.stdout.readline())
    return process, f"http://127.0.0.1:{port}"


def make_app(folder: str):
    return create_app({
        "TESTING": True, "SECRET_KEY": "bench",
        "HERALD_ENCRYPTION_KEYS": [Fernet.generate_key().decode()],
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.sqlite3'}",
        "HERALD_EXTERNAL_URL": "http://herald.bench/", "HERALD_AUTO_MIGRATE": True,
    })


def enqueue(contact_point, count: int) -> None:
    group = group_from_dict(webhook_body(alert("BenchAlert")))
    for _ in range(count):
        outbox.enqueue(contact_point, group)
    db.session.commit()


def bench_path(app, contact_point, url: str) -> None:
    """(1) Interleaved rounds: bare posts, then the same number of notifications drained."""
    group = group_from_dict(webhook_body(alert("BenchAlert")))
    group.receiver = contact_point.name
    context = SendContext(get_type("webhook"), {"url": f"{url}/hook"}, group, app.config)
    body = json.dumps(payload(context), ensure_ascii=False).encode()
    session = requests.Session()
    worker = Worker(app, threads=1)
    bare_rounds, herald_rounds, bare_cpu, herald_cpu = [], [], [], []
    for _ in range(PATH_ROUNDS + 1):  # the first round warms up
        started, cpu = time.perf_counter(), time.process_time()
        for _ in range(PATH_BATCH):
            session.post(f"{url}/hook", data=body, headers={"Content-Type": "application/json"})
        bare_rounds.append((time.perf_counter() - started) / PATH_BATCH)
        bare_cpu.append((time.process_time() - cpu) / PATH_BATCH)
        enqueue(contact_point, PATH_BATCH)
        started, cpu = time.perf_counter(), time.process_time()
        while worker.run_once():
            pass
        herald_rounds.append((time.perf_counter() - started) / PATH_BATCH)
        herald_cpu.append((time.process_time() - cpu) / PATH_BATCH)
    bare, herald = statistics.median(bare_rounds[1:]), statistics.median(herald_rounds[1:])
    bare_c, herald_c = statistics.median(bare_cpu[1:]), statistics.median(herald_cpu[1:])
    print("(1) delivery path per notification: claim, render, send, record")
    print("                                        wall time   this process's CPU")
    for name, wall, cpu in (("bare requests.Session().post     ", bare, bare_c),
                            ("Herald outbox worker (one thread)", herald, herald_c)):
        print(f"    {name}   {wall * 1e6:8.0f} µs  {cpu * 1e6:8.0f} µs")
    print(f"    ratio (target ≤ 1.5x)               {herald / bare:8.2f}x    "
          f"{herald_c / bare_c:8.2f}x")


def switches() -> int:
    """This process's voluntary context switches so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_nvcsw


def bare_posts_per_second(url: str, threads: int, count: int) -> tuple[float, float]:
    """Bare requests.Session().post calls of a webhook-sized body from that many threads:
    (per second, voluntary context switches per post)."""
    body = json.dumps(webhook_body(alert("BenchAlert"))).encode()

    def post(number: int) -> None:
        session = requests.Session()
        for _ in range(number):
            session.post(f"{url}/hook", data=body, headers={"Content-Type": "application/json"})

    post(50)  # warm up
    pool = [threading.Thread(target=post, args=(count // threads,)) for _ in range(threads)]
    started, switched = time.perf_counter(), switches()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    posts = count // threads * threads
    return posts / (time.perf_counter() - started), (switches() - switched) / posts


def bench_sustained(app, contact_point, url: str) -> None:
    threads = app.config["HERALD_WORKERS"]
    bare, bare_switches = bare_posts_per_second(url, threads, SUSTAINED)
    enqueue(contact_point, SUSTAINED)
    requests.get(f"{url}/reset", timeout=5)
    worker = build_worker(app)
    started, switched = time.time(), switches()
    worker.start()
    worker.wake()
    # Looked at seldom, so that the looking takes little from the workers: the end is the
    # receiver's last arrival, not the moment the outbox was seen empty.
    while waiting():
        time.sleep(0.25)
    herald_switches = (switches() - switched) / SUSTAINED
    worker.stop(10)
    arrivals = requests.get(f"{url}/times", timeout=5).json()
    assert len(arrivals) == SUSTAINED, f"{len(arrivals)} of {SUSTAINED} arrived"
    elapsed = max(at for at, _ in arrivals) - started
    print(f"(2) sustained, {threads} worker threads (HERALD_WORKERS default)")
    print(f"    {SUSTAINED / elapsed:8.0f} deliveries/s ({SUSTAINED} in {elapsed:.2f} s;"
          f" target ≥ 1,000/s); {herald_switches:.1f} context switches each")
    print(f"    {bare:8.0f} bare requests posts/s from {threads} threads in this process "
          f"(Herald {SUSTAINED / elapsed / bare:.0%} of that); {bare_switches:.1f} context "
          "switches each")


def intake_poster(app, token: str):
    """A function posting one Alertmanager body for the bench contact point through the
    app's test client; it returns the status code."""
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    body = json.dumps(webhook_body(alert("Intake")))
    url = "/api/v1/webhook/alertmanager?contact_point=bench"
    return lambda: client.post(url, data=body, headers=headers).status_code


def posts_per_second(app, token: str) -> tuple[float, float]:
    """Intake bodies posted through the app's test client: (per second, CPU s per post)."""
    post = intake_poster(app, token)
    for _ in range(50):
        post()
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(INTAKE):
        assert post() == 202
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    return INTAKE / elapsed, cpu / INTAKE


def bench_intake(app, token: str) -> None:
    rate, cpu = posts_per_second(app, token)
    floor, floor_cpu = posts_per_second(do_nothing_app(), token)
    print("(3) intake, one integration per group, through the WSGI app (one thread)")
    print(f"    {rate:8.0f} groups/s accepted (target ≥ 1,000/s);"
          f" {cpu * 1e6:.0f} µs of CPU per group")
    print(f"    {floor:8.0f} posts/s to a do-nothing Flask app; {floor_cpu * 1e6:.0f} µs of CPU "
          f"per post (Herald {rate / floor:.0%} of that)")
    split = intake_split(app, token)
    print("    where an intake's CPU goes (parts taken away one at a time, same client, least "
          "over rounds):")
    for part, cost in split.items():
        print(f"      {cost * 1e6:6.0f} µs  {part}")


def least_cpu_per_post(app, token: str, rounds: int = 5, batch: int = 300) -> float:
    """This thread's CPU seconds per intake post, the least over rounds (steady under load)."""
    post = intake_poster(app, token)
    least = float("inf")
    for _ in range(rounds + 1):  # the first round warms up
        started = time.thread_time()
        for _ in range(batch):
            post()
        least = min(least, (time.thread_time() - started) / batch)
    return least


def intake_split(app, token: str) -> dict[str, float]:
    """The intake's CPU per group by part: measured again with each part replaced by a stub
    answering the same way (the contact point's work, then the token's look-up)."""
    full = least_cpu_per_post(app, token)
    with mock.patch.object(webhook, "accept_for_contact_point",
                           lambda name, body: webhook.Accepted(1, 0)):
        no_accept = least_cpu_per_post(app, token)
        with mock.patch.object(auth, "_token_principal",
                               lambda: auth.Principal("token:bench", "sender", via_token=True)):
            no_database = least_cpu_per_post(app, token)
    floor = least_cpu_per_post(do_nothing_app(), token)
    return {
        "parse and check the body, find the contact point, insert, commit": full - no_accept,
        "the token's look-up (with opening the request's database session)":
            no_accept - no_database,
        "Herald's middleware (request log, headers, session, access check)": no_database - floor,
        "Flask and the test client (a do-nothing app)": floor,
    }


def bench_latency(app, token: str, url: str) -> None:
    db.session.execute(db.text("DELETE FROM notification"))
    db.session.commit()
    requests.get(f"{url}/reset", timeout=5)
    worker = build_worker(app, app.config["HERALD_WORKERS"]).start()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    sent_at = {}
    for number in range(LATENCY_SAMPLES):
        body = json.dumps(webhook_body(alert("Latency", **{"bench-id": str(number)})))
        sent_at[str(number)] = time.time()
        client.post("/api/v1/webhook/alertmanager?contact_point=bench", data=body,
                    headers=headers)
        time.sleep(0.005)
    while waiting():
        time.sleep(0.02)
    worker.stop(10)
    arrivals = requests.get(f"{url}/times", timeout=5).json()
    latencies = sorted((at - sent_at[marker]) * 1000 for at, marker in arrivals if marker)
    p50 = statistics.median(latencies)
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    print("(4) intake to receiver, worker running in the same process")
    print(f"    p50 {p50:6.1f} ms, p95 {p95:6.1f} ms over {len(latencies)} groups"
          " (target p50 < 50 ms)")


def bench_backlog(contact_point) -> None:
    print("(5) claiming from a backlog, batches of 32 (least over the claims, which moves"
          " least with the machine's load)")
    cost = {}
    for backlog in BACKLOGS:
        db.session.execute(db.text("DELETE FROM notification"))
        enqueue(contact_point, backlog)
        # The insert's pages are written back first, so no claim pays for that checkpoint.
        db.session.execute(db.text("PRAGMA wal_checkpoint(TRUNCATE)"))
        least = float("inf")
        for _ in range(CLAIMS):
            started = time.thread_time()
            taken = len(outbox.claim_rows("bench", 32, 60))
            least = min(least, (time.thread_time() - started) / taken)
            db.session.execute(db.text("UPDATE notification SET status = 'sent'"
                                       " WHERE status = 'sending'"))
            db.session.commit()
        cost[backlog] = least
        print(f"    {backlog:6,} rows due: {least * 1e6:6.0f} µs CPU per row claimed")
    first, last = BACKLOGS[0], BACKLOGS[-1]
    print(f"    ratio {cost[last] / cost[first]:.2f}x for {last // first}x the backlog")


def main() -> None:
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores", flush=True)
    # Herald still formats every log line; they go to /dev/null instead of the terminal.
    with open(os.devnull, "w") as sink, contextlib.redirect_stderr(sink):
        run()


def run() -> None:
    receiver, url = start_receiver()
    try:
        with tempfile.TemporaryDirectory() as folder:
            app = make_app(folder)
            with app.app_context():
                result = save_contact_point(None, "bench", [
                    IntegrationInput(type="webhook", values={"url": f"{url}/hook"})])
                contact_point = result.contact_point
                _, token, _ = create_token("bench", "sender", "")
                bench_path(app, contact_point, url)
                bench_sustained(app, contact_point, url)
                bench_intake(app, token)
                bench_latency(app, token, url)
                bench_backlog(contact_point)
                db.session.remove()
                db.engine.dispose()
    finally:
        receiver.terminate()


if __name__ == "__main__":
    main()
