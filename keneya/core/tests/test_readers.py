"""``core.readers``: a serializer's plan shows an instance exactly as DRF shows it."""

from datetime import date

import pytest
from django.utils import timezone
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from keneya.core.readers import FastListSerializer, plan_for, reader
from keneya.people.api import PersonSerializer
from keneya.people.models import Household, Person
from keneya.people.services import record_death

pytestmark = pytest.mark.django_db


def drf(instances):
    """What DRF's own path gives for these persons."""
    return serializers.ListSerializer(child=PersonSerializer()).to_representation(instances)


@pytest.fixture
def persons(users, household_factory):
    household = household_factory(users.chw1)
    members = list(household.members.order_by("date_of_birth"))
    members[0].phone, members[0].nina, members[0].date_of_birth_estimated = "76123456", "", True
    members[0].save()
    record_death(by=users.chw1, person=members[-1], date_of_death=date(2026, 1, 5))
    return list(Person.objects.filter(household=household).order_by("date_of_birth"))


@pytest.mark.parametrize("zone", ["Africa/Bamako", "Europe/Paris", "America/Sao_Paulo"])
def test_the_plan_gives_what_drf_gives(zone, persons):
    with timezone.override(zone):
        fast = PersonSerializer(persons, many=True).data
        expected = drf(persons)
    assert JSONRenderer().render(fast) == JSONRenderer().render(expected)
    assert [p["vital_status"] for p in fast][-1] == "deceased"
    assert fast[-1]["date_of_death"] == "2026-01-05"
    assert fast[0]["date_of_death"] is None and fast[0]["date_of_birth_estimated"] is True


def test_represent_gives_what_drf_gives(persons):
    for person in persons:
        assert PersonSerializer.represent(person) == PersonSerializer(person).data


def test_a_serializer_with_another_kind_of_field_keeps_drfs_path(persons):
    class WithMethod(serializers.ModelSerializer):
        initials = serializers.SerializerMethodField()

        class Meta:
            model = Person
            fields = ["id", "initials"]
            list_serializer_class = FastListSerializer

        def get_initials(self, person):
            return person.given_names[:1] + person.family_name[:1]

    assert plan_for(WithMethod()) is None
    data = WithMethod(persons, many=True).data
    assert data[0]["initials"] == persons[0].given_names[:1] + persons[0].family_name[:1]


def test_a_related_key_is_read_without_loading_the_row(persons, django_assert_num_queries):
    person = Person.objects.get(pk=persons[0].pk)
    plan = plan_for(PersonSerializer())
    assert plan is not None
    with django_assert_num_queries(0):
        shown = reader(plan)(person)
    assert shown["household"] == person.household_id
    assert not Person.household.is_cached(person)
    assert Household.objects.filter(pk=shown["household"]).exists()


def test_rows_given_as_dicts_are_read_by_drf(persons):
    rows = [
        {
            f: getattr(p, f)
            for f in (
                "id",
                "family_name",
                "given_names",
                "sex",
                "date_of_birth",
                "date_of_birth_estimated",
                "relationship_to_head",
                "phone",
                "nina",
                "birth_certificate_number",
                "ramed_number",
                "mutuelle_number",
                "vital_status",
                "date_of_death",
                "created_at",
                "updated_at",
            )
        }
        | {"household": p.household}
        for p in persons
    ]
    assert PersonSerializer(rows, many=True).data == PersonSerializer(persons, many=True).data
