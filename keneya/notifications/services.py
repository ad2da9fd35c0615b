"""Writes to the outbox: enqueue a message in the caller's transaction, wake the worker, requeue.

Sending (claim, send, mark) is ``notifications.sending``; the worker's task is
``notifications.tasks.send_outbox``. Logs carry message ids only, never a number or a text.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keneya.core.phones import normalise_phone
from keneya.notifications.messages import render
from keneya.notifications.models import Channel, OutboxMessage, OutboxStatus
from keneya.notifications.tasks import send_outbox

logger = logging.getLogger(__name__)

INVALID_NUMBER_ERROR = "invalid recipient number: not a Malian number (+223 and 8 digits)"


@dataclass(frozen=True)
class Sms:
    """One SMS to enqueue: ``enqueue_sms``'s arguments."""

    to: str
    template: str
    context: dict[str, Any]
    dedup_key: str


def enqueue_sms(*, to: str, template: str, context: dict[str, Any], dedup_key: str) -> OutboxMessage:
    """Write one SMS to the outbox, in the caller's transaction; the worker sends it after commit.

    The French text is rendered now: an unknown template or a missing field is a ValueError (a
    programming error). The same ``dedup_key`` returns the row already there and sends nothing
    more. Nothing is sent if the caller's transaction rolls back. The worker is woken once per
    transaction, however many messages it enqueues.

    A missing or non-Malian number is a data problem, not the caller's: the row is stored as
    ``failed`` ("invalid recipient number") for an operator to see, and the caller's write (a visit, an
    alert) goes on.
    """
    [message] = enqueue_sms_many([Sms(to=to, template=template, context=context, dedup_key=dedup_key)])
    return message


def _outbox_row(sms: Sms) -> OutboxMessage:
    if not sms.dedup_key:
        raise ValueError("enqueue_sms needs a dedup_key, e.g. 'alert:<uuid>:clinician:<user id>'")
    fields: dict[str, Any] = {
        "channel": Channel.SMS,
        "template": sms.template,
        "body": render(sms.template, sms.context),
        "context": sms.context,
        "dedup_key": sms.dedup_key,
    }
    try:
        fields["recipient"] = normalise_phone(sms.to, field="to")
        problem = "" if fields["recipient"] else INVALID_NUMBER_ERROR
    except ValidationError:
        fields["recipient"], problem = (sms.to or "")[:64], INVALID_NUMBER_ERROR
    if problem:
        fields.update(status=OutboxStatus.FAILED, last_error=problem)
    return OutboxMessage(**fields)


@transaction.atomic(savepoint=False)
def enqueue_sms_many(messages: Sequence[Sms]) -> list[OutboxMessage]:
    """``enqueue_sms`` for several messages in two statements (the keys already there, one
    INSERT), as a set of visits raising urgent alerts needs. Returns each message's row, in
    order; a key already in the outbox (or twice in ``messages``) gives the row stored first.
    """
    rows = [_outbox_row(sms) for sms in messages]
    if not rows:
        return []
    stored = {m.dedup_key: m for m in OutboxMessage.objects.filter(dedup_key__in=[r.dedup_key for r in rows])}
    new: dict[str, OutboxMessage] = {}
    for row in rows:
        if row.dedup_key in stored or row.dedup_key in new:
            logger.debug(
                "outbox %s already holds dedup key of this message",
                (stored.get(row.dedup_key) or new[row.dedup_key]).id,
            )
        else:
            new[row.dedup_key] = row
    # A row written meanwhile by another transaction with the same key wins (as get_or_create).
    OutboxMessage.objects.bulk_create(new.values(), ignore_conflicts=True)
    sendable = False
    for row in new.values():
        if row.status == OutboxStatus.FAILED:
            logger.warning("outbox %s not sendable (%s): %s", row.id, row.template, row.last_error)
        else:
            logger.info("outbox %s enqueued (%s)", row.id, row.template)
            sendable = True
    if sendable:
        _wake_worker_on_commit()
    return [stored.get(row.dedup_key) or new[row.dedup_key] for row in rows]


def _wake_worker_on_commit() -> None:
    """``wake_worker`` after the current transaction commits, once however often it is asked.

    A wake-up registered in a savepoint that rolled back has been dropped by Django with the
    savepoint, so it is registered again here.
    """
    connection_ = transaction.get_connection()
    pending = getattr(connection_, "run_on_commit", [])
    if connection_.in_atomic_block and any(entry[1] is wake_worker for entry in pending):
        return
    transaction.on_commit(wake_worker, robust=True)


def wake_worker() -> None:
    """Ask the task backend to run the outbox now (after the commit that wrote the message)."""
    send_outbox.enqueue()


@transaction.atomic
def requeue_message(*, message: OutboxMessage) -> OutboxMessage:
    """Give a failed or dead message a fresh set of attempts (an operator's decision)."""
    if message.status not in (OutboxStatus.FAILED, OutboxStatus.DEAD):
        raise ValidationError(_("Seul un message refusé ou abandonné peut être renvoyé."))
    if not normalise_phone(message.recipient, field="recipient"):  # a wrong number stays refused
        raise ValidationError({"recipient": _("Numéro de téléphone manquant.")})
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.PENDING, attempts=0, next_attempt_at=timezone.now(), claimed_at=None
    )
    message.refresh_from_db()
    logger.info("outbox %s requeued", message.id)
    transaction.on_commit(wake_worker, robust=True)
    return message
