"""Reads over the area hierarchy."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from django.db import connection
from django.db.models import QuerySet

from keneya.core.models import Area, AreaLevel


def descendant_area_ids(roots: Iterable[Area | UUID], *, level: str | None = None) -> set[UUID]:
    """Ids of the given areas and every area below them (optionally only those of ``level``).

    The hierarchy has five levels, so this is at most four small queries.
    """
    frontier = {r.pk if isinstance(r, Area) else r for r in roots}
    found: set[UUID] = set(frontier)
    while frontier:
        frontier = set(Area.objects.filter(parent_id__in=frontier).values_list("id", flat=True))
        frontier -= found
        found |= frontier
    if level is None:
        return found
    return set(Area.objects.filter(id__in=found, level=level).values_list("id", flat=True))


def quartiers_under_sql(
    roots: Iterable[Area | UUID] = (), *, also_under: QuerySet[Any] | None = None
) -> tuple[str, list[Any]] | None:
    """SQL selecting the ids of the quartiers at or below ``roots`` and the areas that
    ``also_under`` selects (a queryset of area ids, e.g. a user's areas); None without roots.

    One recursive query whatever the depth, to run (``quartier_ids_under``) or to embed.
    """
    pk = Area._meta.pk
    assert pk is not None
    table = connection.ops.quote_name(Area._meta.db_table)
    ids = [pk.get_db_prep_value(r.pk if isinstance(r, Area) else r, connection) for r in roots]
    starts, params = [], []
    if ids:
        starts.append(f"id IN ({', '.join(['%s'] * len(ids))})")
        params += ids
    if also_under is not None:
        sql, sub_params = also_under.order_by().query.sql_with_params()
        starts.append(f"id IN ({sql})")
        params += list(sub_params)
    if not starts:
        return None
    return (
        f"WITH RECURSIVE under (id, level) AS ("  # noqa: S608 (names from the model)
        f" SELECT id, level FROM {table} WHERE {' OR '.join(starts)}"
        f" UNION SELECT child.id, child.level FROM {table} child"
        f" JOIN under ON child.parent_id = under.id"
        f") SELECT id FROM under WHERE level = %s",
        [*params, AreaLevel.QUARTIER.value],
    )


def quartier_ids_under(
    roots: Iterable[Area | UUID] = (), *, also_under: QuerySet[Any] | None = None
) -> set[UUID]:
    """Ids of the quartiers at or below ``roots`` and the areas ``also_under`` selects.

    One query: the ORM walk (a query per level) cost ~2 ms of a 7 ms lookup (benchmarks.md).
    """
    query = quartiers_under_sql(roots, also_under=also_under)
    if query is None:
        return set()
    pk = Area._meta.pk
    assert pk is not None
    with connection.cursor() as cursor:
        cursor.execute(*query)
        return {pk.to_python(row[0]) for row in cursor.fetchall()}
