"""The pharmacy's cast: chw1's household (an adult head, a child of 2 years), a RAMED card for
the head, and API clients."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from keneya.people.services import add_member
from keneya.people.tests.factories import person


@pytest.fixture
def world(users: Any, household_factory: Any) -> SimpleNamespace:
    household = household_factory(users.chw1)
    child = add_member(
        by=users.chw1,
        household=household,
        data=person("Traoré", "Fanta", "F", timezone.localdate() - timedelta(days=730)),
    )
    return SimpleNamespace(household=household, head=household.head, child=child)


@pytest.fixture
def ramed_head(users: Any, world: SimpleNamespace) -> Any:
    """The head holds a valid RAMED card."""
    from keneya.social_protection.tests.factories import issued_card, opened_dossier

    today = timezone.localdate()
    dossier = opened_dossier(users.social, world.household, "ramed", [world.head])
    issued_card(
        users.social, dossier, valid_from=today, valid_until=today + timedelta(days=1000), number="RAMED-77"
    )
    return world.head


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def as_clinician(users: Any) -> APIClient:
    return api(users.clinician1)


@pytest.fixture
def mutuelle_head(users: Any, world: SimpleNamespace) -> Any:
    """The head is a mutuelle member past the waiting period, contributions paid: covered."""
    import uuid

    from keneya.social_protection import services
    from keneya.social_protection.tests.factories import issued_card, opened_dossier

    today = timezone.localdate()
    dossier = opened_dossier(users.social, world.household, "mutuelle", [world.head])
    joined = today - timedelta(days=120)
    for kind, months, amount in (("membership_fee", 0, 2500), ("monthly", 6, 3300)):
        services.record_contribution(
            by=users.social,
            id=uuid.uuid4(),
            dossier=dossier,
            kind=kind,
            amount_xof=amount,
            paid_on=joined,
            months=months,
        )
    issued_card(
        users.social, dossier, valid_from=joined, valid_until=today + timedelta(days=200), number="MUT-12"
    )
    return world.head
