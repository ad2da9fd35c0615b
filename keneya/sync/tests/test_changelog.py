"""The write paths tell the tablets: each service appends to its CHW's change log."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from keneya.people.models import Household, Person
from keneya.people.services import add_member, move_member, register_household, update_person
from keneya.people.tests.factories import person
from keneya.sync import changelog
from keneya.sync.models import ChangeLog, FieldClock
from keneya.sync.tests.factories import tablet
from keneya.visits.services import record_home_visit

pytestmark = pytest.mark.django_db


def rows(**filters):
    return list(ChangeLog.objects.filter(**filters).order_by("seq").values_list("chw_id", "type", "op"))


def test_registering_a_household_logs_it_and_its_members_for_its_chw(users, household_factory):
    household = household_factory(users.chw1)
    assert rows() == [
        (users.chw1.pk, "household", "upsert"),
        (users.chw1.pk, "person", "upsert"),
        (users.chw1.pk, "person", "upsert"),
    ]
    first_seq = ChangeLog.objects.order_by("seq").values_list("seq", flat=True)[0]
    assert changelog.version_of("household", household.pk) == first_seq


def test_a_household_without_chw_is_versioned_but_reaches_no_tablet(users, district):
    household = register_household(
        by=users.clinician1,
        quartier=district.q1a,
        members=[person("Keïta", "Awa", "F", date(1990, 1, 1), "head")],
    )
    assert {r[0] for r in rows()} == {None}
    assert changelog.version_of("household", household.pk) > 0


def test_a_web_edit_moves_the_clock_of_the_changed_fields_only(users, household_factory):
    head = household_factory(users.chw1).head
    update_person(
        by=users.manager1, person=head, changes={"phone": "76 12 12 12", "family_name": head.family_name}
    )
    clock = FieldClock.objects.get()
    assert (clock.field, clock.device) == ("phone", None)
    assert clock.seq == changelog.version_of("person", head.pk)


def test_a_visit_is_logged_for_the_households_chw_not_for_who_recorded_it(users, household_factory):
    household = household_factory(users.chw1)
    child = add_member(
        by=users.chw1,
        household=household,
        data=person("Traoré", "Fanta", "F", timezone.localdate() - timedelta(days=400)),
    )
    visit = record_home_visit(
        by=users.admin,
        person=child,
        visit_date=timezone.localdate(),
        kind="sick_child",
        findings={"convulsions": True},
    )
    assert rows(object_id=visit.pk) == [(users.chw1.pk, "visit", "upsert")]
    assert rows(object_id=visit.referral.pk) == [(users.chw1.pk, "referral", "upsert")]
    assert rows(object_id=visit.alerts.get().pk) == [(users.chw1.pk, "alert", "upsert")]


def test_moving_a_person_to_another_chws_household_moves_them_between_tablets(
    users, district, household_factory
):
    users.chw2.areas.add(district.q1a)
    mine = household_factory(users.chw1)
    theirs = household_factory(users.chw2)
    child = mine.members.get(relationship_to_head="child")
    ChangeLog.objects.all().delete()
    move_member(by=users.manager1, person=child, to_household=theirs)
    assert rows(object_id=child.pk) == [
        (users.chw1.pk, "person", "delete"),
        (users.chw2.pk, "person", "upsert"),
    ]


def test_registering_a_tablet_logs_households_loaded_outside_the_services(users, district):
    # What the bulk demo seed does: rows written without the services, so without a log.
    household = Household.objects.create(code="LAF-BULK01", quartier=district.q1a, chw=users.chw1)
    Person.objects.create(
        household=household,
        family_name="Sangaré",
        given_names="Oumou",
        sex="F",
        date_of_birth=date(1995, 5, 5),
    )
    assert not ChangeLog.objects.exists()
    tablet(users.chw1)
    assert [r[1] for r in rows()] == ["household", "person"]
    assert changelog.backfill() == 0  # idempotent


def test_the_backfill_command_logs_bulk_loaded_households(users, district):
    from io import StringIO

    from django.core.management import call_command

    Household.objects.create(code="LAF-BULK02", quartier=district.q1a, chw=users.chw1)
    out = StringIO()
    call_command("sync_backfill", stdout=out)
    assert out.getvalue().startswith("1 changement")
    assert rows() == [(users.chw1.pk, "household", "upsert")]
