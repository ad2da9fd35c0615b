"""``insert_new`` stores exactly what ``save`` would (COPY on PostgreSQL, bulk_create elsewhere)."""

import uuid
from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from keneya.core.bulk import insert_new, insert_rows
from keneya.visits.models import Observation, Visit

pytestmark = pytest.mark.django_db


def a_visit(users, child, **kwargs):
    fields = {
        "id": uuid.uuid4(),
        "person": child,
        "household_id": child.household_id,
        "chw": users.chw1,
        "kind": "sick_child",
        "visit_date": date(2026, 3, 2),
        "findings": {"cough": True, "note": 'tousse "fort"\t\\ la nuit\n'},
        "measurements": {"weight_kg": 9.2, "muac_mm": 131},
        "assessment": {"action": "treat_at_home", "reasons": [{"text_fr": "Toux ≥ 14 j"}]},
        "engine_version": "1.0.0",
        "action": "treat_at_home",
        "follow_up_days": 3,
    }
    fields.update(kwargs)
    return Visit(**fields)


def test_rows_read_back_as_saved(users, household_factory):
    child = household_factory(users.chw1).members.order_by("date_of_birth").last()
    before = timezone.now()
    visits = [a_visit(users, child), a_visit(users, child, follow_up_days=None, findings={})]
    insert_new(visits)
    insert_new(
        [
            Observation(
                visit=visits[0],
                person=child,
                code="muac_mm",
                value_number=131.0,
                observed_on=date(2026, 3, 2),
                recorded_by=users.chw1,
            ),
            Observation(
                visit=visits[0],
                person=child,
                code="lmp",
                value_date=date(2026, 1, 5),
                observed_on=date(2026, 3, 2),
                recorded_by=users.chw1,
            ),
        ]
    )
    stored = Visit.objects.get(pk=visits[0].pk)
    assert stored.findings == visits[0].findings
    assert stored.measurements == {"weight_kg": 9.2, "muac_mm": 131}
    assert stored.assessment["reasons"][0]["text_fr"] == "Toux ≥ 14 j"
    assert stored.chw_id == users.chw1.pk and stored.follow_up_days == 3
    assert before <= stored.recorded_at <= timezone.now() + timedelta(seconds=1)
    assert Visit.objects.get(pk=visits[1].pk).follow_up_days is None
    assert sorted(Observation.objects.values_list("code", "value_number", "value_date", "value_text")) == [
        ("lmp", None, date(2026, 1, 5), ""),
        ("muac_mm", 131.0, None, ""),
    ]
    assert not visits[0]._state.adding


def test_an_id_already_stored_is_an_integrity_error_and_nothing_of_the_set_is_kept(users, household_factory):
    child = household_factory(users.chw1).members.first()
    first = a_visit(users, child)
    insert_new([first])
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_new([a_visit(users, child), a_visit(users, child, id=first.pk)])
    assert Visit.objects.count() == 1


def test_instances_without_their_id_are_refused(users, household_factory):
    child = household_factory(users.chw1).members.first()
    with pytest.raises(ValueError):
        insert_new([a_visit(users, child, id=None)])


def test_rows_take_the_defaults_of_the_fields_left_out(users, household_factory):
    child = household_factory(users.chw1).members.first()
    visit = a_visit(users, child)
    insert_new([visit])
    before = timezone.now()
    insert_rows(
        Observation,
        [
            {
                "visit_id": visit.pk,
                "person_id": child.pk,
                "code": "muac_mm",
                "value_number": 118.0,
                "observed_on": date(2026, 3, 2),
                "recorded_by_id": users.chw1.pk,
            },
            {
                "visit_id": visit.pk,
                "person_id": child.pk,
                "code": "cough",
                "value_text": "yes",
                "observed_on": date(2026, 3, 2),
                "recorded_by_id": users.chw1.pk,
            },
        ],
    )
    muac, cough = Observation.objects.order_by("code").reverse()
    assert (muac.value_number, muac.value_text, muac.voided_at, muac.replaces_id) == (118.0, "", None, None)
    assert cough.value_text == "yes" and cough.value_number is None
    assert muac.pk != cough.pk
    assert before <= muac.recorded_at <= timezone.now() + timedelta(seconds=1)


def test_a_row_naming_no_field_is_refused(users, household_factory):
    with pytest.raises(ValueError):
        insert_rows(Observation, [{"colour": "bleu"}])
