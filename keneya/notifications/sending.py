"""Sending what the outbox holds: claim a due row, send it through the gateway, mark it.

Sending is at most once per row: a worker claims a row by moving it from ``pending`` to
``sending`` in its own short transaction (row lock with SKIP LOCKED where the database has it,
and a compare-and-set on the status everywhere), sends outside any transaction, then marks it.
A ``sent`` row is never claimed again. Logs carry message ids only, never a number or a text.
``notifications.tasks.send_outbox`` and ``manage.py send_outbox`` run ``send_pending``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from keneya.interop.sms import GatewayError, SmsGateway, get_gateway
from keneya.interop.sms.base import redact
from keneya.notifications import queries
from keneya.notifications.models import OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)

# Defaults of the NOTIFICATIONS_* settings. With them a message is tried 8 times over about two
# hours (waits of 1, 2, 4, 8, 16, 32 and 60 minutes) before it is marked dead.
DEFAULT_MAX_ATTEMPTS = 8
DEFAULT_RETRY_BASE_SECONDS = 60
DEFAULT_RETRY_MAX_SECONDS = 60 * 60
# A claim older than this means the worker died mid-send. It is far above one send (the gateway
# times out after seconds) so that a slow but living worker is never overtaken.
DEFAULT_SENDING_TIMEOUT_SECONDS = 15 * 60
INTERRUPTED_ERROR = "interrupted while sending: delivery unknown, requeue by hand if needed"


@dataclass
class SendReport:
    """What one ``send_pending`` run did."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    dead: int = 0
    interrupted: int = 0
    next_due_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "claimed": self.claimed,
            "sent": self.sent,
            "retried": self.retried,
            "failed": self.failed,
            "dead": self.dead,
            "interrupted": self.interrupted,
            "next_due_at": self.next_due_at.isoformat() if self.next_due_at else None,
        }


def max_attempts() -> int:
    return int(getattr(settings, "NOTIFICATIONS_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))


def retry_delay(attempts: int) -> timedelta:
    """Exponential back-off after the ``attempts``-th failed try: base, 2×base, 4×base… capped."""
    base = float(getattr(settings, "NOTIFICATIONS_RETRY_BASE_SECONDS", DEFAULT_RETRY_BASE_SECONDS))
    cap = float(getattr(settings, "NOTIFICATIONS_RETRY_MAX_SECONDS", DEFAULT_RETRY_MAX_SECONDS))
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), cap))


def _sending_timeout() -> timedelta:
    return timedelta(
        seconds=float(
            getattr(settings, "NOTIFICATIONS_SENDING_TIMEOUT_SECONDS", DEFAULT_SENDING_TIMEOUT_SECONDS)
        )
    )


def send_pending(
    *, now: datetime | None = None, limit: int = 100, gateway: SmsGateway | None = None
) -> SendReport:
    """Send up to ``limit`` due SMS through ``gateway`` (default: the configured one) and mark them.

    Each message is claimed, sent and marked on its own, so a slow gateway never holds a claim on
    messages it has not reached. ``now`` is fixed for tests; by default the clock is read per step.
    """

    def clock() -> datetime:
        return now or timezone.now()

    report = SendReport()
    report.interrupted = _give_up_interrupted_sends(now=clock())
    own_gateway = gateway is None
    active_gateway = gateway or get_gateway()
    try:
        for _index in range(limit):
            message = _claim_next(now=clock())
            if message is None:
                break
            report.claimed += 1
            _send_one(message, active_gateway, now=clock(), report=report)
    finally:
        if own_gateway:
            active_gateway.close()
    report.next_due_at = queries.next_due_at()
    if report.claimed or report.interrupted:
        logger.info("outbox run: %s", report.as_dict())
    return report


def _claim_next(*, now: datetime) -> OutboxMessage | None:
    while True:
        with transaction.atomic():
            candidates = queries.due_messages(now=now)
            if connection.features.has_select_for_update_skip_locked:
                candidates = candidates.select_for_update(skip_locked=True)
            candidate = candidates.values_list("pk", flat=True).first()
            if candidate is None:
                return None
            # Compare-and-set: only one worker moves the row out of "pending", even on a database
            # without row locks.
            claimed = OutboxMessage.objects.filter(pk=candidate, status=OutboxStatus.PENDING).update(
                status=OutboxStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
            )
            if claimed:
                return OutboxMessage.objects.get(pk=candidate)


def _send_one(message: OutboxMessage, gateway: SmsGateway, *, now: datetime, report: SendReport) -> None:
    try:
        result = gateway.send(message.recipient, message.body)
    except GatewayError as exc:
        _record_failure(message, exc, now=now, report=report)
        return
    except Exception as exc:  # a gateway bug must not leave the row in "sending"
        logger.error("outbox %s: gateway %s raised %s", message.id, gateway.name, type(exc).__name__)
        _record_failure(
            message, GatewayError(f"unexpected {type(exc).__name__}", retryable=True), now=now, report=report
        )
        return
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.SENT,
        sent_at=now,
        claimed_at=None,
        last_error="",
        provider_message_id=result.provider_id[:100],
        cost=result.cost[:40],
    )
    report.sent += 1
    logger.info(
        "outbox %s sent (attempt %d, provider id %s)", message.id, message.attempts, result.provider_id
    )


def _record_failure(
    message: OutboxMessage, error: GatewayError, *, now: datetime, report: SendReport
) -> None:
    text = redact(str(error), max_length=255)
    changes: dict[str, Any] = {"claimed_at": None, "last_error": text}
    if not error.retryable:
        changes["status"] = OutboxStatus.FAILED
        report.failed += 1
        logger.warning("outbox %s refused by the gateway: %s", message.id, text)
    elif message.attempts >= max_attempts():
        changes["status"] = OutboxStatus.DEAD
        report.dead += 1
        logger.error("outbox %s dead after %d attempts: %s", message.id, message.attempts, text)
    else:
        retry_at = now + retry_delay(message.attempts)
        changes.update(status=OutboxStatus.PENDING, next_attempt_at=retry_at)
        report.retried += 1
        logger.warning(
            "outbox %s attempt %d failed (%s); retry at %s",
            message.id,
            message.attempts,
            text,
            retry_at.isoformat(),
        )
    OutboxMessage.objects.filter(pk=message.pk).update(**changes)


def _give_up_interrupted_sends(*, now: datetime) -> int:
    """Rows left in "sending" by a dead worker: the SMS may have gone out, so never resend them."""
    interrupted = queries.interrupted_sends(now=now, timeout=_sending_timeout())
    ids = list(interrupted.values_list("pk", flat=True))
    if not ids:
        return 0
    count = OutboxMessage.objects.filter(pk__in=ids, status=OutboxStatus.SENDING).update(
        status=OutboxStatus.DEAD, claimed_at=None, last_error=INTERRUPTED_ERROR
    )
    logger.error("outbox: %d interrupted sends marked dead: %s", count, ", ".join(str(pk) for pk in ids))
    return count
