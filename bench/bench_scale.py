"""Benchmark the contact points pages at scale, on SQLite and on PostgreSQL side by side.

Run `python bench/bench_scale.py` (needs Debian's postgresql for the throwaway cluster, or
`--postgres-url` naming a server database whose user may create databases). Each backend
gets 10,000 contact points x 3 integrations and 100,000 delivery-history rows
(delivery_attempt), written in bulk; then the list page, a search and a save of the edit
form are timed with the Flask test client (no network), as bench_contact_points.py does.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from cryptography.fernet import Fernet

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_contact_points import TARGETS_MS, USERNAME, PASSWORD, measure  # noqa: E402, I001

from app import create_app  # noqa: E402
from app.accounts import create_user  # noqa: E402
from app.crypto import encrypt_value  # noqa: E402
from app.extensions import db  # noqa: E402
from app.integrations import REGISTRY  # noqa: E402
from app.integrations.base import to_storage  # noqa: E402
from app.models import ContactPoint, DeliveryAttempt, Integration, name_key, new_uid, utcnow  # noqa: E402
from bench.proc_bench import new_postgres_database  # noqa: E402
from tests.postgres_cluster import ThrowawayCluster  # noqa: E402

TEAMS = ("payments", "checkout", "search", "ledger", "platform", "storage", "identity",
         "billing", "mobile", "data")
CHUNK = 2000
SHOWN = ("list page", "search", "save")


def blocks_of(number: int) -> list[tuple[str, dict[str, str]]]:
    """The integrations of contact point `number`: an Email, a Slack and a Webhook."""
    team = TEAMS[number % len(TEAMS)]
    return [
        ("email", {"addresses": f"{team}-{number}@example.com; oncall-{number}@example.com"}),
        ("slack", {"recipient": f"#{team}-alerts",
                   "url": f"https://hooks.slack.com/services/T000/B{number:05d}/secret"}),
        ("webhook", {"url": f"https://hooks.example.com/{team}/{number}",
                     "hmacConfig.secret": f"hmac-secret-{number}"}),
    ]


def insert_chunked(table: sa.Table, rows) -> None:
    """Insert rows in batches (executemany), committing once at the end."""
    rows = iter(rows)
    while batch := list(itertools.islice(rows, CHUNK)):
        db.session.execute(sa.insert(table), batch)
    db.session.commit()


def seed(count: int, attempts: int) -> None:
    """Contact points, integrations (stored as the form would store them) and history."""
    now = utcnow()
    insert_chunked(ContactPoint.__table__, (
        {"uid": new_uid(), "name": f"{TEAMS[n % 10].title()} team {n:05d}",
         "name_key": name_key(f"{TEAMS[n % 10].title()} team {n:05d}"),
         "created_at": now, "updated_at": now} for n in range(count)))
    ids = db.session.scalars(sa.select(ContactPoint.id).order_by(ContactPoint.id)).all()
    tokens: dict[str, str] = {}  # one token per secret key: encrypting is not the point

    def integrations():
        for number, contact_point_id in enumerate(ids):
            for position, (kind, values) in enumerate(blocks_of(number)):
                settings, secrets = to_storage(REGISTRY[kind], values)
                yield {"uid": new_uid(), "contact_point_id": contact_point_id, "type": kind,
                       "settings": settings, "secure_settings": {
                           key: tokens.setdefault(key, encrypt_value(str(value)))
                           for key, value in secrets.items()},
                       "disable_resolve_message": False, "position": position,
                       "review_note": ""}

    insert_chunked(Integration.__table__, integrations())
    integration_ids = db.session.scalars(sa.select(Integration.id)).all()
    insert_chunked(DeliveryAttempt.__table__, (
        {"integration_id": integration_ids[n % len(integration_ids)],
         "created_at": now - timedelta(seconds=attempts - n), "duration_ms": 40 + n % 200,
         "outcome": "failure" if n % 7 == 0 else "success",
         "status_code": 500 if n % 7 == 0 else 200, "error": "HTTP 500" if n % 7 == 0 else "",
         "warning": "", "is_test": n % 50 == 0} for n in range(attempts)))


def run_on(url: str, args: argparse.Namespace) -> dict[str, list[float]]:
    """Seed a new database at url, then time the pages on it."""
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                      "HERALD_ENCRYPTION_KEYS": [Fernet.generate_key().decode()],
                      "HERALD_AUTO_MIGRATE": True})
    with app.app_context():
        create_user(USERNAME, PASSWORD, "editor")
        started = time.perf_counter()
        seed(args.contact_points, args.attempts)
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sa.text("ANALYZE"))  # what autovacuum would soon have done
            db.session.commit()
        print(f"{db.engine.dialect.name}: seeded {args.contact_points:,} contact points x 3 "
              f"integrations and {args.attempts:,} attempts in "
              f"{time.perf_counter() - started:.1f} s", flush=True)
        target = db.session.scalars(sa.select(ContactPoint).order_by(ContactPoint.id)
                                    .offset(args.contact_points // 2)).first()
        uid, name = target.uid, target.name
        db.session.remove()
    results = measure(app, uid, name, args.repeat, args.seconds)
    with app.app_context():
        db.engine.dispose()
    return results


def report(results: dict[str, dict[str, list[float]]]) -> None:
    sqlite, postgres = results["sqlite"], results["postgresql"]
    print(f"\n{'request':<10} {'SQLite p50':>11} {'PG p50':>8} {'PG/SQLite':>10} "
          f"{'SQLite p95':>11} {'PG p95':>8} {'target':>7}")
    for what in SHOWN:
        medians = [statistics.median(found[what]) for found in (sqlite, postgres)]
        p95s = [statistics.quantiles(found[what], n=20)[-1] for found in (sqlite, postgres)]
        print(f"{what:<10} {medians[0]:>8.1f} ms {medians[1]:>5.1f} ms "
              f"{medians[1] / medians[0]:>9.2f}x {p95s[0]:>8.1f} ms {p95s[1]:>5.1f} ms "
              f"{TARGETS_MS[what]:>4.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contact-points", type=int, default=10_000)
    parser.add_argument("--attempts", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=100, help="requests per measurement")
    parser.add_argument("--seconds", type=float, default=30.0, help="time cap per measurement")
    parser.add_argument("--postgres-url", help="a server to use instead of a throwaway cluster")
    args = parser.parse_args()

    cluster = None if args.postgres_url else ThrowawayCluster().start()
    try:
        with tempfile.TemporaryDirectory(prefix="herald-bench-") as folder:
            results = {"sqlite": run_on(f"sqlite:///{Path(folder) / 'bench.sqlite3'}", args)}
            server = args.postgres_url or cluster.url()
            results["postgresql"] = run_on(new_postgres_database(server), args)
    finally:
        if cluster is not None:
            cluster.stop()
    report(results)


if __name__ == "__main__":
    main()
