"""The lab API contract as a clinician, a laboratory technician and another CSCom's staff."""

from __future__ import annotations

import uuid

import pytest
from rest_framework.test import APIClient

from keneya.alerts.models import Alert
from keneya.lab.models import LabOrder, LabResult
from keneya.records.models import RecordAccess

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/lab/orders/"


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def order(client, person, tests=("hb",), oid=None, **extra):
    payload = {"id": str(oid or uuid.uuid4()), "person": str(person.pk), "tests": list(tests), **extra}
    return client.post(ORDERS, payload, format="json")


def test_the_catalogue_lists_code_unit_and_result_type(users):
    body = client_for(users.clinician1).get("/api/v1/lab/tests/").json()
    hb = next(t for t in body if t["code"] == "hb")
    assert (hb["unit"], hb["result_type"], hb["loinc"], hb["critical_low"]) == (
        "g/dL",
        "number",
        "718-7",
        "7.0",
    )
    assert {t["result_type"] for t in body} == {"number", "posneg", "ordinal", "text"}
    assert all({"code", "unit", "result_type", "loinc_verified"} <= set(t) for t in body)


def test_a_request_is_created_once_per_id(users, woman):
    oid = uuid.uuid4()
    first = order(client_for(users.clinician1), woman, ["hb", "glycemia"], oid)
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["id"] == str(oid) and body["tests"] == ["hb", "glycemia"] and body["status"] == "pending"
    again = order(client_for(users.clinician1), woman, ["hb", "glycemia"], oid)
    assert again.status_code == 200 and again.json()["id"] == str(oid)
    assert LabOrder.objects.count() == 1


def test_an_id_taken_outside_the_scope_is_a_409_that_reveals_nothing(users, woman, labtech2):
    oid = uuid.uuid4()
    order(client_for(users.clinician1), woman, ["hb"], oid)
    for who in (users.clinician2, labtech2):
        response = order(client_for(who), woman, ["hb"], oid)
        assert response.status_code == 409
        assert response.json() == {"code": "id_taken", "detail": "Cet identifiant est déjà utilisé."}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"tests": ["xyz"]}, "tests"),
        ({"tests": []}, "tests"),
        ({"tests": "hb"}, "tests"),
        ({"id": "pas-un-uuid"}, "id"),
        ({"person": str(uuid.UUID(int=1))}, "person"),
        ({"pregnant": "peut-être"}, "pregnant"),
    ],
)
def test_bad_requests_are_400_with_french_field_errors(users, woman, payload, field):
    body = {"id": str(uuid.uuid4()), "person": str(woman.pk), "tests": ["hb"], **payload}
    response = client_for(users.clinician1).post(ORDERS, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_a_person_of_another_cscom_is_unknown(users, woman):
    response = order(client_for(users.clinician2), woman)
    assert response.status_code == 400 and response.json() == {"person": ["Personne inconnue."]}


def test_results_come_back_interpreted_and_a_critical_hb_alerts_the_requesters_cscom(users, woman, labtech1):
    oid = order(client_for(users.clinician1), woman, ["hb", "malaria_rdt", "urine_protein"]).json()["id"]
    payload = {
        "results": [
            {"test": "hb", "value": 6.2},
            {"test": "malaria_rdt", "value": "positif"},
            {"test": "urine_protein", "value": "trace"},
        ]
    }
    response = client_for(labtech1).post(f"{ORDERS}{oid}/results/", payload, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert [(r["test"], r["interpretation"]) for r in body["entered"]] == [
        ("hb", "critical_low"),
        ("malaria_rdt", "positive"),
        ("urine_protein", "negative"),
    ]
    assert body["status"] == "completed"
    alert = Alert.objects.get()
    assert alert.priority == "urgent" and alert.facility == users.clinician1.facility
    inbox = client_for(users.clinician1).get("/api/v1/alerts/").json()
    rows = inbox["results"] if isinstance(inbox, dict) else inbox
    assert [a["id"] for a in rows] == [str(alert.pk)]
    other = client_for(users.clinician2).get("/api/v1/alerts/").json()
    assert not (other["results"] if isinstance(other, dict) else other)
    # the same results again: 200, nothing new
    again = client_for(labtech1).post(f"{ORDERS}{oid}/results/", payload, format="json")
    assert again.status_code == 200 and LabResult.objects.count() == 3 and Alert.objects.count() == 1


@pytest.mark.parametrize(
    "payload",
    [
        {"results": []},
        {"results": [{"test": "hb"}]},
        {"results": [{"test": "hb", "value": "beaucoup"}]},
        {"results": [{"test": "hb", "value": 600}]},
        {"results": [{"test": "hb", "value": {"a": 1}}]},
        {"results": [{"test": "glycemia", "value": 1}]},
        {"results": "hb"},
        {},
    ],
)
def test_bad_results_are_400_in_french_never_500(users, woman, labtech1, payload):
    oid = order(client_for(users.clinician1), woman, ["hb"]).json()["id"]
    response = client_for(labtech1).post(f"{ORDERS}{oid}/results/", payload, format="json")
    assert response.status_code == 400, response.content
    assert "results" in response.json()


def test_another_cscom_sees_nothing(users, woman, labtech1, labtech2):
    oid = order(client_for(users.clinician1), woman, ["hb"]).json()["id"]
    client_for(labtech1).post(
        f"{ORDERS}{oid}/results/", {"results": [{"test": "hb", "value": "6.2"}]}, format="json"
    )
    assert client_for(users.clinician2).get(f"{ORDERS}{oid}/").status_code == 404
    assert client_for(labtech2).get(f"{ORDERS}{oid}/").status_code == 404
    assert client_for(labtech2).get(ORDERS).json() == []
    response = client_for(labtech2).post(f"{ORDERS}{oid}/results/", {"results": [{"test": "hb", "value": 9}]})
    assert response.status_code == 404
    assert client_for(users.clinician1).get(f"{ORDERS}{oid}/").status_code == 200
    assert [o["id"] for o in client_for(labtech1).get(ORDERS).json()] == []  # completed: not pending


def test_the_pending_list_and_a_read_of_a_request_are_logged(users, woman, labtech1):
    oid = order(client_for(users.clinician1), woman, ["hb"]).json()["id"]
    assert [o["id"] for o in client_for(labtech1).get(ORDERS).json()] == [oid]
    client_for(users.clinician1).get(f"{ORDERS}{oid}/")
    actions = list(RecordAccess.objects.order_by("id").values_list("action", "person_id"))
    assert actions == [("lab_order_list_api", None), ("lab_order_api", woman.pk)]


def test_a_correction_through_the_api_keeps_the_first_value(users, woman, labtech1):
    oid = order(client_for(users.clinician1), woman, ["hb"]).json()["id"]
    body = (
        client_for(labtech1)
        .post(f"{ORDERS}{oid}/results/", {"results": [{"test": "hb", "value": "6.2"}]}, format="json")
        .json()
    )
    result_id = body["entered"][0]["id"]
    missing = client_for(labtech1).post(f"/api/v1/lab/results/{result_id}/correct/", {"value": "12.2"})
    assert missing.status_code == 400 and "reason" in missing.json()
    response = client_for(labtech1).post(
        f"/api/v1/lab/results/{result_id}/correct/", {"value": "12.2", "reason": "Erreur de saisie"}
    )
    assert response.status_code == 200, response.content
    detail = client_for(users.clinician1).get(f"{ORDERS}{oid}/").json()
    assert [(r["value"], r["voided"]) for r in detail["results"]] == [("6.2", True), ("12.2", False)]
    assert detail["results"][1]["replaces"] == result_id
