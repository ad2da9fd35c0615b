"""The scheduler's job: a recorded visit shows in the values at the next pass (every minute),
and the nightly pass rebuilds the last three months."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from keneya.core.periodic import periodic_job, periodic_jobs
from keneya.indicators.models import FeedCursor, PendingChange
from keneya.indicators.tests.conftest import BAMAKO, NOW
from keneya.indicators.tests.test_definitions import value, visit

pytestmark = pytest.mark.django_db


def test_the_refresh_runs_every_minute_with_the_scheduler() -> None:
    job = periodic_job("refresh_indicators")
    assert job.every == timedelta(minutes=1)
    assert job in periodic_jobs()


def test_a_recorded_visit_shows_at_the_next_pass(users: Any, cast: Any) -> None:
    job = periodic_job("refresh_indicators")
    job.run(NOW)
    assert value(users.me, "home_visits", period="2026-04")[0]["value"] == 0
    visit(users, cast.child1, date(2026, 4, 10))
    assert PendingChange.objects.filter(source="visits", period="2026-04").exists()
    summary = job.run(NOW + timedelta(minutes=1))
    assert "recalculés" in summary
    assert value(users.me, "home_visits", period="2026-04")[0]["value"] == 1
    assert not PendingChange.objects.exists()
    assert job.run(NOW + timedelta(minutes=2)).startswith("Indicateurs : rien à recalculer")


def test_the_first_pass_after_two_at_night_rebuilds_the_last_months(users: Any, cast: Any) -> None:
    job = periodic_job("refresh_indicators")
    night = datetime(2026, 4, 11, 2, 1, tzinfo=BAMAKO)
    assert "Reconstruction" in job.run(night)
    assert FeedCursor.objects.filter(source="nightly_rebuild").exists()
    assert "Reconstruction" not in job.run(night + timedelta(minutes=1))
    assert value(users.me, "children_0_59m_followed", period="2026-03")[0]["value"] == 2
