"""Registry services: what a CHW, a clinician and a supervisor would notice."""

import uuid
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from keneya.people import services
from keneya.people.models import Household, Person, VitalStatus
from keneya.people.tests.factories import person, six_members

pytestmark = pytest.mark.django_db


def test_register_household_with_six_members_sets_head_code_and_chw(users, district):
    household = services.register_household(
        by=users.chw1,
        quartier=district.q1a,
        members=six_members(),
        address_description="Derrière la mosquée, portail bleu",
        phone="76 12 34 56",
    )
    assert household.members.count() == 6
    assert household.head is not None and household.head.given_names == "Bakary"
    assert household.chw == users.chw1
    assert household.code.startswith("LAF-")
    assert household.phone == "+22376123456"
    assert "kulibali" in household.search_text and "jara" in household.search_text


def test_registering_the_same_household_id_twice_creates_it_once(users, district):
    members = six_members()
    first = services.register_household(
        by=users.chw1, quartier=district.q1a, members=members, id=uuid.uuid4()
    )
    again = services.register_household(by=users.chw1, quartier=district.q1a, members=members, id=first.id)
    assert again.pk == first.pk
    assert Household.objects.count() == 1
    assert Person.objects.count() == 6


@pytest.mark.parametrize(
    ("member", "field", "message"),
    [
        (person("Traoré", "Awa", dob=timezone.localdate() + timedelta(days=1)), "date_of_birth", "futur"),
        (person("", "Awa"), "family_name", "obligatoire"),
        (person("Traoré", "  "), "given_names", "obligatoire"),
        (
            person("Traoré", "Awa", dob=date(timezone.localdate().year - 140, 1, 1)),
            "date_of_birth",
            "plus de 120 ans",
        ),
        (person("Traoré", "Awa", sex="X"), "sex", "Sexe invalide"),
        (person("Traoré", "Awa", phone="12"), "phone", "8 chiffres"),
    ],
)
def test_invalid_member_gives_a_french_error_and_saves_nothing(users, district, member, field, message):
    with pytest.raises(ValidationError) as exc:
        services.register_household(
            by=users.chw1,
            quartier=district.q1a,
            members=[person("Keïta", "Modibo", "M", date(1980, 1, 1), "head"), member],
        )
    errors = exc.value.message_dict
    assert f"members[1].{field}" in errors
    assert message in " ".join(errors[f"members[1].{field}"])
    assert Household.objects.count() == 0
    assert Person.objects.count() == 0


def test_chw_cannot_register_outside_their_zone(users, district):
    with pytest.raises(ValidationError) as exc:
        services.register_household(by=users.chw1, quartier=district.q2a, members=six_members())
    assert "zone" in exc.value.message_dict["quartier"][0]
    assert Household.objects.count() == 0


def test_only_one_head_per_household(users, district, household_factory):
    household = household_factory(users.chw1)
    with pytest.raises(ValidationError) as exc:
        services.add_member(
            by=users.chw1, household=household, data=person("Traoré", "Issa", "M", date(1990, 1, 1), "head")
        )
    assert "chef de ménage" in exc.value.message_dict["relationship_to_head"][0]


def test_add_member_is_idempotent_by_client_uuid(users, household_factory):
    import uuid

    household = household_factory(users.chw1)
    data = person("Traoré", "Salif", "M", date(2022, 2, 2), id=uuid.uuid4())
    a = services.add_member(by=users.chw1, household=household, data=data)
    b = services.add_member(by=users.chw1, household=household, data=data)
    assert a.pk == b.pk == data.id
    assert household.members.count() == 3


def test_chw_of_another_zone_cannot_add_a_member(users, household_factory):
    household = household_factory(users.chw1)
    with pytest.raises(PermissionDenied):
        services.add_member(by=users.chw2, household=household, data=person("Traoré", "Ali"))


def test_move_member_clears_head_of_old_household_and_keeps_history(users, district, household_factory):
    old = household_factory(users.chw1)
    new = household_factory(users.chw1, members=[person("Sangaré", "Oumou", "F", date(1995, 1, 1), "head")])
    head = old.head
    services.move_member(by=users.chw1, person=head, to_household=new)
    old.refresh_from_db()
    head.refresh_from_db()
    assert old.head is None
    assert head.household == new
    assert head.relationship_to_head != "head"  # the new household already has a head
    assert head.history.count() >= 2
    from keneya.people.queries import household_list

    assert list(household_list(user=users.chw1, search="Moussa Traoré")) == [new]


def test_record_death_sets_vital_status_and_refuses_a_future_date(users, household_factory):
    household = household_factory(users.chw1)
    child = household.members.get(given_names="Aminata")
    with pytest.raises(ValidationError):
        services.record_death(
            by=users.chw1, person=child, date_of_death=timezone.localdate() + timedelta(days=3)
        )
    with pytest.raises(ValidationError):
        services.record_death(by=users.chw1, person=child, date_of_death=date(2000, 1, 1))
    services.record_death(by=users.chw1, person=child, date_of_death=date(2025, 2, 1))
    child.refresh_from_db()
    assert child.vital_status == VitalStatus.DECEASED
    assert child.date_of_death == date(2025, 2, 1)


def test_merge_keeps_the_duplicate_traceable_and_copies_missing_identifiers(users, household_factory):
    household = household_factory(users.chw1)
    keep = household.members.get(given_names="Aminata")
    dup = services.add_member(
        by=users.chw1, household=household, data=person("Traore", "Aminata", ramed_number="RAM-123")
    )
    with pytest.raises(PermissionDenied):
        services.merge_persons(by=users.chw1, keep=keep, duplicate=dup)
    services.merge_persons(by=users.manager1, keep=keep, duplicate=dup)
    keep.refresh_from_db()
    dup.refresh_from_db()
    assert dup.merged_into == keep
    assert keep.ramed_number == "RAM-123"
    with pytest.raises(ValidationError):
        services.merge_persons(by=users.manager1, keep=keep, duplicate=dup)


def test_update_person_validates_like_registration(users, household_factory):
    household = household_factory(users.chw1)
    child = household.members.get(given_names="Aminata")
    with pytest.raises(ValidationError):
        services.update_person(by=users.chw1, person=child, changes={"family_name": ""})
    services.update_person(by=users.chw1, person=child, changes={"phone": "66 00 11 22"})
    child.refresh_from_db()
    assert child.phone == "+22366001122"
