"""The registry API as a tablet or an integration would use it."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from keneya.people.models import Household, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    def client_for(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return client_for


def household_body(district, **overrides):
    body = {
        "quartier": str(district.q1a.pk),
        "address_description": "Près du marché, maison à la porte verte",
        "phone": "+223 76 11 22 33",
        "members": [
            {
                "family_name": "Keïta",
                "given_names": "Modibo",
                "sex": "M",
                "date_of_birth": "1982-04-01",
                "relationship_to_head": "head",
            },
            {
                "family_name": "Keïta",
                "given_names": "Hawa",
                "sex": "F",
                "date_of_birth": "2023-01-15",
                "date_of_birth_estimated": True,
                "relationship_to_head": "child",
            },
        ],
    }
    body.update(overrides)
    return body


def test_token_endpoint_returns_a_token_that_authenticates(users, client):
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "relais01", "password": "Mot-de-passe-test-2026"},
        content_type="application/json",
    )
    assert response.status_code == 200
    token = response.json()["token"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/households/").status_code == 200


def test_token_endpoint_rejects_a_wrong_password_with_400(users, client):
    response = client.post(
        "/api/v1/auth/token/", {"username": "relais01", "password": "non"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_repeated_failed_logins_lock_the_account(users, client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/api/v1/auth/token/",
            {"username": "relais01", "password": "mauvais"},
            content_type="application/json",
        )
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "relais01", "password": "Mot-de-passe-test-2026"},
        content_type="application/json",
    )
    assert response.status_code in (403, 429)


def test_create_household_with_members_then_repeat_creates_nothing_new(users, district, api):
    client = api(users.chw1)
    hid = str(uuid.uuid4())
    first = client.post("/api/v1/households/", household_body(district, id=hid), format="json")
    assert first.status_code == 201, first.json()
    data = first.json()
    assert data["id"] == hid and data["chw"] == users.chw1.pk
    assert data["code"].startswith("LAF-") and data["head"]
    again = client.post("/api/v1/households/", household_body(district, id=hid), format="json")
    assert again.status_code == 200
    assert Household.objects.count() == 1 and Person.objects.count() == 2


@pytest.mark.parametrize(
    ("member_change", "field"),
    [
        ({"date_of_birth": str(timezone.localdate() + timedelta(days=2))}, "date_of_birth"),
        ({"family_name": ""}, "family_name"),
        ({"date_of_birth": "1880-01-01"}, "date_of_birth"),
        ({"sex": "X"}, "sex"),
    ],
)
def test_bad_member_is_a_400_with_field_errors_and_nothing_saved(users, district, api, member_change, field):
    body = household_body(district)
    body["members"][1].update(member_change)
    response = api(users.chw1).post("/api/v1/households/", body, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert any(field in key for key in _flatten_keys(errors)), errors
    assert Household.objects.count() == 0 and Person.objects.count() == 0


def _flatten_keys(errors, prefix=""):
    if isinstance(errors, dict):
        for key, value in errors.items():
            yield f"{prefix}{key}"
            yield from _flatten_keys(value, f"{prefix}{key}.")
    elif isinstance(errors, list):
        for index, value in enumerate(errors):
            yield from _flatten_keys(value, f"{prefix}{index}.")


def test_errors_are_in_french(users, district, api):
    body = household_body(district)
    body["members"][1]["date_of_birth"] = str(timezone.localdate() + timedelta(days=2))
    response = api(users.chw1).post("/api/v1/households/", body, format="json", HTTP_ACCEPT_LANGUAGE="fr")
    assert "futur" in str(response.json())


def test_malformed_json_is_a_400_not_a_500(users, api):
    response = api(users.chw1).post("/api/v1/households/", "{not json", content_type="application/json")
    assert response.status_code == 400


def test_chw_of_another_zone_cannot_read_the_household(users, district, api, household_factory):
    household = household_factory(users.chw1)
    other = api(users.chw2)
    assert other.get(f"/api/v1/households/{household.pk}/").status_code == 404
    assert other.get("/api/v1/households/").json()["count"] == 0
    person = household.members.first()
    assert other.get(f"/api/v1/persons/{person.pk}/").status_code == 404
    assert (
        other.patch(f"/api/v1/persons/{person.pk}/", {"phone": "70000000"}, format="json").status_code == 404
    )


def test_clinician_sees_the_health_area_of_the_cscom_only(users, district, api, household_factory):
    mine = household_factory(users.chw1)
    theirs = household_factory(users.chw2, quartier=district.q2a)
    ids = {row["id"] for row in api(users.clinician1).get("/api/v1/households/").json()["results"]}
    assert ids == {str(mine.pk)}
    ids2 = {row["id"] for row in api(users.clinician2).get("/api/v1/households/").json()["results"]}
    assert ids2 == {str(theirs.pk)}


def test_me_officer_gets_no_names(users, api, household_factory):
    household_factory(users.chw1)
    assert api(users.me).get("/api/v1/persons/").status_code == 403


def test_person_api_has_the_documented_fields_and_search(users, api, household_factory):
    household_factory(users.chw1)
    response = api(users.chw1).get("/api/v1/persons/", {"search": "traore aminata"})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == 1
    expected = {
        "id",
        "household",
        "family_name",
        "given_names",
        "sex",
        "date_of_birth",
        "date_of_birth_estimated",
        "relationship_to_head",
        "phone",
    }
    assert expected <= set(rows[0])
    assert rows[0]["sex"] == "F"


def test_add_person_to_household_and_update_through_the_api(users, api, household_factory):
    household = household_factory(users.chw1)
    client = api(users.chw1)
    pid = str(uuid.uuid4())
    body = {
        "id": pid,
        "household": str(household.pk),
        "family_name": "Traoré",
        "given_names": "Issa",
        "sex": "M",
        "date_of_birth": "2024-02-02",
        "relationship_to_head": "child",
    }
    assert client.post("/api/v1/persons/", body, format="json").status_code == 201
    assert client.post("/api/v1/persons/", body, format="json").status_code == 200
    assert household.members.count() == 3
    response = client.patch(f"/api/v1/persons/{pid}/", {"phone": "76 00 00 01"}, format="json")
    assert response.status_code == 200 and response.json()["phone"] == "+22376000001"
    bad = client.patch(f"/api/v1/persons/{pid}/", {"date_of_birth": "2090-01-01"}, format="json")
    assert bad.status_code == 400 and "date_of_birth" in bad.json()


def test_cannot_add_a_person_to_a_household_out_of_scope(users, api, household_factory):
    household = household_factory(users.chw1)
    body = {
        "household": str(household.pk),
        "family_name": "Traoré",
        "given_names": "Issa",
        "sex": "M",
        "date_of_birth": "2024-02-02",
    }
    response = api(users.chw2).post("/api/v1/persons/", body, format="json")
    assert response.status_code == 400 and "household" in response.json()


SIMILAR = {"family_name": "Traore", "given_names": "Aminata", "sex": "F", "date_of_birth": "2022-01-01"}


def test_similar_endpoint_warns_about_a_near_identical_name(users, district, api, household_factory):
    household_factory(users.chw1)
    response = api(users.chw1).get("/api/v1/persons/similar/", {"quartier": str(district.q1a.pk), **SIMILAR})
    assert response.status_code == 200
    assert [row["given_names"] for row in response.json()] == ["Aminata"]


def test_similar_endpoint_answers_only_within_the_callers_scope(
    users, district, api, household_factory, make_user
):
    """Issue #10: the look-alikes of another zone were readable through common names."""
    household_factory(users.chw1)
    # A quartier outside the caller's zone: refused, whatever lives there.
    for quartier in (district.q1a, district.q1b):
        response = api(users.chw2).get("/api/v1/persons/similar/", {"quartier": str(quartier.pk), **SIMILAR})
        assert response.status_code == 400 and list(response.json()) == ["quartier"]
    # A quartier of the caller's zone: only the persons the caller may read.
    colleague = make_user("relais03", "chw", areas=(district.q1a,))
    response = api(colleague).get("/api/v1/persons/similar/", {"quartier": str(district.q1a.pk), **SIMILAR})
    assert response.status_code == 200 and response.json() == []
    response = api(users.clinician1).get(
        "/api/v1/persons/similar/", {"quartier": str(district.q1a.pk), **SIMILAR}
    )
    assert [row["given_names"] for row in response.json()] == ["Aminata"]
    response = api(users.clinician2).get(
        "/api/v1/persons/similar/", {"quartier": str(district.q1a.pk), **SIMILAR}
    )
    assert response.status_code == 400


def test_list_is_paginated(users, district, api, household_factory):
    for _ in range(3):
        household_factory(users.chw1)
    response = api(users.chw1).get("/api/v1/households/", {"page_size": 2})
    body = response.json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]


def test_openapi_schema_documents_the_token_endpoint(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    text = response.content.decode()
    assert "/api/v1/auth/token/" in text and "/api/v1/households/" in text


def test_person_search_pages_without_a_total_count(users, api, household_factory):
    for _ in range(3):
        household_factory(users.chw1)  # each has Moussa and Aminata Traoré
    client = api(users.chw1)
    first = client.get("/api/v1/persons/", {"search": "traore", "page_size": 4}).json()
    assert first["count"] is None and len(first["results"]) == 4 and first["next"]
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 2 and second["next"] is None and second["previous"]
    ids = {r["id"] for r in first["results"]} | {r["id"] for r in second["results"]}
    assert len(ids) == 6
    assert client.get("/api/v1/persons/").json()["count"] == 6
