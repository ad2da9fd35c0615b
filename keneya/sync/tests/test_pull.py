"""Pull: the CHW's tablet receives their households, and only theirs, page by page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from keneya.alerts.services import acknowledge_alert
from keneya.people.models import Person
from keneya.people.services import add_member, merge_persons, reassign_household, update_person
from keneya.people.tests.factories import person
from keneya.referrals.services import mark_arrived
from keneya.sync import registry, services
from keneya.sync.changelog import version_of
from keneya.sync.tests.factories import batch, edit_record, tablet
from keneya.visits.services import record_home_visit

pytestmark = pytest.mark.django_db


def pull_all(device, cursor=None, limit=500):
    """Every page from ``cursor``; returns the changes, the last cursor and the pages."""
    changes, pages = [], []
    while True:
        page = services.pull(device=device, cursor=cursor, limit=limit)
        pages.append(page)
        changes += page["changes"]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return changes, cursor, pages


def ids(changes, op="upsert", kind=None):
    return {c["id"] for c in changes if c["op"] == op and (kind is None or c["type"] == kind)}


@pytest.fixture
def sick_child(users, household_factory):
    household = household_factory(users.chw1)
    child = add_member(
        by=users.chw1,
        household=household,
        data=person("Traoré", "Fanta", "F", timezone.localdate() - timedelta(days=400)),
    )
    visit = record_home_visit(
        by=users.chw1,
        person=child,
        visit_date=timezone.localdate(),
        kind="sick_child",
        findings={"convulsions": True},
    )
    return household, child, visit


def test_a_first_pull_brings_the_households_persons_visits_alerts_and_referrals(tablet_a, sick_child):
    household, child, visit = sick_child
    device, _ = tablet_a
    changes, _cursor, pages = pull_all(device)
    assert len(pages) == 1 and pages[0]["tasks"] is not None
    assert ids(changes, kind="household") == {str(household.pk)}
    assert ids(changes, kind="person") == {str(p.pk) for p in household.members.all()}
    assert ids(changes, kind="visit") == {str(visit.pk)}
    assert ids(changes, kind="alert") == {str(visit.alerts.get().pk)}
    assert ids(changes, kind="referral") == {str(visit.referral.pk)}
    by_id = {c["id"]: c for c in changes}
    assert by_id[str(child.pk)]["data"]["given_names"] == "Fanta"
    assert by_id[str(child.pk)]["version"] == version_of("person", child.pk)
    compact = by_id[str(visit.pk)]["data"]
    assert compact["action"] == "urgent_referral" and "classifications" in compact
    assert by_id[str(visit.referral.pk)]["data"]["status"] == "issued"
    # Households first, then persons, visits, alerts, referrals.
    order = [c["type"] for c in changes]
    assert order == sorted(order, key=["household", "person", "visit", "alert", "referral"].index)


def test_a_vaccination_card_copied_on_the_web_reaches_the_tablet(users, tablet_a, sick_child):
    _household, child, _visit = sick_child
    device, _ = tablet_a
    _changes, cursor, _ = pull_all(device)
    born = child.date_of_birth
    card = record_home_visit(
        by=users.chw1,
        person=child,
        visit_date=timezone.localdate(),
        kind="child_followup",
        findings={"vaccines": {"BCG": born.isoformat(), "PENTA1": (born + timedelta(days=45)).isoformat()}},
    )
    changes, _cursor, _ = pull_all(device, cursor)
    by_id = {c["id"]: c for c in changes}
    assert by_id[str(card.pk)]["data"]["vaccines"] == {
        "BCG": born.isoformat(),
        "PENTA1": (born + timedelta(days=45)).isoformat(),
    }
    first_visit = pull_all(device)[0]
    assert all(
        "vaccines" not in c["data"] for c in first_visit if c["type"] == "visit" and c["id"] != str(card.pk)
    )


def test_pages_resume_from_the_last_cursor(users, tablet_a, household_factory):
    for _ in range(4):
        household_factory(users.chw1)
    device, _ = tablet_a
    everything, last, _pages = pull_all(device)
    paged, paged_last, pages = pull_all(device, limit=3)
    assert len(pages) == 4  # 12 rows (4 households x 3 objects), 3 per page, then an empty one
    assert [p["has_more"] for p in pages] == [True, True, True, False]
    assert all(p["tasks"] is None for p in pages[:-1]) and pages[-1]["tasks"] is not None
    assert {c["id"] for c in paged} == {c["id"] for c in everything}
    assert paged_last == last
    # Cut off after the second page: the retry from the cursor received gets the rest.
    resumed, _, _ = pull_all(device, cursor=pages[1]["next_cursor"], limit=3)
    assert {c["id"] for c in pages[0]["changes"] + pages[1]["changes"] + resumed} == {
        c["id"] for c in everything
    }
    # Nothing new: an empty page at the same cursor.
    assert services.pull(device=device, cursor=last)["changes"] == []
    assert services.pull(device=device, cursor=last)["next_cursor"] == last


def test_an_object_changed_twice_comes_once_per_page(users, tablet_a, household_factory):
    household = household_factory(users.chw1)
    device, _ = tablet_a
    _changes, cursor, _ = pull_all(device)
    update_person(by=users.chw1, person=household.head, changes={"phone": "76 11 11 11"})
    update_person(by=users.chw1, person=household.head, changes={"phone": "76 22 22 22"})
    page = services.pull(device=device, cursor=cursor)
    assert len(page["changes"]) == 1
    assert page["changes"][0]["data"]["phone"] == "+22376222222"


def test_a_chw_never_pulls_another_zones_data(users, district, tablet_a, household_factory, sick_child):
    other = household_factory(users.chw2, quartier=district.q2a)
    theirs = {str(other.pk)} | {str(p.pk) for p in other.members.all()}
    device, _ = tablet_a
    changes, _, _ = pull_all(device)
    assert not theirs & {c["id"] for c in changes}
    other_device, _ = tablet(users.chw2)
    their_changes, _, _ = pull_all(other_device)
    assert {c["id"] for c in their_changes} == theirs


def test_a_reassigned_household_leaves_the_old_tablet_and_reaches_the_new_one(
    users, district, tablet_a, sick_child
):
    household, child, visit = sick_child
    users.chw2.areas.add(district.q1a)
    device_a, _ = tablet_a
    device_b, _ = tablet(users.chw2)
    _changes, cursor_a, _ = pull_all(device_a)
    _changes, cursor_b, _ = pull_all(device_b)
    reassign_household(by=users.manager1, household=household, chw=users.chw2)
    moved = {str(household.pk), str(child.pk), str(household.head_id), str(visit.pk)}
    old, cursor_a, _ = pull_all(device_a, cursor=cursor_a)
    assert moved <= ids(old, op="delete")
    assert not ids(old)  # no upsert, no data
    assert all("data" not in c for c in old)
    new, cursor_b, _ = pull_all(device_b, cursor=cursor_b)
    assert moved <= ids(new)
    assert ids(new, kind="alert") == {str(visit.alerts.get().pk)}
    # Later changes go to the new tablet only.
    update_person(by=users.chw2, person=child, changes={"phone": "76 44 44 44"})
    assert services.pull(device=device_a, cursor=cursor_a)["changes"] == []
    assert ids(services.pull(device=device_b, cursor=cursor_b)["changes"]) == {str(child.pk)}


def test_alert_and_referral_outcomes_reach_the_tablet(users, tablet_a, sick_child):
    _household, _child, visit = sick_child
    device, _ = tablet_a
    _changes, cursor, _ = pull_all(device)
    acknowledge_alert(by=users.clinician1, alert=visit.alerts.get())
    mark_arrived(by=users.clinician1, referral=visit.referral)
    page = services.pull(device=device, cursor=cursor)
    states = {c["type"]: c["data"]["status"] for c in page["changes"]}
    assert states == {"alert": "acknowledged", "referral": "arrived"}


def test_a_merged_person_is_a_tombstone_naming_the_record_kept(users, tablet_a, household_factory):
    household = household_factory(users.chw1)
    keep = household.members.get(relationship_to_head="child")
    duplicate = add_member(
        by=users.chw1, household=household, data=person("Traore", "Aminata", "F", keep.date_of_birth)
    )
    device, _ = tablet_a
    _changes, cursor, _ = pull_all(device)
    merge_persons(by=users.manager1, keep=keep, duplicate=duplicate)
    page = services.pull(device=device, cursor=cursor)
    by_id = {c["id"]: c for c in page["changes"]}
    assert by_id[str(duplicate.pk)]["op"] == "delete"
    assert by_id[str(duplicate.pk)]["data"] == {"merged_into": str(keep.pk)}
    assert by_id[str(keep.pk)]["op"] == "upsert"


def test_a_dissolved_household_leaves_the_tablet_with_its_members(users, tablet_a, household_factory):
    household = household_factory(users.chw1)
    device, _ = tablet_a
    _changes, cursor, _ = pull_all(device)
    services.push(
        device=device,
        batch=batch(
            {
                "type": "household",
                "id": str(household.pk),
                "op": "delete",
                "base_version": None,
                "changed_at": timezone.now().isoformat(),
                "fields": {},
            }
        ),
    )
    changes, _, _ = pull_all(device, cursor=cursor)
    assert ids(changes, op="delete") == {str(household.pk)} | {str(p.pk) for p in household.members.all()}


def test_tasks_come_with_the_last_page(users, tablet_a, sick_child):
    device, _ = tablet_a
    _changes, _cursor, pages = pull_all(device)
    tasks = pages[-1]["tasks"]
    assert isinstance(tasks, list) and tasks
    assert {"id", "kind", "person_id", "due_from", "status"} <= set(tasks[0])


def test_tasks_degrade_to_an_empty_list_without_the_task_module(tablet_a, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "keneya.worklist.queries", None)
    device, _ = tablet_a
    assert services.pull(device=device)["tasks"] == []


def test_a_pull_page_costs_a_fixed_number_of_queries(
    users, tablet_a, household_factory, django_assert_max_num_queries, monkeypatch
):
    monkeypatch.setitem(registry.PULL_EXTRAS, "tasks", lambda chw: [])
    for name in ("scorecard", "coverage", "targets", "financing"):  # fixed costs of other apps
        monkeypatch.setitem(registry.PULL_EXTRAS, name, lambda chw: None)
    for _ in range(3):
        household_factory(users.chw1)
    device, _ = tablet_a
    # Log page, one load and one version query per type (household, person).
    with django_assert_max_num_queries(5):
        page = services.pull(device=device)
    assert len(page["changes"]) == 9


def test_a_bad_cursor_is_refused(tablet_a):
    device, _ = tablet_a
    with pytest.raises(services.BadCursor):
        services.pull(device=device, cursor="abc")


def test_edits_pushed_come_back_with_their_version(users, tablet_a, household_factory):
    household = household_factory(users.chw1)
    device, _ = tablet_a
    _changes, cursor, _ = pull_all(device)
    result = services.push(
        device=device,
        batch=batch(edit_record("person", household.head_id, base_version=None, phone="76 12 12 12")),
    )
    page = services.pull(device=device, cursor=cursor)
    (change,) = page["changes"]
    assert change["version"] == result["results"][0]["version"]
    assert Person.objects.get(pk=household.head_id).phone == change["data"]["phone"]


def test_remembered_chws_follow_a_reassigned_household(users, district, sick_child):
    """Inside ``core.memo.remembering`` (the demo seed) ``chw_of`` answers from memory; a
    handover forgets, so the next event of the alert goes to the new CHW's stream."""
    from keneya.alerts.services import close_alert
    from keneya.core.memo import remembering
    from keneya.sync.models import ChangeLog

    household, _child, visit = sick_child
    users.chw2.areas.add(district.q1a)
    alert = visit.alerts.get()
    with remembering():
        acknowledge_alert(by=users.clinician1, alert=alert)
        reassign_household(by=users.manager1, household=household, chw=users.chw2)
        close_alert(by=users.clinician1, alert=alert, reason="seen")
    streams = list(
        ChangeLog.objects.filter(type="alert", object_id=alert.pk, op="upsert")
        .order_by("seq")
        .values_list("chw_id", flat=True)
    )
    assert users.chw1.pk in streams  # the acknowledgement, before the handover
    assert streams[-1] == users.chw2.pk
