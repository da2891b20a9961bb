"""Shared parts of the process benches: the databases side by side, Herald's processes, tables.

Each bench runs on a temporary SQLite file and, when asked, on PostgreSQL: `--postgres-url`
(or HERALD_BENCH_POSTGRES_URL) names a server database whose user may create databases, and
`--postgres` starts a throwaway cluster as the tests do (tests/postgres_cluster.py).
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from app import create_app
from app.extensions import db
from tests.conftest import ENCRYPTION_KEY
from tests.postgres_cluster import ThrowawayCluster
from tests.processes import kill, wait_for

COUNTS = (1, 2, 4)
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def add_database_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--postgres-url", default=os.environ.get("HERALD_BENCH_POSTGRES_URL"),
                        help="also run on this PostgreSQL server (default: "
                             "HERALD_BENCH_POSTGRES_URL)")
    parser.add_argument("--postgres", action="store_true",
                        help="also run on a throwaway PostgreSQL cluster started for the run")
    parser.add_argument("--sqlite-only", action="store_true",
                        help="ignore HERALD_BENCH_POSTGRES_URL")


def load_line() -> str:
    """The machine's load average and cores, to print at the start (the machine is shared)."""
    one, five, fifteen = os.getloadavg()
    return (f"load average at start {one:.2f} {five:.2f} {fifteen:.2f} "
            f"on {os.cpu_count()} cores")


def new_postgres_database(server_url: str) -> str:
    """A new, empty database on the server (its user may create databases); its URL."""
    server = sa.engine.make_url(server_url)
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    name = f"herald_bench_{int(time.time() * 1000)}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return server.set(database=name).render_as_string(hide_password=False)


@contextmanager
def databases(args: argparse.Namespace) -> Iterator[list[tuple[str, str]]]:
    """(backend, URL) for each database of the run; all of them gone afterwards."""
    url = None if args.sqlite_only else args.postgres_url
    cluster = ThrowawayCluster().start() if args.postgres and not url else None
    try:
        with tempfile.TemporaryDirectory(prefix="herald-bench-") as folder:
            found = [("sqlite", f"sqlite:///{Path(folder) / 'bench.sqlite3'}")]
            if url or cluster:
                found.append(("postgresql", new_postgres_database(url or cluster.url())))
            yield found
    finally:
        if cluster is not None:
            cluster.stop()


def bench_app(url: str) -> Flask:
    """The app on the bench database (migrated), with the key Herald's processes get."""
    return create_app({"SECRET_KEY": "test-secret-key", "HERALD_ENCRYPTION_KEYS": [ENCRYPTION_KEY],
                       "SQLALCHEMY_DATABASE_URI": url, "HERALD_AUTO_MIGRATE": True,
                       "HERALD_WORKERS": 0})


def empty_tables(*tables: str) -> None:
    for table in tables:
        db.session.execute(sa.text(f"DELETE FROM {table}"))  # noqa: S608 (names are ours)
    db.session.commit()


def stop_all(processes: list[subprocess.Popen]) -> None:
    """SIGTERM each process (its group), then reap it."""
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            kill(process)


def wait_until(condition, timeout: float, what: str) -> None:
    """tests.processes.wait_for, rolling back between polls so each sees fresh rows."""

    def fresh() -> object:
        try:
            return condition()
        finally:
            db.session.rollback()

    wait_for(fresh, timeout, what)


def side_by_side(first_column: str, unit: str, results: dict[str, dict[int, float]]) -> None:
    """A table: one row per process count, one column per database, rate and ratio to one."""
    backends = list(results)
    print(f"\n{first_column:<12}" + "".join(f"{NAMES[b] + ' ' + unit:>28}" for b in backends))
    for count in COUNTS:
        cells = []
        for backend in backends:
            rates = results[backend]
            rate, one = rates.get(count), rates.get(1)
            cells.append(f"{rate:10.0f} ({rate / one:.2f}x one)" if rate and one else "-")
        print(f"{count:<12}" + "".join(f"{cell:>28}" for cell in cells))
