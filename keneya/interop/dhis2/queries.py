"""Reads of the DHIS2 adapter: the pushes, a month's preview, the conflicts grouped for the page.

Nothing here names a person: the values are counts per indicator, cell and facility. The
pushes are programme-wide (the M&E officer and the administrator hold ``REPORTS_SUBMIT``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from keneya.accounts.permissions import Capability, has_capability
from keneya.interop.dhis2.models import Push, PushConflict, PushStatus


def recent_pushes(limit: int = 20) -> QuerySet[Push]:
    return Push.objects.select_related("requested_by").order_by("-requested_at")[:limit]


def pushes_for(period: str) -> QuerySet[Push]:
    return Push.objects.filter(period=period).select_related("requested_by").order_by("-requested_at")


def last_real_push(period: str) -> Push | None:
    """The month's latest accepted push: when it was reported, and whether on time."""
    return (
        Push.objects.filter(period=period, dry_run=False, status__in=[PushStatus.SUCCESS, PushStatus.WARNING])
        .order_by("-finished_at")
        .first()
    )


def conflicts_of(push: Push) -> list[PushConflict]:
    return list(push.conflicts.order_by("indicator", "facility", "value_index", "id"))


def previous_month(today: date | None = None) -> str:
    """The month usually reported: the one before today's."""
    today = today or timezone.localdate()
    year, month = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    return f"{year:04d}-{month:02d}"


def cell_label(cell: dict[str, Any]) -> str:
    """A cell for a French reader: ``sexe : F · âge : 0-11m``; "total" for the empty cell."""
    if not cell:
        return "total"
    return " · ".join(f"{key} : {cell[key]}" for key in sorted(cell))


def home_page_part(user: Any) -> dict[str, Any]:
    """The home page's DHIS2 tile (``accounts.views.home_page`` hook)."""
    return {"can_push_dhis2": has_capability(user, Capability.REPORTS_SUBMIT)}
