"""Fresh databases for tests: SQLite files by default, PostgreSQL databases on request.

`HERALD_TEST_DATABASE_URL` (or `pytest --database-url`) names a PostgreSQL server database
whose user may create databases; `HERALD_TEST_POSTGRES=1` starts a throwaway cluster for
the session instead. Each test then gets its own database, copied from a migrated template.
"""
from __future__ import annotations

import itertools
import os
import secrets
import shutil
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url


class SqliteDatabases:
    """Each database is a new file in the session's temporary folder."""

    backend = "sqlite"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.numbers = itertools.count(1)
        self.template = folder / "template.sqlite3"

    def template_url(self) -> str:
        return f"sqlite:///{self.template}"

    def empty(self) -> str:
        return f"sqlite:///{self.folder / f'db_{next(self.numbers)}.sqlite3'}"

    def copy_of_template(self) -> str:
        url = self.empty()
        shutil.copyfile(self.template, make_url(url).database)
        return url

    def scratch(self) -> str:
        return self.copy_of_template()

    def release(self, url: str) -> None:
        self.drop(url)

    def drop(self, url: str) -> None:
        path = Path(make_url(url).database)
        for leftover in (path, path.with_name(path.name + "-wal"),
                         path.with_name(path.name + "-shm")):
            leftover.unlink(missing_ok=True)

    def close(self) -> None:
        """Nothing to do: the session's temporary folder goes with pytest's."""


class PostgresDatabases:
    """A migrated template database on the server; tests share one working copy of it.

    Copying a database takes a third of a second, emptying one a twentieth: so `scratch()`
    truncates the working copy and puts the template's rows back, and only the few tests
    that need a database of their own pay for `copy_of_template()`.
    """

    backend = "postgresql"

    def __init__(self, server_url: str) -> None:
        self.server = make_url(server_url)
        if not self.server.drivername.startswith("postgresql"):
            raise RuntimeError(f"not a PostgreSQL URL: {self.server.drivername}")
        # A prefix of our own: several test sessions may share one server.
        self.prefix = f"herald_{secrets.token_hex(3)}"
        self.numbers = itertools.count(1)
        self.admin = sa.create_engine(self.server, isolation_level="AUTOCOMMIT",
                                      poolclass=sa.pool.NullPool)
        self.template = f"{self.prefix}_template"
        self._execute(f'CREATE DATABASE "{self.template}"')
        self.work: sa.Engine | None = None
        self.snapshot: list[tuple[sa.Table, list[dict]]] = []

    def _execute(self, statement: str) -> None:
        with self.admin.connect() as connection:
            connection.exec_driver_sql(statement)

    def _url(self, name: str) -> str:
        return self.server.set(database=name).render_as_string(hide_password=False)

    def template_url(self) -> str:
        return self._url(self.template)

    def empty(self) -> str:
        name = f"{self.prefix}_{next(self.numbers)}"
        self._execute(f'CREATE DATABASE "{name}"')
        return self._url(name)

    def copy_of_template(self) -> str:
        name = f"{self.prefix}_{next(self.numbers)}"
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return self._url(name)

    def scratch(self) -> str:
        """The working copy, holding exactly the template's rows again."""
        if self.work is None:
            self.work = sa.create_engine(self.copy_of_template(), poolclass=sa.pool.NullPool)
            self.snapshot = _rows_of(self.work)
        else:
            _restore(self.work, self.snapshot)
        return self.work.url.render_as_string(hide_password=False)

    def release(self, url: str) -> None:
        """Nothing to do for the working copy: the next scratch() empties it."""
        if self.work is None or make_url(url).database != self.work.url.database:
            self.drop(url)

    def drop(self, url: str) -> None:
        # FORCE: a connection a test left open (a killed subprocess, say) must not keep it.
        self._execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')

    def close(self) -> None:
        if self.work is not None:
            self.work.dispose()
            self.drop(self.work.url.render_as_string(hide_password=False))
        self._execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        self.admin.dispose()


def _rows_of(engine: sa.Engine) -> list[tuple[sa.Table, list[dict]]]:
    """Every table (parents first) and its rows, but Alembic's bookkeeping."""
    metadata = sa.MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        return [(table, [dict(row._mapping) for row in connection.execute(table.select())])
                for table in metadata.sorted_tables if table.name != "alembic_version"]


def _restore(engine: sa.Engine, snapshot: list[tuple[sa.Table, list[dict]]]) -> None:
    """Empty every table, put the snapshot's rows back, and move the id sequences past them."""
    with engine.begin() as connection:
        # Connections an earlier test left open would hold locks TRUNCATE waits for.
        connection.exec_driver_sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        names = ", ".join(f'"{table.name}"' for table, _ in snapshot)
        connection.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        for table, rows in snapshot:
            if rows:
                connection.execute(table.insert(), rows)
            if "id" in table.c and rows:
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                    f"(SELECT max(id) FROM \"{table.name}\"))")


def requested_server_url(option: str | None) -> str | None:
    """The PostgreSQL server the tests were asked to use, if any (option, then env)."""
    return option or os.environ.get("HERALD_TEST_DATABASE_URL") or None


def wants_throwaway_cluster() -> bool:
    return os.environ.get("HERALD_TEST_POSTGRES", "").lower() in ("1", "true", "yes")
