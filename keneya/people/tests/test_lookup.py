"""Patient lookup through the API (issue #4): by id and by name, scoped, in few queries."""

import json
from datetime import date

import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.utils.encoders import JSONEncoder

from keneya.accounts.models import ApiToken
from keneya.accounts.tokens import issue_token
from keneya.people.models import Person
from keneya.people.services import merge_persons
from keneya.people.tests.factories import person
from keneya.referrals.models import Referral

pytestmark = pytest.mark.django_db


def token_client(user):
    """Authenticated the way tablets and integrations are: ``Authorization: Token``."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(user).key}")
    return client


def refer(person_obj, *, to, by):
    return Referral.objects.create(
        person=person_obj,
        to_facility=to,
        issued_by=by,
        issued_at=timezone.now(),
        reason="Toux et tirage sous-costal",
    )


@pytest.fixture
def mine(users, household_factory):
    """A child in CSCom 1's health area (chw1's zone)."""
    return household_factory(users.chw1).members.get(given_names="Aminata")


@pytest.fixture
def theirs(users, district, household_factory):
    """A child in CSCom 2's health area."""
    household = household_factory(
        users.chw2, quartier=district.q2a, members=[person("Keïta", "Mariam", "F", date(2022, 3, 3), "child")]
    )
    return household.members.get()


def test_person_by_id_is_two_queries_token_then_person(users, mine, django_assert_num_queries):
    client = token_client(users.clinician1)
    with django_assert_num_queries(3):  # token with user and facility; the scoped person; the access row
        response = client.get(f"/api/v1/persons/{mine.pk}/")
    assert response.status_code == 200
    assert response.json()["id"] == str(mine.pk)
    assert response.json()["household"] == str(mine.household_id)


@pytest.mark.parametrize("role", ["chw1", "clinician1", "manager1", "social", "admin"])
def test_person_by_id_query_count_is_the_same_for_every_role(role, users, mine, django_assert_num_queries):
    client = token_client(getattr(users, role))
    with django_assert_num_queries(3):  # token, person, access-log row
        assert client.get(f"/api/v1/persons/{mine.pk}/").status_code == 200


def test_person_search_is_three_queries_whatever_the_number_of_results(
    users, household_factory, django_assert_num_queries
):
    for _ in range(4):
        household_factory(users.chw1)
    client = token_client(users.clinician1)
    with django_assert_num_queries(4):  # token; the clinician's quartiers; the page; the access row
        response = client.get("/api/v1/persons/", {"search": "Aminata Traoré"})
    assert len(response.json()["results"]) == 4


@pytest.mark.parametrize(
    "role, visible",
    [
        ("chw1", True),
        ("chw2", False),
        ("clinician1", True),
        ("manager1", True),
        ("clinician2", False),
        ("specialist", False),
        ("social", True),
        ("admin", True),
    ],
)
def test_person_by_id_follows_the_scope_rules(role, visible, users, mine):
    response = token_client(getattr(users, role)).get(f"/api/v1/persons/{mine.pk}/")
    assert response.status_code == (200 if visible else 404)


@pytest.mark.parametrize("role", ["treasurer", "me"])
def test_roles_without_names_are_refused_a_person(role, users, mine):
    assert token_client(getattr(users, role)).get(f"/api/v1/persons/{mine.pk}/").status_code == 403


def test_a_new_referral_to_the_cscom_makes_the_person_visible_there(users, district, theirs):
    client = token_client(users.clinician1)
    assert client.get(f"/api/v1/persons/{theirs.pk}/").status_code == 404
    assert client.get("/api/v1/persons/", {"search": "Mariam Keita"}).json()["results"] == []
    refer(theirs, to=district.cscom1, by=users.clinician2)
    assert client.get(f"/api/v1/persons/{theirs.pk}/").status_code == 200
    rows = client.get("/api/v1/persons/", {"search": "Mariam Keita"}).json()["results"]
    assert [row["id"] for row in rows] == [str(theirs.pk)]


def test_a_referral_to_the_csref_shows_the_person_to_the_specialist_only(users, district, mine):
    refer(mine, to=district.csref, by=users.clinician1)
    assert token_client(users.specialist).get(f"/api/v1/persons/{mine.pk}/").status_code == 200
    assert token_client(users.clinician2).get(f"/api/v1/persons/{mine.pk}/").status_code == 404


def test_a_clinician_moved_to_another_cscom_sees_the_new_area_on_the_next_request(
    users, district, mine, theirs
):
    clinician = users.clinician1
    client = token_client(clinician)
    assert client.get(f"/api/v1/persons/{mine.pk}/").status_code == 200
    clinician.facility = district.cscom2
    clinician.save(update_fields=["facility"])
    assert client.get(f"/api/v1/persons/{mine.pk}/").status_code == 404
    assert client.get(f"/api/v1/persons/{theirs.pk}/").status_code == 200


def test_a_social_worker_given_other_areas_sees_them_on_the_next_request(users, district, mine, theirs):
    social = users.social  # attached to the whole commune
    client = token_client(social)
    assert client.get(f"/api/v1/persons/{theirs.pk}/").status_code == 200
    social.areas.set([district.ha1])
    assert client.get(f"/api/v1/persons/{mine.pk}/").status_code == 200
    assert client.get(f"/api/v1/persons/{theirs.pk}/").status_code == 404
    social.areas.set([])
    assert client.get(f"/api/v1/persons/{mine.pk}/").status_code == 404


