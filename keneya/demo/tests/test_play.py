"""The demo's bulk path writes what the services would, and everything else goes through them.

- Visits and their observations are bulk-written (``visits.write_visits``): the same small cast
  of planned visits is recorded once through ``visits.services.record_home_visit`` (at each
  visit's arrival time) and once through the bulk path; the rows must be the same, ids and
  creation times of the observations apart.
- Alerts, referrals and consultations are never written by the demo itself: no constructor of
  those models, and no copy of a delay or a rule, in ``keneya/demo``.
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction

from keneya.demo import seed as demo
from keneya.demo import visits as closed_loop
from keneya.demo.generate import generate_households
from keneya.people.models import Person
from keneya.sync.models import ChangeLog
from keneya.visits.models import Observation, Visit
from keneya.visits.services import record_home_visit

T0 = datetime(2026, 3, 10, 10, 30, tzinfo=ZoneInfo("Africa/Bamako"))
HOUSEHOLDS = 40
CAST = 60  # visits

VISIT_FIELDS = [f.attname for f in Visit._meta.concrete_fields]
OBSERVATION_FIELDS = [f.attname for f in Observation._meta.concrete_fields if f.attname not in ("id",)]


def _plan(tmp_path: Path) -> closed_loop.ClosedLoopPlan:
    call_command(
        "seed_demo",
        "--households",
        str(HOUSEHOLDS),
        "--no-visits",
        "--logins-file",
        str(tmp_path / "logins.json"),
        stdout=io.StringIO(),
    )
    today = T0.date()
    plan = demo.plan_for(households=HOUSEHOLDS)
    users = dict(get_user_model().objects.values_list("username", "pk"))
    chw_ids = {chw.index: users[chw.username] for chw in plan.chws}
    subjects = closed_loop.Subjects(today)
    subjects.add(generate_households(plan, seed=demo.DEFAULT_SEED, today=today), chw_ids)
    return closed_loop.plan_closed_loop(
        subjects, seed=demo.DEFAULT_SEED, today=today, now=T0, tz=ZoneInfo("Africa/Bamako")
    )


def _cast(plan: closed_loop.ClosedLoopPlan) -> list[closed_loop.PVisit]:
    """Visits of every kind, some with a vaccination card, some urgent; by arrival time."""
    ordered = sorted(plan.visits, key=lambda v: (v.recorded_at, v.id))
    picked = [v for v in ordered if "vaccines" in v.findings][:15]
    picked += [v for v in ordered if v.urgent][:5]
    for kind in ("child_followup", "sick_child", "pregnancy", "postnatal"):
        picked += [v for v in ordered if v.kind == kind][:10]
    unique = {v.id: v for v in picked}
    return sorted(unique.values(), key=lambda v: (v.recorded_at, v.id))[:CAST]


def _snapshot() -> dict[str, Any]:
    return {
        "visits": sorted(tuple(row) for row in Visit.objects.values_list(*VISIT_FIELDS)),
        "observations": sorted(
            Observation.objects.values_list(*OBSERVATION_FIELDS), key=lambda row: repr(row)
        ),
        "changes": sorted(
            ChangeLog.objects.filter(type="visit").values_list("chw_id", "type", "object_id"),
            key=repr,
        ),
    }


class _Rollback(Exception):
    pass


@pytest.mark.django_db
def test_bulk_written_visits_are_what_the_visit_service_writes(tmp_path: Path, time_machine: Any) -> None:
    time_machine.move_to(T0, tick=False)
    plan = _plan(tmp_path)
    cast = _cast(plan)
    assert {v.kind for v in cast} == {"child_followup", "sick_child", "pregnancy", "postnatal"}
    assert any("vaccines" in v.findings for v in cast) and any(v.urgent for v in cast)
    plan.visits = cast

    try:
        with transaction.atomic():
            closed_loop.write_visits(plan, closed_loop.visit_rows(plan))
            bulk = _snapshot()
            raise _Rollback
    except _Rollback:
        pass
    assert not Visit.objects.exists()

    chws = get_user_model().objects.in_bulk({v.home.chw_id for v in cast})
    persons = Person.objects.select_related("household").in_bulk({v.member.id for v in cast})
    for v in cast:
        assert v.recorded_at is not None
        time_machine.move_to(v.recorded_at, tick=False)
        record_home_visit(
            by=chws[v.home.chw_id],
            person=persons[v.member.id],
            visit_date=v.visit_date,
            kind=v.kind,
            findings=v.findings,
            measurements=v.measurements,
            id=v.id,
        )
    time_machine.move_to(T0, tick=False)

    assert _snapshot() == bulk
    assert len(bulk["visits"]) == len(cast) and len(bulk["observations"]) > len(cast)


DEMO = Path(__file__).resolve().parent.parent


def test_the_demo_writes_no_alert_referral_or_consultation_itself_and_copies_no_delay() -> None:
    sources = {path.name: path.read_text(encoding="utf-8") for path in DEMO.glob("*.py")}
    for name, text in sources.items():
        for model in ("Alert", "AlertEvent", "Referral", "ReferralEvent", "Consultation", "Diagnosis"):
            assert not re.search(rf"\b{model}\(", text), f"{name} builds {model} rows itself"
        assert "ESCALATION_DELAY" not in text and "timedelta(hours=2)" not in text, name
        assert "SCHEDULER_SECONDS" not in text, name
        assert "matching_rules" not in text and "alert_to_raise" not in text, name
    assert "raise_alerts_for_visits" in sources["play.py"]
    assert "escalation_delay()" in sources["play.py"]
