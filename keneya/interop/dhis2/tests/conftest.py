"""The DHIS2 adapter's cast: a running fake DHIS2, its metadata imported, a mapping, and the
month's values given by a fake ``month_values`` receiver (the indicators app registers the real one)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from keneya.interop.dhis2 import hooks
from keneya.interop.dhis2.tests import fake_server as fk
from keneya.interop.dhis2.tests.fake_server import FakeDhis2

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PERIOD = "2026-03"


def value_rows(period: str = PERIOD) -> list[dict[str, Any]]:
    """What the indicators app would give for March 2026: mapped cells and two that are not."""
    visits = "Visites à domicile"
    children = "Enfants de 0-59 mois suivis"
    return [
        {
            "indicator": "home_visits",
            "indicator_name": visits,
            "period": period,
            "facility": "ASACOLA",
            "cell": {"sex": "F"},
            "value": 12,
        },
        {
            "indicator": "home_visits",
            "indicator_name": visits,
            "period": period,
            "facility": "ASACOLA",
            "cell": {"sex": "M"},
            "value": 10,
        },
        {
            "indicator": "home_visits",
            "indicator_name": visits,
            "period": period,
            "facility": "ASACOHAM",
            "cell": {"sex": "F"},
            "value": 7,
        },
        {
            "indicator": "home_visits",
            "indicator_name": visits,
            "period": period,
            "facility": "ASACOHAM",
            "cell": {"sex": "M"},
            "value": 5.0,
        },
        {
            "indicator": "children_followed",
            "indicator_name": children,
            "period": period,
            "facility": "ASACOLA",
            "cell": {},
            "value": 40,
        },
        # Not mapped: a finer cell, and a facility without an org unit.
        {
            "indicator": "home_visits",
            "indicator_name": visits,
            "period": period,
            "facility": "ASACOLA",
            "cell": {"sex": "F", "age_band": "0-11m"},
            "value": 3,
        },
        {
            "indicator": "children_followed",
            "indicator_name": children,
            "period": period,
            "facility": "CSREF4",
            "cell": {},
            "value": 2,
        },
    ]


class Values:
    """The fake receiver's rows, which a test may change."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = value_rows()

    def __call__(self, period: str) -> list[dict[str, Any]]:
        return [dict(r, period=period) for r in self.rows]


@pytest.fixture
def month_values() -> Iterator[Values]:
    receiver = Values()
    hooks.month_values.register(receiver)
    yield receiver
    hooks.month_values._receivers.remove(receiver)


@pytest.fixture
def fake() -> Iterator[FakeDhis2]:
    with FakeDhis2() as server:
        yield server


@pytest.fixture
def dhis2_settings(settings: Any, fake: FakeDhis2) -> Any:
    settings.DHIS2_URL = fake.base_url
    settings.DHIS2_USERNAME = fk.USERNAME
    settings.DHIS2_PASSWORD = fk.PASSWORD
    settings.DHIS2_TOKEN = ""
    settings.DHIS2_ID_SCHEME = "UID"
    settings.DHIS2_RETRY_BASE_SECONDS = 60
    settings.DHIS2_MAX_ATTEMPTS = 3
    settings.TASKS = IMMEDIATE
    return settings


@pytest.fixture
def mapped(district: Any, fake: FakeDhis2) -> dict[str, Any]:
    """The fake instance's metadata imported, and the two indicators mapped."""
    from keneya.interop.dhis2.metadata import import_metadata
    from keneya.interop.dhis2.models import CategoryOptionCombo, DataElement, ValueMapping

    import_metadata(fk.default_metadata())
    visits = DataElement.objects.get(uid=fk.DE_VISITS)
    children = DataElement.objects.get(uid=fk.DE_CHILDREN)
    ValueMapping.objects.create(
        indicator="home_visits",
        cell="sex=F",
        data_element=visits,
        category_option_combo=CategoryOptionCombo.objects.get(uid=fk.COC_FEMALE),
    )
    ValueMapping.objects.create(
        indicator="home_visits",
        cell="sex=M",
        data_element=visits,
        category_option_combo=CategoryOptionCombo.objects.get(uid=fk.COC_MALE),
    )
    ValueMapping.objects.create(indicator="children_followed", cell="", data_element=children)
    return {"visits": visits, "children": children}
