"""Bad records in good batches (issue #10, "Through sync"): each record is answered alone, a
bad one never blocks the batch or the tablet's queue, nothing impossible is stored, and a
refusal reveals nothing and echoes nothing big back."""

import json
import uuid
from typing import Any

import pytest

from keneya.people.models import Household, Person
from keneya.people.services import add_member
from keneya.people.tests.factories import person
from keneya.sync import services
from keneya.sync.models import PushBatch
from keneya.sync.tests.factories import (
    batch,
    edit_record,
    household_record,
    person_record,
    tablet,
    visit_record,
)
from keneya.visits.models import Visit
from keneya.visits.services import record_home_visit

pytestmark = pytest.mark.django_db

PUSH = "/api/v1/sync/push/"
PULL = "/api/v1/sync/pull/"


@pytest.fixture
def child(users, household_factory):
    household = household_factory(users.chw1)
    return household.members.get(relationship_to_head="child")


def push_api(device_client, token, body):
    response = device_client(token).post(PUSH, body, format="json")
    assert response.status_code == 200, response.content[:300]
    return response.json()


def test_a_visit_with_a_non_date_lmp_is_rejected_alone_and_the_good_ones_are_stored(
    tablet_a, child, device_client
):
    _device, token = tablet_a
    good1, good2 = visit_record(child.pk), visit_record(child.pk)
    bad = visit_record(child.pk, measurements={"weight_kg": 9.2, "lmp": "pas une date"})
    body = batch(good1, bad, good2)

    answer = push_api(device_client, token, body)

    assert [r["status"] for r in answer["results"]] == ["accepted", "rejected", "accepted"]
    rejected = answer["results"][1]
    assert rejected["id"] == bad["id"] and rejected["reason"] == "validation" and rejected["errors"]
    assert set(Visit.objects.values_list("pk", flat=True)) == {uuid.UUID(good1["id"]), uuid.UUID(good2["id"])}
    # The batch is acknowledged (stored): the tablet's queue moves on.
    assert PushBatch.objects.filter(batch_id=body["batch_id"]).exists()
    # The same batch again: the same answer, nothing more stored.
    assert push_api(device_client, token, body) == answer
    assert Visit.objects.count() == 2


def test_a_visit_with_a_non_date_edd_is_rejected_and_the_run_goes_on(tablet_a, child):
    device, _token = tablet_a
    bad = visit_record(child.pk, measurements={"edd": {"not": "a date"}})
    result = services.push(device=device, batch=batch(bad, visit_record(child.pk)))
    assert [r["status"] for r in result["results"]] == ["rejected", "accepted"]


@pytest.mark.parametrize("latitude", [95, -91, 1e9, float("nan"), float("inf"), "12,5"])
def test_a_household_latitude_that_cannot_be_a_place_is_rejected(tablet_a, district, latitude):
    # Out of range: refused by people.services (the GPS check shared with the forms and the
    # API); the sync parser itself refuses what is not a finite number.
    device, _token = tablet_a
    record = household_record(district.q1a, gps_latitude=latitude, gps_longitude=-8.0)
    [result] = services.push(device=device, batch=batch(record))["results"]
    assert result["status"] == "rejected" and result["reason"] == "validation"
    assert {"gps", "gps_latitude"} & set(result["errors"])
    assert not Household.objects.filter(pk=record["id"]).exists()


def test_a_household_edit_with_an_impossible_latitude_is_rejected(users, tablet_a, household_factory):
    # Needs update_household to apply the registration's GPS check (branch wt-api, issue #10).
    household = household_factory(users.chw1, gps_latitude=12.6, gps_longitude=-8.0)
    device, _token = tablet_a
    record = edit_record("household", household.pk, base_version=None, gps_latitude=1e9)
    [result] = services.push(device=device, batch=batch(record))["results"]
    assert result["status"] == "rejected"
    household.refresh_from_db()
    assert float(household.gps_latitude) == pytest.approx(12.6)


@pytest.mark.parametrize(
    ("field", "value"), [("given_names", "A" * 2_000_000), ("nina", "1" * 1000), ("family_name", "B" * 121)]
)
def test_an_overlong_text_is_rejected_with_a_short_error(tablet_a, district, field, value):
    # The lengths are people.services' (the same as the API and the forms: branch wt-api).
    device, _token = tablet_a
    household = household_record(district.q1a)
    overlong: dict[str, Any] = {field: value}
    member = person_record(household["id"], **overlong)
    results = services.push(device=device, batch=batch(household, member))["results"]
    assert [r["status"] for r in results] == ["accepted", "rejected"]
    assert field in results[1]["errors"]
    assert len(json.dumps(results[1])) < 1000  # the value is not echoed back
    assert not Person.objects.filter(pk=member["id"]).exists()


def test_a_rejection_never_echoes_a_big_value_or_many_fields(tablet_a, district):
    device, _token = tablet_a
    household = household_record(district.q1a)
    junk: dict[str, Any] = {f"champ_{i}_{'x' * 5000}": "y" * 10_000 for i in range(100)}
    member = person_record(household["id"], **junk)
    results = services.push(device=device, batch=batch(household, member))["results"]
    assert results[1]["status"] == "rejected"
    assert len(json.dumps(results[1])) < 3000


