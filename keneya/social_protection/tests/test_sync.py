"""Screenings through sync (docs/sync.md): pushed by a tablet, refused alone when bad, stored once,
``id_taken`` outside scope, pulled by the CHW's other tablet; the grid and the coverage lines come
with the last page."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from keneya.people.services import reassign_household
from keneya.social_protection.models import Screening
from keneya.social_protection.tests.factories import answers, demo_grid_active, opened_dossier, screened
from keneya.sync import services
from keneya.sync.tests.factories import batch, tablet

pytestmark = pytest.mark.django_db


def screening_record(household_id, **fields):
    return {
        "type": "screening",
        "id": str(uuid.uuid4()),
        "op": "create",
        "fields": {
            "household": str(household_id),
            "screened_on": timezone.localdate().isoformat(),
            "answers": answers(housing="precarious", income="none"),
            "admis_de_droit": "",
            **fields,
        },
    }


def pull_all(device, cursor=None):
    changes, page = [], {}
    while True:
        page = services.pull(device=device, cursor=cursor)
        changes += page["changes"]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return changes, cursor, page


@pytest.fixture
def home(users, household_factory):
    demo_grid_active(users.admin)
    return household_factory(users.chw1)


def test_good_and_bad_screenings_in_one_batch_are_answered_one_by_one(users, home):
    device, _token = tablet(users.chw1)
    good = screening_record(home.pk)
    unanswered = screening_record(home.pk, answers={"housing": "banco"})
    unknown = screening_record(home.pk, answers=answers(housing="palace"))
    future = screening_record(home.pk, screened_on=(timezone.localdate() + timedelta(days=2)).isoformat())
    body = batch(good, unanswered, unknown, future)
    results = services.push(device=device, batch=body)["results"]
    assert [r["status"] for r in results] == ["accepted", "rejected", "rejected", "rejected"]
    assert results[0]["score"] == 4 + 4 and results[0]["band"] == "not_priority"
    assert {r["reason"] for r in results[1:]} == {"validation"}
    assert "answers.income" in results[1]["errors"]
    assert "answers.housing" in results[2]["errors"]
    assert results[3]["errors"] == {"screened_on": ["La date du dépistage ne peut pas être dans le futur."]}
    stored = Screening.objects.get()
    assert str(stored.pk) == good["id"] and stored.screened_by == users.chw1
    assert (stored.score, stored.band) == (8, "not_priority")


def test_the_same_screening_sent_again_changes_nothing(users, home):
    device, _token = tablet(users.chw1)
    record = screening_record(home.pk)
    [first] = services.push(device=device, batch=batch(record))["results"]
    [again] = services.push(device=device, batch=batch(record))["results"]
    assert first["status"] == "accepted" and again["status"] == "duplicate"
    assert again["version"] == first["version"] and again["score"] == first["score"]
    assert Screening.objects.count() == 1


def test_a_screening_id_taken_in_another_zone_is_refused_revealing_nothing(
    users, district, home, household_factory
):
    theirs = screened(users.chw2, household_factory(users.chw2, quartier=district.q2a), housing="banco")
    device, _token = tablet(users.chw1)
    [result] = services.push(device=device, batch=batch({**screening_record(home.pk), "id": str(theirs.pk)}))[
        "results"
    ]
    assert result["status"] == "rejected" and result["reason"] == "id_taken"
    assert result["errors"] == {"id": ["Cet identifiant est déjà utilisé."]}
    assert Screening.objects.get(pk=theirs.pk).household_id != home.pk


def test_a_screening_of_a_household_outside_the_zone_is_forbidden(users, district, household_factory, home):
    theirs = household_factory(users.chw2, quartier=district.q2a)
    device, _token = tablet(users.chw1)
    [result] = services.push(device=device, batch=batch(screening_record(theirs.pk)))["results"]
    assert result["reason"] == "forbidden" and not Screening.objects.exists()


def test_the_other_tablet_pulls_the_screening_and_loses_it_with_the_household(users, home):
    device_a, _ = tablet(users.chw1, "Tablette A")
    record = screening_record(home.pk)
    [pushed] = services.push(device=device_a, batch=batch(record))["results"]
    device_b, _ = tablet(users.chw1, "Tablette B")
    changes, cursor, last = pull_all(device_b)
    types = [c["type"] for c in changes]
    assert types.index("household") < types.index("screening")
    [change] = [c for c in changes if c["type"] == "screening"]
    assert change["id"] == record["id"] and change["version"] == pushed["version"]
    data = change["data"]
    assert data["household"] == str(home.pk) and data["score"] == 8
    assert data["band"] == "not_priority" and data["band_label_fr"] == "Non prioritaire"
    assert len(data["breakdown"]) == 10 and data["validated"] is False
    # The grid and the coverage lines come with the last page.
    assert last["scorecard"]["definition"]["code"] and last["scorecard"]["illustrative"] is True
    assert last["coverage"]["none"] == "Aucune couverture : dépistage conseillé"

    reassign_household(by=users.admin, household=home, chw=None)
    changes, _cursor, _last = pull_all(device_b, cursor)
    assert ("screening", "delete") in {(c["type"], c["op"]) for c in changes if c["id"] == record["id"]}


def test_a_screening_made_on_the_web_reaches_the_tablet(users, home):
    device, _ = tablet(users.chw1)
    _changes, cursor, _last = pull_all(device)
    web = screened(users.social, home, housing="banco")
    changes, _cursor, _last = pull_all(device, cursor)
    assert [(c["type"], c["id"]) for c in changes] == [("screening", str(web.pk))]


def test_the_coverage_lines_of_enrolled_persons_come_with_the_pull(users, home):
    opened_dossier(users.social, home, "ramed")
    device, _ = tablet(users.chw1)
    _changes, _cursor, last = pull_all(device)
    persons = last["coverage"]["persons"]
    assert persons[str(home.head_id)] == ["RAMED : dossier en cours"]


def test_the_coverage_extra_costs_nothing_per_person_without_a_dossier(
    users, home, household_factory, django_assert_max_num_queries
):
    from keneya.social_protection.sync import pulled_coverage

    for _ in range(5):
        household_factory(users.chw1)
    with django_assert_max_num_queries(1):
        coverage = pulled_coverage(users.chw1)
    assert coverage["persons"] == {}


# --- The "Fait" of an appointment, from the tablet ------------------------------------------------


def done_record(appointment_id, **fields):
    return {"type": "appointment", "id": str(appointment_id), "op": "done", "fields": fields}


@pytest.fixture
def appointment(users, home):
    from keneya.social_protection.services import schedule_appointment

    dossier = opened_dossier(users.social, home, "ramed")
    return schedule_appointment(
        by=users.social, dossier=dossier, kind="social_survey", on=timezone.localdate() + timedelta(days=2)
    )


def _appointment_tasks(users):
    from keneya.worklist.queries import tasks_for_chw

    tasks = tasks_for_chw(chw=users.chw1, on=timezone.localdate())
    return [t for t in tasks if t.kind == "social_appointment"]


def test_a_chw_marks_an_appointment_done_from_the_tablet_once(users, appointment):
    assert len(_appointment_tasks(users)) == 1
    device, _token = tablet(users.chw1)
    today = timezone.localdate().isoformat()
    record = done_record(appointment.pk, done_on=today)
    [first] = services.push(device=device, batch=batch(record))["results"]
    assert (first["status"], first["done_on"]) == ("accepted", today)
    appointment.refresh_from_db()
    assert appointment.done_on == timezone.localdate()
    assert appointment.dossier.events.filter(kind="appointment_done", by=users.chw1).count() == 1
    assert _appointment_tasks(users) == []
    # the same record again (a retry), or from a second tablet: nothing changes
    [again] = services.push(device=device, batch=batch(record))["results"]
    other_device, _token = tablet(users.chw1)
    later = done_record(appointment.pk, done_on=today)
    [other] = services.push(device=other_device, batch=batch(later))["results"]
    assert again["status"] == other["status"] == "duplicate"
    assert appointment.dossier.events.filter(kind="appointment_done").count() == 1
    # the last pull page's task list no longer has it
    _changes, _cursor, last = pull_all(device)
    assert not [t for t in last["tasks"] if t["kind"] == "social_appointment"]


def test_an_appointment_of_another_zone_is_id_taken_and_bad_records_are_refused_alone(
    users, appointment, household_factory, district
):
    other_device, _token = tablet(users.chw2)
    [taken] = services.push(device=other_device, batch=batch(done_record(appointment.pk)))["results"]
    assert taken["reason"] == "id_taken"
    device, _token = tablet(users.chw1)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    results = services.push(
        device=device,
        batch=batch(
            done_record(uuid.uuid4()),
            done_record(appointment.pk, done_on=tomorrow),
            done_record(appointment.pk, done_on="12/03/2026"),
            {**done_record(appointment.pk), "op": "create"},
            done_record(appointment.pk),  # no date: today
        ),
    )["results"]
    assert [r["status"] for r in results] == ["rejected"] * 4 + ["accepted"]
    assert results[0]["errors"] == {"id": ["Rendez-vous inconnu."]}
    assert results[1]["errors"] == {"done_on": ["La date ne peut pas être dans le futur."]}
    assert "done_on" in results[2]["errors"] and "op" in results[3]["errors"]
    appointment.refresh_from_db()
    assert appointment.done_on == timezone.localdate()
