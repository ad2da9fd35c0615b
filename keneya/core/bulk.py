"""Writing many new rows at once: the append-only facts of a batch of visits.

``insert_new`` stores model instances whose primary key the caller has set (client UUIDs),
``insert_rows`` plain rows (``{attname: value}``) where building instances would cost more than
writing them. On PostgreSQL both stream with ``COPY … FROM STDIN`` (psycopg's ``cursor.copy``),
elsewhere they are ``bulk_create``. Why: on a tablet's batch of 50 visits, ``bulk_create``
spent more CPU turning ~330 rows into one SQL string (field preparation, then psycopg quoting
every value into the text) than PostgreSQL spent storing them; COPY sends the values as they
are (docs/benchmarks.md, "Sync"). The rows are the same either way: every concrete field, with
``pre_save`` applied (``auto_now_add`` dates) or the field's default, JSON through the field's
own encoder.

Only for plain new rows: no database-side defaults or returned values (use ``bulk_create`` to
get a ``BigAutoField`` back), no signals (the project uses none for business flow).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any

from django.db import connection, models
from django.utils import timezone


def insert_new(objs: Sequence[models.Model]) -> None:
    """INSERT these new instances (all of one model, primary keys set) in one statement."""
    if not objs:
        return
    model = type(objs[0])
    if any(obj.pk is None or type(obj) is not model for obj in objs):
        raise ValueError("insert_new needs instances of one model with their primary key set")
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objs)
        return
    fields = list(model._meta.concrete_fields)
    _copy(model, fields, ([f.pre_save(obj, add=True) for f in fields] for obj in objs), len(objs))
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


def insert_rows(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> None:
    """INSERT new rows given as ``{attname: value}`` (``visit_id``, not ``visit``), without
    building model instances (a batch of visits writes hundreds of observations, and each
    instance costs more than its row). A field left out takes its default (a new UUID for the
    primary key); ``auto_now``/``auto_now_add`` dates take the time of the call."""
    if not rows:
        return
    fields = list(model._meta.concrete_fields)
    unknown = {name for row in rows for name in row} - {f.attname for f in fields}
    if unknown:
        raise ValueError(f"insert_rows: not fields of {model.__name__}: {sorted(unknown)}")
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create([model(**row) for row in rows])
        return
    now = timezone.now()
    stamped = {
        f.attname for f in fields if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False)
    }

    def values(row: dict[str, Any]) -> list[Any]:
        return [
            row[f.attname] if f.attname in row else now if f.attname in stamped else f.get_default()
            for f in fields
        ]

    _copy(model, fields, (values(row) for row in rows), len(rows))


def _copy(model: type[models.Model], fields: list[Any], rows: Iterable[list[Any]], count: int) -> None:
    """``COPY table (fields) FROM STDIN`` of these values (JSON through the fields' encoder)."""
    from psycopg.types.json import Jsonb

    json_dumps = {i: partial(_dumps, f) for i, f in enumerate(fields) if isinstance(f, models.JSONField)}
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
    started = time.monotonic()
    with connection.cursor() as cursor, connection.wrap_database_errors:
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                for i, dumps in json_dumps.items():
                    if row[i] is not None:
                        row[i] = Jsonb(row[i], dumps=dumps)
                copy.write_row(row)
    if connection.queries_logged:  # COPY bypasses Django's query log: counted all the same
        connection.queries_log.append(
            {"sql": f"{sql} -- {count} rows", "time": f"{time.monotonic() - started:.3f}"}
        )


def _dumps(field: models.JSONField, value: Any) -> str:
    import json

    return json.dumps(value, cls=field.encoder)
