"""The demo's DHIS2 mapping: last month's cells all mapped, the same again on a second run,
and removed with the demo (its pushes included)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from keneya.accounts.models import Role, User
from keneya.core.models import Facility, FacilityKind
from keneya.demo import district
from keneya.demo.dhis2 import delete_dhis2, seed_dhis2
from keneya.interop.dhis2 import hooks, mapping
from keneya.interop.dhis2.models import DataElement, OrgUnit, Push, ValueMapping
from keneya.interop.dhis2.tests.factories import recorded_push

pytestmark = pytest.mark.django_db
TODAY = date(2026, 4, 15)


@pytest.fixture
def demo_values() -> Any:
    codes = district.DEMO_FACILITY_CODES[:2]
    for code in codes:
        Facility.objects.create(code=code, name=f"Structure {code}", kind=FacilityKind.CSCOM)

    def receiver(period: str) -> list[dict[str, Any]]:
        return [
            {
                "indicator": ind,
                "indicator_name": name,
                "period": period,
                "facility": code,
                "cell": cell,
                "value": 3,
            }
            for code in codes
            for ind, name, cell in (
                ("home_visits", "Visites à domicile", {"sex": "F"}),
                ("home_visits", "Visites à domicile", {"sex": "M"}),
                ("households_registered", "Ménages enregistrés", {}),
            )
        ]

    hooks.month_values.register(receiver)
    yield codes
    hooks.month_values._receivers.remove(receiver)


def test_every_cell_of_last_month_is_mapped_and_a_second_run_changes_nothing(demo_values):
    counts = seed_dhis2(seed=1, today=TODAY)

    assert counts == {"org_units": 2, "data_elements": 2, "mappings": 3}
    prepared = mapping.prepare("2026-03")
    assert len(prepared.values) == 6 and prepared.unmapped == []
    uids = sorted(DataElement.objects.values_list("uid", flat=True))
    assert all(len(uid) == 11 and uid[0].isalpha() for uid in uids)

    seed_dhis2(seed=1, today=TODAY)
    assert sorted(DataElement.objects.values_list("uid", flat=True)) == uids
    assert ValueMapping.objects.count() == 3 and OrgUnit.objects.count() == 2


def test_delete_removes_the_mapping_and_the_demo_users_pushes(demo_values):
    seed_dhis2(seed=1, today=TODAY)
    officer = User.objects.create_user(username="demo-suivi", password="x", role=Role.ME_OFFICER)
    recorded_push(officer)

    delete_dhis2(user_ids=[officer.pk])

    assert not Push.objects.exists()
    assert not ValueMapping.objects.exists() and not DataElement.objects.exists()
    assert not OrgUnit.objects.exists()
