"""Every measurement has a plausible range, every date ahead a bound, on every path (issue #10).

The rules live in ``visits.validation`` and run inside ``record_home_visits``: the REST API, the
form and a tablet's batch meet the same 400 / refused record, never a 500 or a stored value.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from keneya.people.services import add_member
from keneya.people.tests.factories import person
from keneya.visits.models import Observation, Visit
from keneya.visits.services import VisitData, record_home_visits
from keneya.visits.validation import clean_measurements

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def woman(users, toddler):
    return add_member(
        by=users.chw1,
        household=toddler.household,
        data=person("Traoré", "Mariam", "F", date(1998, 1, 1), "spouse"),
    )


def post(user, who, kind="child_followup", **fields):
    body = {
        "id": str(uuid.uuid4()),
        "person": str(who.pk),
        "visit_date": str(timezone.localdate()),
        "kind": kind,
    }
    return api(user).post("/api/v1/visits/", {**body, **fields}, format="json")


@pytest.mark.parametrize(
    ("measurements", "field"),
    [
        ({"weight_kg": 1e308}, "weight_kg"),
        ({"weight_kg": 10**400}, "weight_kg"),
        ({"weight_kg": 0}, "weight_kg"),
        ({"weight_kg": "12"}, "weight_kg"),
        ({"length_or_height_cm": 1e20}, "length_or_height_cm"),
        ({"head_circumference_cm": 1e20}, "head_circumference_cm"),
        ({"head_circumference_cm": 4.5}, "head_circumference_cm"),
        ({"muac_mm": 1e6}, "muac_mm"),
        ({"measured_position": "X", "length_or_height_cm": 80}, "measured_position"),
        ({"lmp": "abc"}, "lmp"),
        ({"edd": "2026-02-30"}, "edd"),
        ({"lmp": str(date.today() - timedelta(days=60))}, "lmp"),  # not on a child's visit
        ({"shoe_size": 30}, "measurements"),
    ],
)
def test_an_implausible_measurement_is_a_400_naming_it_in_french(users, toddler, measurements, field):
    response = post(users.chw1, toddler, measurements=measurements)
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body
    assert all(len(m) < 200 for messages in body.values() for m in messages)  # no echo
    assert Visit.objects.count() == 0 and Observation.objects.count() == 0


def test_a_plausible_child_visit_is_stored(users, toddler):
    response = post(
        users.chw1,
        toddler,
        measurements={
            "weight_kg": 10.2,
            "length_or_height_cm": 78,
            "head_circumference_cm": 47,
            "muac_mm": 140,
        },
    )
    assert response.status_code == 201, response.content


def test_pregnancy_dates_must_be_real_and_plausible(users, woman):
    today = timezone.localdate()
    for lmp in ("abc", "20250301", "9999-01-01", str(today - timedelta(days=400))):
        response = post(users.chw1, woman, kind="pregnancy", measurements={"lmp": lmp})
        assert response.status_code == 400 and "lmp" in response.json(), lmp
    response = post(
        users.chw1, woman, kind="pregnancy", measurements={"lmp": str(today - timedelta(days=70))}
    )
    assert response.status_code == 201, response.content
    assert response.json()["assessment"]["gestational_age"]


def test_symptom_durations_are_bounded(users, toddler):
    response = post(users.chw1, toddler, kind="sick_child", findings={"cough": True, "cough_days": 1e300})
    assert response.status_code == 400 and "cough_days" in response.json()


def test_an_odd_device_assessment_is_a_disagreement_not_an_error(users, toddler):
    response = post(
        users.chw1,
        toddler,
        measurements={"weight_kg": 10.2},
        device_assessment={"action": "advise_only", "classifications": [1, {"a": 2}]},
    )
    assert response.status_code == 201
    assert Visit.objects.get().device_assessment_mismatch


def test_in_a_set_a_bad_visit_is_refused_alone(users, toddler):
    """A tablet's batch: the bad record gets its reason, the good ones after it are stored."""
    today = timezone.localdate()
    good_before, bad, good_after = (
        VisitData(person=toddler, visit_date=today, kind="child_followup", measurements={"weight_kg": 10.0}),
        VisitData(person=toddler, visit_date=today, kind="child_followup", measurements={"lmp": "abc"}),
        VisitData(person=toddler, visit_date=today, kind="child_followup", measurements={"weight_kg": 1e308}),
    )
    outcomes = record_home_visits(by=users.chw1, visits=[good_before, bad, good_after, good_before])
    assert outcomes[0].recorded is not None
    assert isinstance(outcomes[1].error, ValidationError) and list(outcomes[1].error.message_dict) == ["lmp"]
    assert isinstance(outcomes[2].error, ValidationError)
    assert list(outcomes[2].error.message_dict) == ["weight_kg"]
    assert outcomes[3].recorded is not None
    assert Visit.objects.count() == 2


def test_measurements_rule_is_callable_alone():
    visit_date = date(2026, 3, 1)
    assert clean_measurements("pregnancy", {"lmp": date(2026, 1, 1)}, visit_date=visit_date) == {
        "lmp": "2026-01-01"
    }
    with pytest.raises(ValidationError) as refused:
        clean_measurements("sick_child", {"weight_kg": 1e308, "lmp": "abc"}, visit_date=visit_date)
    assert set(refused.value.message_dict) == {"weight_kg", "lmp"}
    with pytest.raises(ValidationError):
        clean_measurements("sick_child", ["weight_kg"], visit_date=visit_date)


def test_the_social_worker_reads_no_visit(users, toddler):
    post(users.chw1, toddler, measurements={"weight_kg": 10.2})
    visit = Visit.objects.get()
    social = api(users.social)
    assert social.get("/api/v1/visits/").status_code == 403
    assert social.get(f"/api/v1/visits/{visit.pk}/").status_code == 403
    assert social.get(f"/api/v1/persons/{toddler.pk}/visits/").status_code == 403
    assert social.get("/api/v1/alerts/").status_code == 403
    assert social.get("/api/v1/referrals/").status_code == 403
    # The person herself (registry data) stays readable.
    assert social.get(f"/api/v1/persons/{toddler.pk}/").status_code == 200
    assert api(users.clinician1).get(f"/api/v1/persons/{toddler.pk}/visits/").status_code == 200


def test_dates_in_year_9999_are_refused(users, toddler):
    clinician = api(users.clinician1)
    response = clinician.post(
        "/api/v1/consultations/",
        {"person": str(toddler.pk), "complaint": "Toux", "follow_up_date": "9999-12-31"},
        format="json",
    )
    assert response.status_code == 400 and "follow_up_date" in response.json()
    response = clinician.post(
        "/api/v1/consultations/",
        {"person": str(toddler.pk), "complaint": "x" * 5000},
        format="json",
    )
    assert response.status_code == 400 and "complaint" in response.json()
    post(users.chw1, toddler, kind="sick_child", findings={"convulsions": True})
    alert = Visit.objects.get().alerts.get()
    response = clinician.post(
        f"/api/v1/alerts/{alert.pk}/convoke/", {"appointment_date": "9999-01-01"}, format="json"
    )
    assert response.status_code == 400 and "appointment_date" in response.json()
    tomorrow = str(timezone.localdate() + timedelta(days=1))
    response = clinician.post(
        f"/api/v1/alerts/{alert.pk}/convoke/", {"appointment_date": tomorrow}, format="json"
    )
    assert response.status_code == 200
