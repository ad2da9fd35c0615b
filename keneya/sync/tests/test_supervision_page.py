"""The supervisor's page: conflicts with both values, assessment mismatches, tablets."""

from datetime import timedelta

import pytest
from django.utils import timezone

from keneya.people.services import add_member
from keneya.people.tests.factories import person
from keneya.sync.models import Device, SyncConflict
from keneya.visits.models import Visit
from keneya.visits.services import record_home_visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def conflict(users, household_factory):
    household = household_factory(users.chw1)
    device = Device.objects.create(
        id="00000000-0000-0000-0000-00000000d001", user=users.chw1, name="Tablette A", token_hash="x" * 64
    )
    return SyncConflict.objects.create(
        type="person",
        object_id=household.head.pk,
        household=household,
        field="phone",
        server_value="+22376000001",
        incoming_value="+22376000002",
        incoming_device=device,
        server_device=device,
        incoming_changed_at=timezone.now(),
        server_changed_at=timezone.now() - timedelta(minutes=5),
        kept="incoming",
    )


def test_supervisor_sees_both_values_and_settles_the_conflict(client, users, conflict):
    client.force_login(users.manager1)
    page = client.get("/supervision/synchronisation/").content.decode()
    assert "+22376000001" in page and "+22376000002" in page and "Tablette A" in page
    response = client.post(f"/supervision/synchronisation/conflits/{conflict.pk}/", {"keep": "server"})
    assert response.status_code == 302
    conflict.refresh_from_db()
    assert conflict.resolved_at is not None and conflict.chosen_value == "+22376000001"
    head = conflict.household.head
    head.refresh_from_db()
    assert head.phone == "+22376000001"


def test_choice_is_required_and_other_facilities_cannot_see_it(client, users, conflict, make_user, district):
    client.force_login(users.manager1)
    client.post(f"/supervision/synchronisation/conflits/{conflict.pk}/", {})
    conflict.refresh_from_db()
    assert conflict.resolved_at is None
    other = make_user("dtc2", "facility_manager", facility=district.cscom2)
    client.force_login(other)
    assert "+22376000002" not in client.get("/supervision/synchronisation/").content.decode()
    assert (
        client.post(f"/supervision/synchronisation/conflits/{conflict.pk}/", {"keep": "server"}).status_code
        == 404
    )


def test_assessment_mismatch_is_listed_for_the_supervisor(client, users, household_factory):
    household = household_factory(users.chw1)
    child = add_member(
        by=users.chw1,
        household=household,
        data=person("Traoré", "Issa", "M", timezone.localdate() - timedelta(days=300)),
    )
    record_home_visit(
        by=users.chw1,
        person=child,
        visit_date=timezone.localdate(),
        kind="sick_child",
        findings={"convulsions": True},
        device_assessment={"action": "advise_only", "classifications": []},
    )
    assert Visit.objects.get().device_assessment_mismatch
    client.force_login(users.manager1)
    page = client.get("/supervision/synchronisation/").content.decode()
    assert "Issa Traoré" in page and "Référer d&#x27;urgence" in page
