"""What changed since the last refresh: the months to recompute, by source.

Two ways a domain app tells the indicators that its facts changed:

- **marks**: its service (or a hook receiver it registers on its own hook) calls
  ``mark_changed("visits", dates)`` in the transaction that wrote the facts: one INSERT of
  a row per month touched (``PendingChange``). ``keneya.visits`` does it from
  ``visits_stored``: a visit synced three weeks late marks its own month.
- **feeds**: ``register_feed("alerts", read)`` where ``read(cursor) -> (cursor, dates)`` returns
  the dates of the facts changed after ``cursor`` (an event table's id, a timestamp) and the new
  cursor. The refresh reads each feed once a pass. For apps whose writes have an event table
  (alerts, referrals, dossiers), no write path changes.

``refresh`` (the ``refresh_indicators`` job, every minute) reads the feeds, then recomputes the
months marked for the indicators of each source, then deletes the marks it handled.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from keneya.indicators import engine, registry
from keneya.indicators.models import FeedCursor, PendingChange

logger = logging.getLogger(__name__)

Feed = Callable[[Any], tuple[Any, Iterable[date]]]
FEEDS: dict[str, Feed] = {}


def register_feed(source: str, read: Feed) -> None:
    FEEDS[source] = read


def months_of(dates: Iterable[date | datetime]) -> set[str]:
    out = set()
    for d in dates:
        if d is None:
            continue
        if isinstance(d, datetime):
            d = timezone.localdate(d) if timezone.is_aware(d) else d.date()
        out.add(f"{d:%Y-%m}")
    return out


def mark_changed(source: str, dates: Iterable[date | datetime], *, now: datetime | None = None) -> int:
    """Mark the months of ``dates`` as changed for ``source`` (inside the caller's transaction):
    one INSERT, one row per month. The refresh deletes exactly the rows it read, so a mark
    committed while it runs waits for the next pass (no lost change, no lock shared by pushes)."""
    months = months_of(dates)
    if months:
        now = now or timezone.now()
        PendingChange.objects.bulk_create(
            [PendingChange(source=source, period=m, marked_at=now) for m in sorted(months)]
        )
    return len(months)


def read_feeds(*, now: datetime, mark: bool = True) -> int:
    """Read every feed from its cursor; mark the months it names (unless ``mark`` is False: a
    full rebuild is about to recompute them). Returns the marks written."""
    written = 0
    for source, read in sorted(FEEDS.items()):
        with transaction.atomic():
            cursor = FeedCursor.objects.select_for_update().filter(source=source).first()
            new_cursor, dates = read(cursor.value if cursor else None)
            if mark:
                written += mark_changed(source, dates, now=now)
            FeedCursor.objects.update_or_create(source=source, defaults={"value": new_cursor, "read_at": now})
    return written


def full_rebuild(
    *, first: date, last: date | None = None, codes: Iterable[str] | None = None, now: datetime | None = None
) -> engine.RebuildReport:
    """``manage.py rebuild_indicators``: move the feeds' cursors and drop the marks (what they
    name is recomputed now), then recompute every month from ``first``. A change committed
    meanwhile marks its month again for the next refresh."""
    now = now or timezone.now()
    if codes is None:
        read_feeds(now=now, mark=False)
        PendingChange.objects.filter(marked_at__lte=now).delete()
    return engine.rebuild(first=first, last=last, codes=codes, now=now)


@dataclass
class RefreshReport:
    marks: int = 0
    months: int = 0
    changed: int = 0
    recomputed: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if not self.marks:
            return "Indicateurs : rien à recalculer."
        return f"Indicateurs : {self.months} mois recalculés ({self.changed} modifiés)."


def refresh(*, now: datetime | None = None) -> RefreshReport:
    """The incremental update: the months the changes marked, for the indicators of each source."""
    now = now or timezone.now()
    report = RefreshReport()
    read_feeds(now=now)
    pending = list(PendingChange.objects.order_by("period", "source"))
    report.marks = len(pending)
    todo: dict[str, set[str]] = {}
    for mark in pending:
        for indicator in registry.indicators():
            if mark.source in indicator.sources:
                todo.setdefault(mark.period, set()).add(indicator.code)
    for period_code, codes in sorted(todo.items()):
        period = registry.parse_period(period_code)
        for code in sorted(codes):
            found = registry.get(code)
            if found is None:
                continue
            report.months += 1
            if engine.recompute_month(found, period, now=now):
                report.changed += 1
            report.recomputed.append(f"{code} {period_code}")
    # Only the marks read at the start: a mark written meanwhile waits for the next pass.
    PendingChange.objects.filter(pk__in=[mark.pk for mark in pending]).delete()
    return report


def mark_current_month(source: str, *, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return mark_changed(source, [timezone.localdate(now)], now=now)


def last_month(now: datetime) -> date:
    return timezone.localdate(now).replace(day=1) - timedelta(days=1)
