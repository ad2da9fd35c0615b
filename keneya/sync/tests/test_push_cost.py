"""Push cost: what is read once per batch stays once per batch, and the results stay the same."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from keneya.alerts.models import Alert
from keneya.notifications.models import OutboxMessage
from keneya.notifications.services import enqueue_sms, wake_worker
from keneya.people.services import add_member
from keneya.people.tests.factories import person
from keneya.referrals.models import Referral
from keneya.sync import services
from keneya.sync.changelog import version_of
from keneya.sync.models import ChangeLog
from keneya.sync.tests.factories import batch, edit_record, visit_record
from keneya.visits.models import Visit

pytestmark = pytest.mark.django_db

# A batch of routine visits, whatever its size: the stored-batch checks, the CHW lock, the
# persons in scope, the stored visit ids, then one INSERT each for the visits, their
# observations and their change-log rows, the weighings for the growth rule, the months the
# indicators must recompute (one INSERT, keneya.visits.indicators.mark_visits_changed), the cursor
# and the batch's result (with their savepoints). SQLite splits an INSERT of many rows (at most
# 999 parameters a statement), hence a little slack.
PER_ROUTINE_BATCH = 23
# Urgent visits add, for the whole batch: the CSCom of each quartier, the referrals, their
# events and change-log rows, the alerts, their events and change-log rows, the clinicians to
# text, the outbox keys already there and the outbox rows.
PER_URGENT_BATCH = PER_ROUTINE_BATCH + 10


NAMES = ["Awa", "Fanta", "Mariam", "Kadiatou", "Oumou", "Salimata", "Djeneba", "Rokia"]


def children(users, household_factory, n):
    kids = []
    for i in range(0, n, 2):
        household = household_factory(
            users.chw1,
            members=[person("Traoré", "Moussa", "M", timezone.localdate() - timedelta(days=12000), "head")],
        )
        for j in range(min(2, n - i)):
            kids.append(
                add_member(
                    by=users.chw1,
                    household=household,
                    data=person(
                        "Traoré", NAMES[(i + j) % len(NAMES)], "F", timezone.localdate() - timedelta(days=400)
                    ),
                )
            )
    return kids


def push_counted(device, body):
    with CaptureQueriesContext(connection) as queries:
        result = services.push(device=device, batch=body)
    return result, len(queries.captured_queries)


@pytest.mark.parametrize("n", [1, 10, 40])
def test_a_batch_of_visits_costs_statements_that_do_not_grow_with_its_visits(
    users, tablet_a, household_factory, n
):
    device, _token = tablet_a
    body = batch(*(visit_record(kid.pk) for kid in children(users, household_factory, n)))
    result, statements = push_counted(device, body)
    assert [r["status"] for r in result["results"]] == ["accepted"] * n
    assert not Alert.objects.exists()
    assert Visit.objects.count() == n
    assert statements <= PER_ROUTINE_BATCH, statements
    # Versions come from the insert, and are what the change log says.
    for record, answer in zip(body["records"], result["results"], strict=True):
        assert answer["version"] == version_of("visit", record["id"])
    assert int(result["cursor"]) == max(r["version"] for r in result["results"])


@pytest.mark.parametrize("n", [1, 10, 40])
def test_a_batch_of_urgent_visits_costs_statements_that_do_not_grow_with_its_visits(
    users, tablet_a, household_factory, n
):
    users.clinician1.phone = "+22376000001"
    users.clinician1.save()
    device, _token = tablet_a
    body = batch(
        *(
            visit_record(kid.pk, findings={"convulsions": True})
            for kid in children(users, household_factory, n)
        )
    )
    result, statements = push_counted(device, body)
    assert [r["status"] for r in result["results"]] == ["accepted"] * n
    assert (
        Alert.objects.count(),
        Referral.objects.count(),
        OutboxMessage.objects.filter(template="urgent_alert").count(),
    ) == (n, n, n)
    assert statements <= PER_URGENT_BATCH, statements


def test_the_same_visits_again_are_duplicates_with_their_versions(users, tablet_a, household_factory):
    device, _token = tablet_a
    records = [visit_record(kid.pk) for kid in children(users, household_factory, 4)]
    first = services.push(device=device, batch=batch(*records))
    state = (Visit.objects.count(), ChangeLog.objects.count())
    again = services.push(device=device, batch=batch(*records, records[0]))
    assert [r["status"] for r in again["results"]] == ["duplicate"] * 5
    assert [r["version"] for r in again["results"][:4]] == [r["version"] for r in first["results"]]
    assert (Visit.objects.count(), ChangeLog.objects.count()) == state


def test_a_visit_twice_in_one_batch_is_stored_once(users, tablet_a, household_factory):
    device, _token = tablet_a
    [kid] = children(users, household_factory, 1)
    record = visit_record(kid.pk)
    result = services.push(device=device, batch=batch(record, record))
    assert [r["status"] for r in result["results"]] == ["accepted", "duplicate"]
    assert result["results"][0]["version"] == result["results"][1]["version"]
    assert Visit.objects.count() == 1


def test_a_death_recorded_earlier_in_the_batch_rejects_a_later_visit(users, tablet_a, household_factory):
    """Persons read for the batch are read again after a registry record changed them."""
    device, _token = tablet_a
    first, second = children(users, household_factory, 2)
    death = edit_record(
        "person",
        second.pk,
        base_version=version_of("person", second.pk),
        date_of_death=timezone.localdate().isoformat(),
    )
    result = services.push(device=device, batch=batch(visit_record(first.pk), death, visit_record(second.pk)))
    assert [r["status"] for r in result["results"]] == ["accepted", "accepted", "rejected"]
    assert result["results"][2]["errors"] == {"person": ["Cette personne est déclarée décédée."]}


def test_a_visit_outside_the_zone_is_forbidden_and_the_batch_goes_on(
    users, tablet_a, household_factory, district
):
    device, _token = tablet_a
    [mine] = children(users, household_factory, 1)
    other = household_factory(users.chw2, quartier=district.q2a).members.first()
    result = services.push(device=device, batch=batch(visit_record(other.pk), visit_record(mine.pk)))
    assert [r["status"] for r in result["results"]] == ["rejected", "accepted"]
    assert result["results"][0]["reason"] == "forbidden"


def test_urgent_visits_raise_their_alert_referral_sms_and_changes(
    users, tablet_a, household_factory, district, django_capture_on_commit_callbacks
):
    users.clinician1.phone = "+22376000001"
    users.clinician1.save()
    device, _token = tablet_a
    kids = children(users, household_factory, 3)
    with django_capture_on_commit_callbacks() as callbacks:
        result = services.push(
            device=device,
            batch=batch(*(visit_record(kid.pk, findings={"convulsions": True}) for kid in kids)),
        )
    assert [r["status"] for r in result["results"]] == ["accepted"] * 3
    alerts = Alert.objects.all()
    assert alerts.count() == 3
    assert {a.facility_id for a in alerts} == {district.cscom1.pk}
    assert Referral.objects.filter(to_facility=district.cscom1, urgent=True).count() == 3
    assert all(a.referral_id for a in alerts)
    assert OutboxMessage.objects.filter(template="urgent_alert").count() == 3
    for kind, ids in (
        ("alert", alerts.values_list("pk", flat=True)),
        ("referral", Referral.objects.values_list("pk", flat=True)),
    ):
        assert set(
            ChangeLog.objects.filter(type=kind, chw=users.chw1).values_list("object_id", flat=True)
        ) == set(ids)
    # One outbox wake-up for the batch's transaction, not one per SMS.
    assert [c for c in callbacks if c is wake_worker] == [wake_worker]


def test_the_worker_is_woken_once_per_transaction(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        for i in range(3):
            enqueue_sms(
                to="76 12 34 56",
                template="referral_outcome",
                context={"name": "A", "facility": "B", "note": "C"},
                dedup_key=f"test:{i}",
            )
    assert OutboxMessage.objects.count() == 3
    assert callbacks == [wake_worker]
