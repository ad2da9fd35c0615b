"""Scope (``accounts/scope.py``): the same answer whichever form the SQL takes."""

from datetime import date

import pytest
from django.utils import timezone

from keneya.accounts.scope import area_scoped_quartier_ids, person_filter
from keneya.core.models import Area, AreaLevel
from keneya.core.queries import descendant_area_ids, quartier_ids_under
from keneya.people.models import Person
from keneya.people.tests.factories import person
from keneya.referrals.models import Referral

pytestmark = pytest.mark.django_db


def fresh(user):
    """The user as the next request loads it (nothing cached on the object)."""
    return type(user).objects.select_related("facility").get(pk=user.pk)


def test_quartiers_under_any_area_match_the_level_by_level_walk(district):
    extra = Area.objects.create(
        code="LAF2", name="Lafiabougou Est", level=AreaLevel.QUARTIER, parent=district.ha1
    )
    for root in Area.objects.all():
        expected = descendant_area_ids([root], level=AreaLevel.QUARTIER)
        assert quartier_ids_under([root]) == expected, root.code
    assert quartier_ids_under([district.ha1]) == {district.q1a.pk, district.q1b.pk, extra.pk}
    assert quartier_ids_under([district.ha1.pk, district.q2a.pk]) == {
        district.q1a.pk,
        district.q1b.pk,
        extra.pk,
        district.q2a.pk,
    }
    assert quartier_ids_under([]) == set()
    assert quartier_ids_under(also_under=Area.objects.filter(code="AS-HAM").values("pk")) == {district.q2a.pk}


def test_a_clinicians_quartiers_are_the_health_area_and_their_own_areas(users, district):
    clinician = users.clinician1
    assert area_scoped_quartier_ids(fresh(clinician)) == {district.q1a.pk, district.q1b.pk}
    clinician.areas.set([district.q2a])
    assert area_scoped_quartier_ids(fresh(clinician)) == {district.q1a.pk, district.q1b.pk, district.q2a.pk}
    assert area_scoped_quartier_ids(fresh(users.social)) == {
        district.q1a.pk,
        district.q1b.pk,
        district.q2a.pk,
    }
    assert area_scoped_quartier_ids(fresh(users.specialist)) is None


@pytest.mark.parametrize(
    "role",
    [
        "chw1",
        "chw2",
        "clinician1",
        "clinician2",
        "manager1",
        "specialist",
        "social",
        "treasurer",
        "me",
        "admin",
    ],
)
def test_every_form_of_the_person_scope_selects_the_same_persons(role, users, district, household_factory):
    household_factory(users.chw1)
    household_factory(users.manager1, quartier=district.q1b)
    theirs = household_factory(
        users.chw2, quartier=district.q2a, members=[person("Keïta", "Mariam", "F", date(2022, 3, 3), "child")]
    ).members.get()
    Referral.objects.create(
        person=theirs,
        to_facility=district.cscom1,
        issued_by=users.clinician2,
        issued_at=timezone.now(),
        reason="Fièvre",
    )
    user = fresh(getattr(users, role))
    listed = set(Person.objects.filter(person_filter(user)).values_list("pk", flat=True))
    for lookup, inline in ((False, True), (True, False), (True, True)):
        variant = person_filter(fresh(user), lookup=lookup, quartiers_inline=inline)
        assert set(Person.objects.filter(variant).values_list("pk", flat=True)) == listed
