"""A finished dry-run, for tests of other apps (the permission matrix)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from keneya.interop.dhis2.models import Push, PushStatus


def recorded_push(by: Any, period: str = "2026-03") -> Push:
    now = timezone.now()
    return Push.objects.create(
        period=period,
        dry_run=True,
        status=PushStatus.SUCCESS,
        requested_by=by,
        requested_at=now,
        finished_at=now,
        values_hash="0" * 64,
        deadline=now.date(),
    )
