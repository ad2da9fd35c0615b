"""The incremental refresh gives the full rebuild's figures: on random changes (visits, late
visits, corrected measurements, acknowledged alerts, referrals seen, new persons) and on the demo."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from keneya.indicators import changes, engine
from keneya.indicators.tests.conftest import BAMAKO, NOW
from keneya.indicators.tests.test_definitions import visit

pytestmark = pytest.mark.django_db

FIRST, LAST = date(2026, 1, 1), date(2026, 4, 30)
NAMES = ("Awa", "Fanta", "Kadiatou", "Mariam", "Oumou", "Salimata", "Assitan")
ACTIONS = ("visit", "sick", "muac", "void", "ack", "seen", "register")


def rebuilt() -> dict[str, Any]:
    engine.rebuild(first=FIRST, last=LAST)
    return engine.snapshot()


def apply(action: str, day: int, who: int, users: Any, cast: Any) -> None:
    from keneya.alerts.models import Alert, AlertStatus
    from keneya.alerts.services import acknowledge_alert
    from keneya.people.services import add_member
    from keneya.people.tests.factories import person
    from keneya.referrals.models import Referral
    from keneya.referrals.services import mark_seen
    from keneya.visits.models import Observation
    from keneya.visits.services import void_observation

    children = [cast.child1, cast.infant2, cast.older2]
    child = children[who % len(children)]
    on = date(2026, 2, 1) + timedelta(days=day)
    kind = "older_child_followup" if child == cast.older2 else "child_followup"
    if action == "visit":
        visit(users, child, on, kind=kind)
    elif action == "sick" and child != cast.older2:
        visit(
            users,
            child,
            on,
            kind="sick_child",
            findings={"convulsions": True} if who % 2 else {"diarrhoea": True, "diarrhoea_days": 2},
        )
    elif action == "muac" and child != cast.older2:
        visit(users, child, on, measurements={"muac_mm": 105 + who * 5})
    elif action == "void":
        observation = (
            Observation.objects.filter(code="muac_mm", voided_at__isnull=True).order_by("id").first()
        )
        if observation is not None:
            chw = users.chw1 if observation.person.household.chw_id == users.chw1.pk else users.chw2
            void_observation(
                by=chw, observation=observation, reason="Erreur", replacement=130 if who % 2 else None
            )
    elif action == "ack":
        alert = Alert.objects.filter(status=AlertStatus.OPEN).order_by("raised_at").first()
        if alert is not None:
            clinician = (
                users.clinician1 if alert.facility_id == users.clinician1.facility_id else users.clinician2
            )
            acknowledge_alert(by=clinician, alert=alert)
    elif action == "seen":
        referral = Referral.objects.filter(seen_at__isnull=True).order_by("issued_at").first()
        if referral is not None:
            mark_seen(
                by=users.clinician1, referral=referral, at=referral.issued_at + timedelta(hours=3 + 20 * who)
            )
    elif action == "register":
        add_member(
            by=users.chw1,
            household=cast.child1.household,
            data=person("Traoré", NAMES[day % len(NAMES)], "F", on),
        )


@settings(
    max_examples=8,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(ACTIONS), st.integers(0, 68), st.integers(0, 3)), min_size=1, max_size=6
    )
)
def test_the_incremental_refresh_equals_the_full_rebuild(
    steps: list[Any], users: Any, cast: Any, time_machine: Any
) -> None:
    # The examples share the database: the clock only moves forward (the feeds read timestamps).
    time_machine.move_to(max(timezone.now(), NOW) + timedelta(seconds=1), tick=True)
    baseline = rebuilt()
    changes.refresh()
    assert engine.snapshot() == baseline  # nothing pending: nothing changes
    for action, day, who in steps:
        apply(action, day, who, users, cast)
    changes.refresh()
    incremental = engine.snapshot()
    assert incremental == rebuilt()


def test_on_the_demo_a_visit_of_last_month_lands_in_last_month(time_machine: Any) -> None:
    from keneya.demo.seed import seed_demo
    from keneya.people.models import Person
    from keneya.visits.services import record_home_visit

    today = date(2026, 4, 10)
    time_machine.move_to(datetime(2026, 4, 10, 12, 0, tzinfo=BAMAKO), tick=True)
    seed_demo(households=40, visits=True, today=today, history=False)
    before = rebuilt()
    assert any(k.startswith("home_visits 2026-03") for k in before)
    child = (
        Person.objects.filter(date_of_birth__gt=date(2022, 6, 1), household__chw__isnull=False)
        .select_related("household__chw")
        .first()
    )
    assert child is not None and child.household.chw is not None
    record_home_visit(
        by=child.household.chw, person=child, visit_date=date(2026, 3, 28), kind="child_followup"
    )
    changes.refresh()
    incremental = engine.snapshot()
    assert incremental != before
    assert incremental == rebuilt()
