"""The push in the background, on the Django Tasks API (run by ``manage.py db_worker``).

``services.request_push`` enqueues ``push_to_dhis2`` after its transaction commits: the request
never waits for DHIS2. A run that ends in a retry enqueues itself again for the moment it is due
when the backend can defer (django-tasks-db); otherwise the periodic job ``dhis2_retry_pushes``
(``run_scheduler``) picks it up.
"""

from __future__ import annotations

from typing import Any

from django_tasks import task

from keneya.interop.dhis2.sending import next_retry_at, run_push


@task()
def push_to_dhis2(push_id: str) -> dict[str, Any]:
    """Send one push; its outcome (stored by the task backend)."""
    push = run_push(push_id)
    if push is None:
        return {"push": push_id, "status": "skipped"}
    retry_at = next_retry_at(push.pk)
    if retry_at is not None and push_to_dhis2.get_backend().supports_defer:
        push_to_dhis2.using(run_after=retry_at).enqueue(push_id)
    return {"push": push_id, "status": push.status, "attempts": push.attempts}


def enqueue_push(push_id: Any) -> None:
    push_to_dhis2.enqueue(str(push_id))
