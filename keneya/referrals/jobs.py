"""Periodic job of the referrals app (``keneya.core.periodic``, run by ``run_scheduler``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from keneya.core.periodic import register_periodic_job
from keneya.referrals.services import check_overdue_referrals


def check_referrals(now: datetime) -> str:
    """Referrals issued more than 24 h ago with no arrival become "not arrived" (which raises
    the CSCom's follow-up alert)."""
    return f"{check_overdue_referrals(now=now)} référence(s) déclarée(s) non arrivée(s)"


register_periodic_job("check_referrals", timedelta(minutes=1), check_referrals, order=20)
