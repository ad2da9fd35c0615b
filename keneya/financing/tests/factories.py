"""A savings group with members, officers and an open cycle, made through the services."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from keneya.financing import services
from keneya.financing.models import Office
from keneya.people.services import register_household
from keneya.people.tests.factories import person

CONSTITUTION = {
    "contribution": 100,
    "health_part": 50,
    "max_shares": 3,
    "fine_absence": 50,
    "fine_late": 25,
    "health_loan_max": 15000,
    "emergency_loan_max": 10000,
    "loan_multiple_of_savings": 3,
    "loan_duration_weeks": 8,
    "business_interest_percent": 10,
}
GIVEN = ["Awa", "Fatoumata", "Mariam", "Kadiatou", "Aminata", "Oumou", "Rokia", "Salimata"]
CHILDREN = ["Issa", "Moussa", "Bakary", "Seydou", "Oumar", "Adama", "Drissa", "Lassina"]


def women(chw: Any, quartier: Any, n: int) -> list[Any]:
    """``n`` households of ``chw``, each headed by a woman with a toddler; returns the women."""
    out = []
    for i in range(n):
        household = register_household(
            by=chw,
            quartier=quartier,
            phone=f"76 00 10 {i:02d}",
            members=[
                person("Diarra", GIVEN[i % len(GIVEN)], "F", date(1990, 1, 1 + i), "head"),
                person("Diarra", CHILDREN[i % len(CHILDREN)], "M", date(2024, 3, 1), "child"),
            ],
        )
        out.append(household.head)
    return out


def group_with_members(
    *,
    admin: Any,
    treasurer: Any,
    chw: Any,
    quartier: Any,
    n: int = 4,
    opened_on: date = date(2026, 1, 5),
    name: str = "Tontine Benkadi",
    **constitution: Any,
) -> tuple[Any, list[Any]]:
    group = services.create_group(by=admin, name=name, quartier=quartier, facilitator=chw)
    services.appoint(by=admin, group=group, office=Office.TREASURER, user=treasurer, since=opened_on)
    members = women(chw, quartier, n)
    for woman in members:
        services.add_member(by=admin, group=group, person=woman, joined_on=opened_on)
    services.open_cycle(by=admin, group=group, opened_on=opened_on, **{**CONSTITUTION, **constitution})
    return group, members


def savings_and_a_loan(treasurer: Any, group: Any, members: list[Any], *, on: date = date(2026, 2, 2)) -> Any:
    """Twenty weeks of contributions by every member, then a health loan of 2 000 to the first."""

    for member in members:
        for _week in range(20):
            services.record_contribution(by=treasurer, group=group, member=member, on=on)
    loan, _created = services.disburse_loan(
        by=treasurer,
        group=group,
        loan_id=uuid.uuid4(),
        member=members[0],
        amount=2000,
        purpose="medicines",
        disbursed_on=on,
    )
    return loan
