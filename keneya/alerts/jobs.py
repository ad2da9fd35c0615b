"""Periodic job of the alerts app (``keneya.core.periodic``, run by ``run_scheduler``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from keneya.alerts.services import escalate_unacknowledged
from keneya.core.periodic import register_periodic_job


def escalate_alerts(now: datetime) -> str:
    """Urgent alerts nobody acknowledged within the delay go to the facility manager."""
    return f"{escalate_unacknowledged(now=now)} alerte(s) escaladée(s)"


register_periodic_job("escalate_alerts", timedelta(minutes=1), escalate_alerts, order=10)
