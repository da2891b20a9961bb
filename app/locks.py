"""Locks every Herald process sharing the database sees: PostgreSQL advisory locks, SQLite's
write lock, and a lock file around start-up on SQLite."""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Connection, Engine, text


def lock_id(name: str) -> int:
    """A stable signed 64-bit number for a lock name, as pg_advisory_lock wants."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def serialise(connection: Connection, *names: str) -> None:
    """Hold these names until the connection's transaction ends, against every process.

    PostgreSQL: one transaction-level advisory lock per name (in a fixed order, so two
    callers never deadlock). SQLite has one writer at a time: take its write lock now
    (BEGIN IMMEDIATE) instead of at the first write, so what is read next stays true.
    """
    if connection.dialect.name == "postgresql":
        for name in sorted(set(names)):
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": lock_id(name)})
    elif connection.dialect.name == "sqlite":
        driver = connection.connection.driver_connection
        if not driver.in_transaction:  # a transaction that already wrote holds the lock
            connection.exec_driver_sql("BEGIN IMMEDIATE")


@contextlib.contextmanager
def held_at_start(engine: Engine, lock_file: Path | None) -> Iterator[None]:
    """One process at a time through start-up work (migrations, provisioning).

    PostgreSQL: a session-level advisory lock on a connection kept for the duration.
    SQLite: an exclusive flock on a file next to the database; other databases: none.
    """
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": STARTUP_LOCK})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": STARTUP_LOCK})
                connection.commit()
        return
    if lock_file is None:
        yield
        return
    with open(lock_file, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


STARTUP_LOCK = lock_id("herald:start-up")
