"""Benchmark the contact point form with every registered integration type.

Run `python bench/bench_integration_form.py`. In-process requests through the Flask test
client (no network), against a temporary SQLite file: the create form (its Integration
dropdown lists every type), and the htmx swap when a block's Integration changes, for
each registered type. Besides wall time it reports the process's CPU time per request,
which other work on a shared machine does not inflate, and the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from cryptography.fernet import Fernet

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_contact_points import CSRF_RE, PASSWORD, USERNAME, expect, log_in  # noqa: E402

from app import create_app  # noqa: E402
from app.accounts import create_user  # noqa: E402
from app.integrations import REGISTRY  # noqa: E402

TARGETS_MS = {"create form": 10.0, "type swap": 20.0}


def make_app(folder: str):
    app = create_app({
        "SECRET_KEY": "bench",
        "HERALD_ENCRYPTION_KEYS": [Fernet.generate_key().decode()],
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.sqlite3'}",
        "HERALD_AUTO_MIGRATE": True,
    })
    with app.app_context():
        user, errors = create_user(USERNAME, PASSWORD, "editor")
        if user is None:
            raise SystemExit(f"cannot create the bench account: {errors}")
    return app


Timing = tuple[list[float], list[float]]  # wall and CPU milliseconds of each call


def timed(request: Callable[[], object], repeat: int, seconds: float) -> Timing:
    """Wall and CPU milliseconds of each call; at most `repeat` calls or `seconds`."""
    for _ in range(5):  # warm caches
        request()
    wall: list[float] = []
    cpu: list[float] = []
    deadline = time.perf_counter() + seconds
    while len(wall) < repeat and time.perf_counter() < deadline:
        start, start_cpu = time.perf_counter(), time.process_time()
        request()
        cpu.append((time.process_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
    return wall, cpu


def measure(app, repeat: int, seconds: float) -> dict[str, Timing]:
    """Milliseconds of the create form, and of the swap to each type."""
    client = app.test_client()
    log_in(client)
    page = expect(client.get("/contact-points/new"), 200, "create form").get_data(as_text=True)
    for type_id in REGISTRY:
        if f'<option value="{type_id}"' not in page:
            raise SystemExit(f"the dropdown does not list {type_id}")
    headers = {"X-CSRFToken": CSRF_RE.search(page).group(1), "HX-Request": "true"}
    results = {"create form": timed(
        lambda: expect(client.get("/contact-points/new"), 200, "create form"), repeat, seconds)}
    per_type = max(20, repeat // len(REGISTRY))
    for type_id in sorted(REGISTRY):
        form = {"name": "bench", "block": "t1", "t1.type": type_id, "action": "retype:t1"}

        def swap(form=form, type_id=type_id) -> None:
            answer = expect(client.post("/contact-points/new", data=form, headers=headers),
                            200, f"swap to {type_id}")
            if not answer.get_data(as_text=True).lstrip().startswith("<fieldset"):
                raise SystemExit(f"the swap to {type_id} did not return a block")

        results[f"swap: {type_id}"] = timed(swap, per_type, seconds)
    swaps = [timing for key, timing in results.items() if key.startswith("swap: ")]
    results["type swap"] = ([ms for wall, _ in swaps for ms in wall],
                            [ms for _, cpu in swaps for ms in cpu])
    return results


def report(results: dict[str, Timing]) -> None:
    print(f"{len(REGISTRY)} integration types registered; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"\n{'request':<22} {'n':>5} {'median ms':>10} {'p95 ms':>8} {'CPU ms':>8} "
          f"{'target ms':>10}")
    for what, (wall, cpu) in results.items():
        p95 = statistics.quantiles(wall, n=20)[-1]
        print(f"{what:<22} {len(wall):>5} {statistics.median(wall):>10.2f} {p95:>8.2f} "
              f"{statistics.median(cpu):>8.2f} {TARGETS_MS.get(what) or '-':>10}")
    for what, target in TARGETS_MS.items():
        wall, cpu = results[what]
        verdict = "met" if statistics.median(wall) < target else (
            "met in CPU time only (a busy machine inflates wall time)"
            if statistics.median(cpu) < target else "MISSED")
        print(f"{what}: target {target:g} ms {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=300, help="requests per measurement")
    parser.add_argument("--seconds", type=float, default=20.0, help="time cap per measurement")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="herald-bench-") as folder:
        results = measure(make_app(folder), args.repeat, args.seconds)
    report(results)


if __name__ == "__main__":
    main()
