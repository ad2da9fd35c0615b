"""Periodic job of social protection (``keneya.core.periodic``, run by ``run_scheduler``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from keneya.core.periodic import register_periodic_job
from keneya.social_protection.services import send_renewal_reminders


def renewal_reminders(now: datetime) -> str:
    """An SMS to each household whose card enters its renewal lead time, once per card (the
    outbox's dedup key): a pass that finds nothing new sends nothing."""
    return f"{send_renewal_reminders(on=timezone.localdate(now))} rappel(s) de renouvellement"


register_periodic_job("social_renewal_reminders", timedelta(days=1), renewal_reminders, order=30)
