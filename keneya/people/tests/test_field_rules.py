"""One validation per field for every write path (issue #10): GPS and text lengths are checked
in the services, so the API's PATCH/PUT, registration and the tablet's sync all refuse alike."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from keneya.people.models import Household, Person
from keneya.people.services import PersonData, add_member, register_household, update_household
from keneya.people.tests.factories import person
from keneya.people.validation import check_gps, check_not_too_far_ahead

pytestmark = pytest.mark.django_db

BAMAKO = (12.6392, -8.0029)


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def located(users, household_factory):
    return household_factory(users.chw1, gps_latitude=BAMAKO[0], gps_longitude=BAMAKO[1])


def test_gps_rule_takes_mali_and_refuses_the_rest():
    assert check_gps(*BAMAKO) == (Decimal("12.639200"), Decimal("-8.002900"))
    assert check_gps(None, None) == (None, None)
    for lat, lon, field in (
        (1000, BAMAKO[1], "gps_latitude"),
        (999, BAMAKO[1], "gps_latitude"),
        (95, BAMAKO[1], "gps_latitude"),
        (1e9, BAMAKO[1], "gps_latitude"),
        (10**400, BAMAKO[1], "gps_latitude"),
        (float("nan"), BAMAKO[1], "gps_latitude"),
        (BAMAKO[0], float("inf"), "gps_longitude"),
        (BAMAKO[1], BAMAKO[0], "gps_latitude"),  # swapped
        (BAMAKO[0], None, "gps_longitude"),
        (None, BAMAKO[1], "gps_latitude"),
        ("abc", BAMAKO[1], "gps_latitude"),
    ):
        with pytest.raises(ValidationError) as refused:
            check_gps(lat, lon)
        assert field in refused.value.message_dict, (lat, lon)


@pytest.mark.parametrize("method", ["patch", "put"])
@pytest.mark.parametrize("latitude", [1000, 999, -999, 95, 1e9])
def test_patching_an_impossible_latitude_is_a_400_and_stores_nothing(users, located, method, latitude):
    body = {"gps_latitude": latitude}
    if method == "put":
        body.update(quartier=str(located.quartier_id), gps_longitude=BAMAKO[1])
    response = getattr(api(users.chw1), method)(f"/api/v1/households/{located.pk}/", body, format="json")
    assert response.status_code == 400 and "gps_latitude" in response.json()
    located.refresh_from_db()
    assert located.gps_latitude == Decimal("12.639200")
    # The household's page and list still answer.
    assert api(users.chw1).get(f"/api/v1/households/{located.pk}/").status_code == 200
    assert api(users.chw1).get("/api/v1/households/").status_code == 200


def test_one_coordinate_cannot_be_cleared_alone(users, located):
    response = api(users.chw1).patch(
        f"/api/v1/households/{located.pk}/", {"gps_longitude": None}, format="json"
    )
    assert response.status_code == 400 and "gps_longitude" in response.json()
    response = api(users.chw1).patch(
        f"/api/v1/households/{located.pk}/", {"gps_latitude": None, "gps_longitude": None}, format="json"
    )
    assert response.status_code == 200
    located.refresh_from_db()
    assert located.gps_latitude is None and located.gps_longitude is None


def test_a_plausible_move_of_the_point_is_stored(users, located):
    response = api(users.chw1).patch(
        f"/api/v1/households/{located.pk}/", {"gps_latitude": 12.65}, format="json"
    )
    assert response.status_code == 200
    located.refresh_from_db()
    assert located.gps_latitude == Decimal("12.650000")


def test_registration_refuses_a_point_outside_mali(users, district):
    response = api(users.chw1).post(
        "/api/v1/households/",
        {"quartier": str(district.q1a.pk), "gps_latitude": 95, "gps_longitude": 0},
        format="json",
    )
    assert response.status_code == 400 and "gps_latitude" in response.json()
    assert Household.objects.count() == 0


def test_the_service_path_of_sync_refuses_long_texts(users, district, located):
    """The tablet's records reach these services: 2,000,000 characters are refused there."""
    huge = "A" * 2_000_000
    with pytest.raises(ValidationError) as refused:
        add_member(
            by=users.chw1,
            household=located,
            data=PersonData(family_name="Diarra", given_names=huge, sex="F", date_of_birth=date(2020, 1, 1)),
        )
    assert list(refused.value.message_dict) == ["given_names"]
    message = refused.value.message_dict["given_names"][0]
    assert "120" in message and len(message) < 100  # names the limit, does not echo the value
    for field, limit in (
        ("nina", 20),
        ("ramed_number", 40),
        ("mutuelle_number", 40),
        ("birth_certificate_number", 40),
    ):
        with pytest.raises(ValidationError) as refused:
            add_member(
                by=users.chw1,
                household=located,
                data=person("Diarra", "Awa", "F", date(2020, 1, 1), **{field: "1" * (limit + 1)}),
            )
        assert field in refused.value.message_dict
        add_member(
            by=users.chw1,
            household=located,
            data=person("Diarra", "Awa", "F", date(2020, 1, 1), **{field: "1" * limit}),
        )
    with pytest.raises(ValidationError) as refused:
        register_household(by=users.chw1, quartier=district.q1a, address_description=huge)
    assert "address_description" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        update_household(by=users.chw1, household=located, changes={"address_description": huge})
    assert "address_description" in refused.value.message_dict
    assert not Person.objects.filter(given_names=huge).exists()


def test_the_api_refuses_long_identifiers_of_inline_members(users, district):
    member = {
        "family_name": "Keita",
        "given_names": "Moussa",
        "sex": "M",
        "date_of_birth": "1980-01-01",
        "relationship_to_head": "head",
        "nina": "9" * 1000,
    }
    response = api(users.chw1).post(
        "/api/v1/households/", {"quartier": str(district.q1a.pk), "members": [member]}, format="json"
    )
    assert response.status_code == 400 and "members[0].nina" in response.json()


def test_dates_ahead_are_bounded_at_a_year():
    today = date(2026, 6, 1)
    assert check_not_too_far_ahead(date(2027, 5, 31), "d", today=today) == date(2027, 5, 31)
    for far in (date(2027, 6, 3), date(9999, 12, 31)):
        with pytest.raises(ValidationError) as refused:
            check_not_too_far_ahead(far, "appointment_date", today=today)
        assert list(refused.value.message_dict) == ["appointment_date"]
