"""A few hot statements, run straight through the database driver.

SQLAlchemy's Core spends Python on every statement before the database does any work:
building an execution context, processing each value, wrapping the result. In a tight
loop the intake's prebuilt SELECTs cost 21 µs each through Core, 10 µs run as here, and
5 µs through the bare driver; in a request, between all the other code, Core's share
grows to about 0.1 ms. The intake runs three statements for every alert group it
accepts, and a worker two for every batch it records.

A `DirectStatement` keeps SQLAlchemy as the one definition of the SQL: the statement is a
Core construct, compiled once per dialect by SQLAlchemy, and every value goes through the
bind and result processors of its column's type for that dialect, as SQLAlchemy would
apply them. Only the execution is direct: the driver's cursor of the session's
connection, in the session's transaction, which the caller commits as usual.

Statements run this way do not fire SQLAlchemy's cursor events.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, bindparam
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Executable

from app.extensions import db

Processor = Callable[[Any], Any]


@dataclass(frozen=True)
class _Plan:
    """A statement compiled for one dialect."""

    sql: str
    names: tuple[str, ...]  # the parameters, in the driver's order
    positional: bool
    constants: dict[str, Any]  # the values written into the statement itself
    bind: tuple[tuple[str, Processor], ...]  # parameters whose values need converting
    result: tuple[Processor | None, ...]  # per result column

    def parameters(self, values: Mapping[str, Any]) -> Sequence[Any] | Mapping[str, Any]:
        if self.constants or self.bind:
            values = {**self.constants, **values}
            for name, process in self.bind:
                values[name] = process(values[name])
        if self.positional:
            return tuple(values[name] for name in self.names)
        return values

    def rows(self, fetched: Iterable[Sequence[Any]]) -> list[tuple[Any, ...]]:
        if not any(self.result):
            return [tuple(row) for row in fetched]
        return [tuple(value if process is None else process(value)
                      for process, value in zip(self.result, row, strict=True))
                for row in fetched]


class DirectStatement:
    """A Core statement whose parameters are all bound by name (`bindparam`)."""

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._plans: dict[Dialect, _Plan] = {}

    def plan(self, dialect: Dialect) -> _Plan:
        plan = self._plans.get(dialect)
        if plan is None:
            plan = self._plans[dialect] = self._compile(dialect)
        return plan

    def _compile(self, dialect: Dialect) -> _Plan:
        compiled = self.statement.compile(dialect=dialect)
        if compiled.literal_execute_params or compiled.post_compile_params:
            raise ValueError("a statement run directly cannot expand parameters when run")
        if compiled.insert_prefetch or compiled.update_prefetch:
            raise ValueError("a statement run directly cannot compute column defaults in "
                             "Python: give every such column a value")
        if compiled.effective_returning:
            raise ValueError("a statement run directly cannot return rows it writes")
        if compiled.escaped_bind_names:
            raise ValueError("a statement run directly names its parameters plainly")
        constants, bind = {}, []
        for parameter, name in compiled.bind_names.items():
            if not parameter.required:
                constants[name] = parameter.effective_value
            process = parameter.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                bind.append((name, process))
        names = tuple(compiled.positiontup or ()) if compiled.positional else ()
        result = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in getattr(self.statement, "selected_columns", ())
        )
        return _Plan(compiled.string, names, compiled.positional, constants, tuple(bind),
                     result)

    def all(self, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run the statement in the session's transaction; its rows, as tuples."""
        return self._run(lambda cursor, plan: cursor.execute(plan.sql, plan.parameters(values)),
                         fetch=True)

    def many(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run the statement once per set of values, in the session's transaction."""
        if len(rows) == 1:
            self.all(rows[0])
        elif rows:
            self._run(lambda cursor, plan: cursor.executemany(
                plan.sql, [plan.parameters(row) for row in rows]), fetch=False)

    def _run(self, execute: Callable[[Any, _Plan], Any], fetch: bool) -> list[tuple[Any, ...]]:
        connection = db.session.connection()
        plan = self.plan(connection.dialect)
        cursor = connection.connection.cursor()
        try:
            execute(cursor, plan)
            return plan.rows(cursor.fetchall()) if fetch and cursor.description else []
        except connection.dialect.loaded_dbapi.Error as error:
            raise _wrapped(error, connection, cursor, plan.sql) from error
        finally:
            cursor.close()


def _wrapped(error: Exception, connection: Connection, cursor: Any, sql: str) -> BaseException:
    """The driver's error as SQLAlchemy raises it; a lost connection is dropped from the
    pool, as SQLAlchemy would, so the next checkout gets a new one."""
    dialect = connection.dialect
    lost = dialect.is_disconnect(error, connection.connection.dbapi_connection, cursor)
    if lost:
        connection.invalidate(error)
    return DBAPIError.instance(sql, None, error, dialect.loaded_dbapi.Error,
                               hide_parameters=True, connection_invalidated=lost,
                               dialect=dialect)


class DirectInsert:
    """INSERT into a table of the columns the rows give; the others keep their defaults.

    Every row of one call gives the same columns, as with SQLAlchemy's executemany.
    """

    def __init__(self, table: Table) -> None:
        self.table = table
        self._statements: dict[tuple[str, ...], DirectStatement] = {}

    def many(self, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        names = tuple(rows[0])
        statement = self._statements.get(names)
        if statement is None:
            insert = self.table.insert().inline()  # no implicit RETURNING of the key
            statement = self._statements[names] = DirectStatement(insert.values(
                {name: bindparam(name, type_=self.table.c[name].type) for name in names}))
        statement.many(rows)
