"""Periodic job of the DHIS2 adapter (``keneya.core.periodic``, run by ``run_scheduler``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from keneya.core.periodic import register_periodic_job
from keneya.interop.dhis2.sending import run_due_pushes


def retry_pushes(now: datetime) -> str:
    """The pushes waiting for a retry, and any whose worker wake-up was lost."""
    counts = run_due_pushes(now=now)
    return (
        f"{counts['sent']} envoi(s) DHIS2 traité(s), {counts['retry']} à réessayer, "
        f"{counts['failed']} en échec"
    )


register_periodic_job("dhis2_retry_pushes", timedelta(minutes=1), retry_pushes, order=92)
