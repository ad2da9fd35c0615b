"""Periodic job of the savings groups (``keneya.core.periodic``, run by ``run_scheduler``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from keneya.core.periodic import register_periodic_job
from keneya.financing.services import remind_late_loans


def late_loan_reminders(now: datetime) -> str:
    """An SMS to the member and the treasurer for each late loan, at most once a week per loan
    (the outbox's dedup key)."""
    return f"{remind_late_loans(today=timezone.localdate(now))} prêt(s) en retard"


register_periodic_job("financing_late_loans", timedelta(days=1), late_loan_reminders, order=35)
