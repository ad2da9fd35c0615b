"""The closed loop through the REST API, as the outside end-to-end check runs it.

CHW registers a child and posts a danger-sign visit; the CSCom clinician sees an open urgent
alert and a referral; another CSCom's clinician sees neither; posting the same visit again
creates nothing; the consultation closes the loop with a time to care.
"""

import uuid
from datetime import date, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from keneya.alerts.models import Alert
from keneya.referrals.models import Referral
from keneya.visits.models import Observation, Visit

pytestmark = pytest.mark.django_db


def as_user(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def child(users, district, household_factory):
    from keneya.people.services import add_member
    from keneya.people.tests.factories import person

    household = household_factory(users.chw1)
    return add_member(
        by=users.chw1,
        household=household,
        data=person("Traoré", "Fanta", "F", timezone.localdate() - timedelta(days=700)),
    )


def post_visit(client, child, **overrides):
    body = {
        "id": str(uuid.uuid4()),
        "person": str(child.pk),
        "visit_date": str(timezone.localdate()),
        "kind": "sick_child",
        "findings": {"cough": True, "chest_indrawing": True},
        "measurements": {"weight_kg": 12.4, "muac_mm": 131},
    }
    body.update(overrides)
    return body, client.post("/api/v1/visits/", body, format="json")


def test_danger_sign_visit_gives_urgent_alert_and_referral_in_the_response(users, child):
    body, response = post_visit(as_user(users.chw1), child)
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["assessment"]["urgent_referral"] is True
    assert data["action"] == "urgent_referral"
    assert "chest_indrawing" in data["assessment"]["danger_signs"]
    assert data["assessment"]["summary_fr"].startswith("Référer d'urgence")
    assert [a["priority"] for a in data["alerts"]] == ["urgent"]
    assert data["referral"]["status"] == "issued"


def test_clinician_of_the_cscom_sees_it_and_another_cscom_does_not(users, child):
    post_visit(as_user(users.chw1), child)
    rows = as_user(users.clinician1).get("/api/v1/alerts/").json()["results"]
    assert len(rows) == 1
    assert rows[0]["priority"] == "urgent" and rows[0]["status"] == "open"
    assert rows[0]["person"] == str(child.pk)
    referrals = as_user(users.clinician1).get("/api/v1/referrals/").json()["results"]
    assert len(referrals) == 1 and referrals[0]["person"] == str(child.pk)
    assert {"id", "person", "status", "issued_at"} <= set(referrals[0])
    other = as_user(users.clinician2)
    assert other.get("/api/v1/alerts/").json()["count"] == 0
    assert other.get("/api/v1/referrals/").json()["count"] == 0
    alert_id = rows[0]["id"]
    assert other.get(f"/api/v1/alerts/{alert_id}/").status_code == 404
    assert other.post(f"/api/v1/alerts/{alert_id}/acknowledge/").status_code == 404


def test_posting_the_same_visit_twice_creates_nothing_new(users, child):
    client = as_user(users.chw1)
    body, first = post_visit(client, child)
    again = client.post("/api/v1/visits/", body, format="json")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Visit.objects.count() == 1
    assert Alert.objects.count() == 1
    assert Referral.objects.count() == 1
    assert Observation.objects.count() == len(Observation.objects.filter(visit_id=body["id"]))


def test_invalid_visit_is_a_400_naming_the_field_and_saves_nothing(users, child):
    client = as_user(users.chw1)
    _, response = post_visit(client, child, findings={"chest_indrwing": True})
    assert response.status_code == 400 and "findings" in response.json()
    _, response = post_visit(client, child, visit_date=str(timezone.localdate() + timedelta(days=1)))
    assert response.status_code == 400 and "visit_date" in response.json()
    _, response = post_visit(client, child, measurements={"muac_mm": -4})
    assert response.status_code == 400
    _, response = post_visit(client, child, kind="dance")
    assert response.status_code == 400 and "kind" in response.json()
    assert Visit.objects.count() == 0 and Alert.objects.count() == 0


def test_chw_of_another_zone_cannot_post_a_visit_for_the_child(users, child):
    _, response = post_visit(as_user(users.chw2), child)
    assert response.status_code == 400 and "person" in response.json()


def test_routine_visit_without_danger_raises_no_alert(users, child):
    _, response = post_visit(
        as_user(users.chw1),
        child,
        kind="child_followup",
        findings={},
        measurements={"weight_kg": 15.0, "length_or_height_cm": 98.0, "muac_mm": 150},
    )
    assert response.status_code == 201
    assert response.json()["alerts"] == [] and response.json()["referral"] is None


def test_triage_then_consultation_closes_alert_and_referral_with_time_to_care(users, child):
    post_visit(as_user(users.chw1), child)
    clinician = as_user(users.clinician1)
    alert = clinician.get("/api/v1/alerts/").json()["results"][0]
    assert clinician.post(f"/api/v1/alerts/{alert['id']}/acknowledge/").json()["status"] == "acknowledged"
    response = clinician.post(
        "/api/v1/consultations/",
        {
            "person": str(child.pk),
            "complaint": "Toux et tirage sous-costal",
            "diagnoses": ["J18.9"],
            "temperature_c": 38.4,
            "respiratory_rate": 48,
            "treatment": "Amoxicilline",
            "follow_up_date": str(date.today() + timedelta(days=3)),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    referral = clinician.get("/api/v1/referrals/").json()["results"][0]
    assert referral["status"] == "seen" and referral["time_to_care_hours"] is not None
    assert clinician.get(f"/api/v1/alerts/{alert['id']}/").json()["status"] == "closed"
    # the CHW sees the outcome
    chw_view = as_user(users.chw1).get("/api/v1/referrals/").json()["results"][0]
    assert chw_view["status"] == "seen"
    events = clinician.get(f"/api/v1/alerts/{alert['id']}/events/").json()
    assert [e["kind"] for e in events] == ["raised", "acknowledged", "closed"]


def test_person_visits_endpoint_lists_the_visits(users, child):
    post_visit(as_user(users.chw1), child)
    response = as_user(users.chw1).get(f"/api/v1/persons/{child.pk}/visits/")
    assert response.status_code == 200 and response.json()["count"] == 1
