"""Push: what a CHW's tablet sends after a day offline, and what the server keeps."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from keneya.people.models import Household, HouseholdStatus, Person, VitalStatus
from keneya.people.services import add_member, update_person
from keneya.people.tests.factories import person
from keneya.sync import incoming, services
from keneya.sync.changelog import version_of
from keneya.sync.models import ChangeLog, FieldClock, PushBatch, SyncConflict
from keneya.sync.tests.factories import (
    batch,
    delete_record,
    edit_record,
    household_record,
    person_record,
    tablet,
    visit_record,
)
from keneya.visits.models import Visit

pytestmark = pytest.mark.django_db


def counts():
    return (
        Household.objects.count(),
        Person.objects.count(),
        Visit.objects.count(),
        SyncConflict.objects.count(),
    )


@pytest.fixture
def day_offline(district):
    """A household, its two members and a visit, registered offline."""
    household = household_record(district.q1a, phone="76 12 34 56")
    head = person_record(
        household["id"],
        family_name="Diarra",
        given_names="Moussa",
        sex="M",
        date_of_birth="1980-02-01",
        relationship_to_head="head",
    )
    child = person_record(household["id"])
    visit = visit_record(child["id"])
    return batch(household, head, child, visit)


def test_a_day_offline_is_stored_with_versions(tablet_a, day_offline):
    device, _token = tablet_a
    result = services.push(device=device, batch=day_offline)
    assert [r["status"] for r in result["results"]] == ["accepted"] * 4
    household = Household.objects.get(pk=day_offline["records"][0]["id"])
    assert household.chw_id == device.user_id
    assert household.phone == "+22376123456"
    assert household.head is not None and household.head.given_names == "Moussa"
    versions = [r["version"] for r in result["results"]]
    assert all(v > 0 for v in versions)
    assert versions[3] == version_of("visit", day_offline["records"][3]["id"])
    # Adding the head changed the household after its own record: a newer version to pull.
    assert versions[0] < version_of("household", household.pk)
    assert int(result["cursor"]) >= max(versions)


def test_the_same_batch_twice_changes_nothing_and_answers_the_same(tablet_a, day_offline):
    device, _token = tablet_a
    first = services.push(device=device, batch=day_offline)
    state = (counts(), ChangeLog.objects.count(), FieldClock.objects.count())
    again = services.push(device=device, batch=day_offline)
    assert again == first
    assert (counts(), ChangeLog.objects.count(), FieldClock.objects.count()) == state
    assert PushBatch.objects.count() == 1


def test_the_same_records_in_a_new_batch_are_duplicates(tablet_a, day_offline):
    device, _token = tablet_a
    services.push(device=device, batch=day_offline)
    state = (counts(), ChangeLog.objects.count())
    result = services.push(device=device, batch={**day_offline, "batch_id": str(uuid.uuid4())})
    assert [r["status"] for r in result["results"]] == ["duplicate"] * 4
    assert (counts(), ChangeLog.objects.count()) == state


def test_a_batch_cut_off_halfway_leaves_each_record_whole_and_the_retry_finishes(
    tablet_a, day_offline, monkeypatch
):
    device, _token = tablet_a
    real = incoming.set_clocks
    calls = {"n": 0}

    def crash_on_the_second_person(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:  # after add_member wrote the person, before the record commits
            raise RuntimeError("connection lost")
        return real(*args, **kwargs)

    monkeypatch.setattr(incoming, "set_clocks", crash_on_the_second_person)
    with pytest.raises(RuntimeError):
        services.push(device=device, batch=day_offline)
    household_id, head_id, child_id, visit_id = (r["id"] for r in day_offline["records"])
    assert Household.objects.filter(pk=household_id).exists()
    assert Person.objects.filter(pk=head_id).exists()
    # The record that failed left nothing: no person, no log row, no clock.
    assert not Person.objects.filter(pk=child_id).exists()
    assert not ChangeLog.objects.filter(object_id=child_id).exists()
    assert not FieldClock.objects.filter(object_id=child_id).exists()
    assert not Visit.objects.filter(pk=visit_id).exists()
    assert not PushBatch.objects.exists()

    monkeypatch.setattr(incoming, "set_clocks", real)
    retry = services.push(device=device, batch=day_offline)
    assert [r["status"] for r in retry["results"]] == ["duplicate", "duplicate", "accepted", "accepted"]
    assert counts() == (1, 2, 1, 0)


def test_a_rejected_record_gives_french_errors_and_the_others_are_stored(tablet_a, district):
    device, _token = tablet_a
    household = household_record(district.q1a)
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    bad = person_record(household["id"], date_of_birth=future, phone="12")
    unknown = person_record(household["id"], favourite_colour="bleu")
    good = person_record(household["id"], given_names="Fanta")
    result = services.push(device=device, batch=batch(household, bad, unknown, good))
    statuses = [r["status"] for r in result["results"]]
    assert statuses == ["accepted", "rejected", "rejected", "accepted"]
    rejected = result["results"][1]
    assert rejected["reason"] == "validation"
    assert rejected["id"] == bad["id"]
    assert rejected["errors"]["date_of_birth"] == ["La date de naissance ne peut pas être dans le futur."]
    assert "8 chiffres" in rejected["errors"]["phone"][0]
    assert result["results"][2]["errors"] == {"favourite_colour": ["Champ inconnu."]}
    assert Person.objects.count() == 1


def test_a_malformed_record_is_rejected_without_stopping_the_batch(tablet_a, district):
    device, _token = tablet_a
    household = household_record(district.q1a)
    result = services.push(
        device=device,
        batch=batch(
            {"type": "person", "id": "pas-un-uuid", "op": "upsert", "fields": {}},
            {"type": "consultation", "id": str(uuid.uuid4()), "op": "upsert"},
            {"type": "person", "id": str(uuid.uuid4()), "op": "upsert", "fields": "tout"},
            {**household_record(district.q1a), "changed_at": "hier"},
            household,
        ),
    )
    reasons = [r.get("reason") for r in result["results"]]
    assert reasons == ["malformed", "malformed", "malformed", "malformed", None]
    assert "id" in result["results"][0]["errors"]
    assert "type" in result["results"][1]["errors"]
    assert "changed_at" in result["results"][3]["errors"]
    assert "fields" in result["results"][2]["errors"]
    not_a_record = services.push(device=device, batch={"batch_id": str(uuid.uuid4()), "records": ["x"]})[
        "results"
    ][0]
    assert (not_a_record["status"], not_a_record["reason"], not_a_record["id"]) == (
        "rejected",
        "malformed",
        None,
    )
    assert Household.objects.count() == 1


@pytest.mark.parametrize(
    "bad",
    [[], {"records": []}, {"batch_id": "x", "records": []}, {"batch_id": str(uuid.uuid4()), "records": {}}],
)
def test_something_that_is_not_a_batch_is_refused_whole(tablet_a, bad):
    device, _token = tablet_a
    with pytest.raises(services.MalformedBatch):
        services.push(device=device, batch=bad)


def test_a_record_outside_the_zone_is_forbidden(users, district, tablet_a, household_factory):
    other_household = household_factory(users.chw2, quartier=district.q2a)
    device, _token = tablet_a
    result = services.push(
        device=device,
        batch=batch(
            edit_record("person", other_household.head_id, base_version=None, phone="76 11 22 33"),
            person_record(other_household.pk),
            household_record(district.q2a),
        ),
    )
    assert [r["status"] for r in result["results"]] == ["rejected"] * 3
    assert [r["reason"] for r in result["results"]] == ["id_taken", "forbidden", "validation"]
    assert result["results"][2]["errors"]["quartier"] == ["Ce quartier n'est pas dans votre zone."]
    other_household.head.refresh_from_db()
    assert other_household.head.phone == ""


def test_two_tablets_edit_the_same_phone_offline_last_writer_wins_and_both_values_are_kept(
    users, tablet_a, tablet_b, household_factory
):
    household = household_factory(users.chw1)
    person = household.head
    base = version_of("person", person.pk)
    device_a, _ = tablet_a
    device_b, _ = tablet_b
    # Tablet A changed the phone at 09:00, tablet B at 09:30; A syncs first.
    a = services.push(
        device=device_a,
        batch=batch(edit_record("person", person.pk, base_version=base, minutes_ago=60, phone="76 11 11 11")),
    )
    assert a["results"][0]["status"] == "accepted" and "conflicts" not in a["results"][0]
    b = services.push(
        device=device_b,
        batch=batch(edit_record("person", person.pk, base_version=base, minutes_ago=30, phone="66 22 22 22")),
    )
    assert b["results"][0]["conflicts"] == ["phone"]
    person.refresh_from_db()
    assert person.phone == "+22366222222"
    conflict = SyncConflict.objects.get()
    assert (conflict.server_value, conflict.incoming_value) == ("+22376111111", "+22366222222")
    assert (conflict.server_device, conflict.incoming_device) == (device_a, device_b)
    assert conflict.kept == "incoming" and conflict.household_id == household.pk


def test_the_earlier_edit_arriving_later_loses_but_the_conflict_is_kept(
    users, tablet_a, tablet_b, household_factory
):
    person = household_factory(users.chw1).head
    base = version_of("person", person.pk)
    device_a, _ = tablet_a
    device_b, _ = tablet_b
    services.push(
        device=device_a,
        batch=batch(edit_record("person", person.pk, base_version=base, minutes_ago=10, phone="76 11 11 11")),
    )
    late = services.push(
        device=device_b,
        batch=batch(
            edit_record(
                "person", person.pk, base_version=base, minutes_ago=50, phone="66 22 22 22", nina="123456789"
            )
        ),
    )
    result = late["results"][0]
    assert result["status"] == "accepted"
    assert result["conflicts"] == ["phone"] and result["superseded"] == ["phone"]
    person.refresh_from_db()
    assert person.phone == "+22376111111"  # the newer value stays
    assert person.nina == "123456789"  # the untouched field is applied
    assert SyncConflict.objects.get().kept == "server"


def test_an_older_edit_from_the_current_version_does_not_overwrite_a_newer_field(
    users, tablet_a, household_factory
):
    person = household_factory(users.chw1).head
    device, _ = tablet_a
    services.push(
        device=device,
        batch=batch(
            edit_record(
                "person",
                person.pk,
                base_version=version_of("person", person.pk),
                minutes_ago=5,
                phone="76 11 11 11",
            )
        ),
    )
    stale = services.push(
        device=device,
        batch=batch(
            edit_record(
                "person",
                person.pk,
                base_version=version_of("person", person.pk),
                minutes_ago=90,
                phone="66 99 99 99",
            )
        ),
    )
    assert stale["results"][0]["superseded"] == ["phone"]
    assert "conflicts" not in stale["results"][0]
    person.refresh_from_db()
    assert person.phone == "+22376111111"
    assert not SyncConflict.objects.exists()


def test_a_web_edit_after_the_tablet_pulled_is_a_conflict_with_the_web(users, tablet_a, household_factory):
    person = household_factory(users.chw1).head
    base = version_of("person", person.pk)
    update_person(by=users.manager1, person=person, changes={"phone": "76 00 00 01"})
    device, _ = tablet_a
    result = services.push(
        device=device,
        batch=batch(edit_record("person", person.pk, base_version=base, minutes_ago=0, phone="66 00 00 02")),
    )
    assert result["results"][0]["conflicts"] == ["phone"]
    conflict = SyncConflict.objects.get()
    assert conflict.server_device is None and conflict.kept == "incoming"


def test_a_tablet_clock_in_the_future_does_not_win_later_edits(users, tablet_a, household_factory):
    person = household_factory(users.chw1).head
    device, _ = tablet_a
    services.push(
        device=device,
        batch=batch(
            edit_record("person", person.pk, base_version=None, minutes_ago=-600, phone="76 11 11 11")
        ),
    )
    clock = FieldClock.objects.get(object_id=person.pk, field="phone")
    assert clock.changed_at <= timezone.now()
    update_person(by=users.manager1, person=person, changes={"phone": "76 33 33 33"})
    person.refresh_from_db()
    assert person.phone == "+22376333333"


def test_a_visit_the_server_assesses_differently_is_flagged(users, tablet_a, household_factory):
    household = household_factory(users.chw1)
    child = add_member(
        by=users.chw1,
        household=household,
        data=person("Traoré", "Fanta", "F", timezone.localdate() - timedelta(days=400)),
    )
    device, _ = tablet_a
    agrees = visit_record(child.pk, findings={"cough": True})
    differs = visit_record(
        child.pk,
        findings={"convulsions": True},
        device_assessment={"action": "advise_only", "classifications": ["no_finding"]},
    )
    first = services.push(device=device, batch=batch(agrees))["results"][0]
    assert first["status"] == "accepted" and first["assessment_mismatch"] is False
    result = services.push(device=device, batch=batch(differs))["results"][0]
    assert result["assessment_mismatch"] is True
    assert result["assessment"]["action"] == "urgent_referral"
    assert Visit.objects.get(pk=differs["id"]).device_assessment_mismatch is True
    again = services.push(device=device, batch=batch(differs))["results"][0]
    assert again["status"] == "duplicate"
    assert Visit.objects.count() == 2


def test_a_visit_for_an_unknown_person_is_rejected_in_french(tablet_a):
    device, _ = tablet_a
    result = services.push(device=device, batch=batch(visit_record(uuid.uuid4())))["results"][0]
    assert result["status"] == "rejected"
    assert result["errors"]["person"] == ["Personne inconnue : envoyez la personne avant ses visites."]


def test_deleting_a_household_dissolves_it_and_keeps_its_data(users, tablet_a, household_factory):
    household = household_factory(users.chw1)
    device, _ = tablet_a
    result = services.push(
        device=device,
        batch=batch(
            delete_record("household", household.pk, base_version=version_of("household", household.pk))
        ),
    )
    assert result["results"][0]["status"] == "accepted"
    household.refresh_from_db()
    assert household.status == HouseholdStatus.DISSOLVED
    assert household.members.count() == 2
    again = services.push(device=device, batch=batch(delete_record("household", household.pk)))
    assert again["results"][0]["status"] == "duplicate"


def test_deleting_a_person_asks_the_supervisor_and_deletes_nothing(users, tablet_a, household_factory):
    person = household_factory(users.chw1).members.get(relationship_to_head="child")
    device, _ = tablet_a
    result = services.push(device=device, batch=batch(delete_record("person", person.pk)))
    assert result["results"][0]["status"] == "accepted"
    assert result["results"][0]["review"] is True
    assert Person.objects.filter(pk=person.pk, merged_into__isnull=True).exists()
    request = SyncConflict.objects.get()
    assert request.field == "_delete" and request.resolved_at is None
    again = services.push(device=device, batch=batch(delete_record("person", person.pk)))
    assert again["results"][0]["status"] == "duplicate"
    assert SyncConflict.objects.count() == 1


def test_a_tablet_moves_a_person_and_records_a_death(users, district, tablet_a, household_factory):
    first = household_factory(users.chw1)
    second = household_factory(users.chw1)
    person = first.members.get(relationship_to_head="child")
    device, _ = tablet_a
    died = (timezone.localdate() - timedelta(days=2)).isoformat()
    result = services.push(
        device=device,
        batch=batch(
            edit_record("person", person.pk, base_version=None, household=str(second.pk)),
            edit_record("person", first.head_id, base_version=None, date_of_death=died),
        ),
    )
    assert [r["status"] for r in result["results"]] == ["accepted", "accepted"]
    person.refresh_from_db()
    assert person.household_id == second.pk
    head = Person.objects.get(pk=first.head_id)
    assert head.vital_status == VitalStatus.DECEASED
    assert head.date_of_death is not None and head.date_of_death.isoformat() == died
    # A death is not undone by a tablet that still holds an empty date.
    undo = services.push(
        device=device,
        batch=batch(edit_record("person", head.pk, base_version=None, minutes_ago=0, date_of_death=None)),
    )
    assert undo["results"][0]["superseded"] == ["date_of_death"]
    head.refresh_from_db()
    assert head.vital_status == VitalStatus.DECEASED


def test_a_batch_id_of_another_tablet_is_refused(users, tablet_a, day_offline):
    device, _ = tablet_a
    services.push(device=device, batch=day_offline)
    other, _ = tablet(users.chw1, "Tablette C")
    with pytest.raises(services.BatchTaken):
        services.push(device=other, batch=day_offline)
