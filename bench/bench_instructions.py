"""Instructions per operation, counted by valgrind: `python bench/bench_instructions.py`.

Wall and CPU time on a shared machine move by a third from one run to the next; the
number of instructions a piece of Python runs moves far less (counts of the same build
agree within about 1 %: an intake post's to 0.5 %, a delivery's to 1.2 %, as some of its
work still depends on how fast the receiver and the database answer). This bench counts,
under callgrind:

  bare post   a requests.Session().post of a webhook body, as bench_pipeline's (1)
  delivery    one notification through Herald's outbox worker: claim, render, send, record
  intake      one Alertmanager body accepted (202) through the WSGI app's test client
  floor       the same post to a do-nothing Flask app that reads the JSON and answers 202

Each is counted twice in a child process run under valgrind, after the same warm-up, with
LOW and HIGH operations; the difference over HIGH - LOW is the cost of one operation,
start-up and warm-up cancelling out (for deliveries, so does writing the outbox rows: both
counts write the same number). The receiver runs in its own process, which valgrind
does not follow. Counts leave out time in the kernel (system calls) and waiting: they
measure the Python and C work of this process, which is what Herald's code can change.
`--cache` adds callgrind's cache simulation: first-level instruction and data cache misses
per operation, where two operations of about the same instruction count can still differ
in time. Needs Debian's `valgrind`. Everything stays on 127.0.0.1 and in temporary SQLite files.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCENARIOS = ("bare post", "delivery", "intake", "floor")
BATCH = 32  # the worker's default batch: LOW, HIGH and WARM_UP are multiples of it
LOW, HIGH, WARM_UP = 3 * BATCH, 16 * BATCH, 3 * BATCH


def run_scenario(name: str, count: int) -> None:
    """In the child under valgrind: warm up, then run the scenario count times."""
    import requests

    from app.delivery import batch as batches
    from bench import bench_pipeline as pipeline
    from bench.loadgen import do_nothing_app
    from tests.pipeline import alert, webhook_body

    with tempfile.TemporaryDirectory() as folder, contextlib.ExitStack() as stack:
        app = pipeline.make_app(folder)
        stack.enter_context(app.app_context())
        # Herald still formats every log line; they go to /dev/null.
        sink = stack.enter_context(open(os.devnull, "w"))
        stack.enter_context(contextlib.redirect_stderr(sink))
        if name in ("bare post", "delivery"):
            receiver, url = pipeline.start_receiver()
            stack.callback(receiver.terminate)
        if name == "bare post":
            body = json.dumps(webhook_body(alert("BenchAlert"))).encode()
            session = requests.Session()
            for _ in range(WARM_UP + count):
                session.post(f"{url}/hook", data=body,
                             headers={"Content-Type": "application/json"})
            return
        target = url if name == "delivery" else "http://127.0.0.1:9"
        contact_point = pipeline.save_contact_point(None, "bench", [pipeline.IntegrationInput(
            type="webhook", values={"url": f"{target}/hook"})]).contact_point
        if name == "delivery":
            # Under valgrind a batch takes 30-50 times longer, and the worker records its
            # outcomes at least every quarter second: a batch would be recorded in several
            # transactions, as many as the machine's speed made it. At full speed a batch
            # of 32 takes less than that and is recorded once, as here.
            batches.FLUSH_EVERY = float("inf")
            # The same rows are written in both counts, so writing them cancels out; the
            # worker then delivers the warm-up and count of them, whole batches each.
            pipeline.enqueue(contact_point, WARM_UP + HIGH)
            worker = pipeline.Worker(app, threads=1, batch=BATCH)
            for number in (WARM_UP, count):
                delivered = 0
                while delivered < number:
                    delivered += worker.run_once()
            return
        _, token, _ = pipeline.create_token("bench", "sender", "")
        post = pipeline.intake_poster(do_nothing_app() if name == "floor" else app, token)
        for _ in range(WARM_UP + count):
            assert post() == 202


def count_events(name: str, count: int, cache: bool) -> dict[str, int]:
    """Callgrind's totals for a child running the scenario count times: Ir (instructions)
    and, with the cache simulation, I1mr (instruction cache misses), D1mr and D1mw."""
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
               f"--cache-sim={'yes' if cache else 'no'}",
               sys.executable, __file__, "--run", name, "--count", str(count)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    events = re.search(r"Events +: ([\w ]+)", done.stderr)
    totals = re.search(r"Collected : ([\d ]+)", done.stderr)
    if done.returncode != 0 or not events or not totals:
        raise SystemExit(f"{name} ({count}) failed under valgrind:\n{done.stderr[-2000:]}")
    return dict(zip(events.group(1).split(), map(int, totals.group(1).split()), strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", choices=SCENARIOS, help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--only", choices=SCENARIOS, action="append",
                        help="count only this scenario (may be given more than once)")
    parser.add_argument("--cache", action="store_true",
                        help="also simulate the caches: first-level misses per operation "
                             "(twice as slow)")
    options = parser.parse_args()
    if options.run:
        run_scenario(options.run, options.count)
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    names = options.only or SCENARIOS
    jobs = [(name, count) for name in names for count in (LOW, HIGH)]
    print(f"counting {len(jobs)} runs under callgrind, two at a time (a few minutes)...",
          flush=True)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        totals = dict(zip(jobs, pool.map(lambda job: count_events(*job, options.cache), jobs),
                          strict=True))
    per = {name: {event: (totals[name, HIGH][event] - totals[name, LOW][event]) / (HIGH - LOW)
                  for event in totals[name, HIGH]} for name in names}
    print(f"per operation ({HIGH} - {LOW} operations, callgrind)")
    print("                instructions" + ("   I1 misses   D1 misses" if options.cache else ""))
    for name in names:
        line = f"    {name:10s} {per[name]['Ir'] / 1e6:10.2f} M"
        if options.cache:
            data = per[name]["D1mr"] + per[name]["D1mw"]
            line += f"  {per[name]['I1mr'] / 1e3:8.0f} k  {data / 1e3:8.0f} k"
        print(line)
    if {"bare post", "delivery"} <= per.keys():
        print(f"    delivery / bare post   {per['delivery']['Ir'] / per['bare post']['Ir']:6.2f}x"
              " in instructions (the target, ≤ 1.5x, is in time: bench_pipeline)")
    if {"intake", "floor"} <= per.keys():
        own = (per["intake"]["Ir"] - per["floor"]["Ir"]) / 1e6
        print(f"    intake / floor         {per['intake']['Ir'] / per['floor']['Ir']:6.2f}x"
              f" in instructions (Herald's own part: {own:.2f} M)")


if __name__ == "__main__":
    main()
