"""Writing the demo's many new rows fast: one ``executemany`` per table, no model machinery.

``bulk_create`` spends most of its time preparing each value through the ORM's generic path
(expressions, ``pre_save``, placeholders), and ``bulk_create_with_history`` builds a second model
instance per row. For the demo's 10,000 persons, 10,000 visits and 27,000 observations that was
most of the seed. Here each column gets its converter once (a UUID to its hex on SQLite, a JSON
value through the field's encoder, dates through the backend's adapters, anything else through
the field's own ``get_db_prep_save``), then the rows go in one ``executemany`` per batch.

The rows are the same as ``bulk_create``'s: every concrete field, with ``pre_save`` applied
(``auto_now_add`` dates) when the row comes from an instance. ``test_seed_demo`` compares them
with what the services write. Only for new rows, without signals (the project uses none for
business flow).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection, models

BATCH_ROWS = 2000
HISTORY_FIELDS = ("history_date", "history_change_reason", "history_type", "history_user_id")


def _identity(value: Any) -> Any:
    return value


def _converter(field: Any) -> Callable[[Any], Any]:
    """How a Python value of ``field`` is sent to the database."""
    if connection.vendor != "sqlite":
        return lambda value: field.get_db_prep_save(value, connection)
    kind = field.target_field.get_internal_type() if field.is_relation else field.get_internal_type()
    if kind == "UUIDField":
        return lambda value: None if value is None else value.hex
    if field.get_internal_type() == "JSONField":
        encoder = field.encoder
        return lambda value: None if value is None else json.dumps(value, cls=encoder)
    if kind == "DateTimeField":
        return _sqlite_datetime() if settings.USE_TZ else connection.ops.adapt_datetimefield_value
    if kind == "DateField":
        return connection.ops.adapt_datefield_value
    if kind in {
        "CharField",
        "TextField",
        "BooleanField",
        "IntegerField",
        "SmallIntegerField",
        "BigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "AutoField",
        "BigAutoField",
    }:
        return _identity
    return lambda value: field.get_db_prep_save(value, connection)


def _sqlite_datetime() -> Callable[[Any], Any]:
    """``adapt_datetimefield_value`` of the SQLite backend with ``USE_TZ`` (aware → naive in the
    connection's zone → ``str``), without its checks per value: 100,000 dates in a seed."""
    zone = connection.timezone

    def convert(value: Any) -> Any:
        if value is None:
            return None
        if value.utcoffset() is not None:
            value = value.astimezone(zone).replace(tzinfo=None)
        return str(value)

    return convert


def insert_rows(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> int:
    """INSERT rows given as ``{attname: value}`` (every row with the same keys); returns the count."""
    if not rows:
        return 0
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    names = list(rows[0])
    fields = [by_attname[name] for name in names]
    converters = [_converter(f) for f in fields]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608 (names from the model)
        f"({', '.join(quote(str(f.column)) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    pairs = list(zip(names, converters, strict=True))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH_ROWS):
            batch = rows[start : start + BATCH_ROWS]
            # Column by column: one ``map`` per column, nothing at all for the plain ones.
            columns = []
            for name, convert in pairs:
                values = [row[name] for row in batch]
                columns.append(values if convert is _identity else list(map(convert, values)))
            cursor.executemany(sql, list(zip(*columns, strict=True)))
    return len(rows)


def instance_rows(objs: Iterable[models.Model]) -> list[dict[str, Any]]:
    """New instances as rows: every concrete field, ``pre_save`` applied (``auto_now_add``)."""
    rows = []
    fields: list[Any] = []
    for obj in objs:
        if not fields:
            fields = list(type(obj)._meta.concrete_fields)
        rows.append({f.attname: f.pre_save(obj, True) for f in fields})
    return rows


def insert_with_history(
    model: type[models.Model], objs: Sequence[models.Model], *, history: bool, reason: str, at: datetime
) -> int:
    """INSERT new instances, and with ``history`` their "created" rows of simple_history (what
    ``bulk_create_with_history`` writes: the same values, ``+``, the change reason, no user)."""
    rows = instance_rows(objs)
    insert_rows(model, rows)
    if history:
        historical = model.history.model  # type: ignore[attr-defined]
        kept = [f.attname for f in historical._meta.concrete_fields if f.attname not in ("history_id",)]
        extra = {
            "history_date": at,
            "history_change_reason": reason,
            "history_type": "+",
            "history_user_id": None,
        }
        insert_rows(
            historical,
            [{name: extra[name] if name in extra else row[name] for name in kept} for row in rows],
        )
    return len(rows)


def complete_rows(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with every concrete field: a field left out takes its default (as ``Model()``)."""
    fields = [f for f in model._meta.concrete_fields]
    names = {f.attname for f in fields}
    out = []
    for row in rows:
        unknown = set(row) - names
        if unknown:
            raise ValueError(f"not fields of {model.__name__}: {sorted(unknown)}")
        out.append({f.attname: row[f.attname] if f.attname in row else f.get_default() for f in fields})
    return out
