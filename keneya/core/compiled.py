"""Querysets compiled to SQL once, then run again with another value for one lookup.

Building a scoped queryset and compiling it costs Django ~1.3 ms, ten times what PostgreSQL
takes to answer a lookup by id (docs/benchmarks.md, patient lookup). ``CompiledGet`` compiles
the queryset once per key, the key naming everything the queryset's SQL depends on (for a
scoped read: ``accounts.scope.scope_key``), then only binds the new value and builds the
instance the way the ORM does (``select_related`` included).

The fence (docs/decisions/0006-compiled-lookups.md): a compiled statement serves the wrong rows
if the key misses something its SQL depends on. With ``VERIFY`` on (the test suite turns it on
for every test, ``conftest.py``), every ``get`` also builds and runs the queryset afresh, as
plain Django would, and raises ``CompiledLookupMismatch`` when the answers differ. Who may use
this module is listed in ``keneya/core/tests/test_layering.py``.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock
from typing import Any, Generic, NamedTuple, TypeVar

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models import query as orm_query

M = TypeVar("M", bound=Model)

# On in the test suite: every compiled lookup is checked against the queryset built afresh.
VERIFY = False


class CompiledLookupMismatch(AssertionError):
    """A compiled lookup answered differently from the same queryset built afresh: its key
    misses something the SQL depends on (see ``accounts.scope.scope_key``)."""


# Values no row has, to find where the real one goes among the compiled parameters.
UUID_PLACEHOLDER = uuid.UUID("00000000-6b65-6e65-7961-706b706b706b")
TEXT_PLACEHOLDER = "\u2400keneya-compiled-placeholder\u2400"


class CompiledGet(Generic[M]):
    """``get(key, context, value)``: the one row of ``build(context, value)``, compiled once
    per ``key``.

    ``build(context, value)`` returns the queryset for a context (say, the user) filtered on
    ``field`` = ``value``, and must depend on the context only through what ``key`` names.
    ``placeholder`` is a value of that field that no row has. ``get`` raises the model's
    ``DoesNotExist`` when nothing is found, and ``ValidationError`` for a value the field
    refuses (a primary key that is no UUID), as the ORM does.
    """

    def __init__(
        self,
        model: type[M],
        build: Callable[[Any, Any], QuerySet[M]],
        *,
        field: str = "pk",
        placeholder: Any = UUID_PLACEHOLDER,
        maxsize: int = 256,
    ) -> None:
        self.model = model
        self.build = build
        self.placeholder = placeholder
        self.maxsize = maxsize
        target = model._meta.pk if field == "pk" else model._meta.get_field(field)
        assert target is not None
        self._field: Any = target
        self._compiled: OrderedDict[Hashable, _Compiled] = OrderedDict()
        self._lock = Lock()

    def get(self, key: Hashable, context: Any, value: Any) -> M:
        if VERIFY:
            return self._verified_get(key, context, value)
        return self._get(key, context, value)

    def _verified_get(self, key: Hashable, context: Any, value: Any) -> M:
        model: Any = self.model
        try:
            compiled: Any = self._get(key, context, value)
        except model.DoesNotExist:
            compiled = None
        queryset = self.build(context, self._field.to_python(value))
        log = connections[queryset.db].queries_log
        logged = len(log)
        fresh = list(queryset[:2])
        while len(log) > logged:  # the check's own statement: not counted by query-count guards
            log.pop()
        expected = fresh[0] if len(fresh) == 1 else None
        if _state(compiled) != _state(expected):
            raise CompiledLookupMismatch(
                f"{model.__name__} lookup compiled for key {key!r} answered "
                f"{getattr(compiled, 'pk', None)}, the queryset built afresh {getattr(expected, 'pk', None)}"
            )
        if compiled is None:
            raise model.DoesNotExist(f"{model.__name__} not found")
        return compiled

    def _get(self, key: Hashable, context: Any, value: Any) -> M:
        value = self._field.to_python(value)
        c = self._compile(key, context)
        connection = connections[c.alias]
        params = list(c.params)
        params[c.value_at] = self._field.get_db_prep_value(value, connection)
        with connection.cursor() as cursor:
            cursor.execute(c.sql, params)
            rows = cursor.fetchmany(2)
        model: Any = self.model
        if not rows:
            raise model.DoesNotExist(f"{model.__name__} not found")
        if len(rows) > 1:
            raise model.MultipleObjectsReturned(f"more than one {model.__name__}")
        row = rows[0]
        if c.converters:  # the values as the ORM gives them (dates and booleans on SQLite)
            row = list(row)
            for at, (converters, expression) in c.converters.items():
                for converter in converters:
                    row[at] = converter(row[at], expression, connection)
        # As the ORM's ModelIterable builds an instance and its select_related ones.
        obj = self.model.from_db(c.alias, c.init_list, row[c.start : c.end])
        for populator in c.related_populators:
            populator.populate(row, obj)
        return obj

    def _compile(self, key: Hashable, context: Any) -> _Compiled:
        with self._lock:
            found = self._compiled.get(key)
            if found is not None:
                self._compiled.move_to_end(key)
                return found
        queryset = self.build(context, self.placeholder)
        alias = queryset.db
        compiler = queryset.query.get_compiler(alias)
        sql, params = compiler.as_sql()
        if (
            compiler.annotation_col_map
            or compiler.klass_info is None
            or compiler.klass_info["model"] is not self.model
        ):
            raise ValueError("CompiledGet takes a queryset of model instances, no annotations")
        placeholder = self._field.get_db_prep_value(self.placeholder, connections[alias])
        found_at = [i for i, p in enumerate(params) if p == placeholder]
        if len(found_at) != 1:
            raise ValueError("the looked-up value must appear once among the parameters")
        select_fields = compiler.klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        compiled = _Compiled(
            alias=alias,
            sql=sql,
            params=tuple(params),
            value_at=found_at[0],
            converters=compiler.get_converters([s[0] for s in compiler.select]),
            start=start,
            end=end,
            init_list=[s[0].target.attname for s in compiler.select[start:end]],
            related_populators=_related_populators(compiler.klass_info, compiler.select, alias),
        )
        with self._lock:
            self._compiled[key] = compiled
            while len(self._compiled) > self.maxsize:
                self._compiled.popitem(last=False)
        return compiled


def _state(obj: Any) -> Any:
    """What a lookup answered, comparable: the row's field values (None for no row)."""
    if obj is None:
        return None
    return {name: value for name, value in vars(obj).items() if not name.startswith("_")}


# Django 5.2's signature (the type stubs describe a later one).
_related_populators: Callable[..., list[Any]] = orm_query.get_related_populators


class _Compiled(NamedTuple):
    alias: str
    sql: str
    params: tuple[Any, ...]
    value_at: int
    converters: dict[int, Any]
    start: int
    end: int
    init_list: list[str]
    related_populators: list[Any]