def test_a_merged_person_is_not_found_by_id(users, household_factory):
    household = household_factory(
        users.chw1,
        members=[
            person("Traoré", "Moussa", "M", date(1985, 3, 2), "head"),
            person("Traore", "Mousa", "M", date(1985, 3, 2), "other"),
        ],
    )
    keep, duplicate = household.members.order_by("relationship_to_head")
    merge_persons(by=users.manager1, keep=keep, duplicate=duplicate)
    client = token_client(users.clinician1)
    assert client.get(f"/api/v1/persons/{duplicate.pk}/").status_code == 404
    assert client.get(f"/api/v1/persons/{keep.pk}/").status_code == 200


def test_a_malformed_id_is_a_404_not_a_500(users):
    assert token_client(users.clinician1).get("/api/v1/persons/not-a-uuid/").status_code == 404


def test_an_inactive_users_token_no_longer_authenticates(users, mine):
    client = token_client(users.clinician1)
    users.clinician1.is_active = False
    users.clinician1.save(update_fields=["is_active"])
    assert client.get(f"/api/v1/persons/{mine.pk}/").status_code == 401
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token 0000000000000000000000000000000000000000")
    assert bad.get(f"/api/v1/persons/{mine.pk}/").status_code == 401


def test_the_person_answer_is_the_same_by_id_and_in_a_search(users, mine):
    client = token_client(users.clinician1)
    by_id = client.get(f"/api/v1/persons/{mine.pk}/").json()
    found = client.get("/api/v1/persons/", {"search": "Aminata Traoré"}).json()["results"]
    assert found == [by_id]
    assert by_id["date_of_birth"] == "2021-07-14" and by_id["sex"] == "F"


def test_fields_built_once_serialize_like_drf_and_stay_per_serializer(users, mine):
    from rest_framework import serializers

    from keneya.people.api import PersonSerializer

    class PlainPersonSerializer(serializers.ModelSerializer):  # DRF's own field building
        class Meta(PersonSerializer.Meta):
            pass

    plain = dict(PlainPersonSerializer(mine).data)
    assert dict(PersonSerializer(mine).data) == plain
    assert PersonSerializer(mine).fields["household"].read_only  # an update: not movable
    assert not PersonSerializer().fields["household"].read_only  # a creation still takes it
    assert PersonSerializer(mine).fields is not PersonSerializer(mine).fields


def test_a_compiled_lookup_follows_the_users_areas_facility_and_role(users, district, mine, theirs):
    """The lookup is compiled once per scope (``scope_key``); what the key leaves out, the SQL
    reads when it runs."""
    clinician = users.clinician1
    client = token_client(clinician)
    assert client.get(f"/api/v1/persons/{mine.pk}/").status_code == 200
    assert client.get(f"/api/v1/persons/{theirs.pk}/").status_code == 404
    clinician.areas.set([district.q2a])  # attached to CSCom 2's quartier too
    assert client.get(f"/api/v1/persons/{theirs.pk}/").status_code == 200
    clinician.areas.clear()
    clinician.facility = district.cscom2  # moved to CSCom 2
    clinician.save()
    assert client.get(f"/api/v1/persons/{theirs.pk}/").status_code == 200
    assert client.get(f"/api/v1/persons/{mine.pk}/").status_code == 404
    clinician.role = "treasurer"  # no names at all
    clinician.save()
    assert client.get(f"/api/v1/persons/{theirs.pk}/").status_code == 403


def test_a_deactivated_account_is_refused_at_once(users, mine):
    client = token_client(users.clinician1)
    assert client.get(f"/api/v1/persons/{mine.pk}/").status_code == 200
    users.clinician1.is_active = False
    users.clinician1.save()
    response = client.get(f"/api/v1/persons/{mine.pk}/")
    assert response.status_code == 401
    assert response.json()["detail"] == "Compte inactif ou supprimé."


def test_a_revoked_token_is_refused_at_once(users, mine):
    client = token_client(users.clinician1)
    assert client.get(f"/api/v1/persons/{mine.pk}/").status_code == 200
    ApiToken.objects.filter(user=users.clinician1).delete()
    response = client.get(f"/api/v1/persons/{mine.pk}/")
    assert response.status_code == 401
    assert response.json()["detail"] == "Jeton invalide."


def test_the_lookup_shows_the_person_as_the_serializer_does(users, mine):
    from keneya.people.api import PersonSerializer

    mine.phone, mine.nina = "76 12 34 56", "12345678901234"
    mine.save()
    response = token_client(users.clinician1).get(f"/api/v1/persons/{mine.pk}/")
    expected = PersonSerializer(Person.objects.get(pk=mine.pk)).data
    assert PersonSerializer.represent(mine) == PersonSerializer(mine).data
    assert response.json() == json.loads(json.dumps(expected, cls=JSONEncoder))
    assert response.json()["created_at"].endswith("Z") and response.json()["phone"] == "76 12 34 56"
