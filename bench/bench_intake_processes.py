"""Intake throughput with 1, 2 and 4 web processes (`python app.py`), by database.

`python bench/bench_intake_processes.py [--postgres | --postgres-url URL] [--groups N]`

For each process count: start that many Herald web servers (waitress, HERALD_WORKERS=0 so
they only accept), wait until each listens, then have load-generator processes
(bench/loadgen.py: asyncio, keep-alive connections spread round-robin over the servers,
warmed up first) post N Alertmanager webhook bodies for a contact point with one webhook
integration. Prints alert groups accepted (202) per second and the ratio to one process.
First, the same generators are measured against a trivial server answering 202 at once,
to show how far they are from being the limit, and against a do-nothing Flask app under
waitress with Herald's limits (one process), the floor that the framework and the server
set before any of Herald's own work. Everything stays on 127.0.0.1.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.contact_points import IntegrationInput, save_contact_point  # noqa: E402
from app.delivery.models import Notification  # noqa: E402
from app.extensions import db  # noqa: E402
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
)
from tests.pipeline import make_token  # noqa: E402
from tests.processes import free_port, start_server, wait_for_port  # noqa: E402

LOADGEN = ROOT / "bench" / "loadgen.py"


def drive(ports: list[int], token: str, args: argparse.Namespace) -> tuple[float, dict]:
    """Post args.groups bodies from args.generators processes; (202s per second, statuses).

    The statuses count the timed requests; "warm-up" those sent before the clock started.
    """
    share = args.connections // args.generators
    generators = [subprocess.Popen(
        [sys.executable, str(LOADGEN), "--ports", ",".join(map(str, ports)),
         "--connections", str(share), "--token", token, "--offset", str(number * 1000),
         "--requests", str(args.groups // args.generators)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) for number in
        range(args.generators)]
    for generator in generators:
        if generator.stdout.readline().strip() != "ready":
            raise SystemExit("a load generator could not connect")
    for generator in generators:  # all at once: they wait on this line
        generator.stdin.write("\n")
        generator.stdin.flush()
    results = [json.loads(generator.stdout.readline()) for generator in generators]
    for generator in generators:
        generator.wait(timeout=60)
    statuses = {"warm-up": sum(result["warm_up"] for result in results)}
    for result in results:
        for status, count in result["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    elapsed = max(r["finished"] for r in results) - min(r["started"] for r in results)
    return statuses.get("202", 0) / elapsed, statuses


def ceiling(args: argparse.Namespace, mode: str = "--serve", requests: int = 0) -> float:
    """Requests per second of the generators against a trivial server in one process."""
    server = subprocess.Popen([sys.executable, str(LOADGEN), mode],
                              stdout=subprocess.PIPE, text=True)
    try:
        enough = argparse.Namespace(**{**vars(args),
                                       "groups": requests or args.ceiling_requests})
        rate, _ = drive([int(server.stdout.readline())], "-", enough)
    finally:
        server.terminate()
        server.wait(timeout=30)
    what = ("a trivial asyncio server" if mode == "--serve" else
            "a do-nothing Flask app under waitress with Herald's limits")
    print(f"load generators alone, against {what} (one process): {rate:.0f} requests/s",
          flush=True)
    return rate


def run(url: str, token: str, processes: int, args: argparse.Namespace, log: Path) -> float:
    """Groups accepted per second by that many web processes."""
    empty_tables("notification")
    ports = [free_port() for _ in range(processes)]
    servers = [start_server(url, log, port, HERALD_WORKERS="0", HERALD_AUTO_MIGRATE="0")
               for port in ports]
    try:
        for port in ports:
            wait_for_port(port, 120)
        rate, statuses = drive(ports, token, args)
    finally:
        stop_all(servers)
    stored = db.session.scalar(select(func.count(Notification.id)))
    db.session.rollback()
    expected = statuses.get("202", 0) + statuses["warm-up"]
    print(f"  {processes} process{'es' if processes > 1 else '  '}: {rate:6.0f} groups/s "
          f"accepted; answers {statuses}; "
          + ("every accepted group stored" if stored == expected else
             f"{stored} notifications stored, {expected} expected"), flush=True)
    return rate


def run_backend(backend: str, url: str, args: argparse.Namespace,
                log: Path) -> dict[int, float]:
    print(f"{NAMES[backend]}:", flush=True)
    app = bench_app(url)
    with app.app_context():
        save_contact_point(None, "bench", [IntegrationInput(
            type="webhook", values={"url": "http://127.0.0.1:9/hook"})])
        token = make_token("sender", "bench")
        rates = {count: run(url, token, count, args, log) for count in COUNTS}
        db.session.remove()
        db.engine.dispose()
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=4000, help="groups posted per run")
    parser.add_argument("--generators", type=int, default=2, help="load-generator processes")
    parser.add_argument("--connections", type=int, default=32,
                        help="keep-alive connections in all (default 32)")
    parser.add_argument("--ceiling-requests", type=int, default=20000,
                        help="requests for measuring the generators alone (default 20000)")
    add_database_options(parser)
    args = parser.parse_args()
    print(load_line())
    print(f"{args.groups} groups per run (one webhook integration each), {args.generators} "
          f"generator processes, {args.connections} keep-alive connections round-robin over "
          "the web processes (8 waitress threads each, HERALD_WORKERS=0)", flush=True)
    limit = ceiling(args)
    floor = ceiling(args, "--serve-flask", args.groups)
    results: dict[str, dict[int, float]] = {}
    with tempfile.TemporaryDirectory() as folder, databases(args) as found:
        for backend, url in found:
            results[backend] = run_backend(backend, url, args, Path(folder) / "servers.log")
    side_by_side("web", "groups/s", results)
    best = max(rate for rates in results.values() for rate in rates.values())
    print(f"\nbest Herald figure {best:.0f} groups/s = {best / limit:.0%} of what the load "
          f"generators reach against a trivial server ({limit:.0f}/s): "
          + ("they are not the limit" if best < limit / 2 else "they may be part of the limit"))
    print(f"one Herald process accepts {results['sqlite'][1] / floor:.0%} of what a do-nothing "
          f"Flask app under the same server answers ({floor:.0f}/s)")
    print(load_line().replace("at start", "at the end"))


if __name__ == "__main__":
    main()
