"""Model instances from one round trip of hand-written SQL, for the few reads on the hottest paths.

Django's SQL compiler costs more CPU than the round trip itself (about 1 to 2 ms a query on the 2-core
machines of docs/performance.md): on the API token check and the register lookup of every verification it
was most of the request's cost. Those reads are written once as SQL here, and their rows made into model
instances exactly as the ORM would make them: every concrete column read, the database backend's and the
field's converters applied (SQLite returns text for dates and UUIDs), the instance marked as loaded from
the database so that a later save() updates it.

Use it only where a measurement shows the ORM is the cost; everywhere else, the ORM.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db import connections
from django.db.models import Field, Model

M = TypeVar("M", bound=Model)

Converter = Callable[[Any, Any, Any], Any]


def fetch(sql: str, params: Sequence[Any], using: str = "default") -> list[tuple[Any, ...]]:
    """The rows of one read; on PostgreSQL the statement is prepared once a connection has run it five times.

    Django binds parameters on the client, so every query is planned afresh by the server: for the hot reads
    that planning cost three times their execution. These go through a server-side-binding cursor instead
    (``%s`` placeholders as usual), still wrapped by Django: health check, error mapping, query log and
    execute wrappers behave as for any other query. settings.DB_PREPARED_STATEMENTS turns this off.
    """
    connection = connections[using]
    if connection.vendor != "postgresql" or not settings.DB_PREPARED_STATEMENTS:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [tuple(row) for row in cursor.fetchall()]
    from django.db.backends.postgresql.base import ServerBindingCursor

    # what connection.cursor() does, with a server-side-binding cursor in place of the default one
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        raw: Any = ServerBindingCursor(connection.connection)  # type: ignore[call-arg]  # django-stubs lack it
    wrapped = connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)
    with wrapped as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]


def table(model: type[Model]) -> str:
    """The model's quoted table name, for an f-string of SQL (never user input)."""
    return connections["default"].ops.quote_name(model._meta.db_table)


@dataclass(frozen=True)
class Columns(Generic[M]):
    """Every concrete column of a model under a table alias: a SELECT list, and a reader of its part of a row."""

    model: type[M]
    alias: str
    fields: tuple[Field[Any, Any], ...]
    _converter_cache: dict[str, list[tuple[Any, list[Converter]]]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def of(cls, model: type[M], alias: str, *names: str) -> Columns[M]:
        """Every concrete column, or only the named fields (the others deferred, as with ``only()``).

        The SELECT list follows the model's column order, not the order of ``names``.
        """
        if not names:
            return cls(model, alias, tuple(model._meta.concrete_fields))
        fields = [model._meta.get_field(name) for name in names]
        if not all(isinstance(f, Field) and f.concrete for f in fields):
            raise ValueError(f"not concrete fields of {model.__name__}: {names}")
        # in the model's column order: Model.from_db() matches a partial row to the fields in that order
        wanted = {f.name for f in fields}
        return cls(model, alias, tuple(f for f in model._meta.concrete_fields if f.name in wanted))

    @property
    def width(self) -> int:
        return len(self.fields)

    def sql(self, using: str = "default") -> str:
        quote = connections[using].ops.quote_name
        return ", ".join(f"{self.alias}.{quote(str(model_field.column))}" for model_field in self.fields)

    def _converters(self, using: str) -> list[tuple[Any, list[Converter]]]:
        found = self._converter_cache.get(using)
        if found is None:
            connection = connections[using]
            found = []
            for model_field in self.fields:
                expression = model_field.get_col(self.alias)
                converters = connection.ops.get_db_converters(expression) + model_field.get_db_converters(connection)
                found.append((expression, converters))
            self._converter_cache[using] = found
        return found

    def build(self, row: Sequence[Any], start: int = 0, using: str = "default") -> M:
        """The instance made of ``row[start:start + width]``, as the ORM would make it."""
        connection = connections[using]
        values = []
        for (expression, converters), raw in zip(self._converters(using), row[start : start + self.width], strict=True):
            value = raw
            for converter in converters:
                value = converter(value, expression, connection)
            values.append(value)
        return self.model.from_db(using, [model_field.attname for model_field in self.fields], values)
