"""Throughput of the contact points list under concurrent clients, against the real server.

Run `python bench/bench_list_throughput.py`. It seeds 1,000 contact points (3 integrations
each) into a temporary SQLite file, starts `python app.py` on a free loopback port, logs in
once per client, then has N clients (threads with keep-alive connections) fetch the list
page as fast as it answers for a fixed time. Reports requests per second and latencies.
`--profile` runs the server under cProfile and prints where its main thread's time went
(waitress's loop: cProfile does not see the request threads; py-spy does). Before the load,
the same page is served through the Flask test client in this process: its CPU time per
page (least and median over batches of 20; the least is steady on a busy machine) and its
SQL queries are printed.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import event

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_contact_points import PASSWORD, USERNAME, seed  # noqa: E402

from app import create_app  # noqa: E402
from app.accounts import create_user  # noqa: E402
from app.extensions import db  # noqa: E402

CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')
TARGET_PER_SECOND = 150


def seed_database(path: Path, key: str, count: int) -> None:
    app = create_app({"SECRET_KEY": "bench", "HERALD_ENCRYPTION_KEYS": [key],
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "HERALD_AUTO_MIGRATE": True})
    with app.app_context():
        create_user(USERNAME, PASSWORD, "editor")
        seed(count)
        db.session.remove()
        db.engine.dispose()


def in_process(path: Path, key: str, pages: int) -> tuple[float, float, int]:
    """CPU ms per list page through the test client (least and median of batches), queries."""
    app = create_app({"SECRET_KEY": "bench", "HERALD_ENCRYPTION_KEYS": [key],
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    client = app.test_client()
    token = CSRF_RE.search(client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"username": USERNAME, "password": PASSWORD},
                headers={"X-CSRFToken": token})
    queries = [0]
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *_: queries.__setitem__(
            0, queries[0] + 1))
    for _ in range(20):  # warm up
        assert client.get("/contact-points").status_code == 200
    queries[0], batches = 0, []
    for _ in range(max(1, pages // 20)):
        started = time.thread_time()
        for _ in range(20):
            client.get("/contact-points")
        batches.append((time.thread_time() - started) / 20 * 1000)
    with app.app_context():
        db.engine.dispose()
    return min(batches), statistics.median(batches), round(queries[0] / (len(batches) * 20))


def start_server(path: Path, key: str, port: int, threads: int, profile: Path | None):
    env = {**os.environ, "HERALD_DATABASE_URL": f"sqlite:///{path}", "HERALD_SECRET_KEY": "b",
           "HERALD_ENCRYPTION_KEY": key, "HERALD_LOG_FORMAT": "logfmt"}
    command = [sys.executable, "app.py", "--port", str(port), "--threads", str(threads)]
    if profile is not None:
        command = [sys.executable, "-m", "cProfile", "-o", str(profile), *command[1:]]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    process.stdout.readline()  # "Herald listening on ..."
    for _ in range(100):  # and it really is
        try:
            socket.create_connection(("127.0.0.1", port), timeout=5).close()
            break
        except OSError:
            time.sleep(0.1)
    return process


def log_in(port: int) -> str:
    """A session cookie, got through the login form."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", "/login")
    answer = connection.getresponse()
    page = answer.read().decode()
    cookie = answer.getheader("Set-Cookie", "").split(";", 1)[0]
    body = f"username={USERNAME}&password={PASSWORD.replace(' ', '+').replace(',', '%2C')}"
    connection.request("POST", "/login", body=body, headers={
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded",
        "X-CSRFToken": CSRF_RE.search(page).group(1)})
    answer = connection.getresponse()
    answer.read()
    if answer.status != 302:
        raise SystemExit(f"log in: expected 302, got {answer.status}")
    return answer.getheader("Set-Cookie", "").split(";", 1)[0]


def client(port: int, cookie: str, stop: threading.Event, latencies: list[float]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while not stop.is_set():
        started = time.perf_counter()
        connection.request("GET", "/contact-points", headers={"Cookie": cookie})
        answer = connection.getresponse()
        body = answer.read()
        if answer.status != 200 or body.count(b'class="contact-point"') != 25:
            raise SystemExit(f"list page: {answer.status}")
        # Keep the session cookie up to date, as a browser does (the first page adds the
        # CSRF token to it).
        cookie = (answer.getheader("Set-Cookie") or cookie).split(";", 1)[0]
        latencies.append(time.perf_counter() - started)
    connection.close()


def run_load(port: int, cookies: list[str], seconds: float) -> tuple[int, list[float], float]:
    """Every client fetches the list page until the time is up; nothing else is timed."""
    clients = len(cookies)
    stop = threading.Event()
    latencies: list[list[float]] = [[] for _ in range(clients)]
    threads = [threading.Thread(target=client, args=(port, cookies[i], stop, latencies[i]))
               for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    every = [latency for group in latencies for latency in group]
    return len(every), every, elapsed


def cpu_seconds(pid: int) -> float:
    """User and system CPU time the process has used (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contact-points", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--threads", type=int, default=8, help="waitress worker threads")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--profile", action="store_true",
                        help="cProfile the server's main thread (waitress's loop)")
    parser.add_argument("--in-process-pages", type=int, default=400)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="herald-bench-") as folder:
        path, key = Path(folder) / "bench.sqlite3", Fernet.generate_key().decode()
        seed_database(path, key, args.contact_points)
        least, median, queries = in_process(path, key, args.in_process_pages)
        print(f"in process (test client): {least:.1f} ms CPU per list page at least, "
              f"{median:.1f} ms median of batches of 20; {queries} SQL queries a page")
        port = free_port()
        profile = Path(folder) / "server.prof" if args.profile else None
        server = start_server(path, key, port, args.threads, profile)
        try:
            cookies = [log_in(port) for _ in range(args.clients)]  # not measured: slow on purpose
            run_load(port, cookies[:4], 2.0)  # warm up
            cpu_before = cpu_seconds(server.pid)
            count, latencies, elapsed = run_load(port, cookies, args.seconds)
            cpu = cpu_seconds(server.pid) - cpu_before
        finally:
            server.terminate()
            server.wait(timeout=60)
        report(args, count, latencies, elapsed)
        print(f"  server CPU {cpu / count * 1000:.1f} ms per request "
              f"({cpu / elapsed:.2f} cores busy)")
        if profile is not None and profile.exists():
            import pstats

            pstats.Stats(str(profile)).sort_stats("cumulative").print_stats(40)


def report(args, count: int, latencies: list[float], elapsed: float) -> None:
    quantiles = statistics.quantiles(latencies, n=100)
    per_second = count / elapsed
    print(f"list page, {args.contact_points} contact points, {args.clients} clients, "
          f"{args.threads} waitress threads, {elapsed:.1f} s")
    print(f"  {per_second:.0f} requests/s (target >= {TARGET_PER_SECOND}); "
          f"p50 {quantiles[49] * 1000:.1f} ms, p95 {quantiles[94] * 1000:.1f} ms, "
          f"max {max(latencies) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
