"""Writing many new rows at once: the append-only facts of a batch of visits.

``insert_new`` stores model instances whose primary key the caller has set (client UUIDs). On
PostgreSQL it streams them with ``COPY … FROM STDIN`` (psycopg's ``cursor.copy``), elsewhere it
is ``bulk_create``. Why: on a tablet's batch of 50 visits, ``bulk_create`` spent more CPU
turning ~330 rows into one SQL string (field preparation, then psycopg quoting every value into
the text) than PostgreSQL spent storing them; COPY sends the values as they are
(docs/benchmarks.md, "Sync"). The rows are the same either way: every concrete field, with
``pre_save`` applied (``auto_now_add`` dates), JSON through the field's own encoder.

Only for plain new rows: no database-side defaults or returned values (use ``bulk_create`` to
get a ``BigAutoField`` back), no signals (the project uses none for business flow).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from functools import partial
from typing import Any

from django.db import connection, models


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
    meta = model._meta
    fields = list(meta.concrete_fields)
    from psycopg.types.json import Jsonb

    json_dumps = {f.attname: partial(_dumps, f) for f in fields
                  if isinstance(f, models.JSONField)}
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    sql = f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN"
    started = time.monotonic()
    with connection.cursor() as cursor, connection.wrap_database_errors:
        with cursor.cursor.copy(sql) as copy:
            for obj in objs:
                row = []
                for f in fields:
                    value = f.pre_save(obj, add=True)
                    if value is not None and f.attname in json_dumps:
                        value = Jsonb(value, dumps=json_dumps[f.attname])
                    row.append(value)
                copy.write_row(row)
    if connection.queries_logged:  # COPY bypasses Django's query log: counted all the same
        connection.queries_log.append({"sql": f"{sql} -- {len(objs)} rows",
                                       "time": f"{time.monotonic() - started:.3f}"})
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


def _dumps(field: models.JSONField, value: Any) -> str:
    import json

    return json.dumps(value, cls=field.encoder)
