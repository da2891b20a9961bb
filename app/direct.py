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

Statements run this way do not fire SQLAlchemy's cursor events or `handle_error` hook,
and the engine's `echo` does not log them. Their errors are raised as SQLAlchemy's, and a
lost connection empties the pool, as with SQLAlchemy.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Table, bindparam
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.sql import Executable
from sqlalchemy.types import TypeEngine

from app.extensions import db

Processor = Callable[[Any], Any]


class _Plan:
    """A statement compiled for one dialect."""

    def __init__(self, sql: str, names: tuple[str, ...], positional: bool,
                 constants: dict[str, Any], bind: dict[str, Processor],
                 columns: tuple[TypeEngine[Any], ...], required: frozenset[str]) -> None:
        self.sql = sql
        self.names = names  # the parameters, in the driver's order
        self.positional = positional
        self.constants = constants  # the values written into the statement itself
        self.bind = tuple(bind.items())  # parameters whose values need converting
        self.columns = columns  # the result's column types
        self.required = required  # the parameters each run must give
        # Each result column's converter, built at the first result: it may depend on the
        # type the driver reports for the column, as with SQLAlchemy.
        self.result: tuple[Processor | None, ...] | None = None

    def parameters(self, values: Mapping[str, Any]) -> Sequence[Any] | Mapping[str, Any]:
        if not values.keys() >= self.required:
            missing = ", ".join(sorted(self.required - set(values)))
            raise KeyError(f"no value given for {missing}")
        if self.constants or self.bind:
            values = {**self.constants, **values}
            for name, process in self.bind:
                values[name] = process(values[name])
        if self.positional:
            return tuple(values[name] for name in self.names)
        return values

    def rows(self, cursor: Any, dialect: Dialect) -> list[tuple[Any, ...]]:
        result = self.result
        if result is None:
            result = self.result = tuple(
                column.dialect_impl(dialect).result_processor(dialect, described[1])
                for column, described in zip(self.columns, cursor.description, strict=True))
        if not any(result):
            return [tuple(row) for row in cursor.fetchall()]
        return [tuple(value if process is None else process(value)
                      for process, value in zip(result, row, strict=True))
                for row in cursor.fetchall()]


class DirectStatement:
    """A Core statement whose parameters are all bound by name (`bindparam`)."""

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        # Per engine's dialect; weak, so an engine let go of takes its plans with it (as
        # long as no converter holds its dialect: none of Herald's statements' do).
        self._plans: WeakKeyDictionary[Dialect, _Plan] = WeakKeyDictionary()

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
        constants: dict[str, Any] = {}
        bind: dict[str, Processor] = {}  # one converter per name, as SQLAlchemy keeps
        for parameter, name in compiled.bind_names.items():
            if parameter.callable is not None:
                raise ValueError("a statement run directly has no values computed when run")
            if not parameter.required:
                constants[name] = parameter.value
            process = parameter.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                bind[name] = process
        names = tuple(compiled.positiontup or ()) if compiled.positional else ()
        columns = tuple(column.type for column in
                        getattr(self.statement, "selected_columns", ()))
        required = frozenset(name for parameter, name in compiled.bind_names.items()
                             if parameter.required)
        return _Plan(compiled.string, names, compiled.positional, constants, bind, columns,
                     required)

    def all(self, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run the statement in the session's transaction; its rows, as tuples."""
        return self._run([values], many=False)

    def many(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run the statement once per set of values, in the session's transaction."""
        if rows:
            self._run(rows, many=len(rows) > 1)

    def _run(self, rows: Sequence[Mapping[str, Any]], many: bool) -> list[tuple[Any, ...]]:
        connection = db.session.connection()
        plan = self.plan(connection.dialect)
        try:
            parameters = [plan.parameters(row) for row in rows]
        except Exception as error:  # a value missing, or one its type cannot take
            raise StatementError(f"A value for the statement is missing or cannot be "
                                 f"converted: {error!r}", plan.sql, None, error) from error
        cursor = connection.connection.cursor()
        try:
            if many:
                cursor.executemany(plan.sql, parameters)
                return []
            cursor.execute(plan.sql, parameters[0])
            return plan.rows(cursor, connection.dialect) if cursor.description else []
        except connection.dialect.loaded_dbapi.Error as error:
            raise _wrapped(error, connection, cursor, plan.sql) from error
        except BaseException as interrupted:
            if not isinstance(interrupted, Exception):
                # Stopped mid-statement (an interrupt, an exit): the connection may be
                # half-way through a reply, so it is not used again, as with SQLAlchemy.
                connection.invalidate(interrupted)
            raise
        finally:
            cursor.close()


def _wrapped(error: Exception, connection: Connection, cursor: Any, sql: str) -> BaseException:
    """The driver's error as SQLAlchemy raises it.

    A lost connection means the database went away (a restart): as SQLAlchemy does, this
    connection is dropped and so is every other the pool holds, so the next checkouts
    open new ones instead of each failing once.
    """
    dialect = connection.dialect
    lost = dialect.is_disconnect(error, connection.connection.dbapi_connection, cursor)
    if lost:
        connection.invalidate(error)
        connection.engine.dispose()
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
