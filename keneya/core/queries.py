"""Reads over the area hierarchy."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

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


def quartier_ids_under(roots: Iterable[Area | UUID]) -> set[UUID]:
    return descendant_area_ids(roots, level=AreaLevel.QUARTIER)
