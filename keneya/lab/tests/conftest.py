"""The lab's cast: a laboratory technician at each CSCom, an adult and a child of CSCom 1."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest


@pytest.fixture
def labtech1(district: Any, make_user: Any) -> Any:
    return make_user("labo1", "lab_technician", facility=district.cscom1)


@pytest.fixture
def labtech2(district: Any, make_user: Any) -> Any:
    return make_user("labo2", "lab_technician", facility=district.cscom2)


@pytest.fixture
def household(users: Any, household_factory: Any) -> Any:
    from keneya.people.tests.factories import person

    return household_factory(
        users.chw1,
        members=[
            person("Coulibaly", "Awa", "F", date(1990, 5, 1), "head"),
            person("Coulibaly", "Seydou", "M", date(2022, 2, 1), "child"),
        ],
    )


@pytest.fixture
def woman(household: Any) -> Any:
    return household.head


@pytest.fixture
def order_hb(users: Any, woman: Any) -> Any:
    from keneya.lab.services import request_tests

    order, _created = request_tests(by=users.clinician1, person=woman, tests=["hb", "glycemia"])
    return order
