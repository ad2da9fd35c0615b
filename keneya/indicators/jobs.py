"""The indicators' periodic job (``keneya.core.periodic``): keep the rollups up to date.

Every minute: read the feeds, recompute the months the changes marked (``changes.refresh``), so
a recorded visit shows in the values within a minute with ``manage.py run_scheduler`` running.
Once a night (the first pass after 02:00), the last three months are rebuilt: the safety net for
what no mark names (a merge, a household that moved, an event committed out of id order).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from keneya.core.periodic import register_periodic_job
from keneya.indicators import changes, engine, registry
from keneya.indicators.models import FeedCursor

NIGHTLY = "nightly_rebuild"
NIGHTLY_HOUR = 2


def run(now: datetime) -> str:
    report = changes.refresh(now=now)
    summary = report.summary()
    local = timezone.localtime(now)
    if local.hour >= NIGHTLY_HOUR:
        last = FeedCursor.objects.filter(source=NIGHTLY).first()
        if last is None or timezone.localdate(last.read_at) < local.date():
            first = registry.months_before(local.date().replace(day=1), 2)
            rebuilt = engine.rebuild(first=first, now=now)
            FeedCursor.objects.update_or_create(source=NIGHTLY, defaults={"value": None, "read_at": now})
            summary += f" Reconstruction des 3 derniers mois : {rebuilt.changed} mois modifiés."
    return summary


register_periodic_job("refresh_indicators", timedelta(minutes=1), run, order=80)
