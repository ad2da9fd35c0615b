"""The worker's side of a push: claim it, send it, store DHIS2's answer and its conflicts.

A push is claimed by moving it to ``running`` with a compare-and-set on its status, so two
workers never send the same row. A server error, a timeout or the network schedules a retry with
exponential back-off (``DHIS2_RETRY_BASE_SECONDS`` doubled per attempt, capped at
``DHIS2_RETRY_MAX_SECONDS``) up to ``DHIS2_MAX_ATTEMPTS``; then the push is ``failed``. Sending
the same values again is harmless (``CREATE_AND_UPDATE``: DHIS2 counts them as updated).
Logs carry the push id, statuses and counts: never a credential, a value or a name.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from keneya.interop.dhis2.client import Connection, Dhis2Error
from keneya.interop.dhis2.mapping import dhis2_period, object_index
from keneya.interop.dhis2.models import Push, PushConflict, PushStatus
from keneya.interop.dhis2.summary import ImportSummary, advice_for

logger = logging.getLogger(__name__)

DEFAULT_MAX_ATTEMPTS = 6
DEFAULT_RETRY_BASE_SECONDS = 60
DEFAULT_RETRY_MAX_SECONDS = 3600
# A push still "running" after this long lost its worker: it is tried again (safe, see above).
RUNNING_TIMEOUT = timedelta(minutes=15)
SUMMARY_STATUS = {"SUCCESS": PushStatus.SUCCESS, "WARNING": PushStatus.WARNING, "ERROR": PushStatus.ERROR}


def max_attempts() -> int:
    return int(getattr(settings, "DHIS2_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))


def retry_delay(attempts: int) -> timedelta:
    """Back-off after the ``attempts``-th failed try: base, 2×base, 4×base… capped."""
    base = float(getattr(settings, "DHIS2_RETRY_BASE_SECONDS", DEFAULT_RETRY_BASE_SECONDS))
    cap = float(getattr(settings, "DHIS2_RETRY_MAX_SECONDS", DEFAULT_RETRY_MAX_SECONDS))
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), cap))


def _french_error(error: Dhis2Error) -> str:
    if error.status in (401, 403):
        return f"Identifiants DHIS2 refusés ou droits insuffisants (HTTP {error.status})."
    if error.status is not None and error.status >= 500:
        return f"Serveur DHIS2 en erreur (HTTP {error.status})."
    if str(error).startswith("timeout"):
        return "DHIS2 n'a pas répondu à temps."
    if str(error).startswith("network"):
        return "Serveur DHIS2 injoignable (réseau)."
    if error.status is not None:
        return f"Réponse inattendue de DHIS2 (HTTP {error.status})."
    return "Réponse illisible de DHIS2."


def _claim(push_id: Any, *, now: datetime) -> Push | None:
    with transaction.atomic():
        claimed = (
            Push.objects.filter(pk=push_id, status__in=[PushStatus.QUEUED, PushStatus.RETRY])
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .update(status=PushStatus.RUNNING, attempts=F("attempts") + 1, next_attempt_at=None)
        )
    if not claimed:
        return None
    push = Push.objects.get(pk=push_id)
    if push.started_at is None:
        push.started_at = now
        Push.objects.filter(pk=push.pk).update(started_at=now)
    return push


def run_push(
    push_id: Any, *, now: datetime | None = None, connection: Connection | None = None
) -> Push | None:
    """Send one push if it is due; its row afterwards (None when another worker has it or it is done)."""
    push = _claim(push_id, now=now or timezone.now())
    if push is None:
        return None
    own = connection is None
    try:
        active = connection or Connection.from_settings()
    except Exception as exc:  # configuration removed since the request: nothing will fix it by waiting
        _fail(push, "DHIS2 n'est pas configuré.", now=now or timezone.now())
        logger.error("dhis2 push %s: not configured (%s)", push.pk, type(exc).__name__)
        return push
    try:
        try:
            answer = active.post_data_value_set(push.payload, push.params)
        except Dhis2Error as error:
            _record_error(push, error, now=now or timezone.now())
            return push
        _record_summary(push, answer.summary, answer.body, now=now or timezone.now())
        if _should_complete(push):
            _register_completion(push, active)
    finally:
        if own:
            active.close()
    return push


def _should_complete(push: Push) -> bool:
    return bool(
        getattr(settings, "DHIS2_COMPLETE_DATA_SET", False)
        and not push.dry_run
        and push.status in (PushStatus.SUCCESS, PushStatus.WARNING)
        and push.payload.get("dataSet")
    )


def _register_completion(push: Push, connection: Connection) -> None:
    """Mark the data set complete for each org unit pushed. Its failure never undoes the push:
    it is recorded on the push (``completion``) for the officer to see and redo in DHIS2."""
    units = sorted({v["orgUnit"] for v in push.payload.get("dataValues", [])})
    try:
        answer = connection.register_completion(
            data_set=push.payload["dataSet"],
            period=push.payload["period"],
            org_units=units,
            scheme=push.params.get("idScheme", "UID"),
        )
    except Dhis2Error as error:
        text = f"non ({_french_error(error)})"
    else:
        summary = answer.summary
        done = summary.imported + summary.updated
        text = f"{done} / {len(units)} structure(s)" + (
            f" ; {summary.conflicts[0].value}" if summary.conflicts else ""
        )
    push.completion = text[:255]
    push.save(update_fields=["completion"])
    logger.info(
        "dhis2 push %s: completion registered: %s", push.pk, "error" if text.startswith("non") else "ok"
    )


def _fail(push: Push, message: str, *, now: datetime) -> None:
    push.status, push.last_error, push.finished_at = PushStatus.FAILED, message[:255], now
    push.save(update_fields=["status", "last_error", "finished_at"])


def _record_error(push: Push, error: Dhis2Error, *, now: datetime) -> None:
    message = _french_error(error)
    if error.retryable and push.attempts < max_attempts():
        push.status = PushStatus.RETRY
        push.next_attempt_at = now + retry_delay(push.attempts)
        push.last_error = message[:255]
        push.save(update_fields=["status", "next_attempt_at", "last_error"])
        logger.warning(
            "dhis2 push %s attempt %d failed (%s); retry at %s",
            push.pk,
            push.attempts,
            error,
            push.next_attempt_at.isoformat(),
        )
        return
    _fail(push, message, now=now)
    logger.error("dhis2 push %s failed after %d attempt(s): %s", push.pk, push.attempts, error)


@transaction.atomic
def _record_summary(push: Push, summary: ImportSummary, body: dict[str, Any], *, now: datetime) -> None:
    push.status = SUMMARY_STATUS[summary.status]
    push.imported, push.updated = summary.imported, summary.updated
    push.ignored, push.deleted = summary.ignored, summary.deleted
    push.description = summary.description[:255]
    push.response = body
    push.finished_at = now
    push.last_error = ""
    if not push.dry_run and push.status in (PushStatus.SUCCESS, PushStatus.WARNING):
        push.on_time = timezone.localdate(now) <= push.deadline
    push.save()
    PushConflict.objects.bulk_create(_conflict_rows(push, summary))
    logger.info(
        "dhis2 push %s (%s): %s, imported %d, updated %d, ignored %d, %d conflict(s)",
        push.pk,
        "dry run" if push.dry_run else "push",
        summary.status,
        summary.imported,
        summary.updated,
        summary.ignored,
        len(summary.conflicts),
    )


def _conflict_rows(push: Push, summary: ImportSummary) -> list[PushConflict]:
    """Each conflict against the values it concerns: by index (2.38+), else by the object's identifier."""
    values = push.values
    by_object = object_index(push.payload.get("dataValues") or [])
    period = dhis2_period(push.period)
    rows: list[PushConflict] = []
    for conflict in summary.conflicts:
        prop = conflict.property
        positions = [i for i in conflict.indexes if i < len(values)]
        if not positions and conflict.object != period and conflict.object in by_object:
            prop, positions = by_object[conflict.object][0], by_object[conflict.object][1]
        if not positions and conflict.object == period:
            prop = prop or "period"
        common = {
            "push": push,
            "object": conflict.object[:255],
            "value": conflict.value,
            "error_code": conflict.error_code[:10],
            "property": prop[:40],
            "advice": advice_for(conflict, matched_property=prop)[:255],
        }
        if not positions:
            rows.append(PushConflict(**common))
            continue
        for position in positions:
            value = values[position]
            rows.append(
                PushConflict(
                    **common,
                    value_index=position,
                    indicator=value["indicator"][:80],
                    indicator_name=value["indicator_name"][:255],
                    cell=value["cell"],
                    facility=value["facility"][:40],
                )
            )
    return rows


