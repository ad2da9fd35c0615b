"""``core.compiled.CompiledGet``: a lookup compiled once answers as the ORM does, every time."""

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Count
from rest_framework.authtoken.models import Token

from keneya.core import compiled as compiled_module
from keneya.core.compiled import TEXT_PLACEHOLDER, CompiledGet
from keneya.people.models import Household, Person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _compiled_path_only(monkeypatch):
    """These tests count the compiled path's builds and statements: no verification beside it."""
    monkeypatch.setattr(compiled_module, "VERIFY", False)


def people(context, pk):
    return Person.objects.filter(household__quartier=context, pk=pk)


def test_the_instance_is_the_one_the_orm_gives(users, district, household_factory):
    household = household_factory(users.chw1)
    compiled = CompiledGet(Person, people)
    for member in household.members.all():
        got = compiled.get(district.q1a.pk, district.q1a, member.pk)
        expected = Person.objects.get(pk=member.pk)
        assert got == expected
        assert {f.attname: getattr(got, f.attname) for f in Person._meta.concrete_fields} == {
            f.attname: getattr(expected, f.attname) for f in Person._meta.concrete_fields
        }
        assert got._state.adding is False and got._state.db == "default"


def test_compiled_once_per_key_and_the_key_decides_the_sql(users, district, household_factory):
    mine = household_factory(users.chw1).members.first()
    theirs = household_factory(users.chw2, quartier=district.q2a).members.first()
    built = []

    def build(context, pk):
        built.append(context)
        return people(context, pk)

    compiled = CompiledGet(Person, build)
    assert compiled.get("q1a", district.q1a, mine.pk) == mine
    assert compiled.get("q1a", district.q1a, mine.pk) == mine
    with pytest.raises(Person.DoesNotExist):  # same key, same SQL: q2a's person is not in q1a
        compiled.get("q1a", district.q1a, theirs.pk)
    assert compiled.get("q2a", district.q2a, theirs.pk) == theirs
    assert built == [district.q1a, district.q2a]


def test_missing_and_malformed_ids_fail_as_the_orm_fails(users, district):
    compiled = CompiledGet(Person, people)
    with pytest.raises(Person.DoesNotExist):
        compiled.get(1, district.q1a, uuid.uuid4())
    with pytest.raises(ValidationError):
        compiled.get(1, district.q1a, "pas-un-uuid")


def test_select_related_instances_come_in_the_same_statement(users, django_assert_num_queries):
    key = Token.objects.create(user=users.clinician1).key
    compiled = CompiledGet(
        Token,
        lambda _c, k: Token.objects.select_related("user", "user__facility").filter(key=k),
        field="key",
        placeholder=TEXT_PLACEHOLDER,
    )
    compiled.get(None, None, key)  # compiled here
    with django_assert_num_queries(1):
        token = compiled.get(None, None, key)
        assert token.user == users.clinician1
        assert token.user.facility == users.clinician1.facility
        assert token.user.facility.health_area_id == users.clinician1.facility.health_area_id


def test_the_eviction_keeps_the_recent_keys_only(users, district, household_factory):
    member = household_factory(users.chw1).members.first()
    compiled = CompiledGet(Person, people, maxsize=2)
    for key in ("a", "b", "a", "c"):
        compiled.get(key, district.q1a, member.pk)
    assert list(compiled._compiled) == ["a", "c"]


@pytest.mark.parametrize(
    "build",
    [
        lambda c, pk: Person.objects.filter(pk=pk).annotate(n=Count("visits")),
        lambda c, pk: Person.objects.filter(pk=pk).values("id"),
        lambda c, pk: Household.objects.filter(pk=pk),
        lambda c, pk: Person.objects.filter(pk=pk) | Person.objects.filter(merged_into=pk),
    ],
)
def test_querysets_it_cannot_serve_are_refused(build, district):
    with pytest.raises(ValueError):
        CompiledGet(Person, build).get(1, None, uuid.uuid4())