def test_a_bad_record_through_the_api_is_a_result_not_a_5xx(tablet_a, child, device_client):
    _device, token = tablet_a
    no_date = visit_record(child.pk)
    no_date["fields"]["visit_date"] = None
    records = [
        visit_record(child.pk, measurements={"weight_kg": 1e308}),
        visit_record(child.pk, findings="toux"),
        no_date,
        {"type": "person", "id": str(uuid.uuid4()), "op": "upsert", "changed_at": "x", "fields": {}},
        visit_record(child.pk),
    ]
    answer = push_api(device_client, token, batch(*records))
    assert answer["results"][-1]["status"] == "accepted"
    assert [r["status"] for r in answer["results"][1:4]] == ["rejected"] * 3


# --- Ids taken outside the CHW's scope (issue #10 §1) ------------------------------------------
def test_an_id_taken_outside_the_zone_is_refused_alike_whatever_the_record(
    users, district, tablet_a, household_factory, child
):
    elsewhere = household_factory(users.chw2, quartier=district.q2a)
    their_child = add_member(
        by=users.chw2,
        household=elsewhere,
        data=person("Coulibaly", "Oumou", "F", child.date_of_birth, "child"),
    )
    their_visit = record_home_visit(
        by=users.chw2,
        person=their_child,
        visit_date=child.date_of_birth.replace(year=child.date_of_birth.year + 1),
        kind="sick_child",
        findings={"cough": True},
    )
    device, _token = tablet_a
    records = [
        household_record(district.q1a, id=elsewhere.pk),
        person_record(child.household_id, id=elsewhere.head_id),
        person_record(child.household_id, id=their_child.pk, given_names="Autre"),
        edit_record("person", their_child.pk, base_version=None, phone="76 11 22 33"),
        visit_record(child.pk, id=their_visit.pk),
        {**edit_record("household", elsewhere.pk, base_version=None), "op": "delete"},
    ]
    results = services.push(device=device, batch=batch(*records))["results"]
    assert {r["reason"] for r in results} == {"id_taken"}
    bodies = {
        json.dumps({k: v for k, v in r.items() if k not in ("type", "id")}, sort_keys=True) for r in results
    }
    assert len(bodies) == 1, bodies  # identical whatever the record: nothing of it revealed
    assert "Oumou" not in json.dumps(results) and "Coulibaly" not in json.dumps(results)
    elsewhere.refresh_from_db()
    assert elsewhere.status == "active" and elsewhere.quartier_id == district.q2a.pk
    assert Person.objects.get(pk=their_child.pk).given_names == "Oumou"


# --- 401 and 403 bodies ------------------------------------------------------------------------
def test_the_sync_endpoints_refusals_carry_a_code_and_a_french_detail(users, tablet_a, device_client, client):
    from rest_framework.test import APIClient

    anonymous = APIClient()
    for method, url in (("post", PUSH), ("get", PULL)):
        response = (
            getattr(anonymous, method)(url, {}, format="json") if method == "post" else anonymous.get(url)
        )
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated" and response.json()["detail"]
    response = device_client("pas-un-jeton").get(PULL)
    assert response.status_code == 401 and response.json()["code"] == "invalid_token"

    device, token = tablet_a
    users.chw1.role = "clinician"  # no longer a CHW: the tablet token stays, the right goes
    users.chw1.save(update_fields=["role"])
    response = device_client(token).get(PULL)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied" and response.json()["detail"]

    staff = APIClient()
    staff.force_authenticate(users.chw2)
    for url in ("/api/v1/sync/devices/", "/api/v1/sync/conflicts/"):
        response = staff.get(url)
        assert response.status_code == 403, url
        assert response.json()["code"] == "permission_denied"


def test_a_tablet_of_another_chw_cannot_reuse_an_id_to_read_a_record(users, district, household_factory):
    """The answer to an id taken elsewhere is the same as for any other record of that zone."""
    elsewhere = household_factory(users.chw2, quartier=district.q2a)
    device, _token = tablet(users.chw1, "Tablette C")
    result = services.push(device=device, batch=batch(household_record(district.q1a, id=elsewhere.pk)))
    [answer] = result["results"]
    assert answer["status"] == "rejected" and answer["reason"] == "id_taken"
    assert set(answer) == {"type", "id", "status", "reason", "errors"}


@pytest.mark.parametrize("kind", [["visit"], {"a": 1}, 7, None, "alert", "x" * 100])
def test_a_record_of_no_pushable_type_is_malformed_not_a_5xx(tablet_a, kind):
    device, _token = tablet_a
    record = {"type": kind, "id": str(uuid.uuid4()), "op": "create", "fields": {}}
    [result] = services.push(device=device, batch=batch(record))["results"]
    assert result["status"] == "rejected" and result["reason"] == "malformed"
    assert "type" in result["errors"]