def due_pushes(*, now: datetime) -> list[Any]:
    """Pushes a worker should run now: waiting for a retry, queued but never picked up, or lost."""
    Push.objects.filter(status=PushStatus.RUNNING, started_at__lt=now - RUNNING_TIMEOUT).update(
        status=PushStatus.RETRY, next_attempt_at=now
    )
    return list(
        Push.objects.filter(status__in=[PushStatus.QUEUED, PushStatus.RETRY])
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("requested_at")
        .values_list("pk", flat=True)
    )


def run_due_pushes(*, now: datetime | None = None, connection: Connection | None = None) -> dict[str, int]:
    """Run every due push (the periodic job and tests); counts by outcome."""
    counts = {"sent": 0, "retry": 0, "failed": 0}
    for push_id in due_pushes(now=now or timezone.now()):
        push = run_push(push_id, now=now, connection=connection)
        if push is None:
            continue
        if push.status == PushStatus.RETRY:
            counts["retry"] += 1
        elif push.status == PushStatus.FAILED:
            counts["failed"] += 1
        else:
            counts["sent"] += 1
    return counts


def next_retry_at(push_id: Any) -> datetime | None:
    waiting = Push.objects.filter(pk=push_id, status=PushStatus.RETRY)
    return waiting.values_list("next_attempt_at", flat=True).first()
