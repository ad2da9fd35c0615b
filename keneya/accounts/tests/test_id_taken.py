"""Idempotent creates and the scope (issue #10): "the same id again" is a read.

Every create that accepts a client id answers a resend of an id the caller may read with the
record stored (200), and an id taken by anyone else, out of the caller's scope or by another
person, with the same 409 body whatever the record: nothing of it, not even which kind it is.
(The sync endpoints' records: keneya/sync/tests.)
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from keneya.people.models import Household, Person
from keneya.people.services import add_member
from keneya.people.tests.factories import person
from keneya.records.models import Consultation
from keneya.records.services import record_consultation
from keneya.visits.models import Visit
from keneya.visits.services import record_home_visit

pytestmark = pytest.mark.django_db

ID_TAKEN = {"code": "id_taken", "detail": "Cet identifiant est déjà utilisé."}


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def zones(users, district, household_factory):
    """A household with a child and a visit in each CHW's zone (CSCom 1 and CSCom 2), and a
    consultation at each CSCom."""
    out = {}
    for chw, clinician, quartier in (
        (users.chw1, users.clinician1, district.q1a),
        (users.chw2, users.clinician2, district.q2a),
    ):
        household = household_factory(chw, quartier=quartier)
        child = add_member(
            by=chw,
            household=household,
            data=person("Diarra", "Awa", "F", timezone.localdate() - timedelta(days=400)),
        )
        visit = record_home_visit(
            by=chw,
            person=child,
            visit_date=timezone.localdate(),
            kind="child_followup",
            measurements={"weight_kg": 9.0},
        )
        consultation = record_consultation(by=clinician, person=household.head, complaint="Toux")
        out[chw.username] = {
            "household": household,
            "child": child,
            "visit": visit,
            "consultation": consultation,
        }
    return out


def test_person_id_of_another_zone_is_a_409_that_reveals_nothing(users, zones):
    mine, theirs = zones["relais02"], zones["relais01"]
    body = {
        "household": str(mine["household"].pk),
        "family_name": "Coulibaly",
        "given_names": "Sali",
        "sex": "F",
        "date_of_birth": "2020-01-01",
    }
    answers = [
        api(users.chw2).post("/api/v1/persons/", {**body, "id": str(pk)}, format="json")
        for pk in (theirs["child"].pk, theirs["household"].head_id)
    ]
    for response in answers:
        assert response.status_code == 409
        assert response.json() == ID_TAKEN
    assert Person.objects.filter(given_names="Sali").count() == 0


def test_person_id_in_scope_sent_again_returns_the_person(users, zones):
    mine = zones["relais01"]
    body = {
        "id": str(mine["child"].pk),
        "household": str(mine["household"].pk),
        "family_name": "Diarra",
        "given_names": "Awa",
        "sex": "F",
        "date_of_birth": str(mine["child"].date_of_birth),
    }
    response = api(users.chw1).post("/api/v1/persons/", body, format="json")
    assert response.status_code == 200 and response.json()["id"] == str(mine["child"].pk)
    # The CSCom's clinician sees the person too: the same answer.
    response = api(users.clinician1).post("/api/v1/persons/", body, format="json")
    assert response.status_code == 200 and response.json()["id"] == str(mine["child"].pk)
    # The other CSCom's clinician does not.
    response = api(users.clinician2).post(
        "/api/v1/persons/", {**body, "household": str(zones["relais02"]["household"].pk)}, format="json"
    )
    assert response.status_code == 409 and response.json() == ID_TAKEN


def test_household_id_of_another_zone_is_a_409(users, district, zones):
    theirs = zones["relais01"]["household"]
    response = api(users.chw2).post(
        "/api/v1/households/", {"id": str(theirs.pk), "quartier": str(district.q2a.pk)}, format="json"
    )
    assert response.status_code == 409 and response.json() == ID_TAKEN
    mine = zones["relais02"]["household"]
    again = api(users.chw2).post(
        "/api/v1/households/", {"id": str(mine.pk), "quartier": str(district.q2a.pk)}, format="json"
    )
    assert again.status_code == 200 and again.json()["code"] == mine.code


def test_household_whose_member_id_is_taken_is_a_409_and_stores_nothing(users, district, zones):
    theirs = zones["relais01"]["child"]
    new_id = uuid.uuid4()
    response = api(users.chw2).post(
        "/api/v1/households/",
        {
            "id": str(new_id),
            "quartier": str(district.q2a.pk),
            "members": [
                {
                    "id": str(theirs.pk),
                    "family_name": "Keita",
                    "given_names": "Moussa",
                    "sex": "M",
                    "date_of_birth": "1980-01-01",
                    "relationship_to_head": "head",
                }
            ],
        },
        format="json",
    )
    assert response.status_code == 409 and response.json() == ID_TAKEN
    assert not Household.objects.filter(pk=new_id).exists()
    theirs.refresh_from_db()
    assert theirs.given_names == "Awa"


def test_visit_id_of_another_zone_is_a_409(users, zones):
    mine, theirs = zones["relais02"], zones["relais01"]
    body = {
        "person": str(mine["child"].pk),
        "visit_date": str(timezone.localdate()),
        "kind": "child_followup",
        "measurements": {"weight_kg": 9.5},
    }
    response = api(users.chw2).post("/api/v1/visits/", {**body, "id": str(theirs["visit"].pk)}, format="json")
    assert response.status_code == 409 and response.json() == ID_TAKEN
    again = api(users.chw2).post("/api/v1/visits/", {**body, "id": str(mine["visit"].pk)}, format="json")
    assert again.status_code == 200 and again.json()["id"] == str(mine["visit"].pk)
    assert Visit.objects.get(pk=theirs["visit"].pk).person_id == theirs["child"].pk


def test_consultation_id_of_another_cscom_is_a_409_that_reveals_nothing(users, zones):
    mine, theirs = zones["relais02"], zones["relais01"]
    body = {"person": str(mine["household"].head_id), "complaint": "Fièvre"}
    response = api(users.clinician2).post(
        "/api/v1/consultations/", {**body, "id": str(theirs["consultation"].pk)}, format="json"
    )
    assert response.status_code == 409 and response.json() == ID_TAKEN
    # An id of the caller's own CSCom but another patient: the same answer.
    other = record_consultation(by=users.clinician2, person=mine["child"], complaint="Toux")
    response = api(users.clinician2).post(
        "/api/v1/consultations/", {**body, "id": str(other.pk)}, format="json"
    )
    assert response.status_code == 409 and response.json() == ID_TAKEN
    again = api(users.clinician2).post(
        "/api/v1/consultations/", {**body, "id": str(mine["consultation"].pk)}, format="json"
    )
    assert again.status_code == 200 and again.json()["id"] == str(mine["consultation"].pk)
    assert Consultation.objects.count() == 3
