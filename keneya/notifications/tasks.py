"""Background work of the outbox, on the Django Tasks API (django-tasks backport on Django 5.2).

``enqueue_sms`` enqueues ``send_outbox`` after its transaction commits. With a backend that can
defer (django-tasks-db, RQ), a run that leaves messages waiting for a retry enqueues itself again
for the moment the next one is due, so ``manage.py db_worker`` alone delivers the retries.
``manage.py send_outbox --loop`` is the other way to run the outbox, and the safety net for a
message whose wake-up was lost (a worker killed mid-run).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.utils import timezone
from django_tasks import task

from keneya.notifications.sending import send_pending

logger = logging.getLogger(__name__)


@task()
def send_outbox() -> dict[str, Any]:
    """Send the SMS that are due; returns the run's report (stored by the task backend)."""
    report = send_pending()
    # Only a run that did work keeps the chain going: duplicate wake-ups then die out instead of
    # multiplying while messages wait for a retry.
    if report.claimed and report.next_due_at is not None:
        schedule_next_run(report.next_due_at)
    return report.as_dict()


def schedule_next_run(at: datetime) -> None:
    """Enqueue a later ``send_outbox`` when the backend can defer; otherwise leave it to the loop."""
    if not send_outbox.get_backend().supports_defer:
        return  # e.g. the immediate backend would run it now, again and again
    if at <= timezone.now():
        send_outbox.enqueue()  # more was due than one run's limit
    else:
        send_outbox.using(run_after=at).enqueue()
    logger.debug("outbox: next run scheduled at %s", at.isoformat())
