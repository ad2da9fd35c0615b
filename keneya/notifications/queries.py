"""Reads over the outbox: what the worker sends next, and what an operator watches."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, Min, QuerySet

from keneya.notifications.models import Channel, OutboxMessage, OutboxStatus


def due_messages(*, now: datetime, channel: str = Channel.SMS) -> QuerySet[OutboxMessage]:
    """Pending messages whose time has come, oldest first (served by the ``outbox_due_idx`` index)."""
    return OutboxMessage.objects.filter(
        status=OutboxStatus.PENDING, next_attempt_at__lte=now, channel=channel
    ).order_by("next_attempt_at", "created_at")


def next_due_at(*, channel: str = Channel.SMS) -> datetime | None:
    """When the earliest pending message becomes due (None when nothing is pending)."""
    result: datetime | None = OutboxMessage.objects.filter(
        status=OutboxStatus.PENDING, channel=channel
    ).aggregate(at=Min("next_attempt_at"))["at"]
    return result


def interrupted_sends(*, now: datetime, timeout: timedelta) -> QuerySet[OutboxMessage]:
    """Messages claimed by a worker that never reported back (it died or was killed mid-send)."""
    return OutboxMessage.objects.filter(status=OutboxStatus.SENDING, claimed_at__lt=now - timeout)


def outbox_counts() -> dict[str, int]:
    """Number of messages per status, every status present (for monitoring)."""
    counts = {status.value: 0 for status in OutboxStatus}
    for row in OutboxMessage.objects.values("status").annotate(n=Count("id")).order_by():
        counts[row["status"]] = row["n"]
    return counts
