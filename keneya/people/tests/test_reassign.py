"""Reassigning a household to another CHW (supervisor)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from keneya.people.services import reassign_household
from keneya.sync.models import ChangeLog

pytestmark = pytest.mark.django_db


def test_a_manager_hands_a_household_to_another_chw_of_the_quartier(users, district, household_factory):
    users.chw2.areas.add(district.q1a)
    household = household_factory(users.chw1)
    reassign_household(by=users.manager1, household=household, chw=users.chw2)
    household.refresh_from_db()
    assert household.chw == users.chw2
    assert household.history.first().history_user == users.manager1
    assert ChangeLog.objects.filter(chw=users.chw1, op="delete").count() == 3
    assert ChangeLog.objects.filter(chw=users.chw2, op="upsert").count() == 3


def test_a_chw_cannot_reassign_a_household(users, district, household_factory):
    users.chw2.areas.add(district.q1a)
    household = household_factory(users.chw1)
    with pytest.raises(PermissionDenied):
        reassign_household(by=users.chw1, household=household, chw=users.chw2)


def test_the_new_chw_must_be_an_active_chw_covering_the_quartier(users, household_factory):
    household = household_factory(users.chw1)
    with pytest.raises(ValidationError) as not_their_zone:
        reassign_household(by=users.manager1, household=household, chw=users.chw2)
    assert not_their_zone.value.message_dict["chw"] == ["Ce quartier n'est pas dans la zone de ce relais."]
    with pytest.raises(ValidationError):
        reassign_household(by=users.manager1, household=household, chw=users.clinician1)


def test_reassigning_to_the_same_chw_changes_nothing(users, household_factory):
    household = household_factory(users.chw1)
    before = ChangeLog.objects.count()
    reassign_household(by=users.manager1, household=household, chw=users.chw1)
    assert ChangeLog.objects.count() == before
