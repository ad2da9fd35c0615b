"""Each indicator's numerator and denominator on the small cast, at period boundaries, with a
late visit and a voided measurement."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from keneya.indicators import changes, engine, queries, registry
from keneya.indicators.models import IndicatorMonth
from keneya.indicators.tests.conftest import NOW

pytestmark = pytest.mark.django_db

MARCH = registry.parse_period("2026-03")


def visit(users: Any, person: Any, day: date, kind: str = "child_followup", **kwargs: Any) -> Any:
    from keneya.visits.services import record_home_visit

    chw = users.chw1 if person.household.chw_id == users.chw1.pk else users.chw2
    return record_home_visit(by=chw, person=person, visit_date=day, kind=kind, **kwargs)


def rebuild() -> None:
    engine.rebuild(first=date(2026, 1, 1), last=date(2026, 4, 30))


def value(user: Any, code: str, period: str = "2026-03", by: str = "", **where: str) -> list[dict[str, Any]]:
    indicator = registry.get(code)
    assert indicator is not None
    return queries.values(
        user=user,
        indicator=indicator,
        period=registry.parse_period(period),
        by=[b for b in by.split(",") if b],
        where=where,
    )


def test_every_app_declares_its_indicators() -> None:
    apps = {i.app for i in registry.indicators()}
    assert {"people", "visits", "alerts", "referrals", "records", "social_protection"} <= apps
    for indicator in registry.indicators():
        assert indicator.name and indicator.name_en and indicator.definition and indicator.source
        assert "health_area" in indicator.disaggregations


def test_children_followed_by_age_at_the_end_of_the_month(users: Any, cast: Any) -> None:
    rebuild()
    [u5] = value(users.me, "children_0_59m_followed", by="health_area")[:1]
    rows = {
        r["cell"]["health_area"]: r["value"]
        for r in value(users.me, "children_0_59m_followed", by="health_area")
    }
    assert rows == {"AS-LAF": 1, "AS-HAM": 1}
    assert value(users.me, "children_5_17_followed")[0]["value"] == 1
    # Registered on 10 February: nobody is followed at the end of January.
    assert value(users.me, "children_0_59m_followed", period="2026-01")[0]["value"] == 0
    bands = {r["cell"]["age_band"]: r["value"] for r in value(users.me, "persons_registered", by="age_band")}
    assert bands == {"0-11m": 1, "12-59m": 1, "5-17": 1, "18-49": 2}
    assert u5["numerator"] == 1


def test_a_visit_counts_in_the_month_of_its_date(users: Any, cast: Any) -> None:
    visit(users, cast.child1, date(2026, 2, 28))
    visit(users, cast.child1, date(2026, 3, 31))
    visit(users, cast.child1, date(2026, 4, 1))
    rebuild()
    assert value(users.me, "home_visits")[0]["value"] == 1
    assert value(users.me, "home_visits", period="2026-02")[0]["value"] == 1
    assert value(users.me, "home_visits", period="2026-Q1")[0]["value"] == 2
    share = {
        r["cell"]["health_area"]: r for r in value(users.me, "children_u5_visited_share", by="health_area")
    }
    assert (share["AS-LAF"]["numerator"], share["AS-LAF"]["denominator"], share["AS-LAF"]["value"]) == (
        1,
        1,
        100,
    )
    assert (share["AS-HAM"]["numerator"], share["AS-HAM"]["denominator"]) == (0, 1)
    total = value(users.me, "children_u5_visited_share")[0]
    assert total["value"] == pytest.approx(50.0)


def test_sick_child_classifications_and_urgent_referral(users: Any, cast: Any) -> None:
    visit(users, cast.child1, date(2026, 3, 20), kind="sick_child", findings={"convulsions": True})
    rebuild()
    classes = {
        r["cell"]["classification"]: r["value"]
        for r in value(users.me, "sick_children_assessed", by="classification")
    }
    assert classes.get("danger_sign") == 1
    # The referral and the alert were issued when the visit reached the server (10 April).
    assert value(users.me, "urgent_referrals")[0]["value"] == 0
    assert value(users.me, "urgent_referrals", period="2026-04")[0]["value"] == 1
    assert value(users.me, "alerts_raised", period="2026-04", by="priority")[0]["cell"] == {
        "priority": "urgent"
    }
    # Nobody was seen yet: 0 of 1 completed, no median.
    completed = value(users.me, "referrals_completed", period="2026-04")[0]
    assert (completed["numerator"], completed["denominator"], completed["value"]) == (0, 1, 0)
    assert value(users.me, "median_time_to_care", period="2026-04")[0]["value"] is None


def test_a_late_visit_lands_in_its_month_and_revises_it(users: Any, cast: Any) -> None:
    visit(users, cast.child1, date(2026, 3, 2))
    rebuild()
    assert value(users.me, "home_visits")[0]["value"] == 1
    march = IndicatorMonth.objects.get(indicator="home_visits", period="2026-03")
    assert march.revised_at is None
    # Synced on 10 April, three weeks after it happened.
    visit(users, cast.child1, date(2026, 3, 20))
    report = changes.refresh(now=NOW)
    assert "home_visits 2026-03" in report.recomputed
    assert value(users.me, "home_visits")[0]["value"] == 2
    march.refresh_from_db()
    assert march.revised_at is not None and march.revisions == 1
    assert queries.revision(registry.get("home_visits"), MARCH)["revised_at"] is not None


def test_a_voided_measurement_no_longer_counts(users: Any, cast: Any) -> None:
    from keneya.visits.services import void_observation

    v = visit(users, cast.child1, date(2026, 3, 25), measurements={"muac_mm": 112})
    rebuild()
    assert value(users.me, "muac_red_measurements")[0]["value"] == 1
    observation = v.observations.get(code="muac_mm")
    void_observation(by=users.chw1, observation=observation, reason="Erreur de saisie", replacement=121)
    changes.refresh(now=NOW + timedelta(minutes=1))
    assert value(users.me, "muac_red_measurements")[0]["value"] == 0


def test_a_month_outside_the_registry_has_a_zero_total(users: Any, cast: Any) -> None:
    rebuild()
    [row] = value(users.me, "home_visits", period="2025-12")
    assert row == {"period": "2025-12", "cell": {}, "value": 0.0, "numerator": 0.0, "denominator": None}


def test_fully_vaccinated_children_12_23_months(users: Any, cast: Any, time_machine: Any) -> None:
    from keneya.indicators.tests.conftest import REGISTERED
    from keneya.people.services import add_member
    from keneya.people.tests.factories import person

    time_machine.move_to(REGISTERED, tick=False)
    toddler = add_member(
        by=users.chw1, household=cast.child1.household, data=person("Traoré", "Issa", "M", date(2024, 12, 1))
    )
    time_machine.move_to(NOW, tick=False)
    card = {code: "2025-06-01" for code in ("BCG", "PENTA1", "PENTA2", "PENTA3", "VPO1", "VPO2", "VPO3")}
    # Copied in April: it does not change March (the card was not seen by then).
    visit(users, toddler, date(2026, 4, 2), findings={"vaccines": {**card, "RR1": "2025-12-05"}})
    rebuild()
    march = value(users.me, "fully_vaccinated_12_23m")[0]
    assert (march["numerator"], march["denominator"]) == (0, 1)
    april = value(users.me, "fully_vaccinated_12_23m", period="2026-04")[0]
    assert (april["numerator"], april["denominator"], april["value"]) == (1, 1, 100)
