"""Periodic job of the notifications app (``keneya.core.periodic``, run by ``run_scheduler``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from keneya.core.periodic import register_periodic_job
from keneya.notifications.sending import send_pending


def send_outbox(now: datetime) -> str:
    """The SMS that are due, including those the jobs before it queued in the same pass."""
    # The outbox reads the clock at each step (a send may take seconds): no fixed ``now``.
    report = send_pending()
    return (
        f"{report.sent} SMS envoyé(s), {report.retried} à réessayer, {report.failed + report.dead} en échec"
    )


register_periodic_job("send_outbox", timedelta(minutes=1), send_outbox, order=90)
