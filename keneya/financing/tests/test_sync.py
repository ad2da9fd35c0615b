"""Meeting sheets and between-meetings loans through sync (docs/sync.md): pushed by the
facilitator's tablets, stored once, a second tablet's sheet parked as a conflict (never paid
twice), settled by the facilitator; the groups come with the pull."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from keneya.financing import ledger, queries
from keneya.financing import services as financing
from keneya.financing.models import SheetConflict
from keneya.financing.tests.factories import group_with_members
from keneya.sync import services
from keneya.sync.tests.factories import batch, tablet

pytestmark = pytest.mark.django_db


@pytest.fixture
def tontine(users, district):
    today = timezone.localdate()
    group, members = group_with_members(
        admin=users.admin,
        treasurer=users.treasurer,
        chw=users.chw1,
        quartier=district.q1a,
        n=3,
        opened_on=today - timedelta(days=100),
    )
    for member in members:
        for _week in range(20):
            financing.record_contribution(
                by=users.treasurer, group=group, member=member, on=today - timedelta(days=30)
            )
    return group, members, today


def sheet_record(group, members, today, *, shares=1):
    return {
        "type": "fin_meeting",
        "id": str(uuid.uuid4()),
        "op": "create",
        "fields": {
            "group": str(group.pk),
            "held_on": today.isoformat(),
            "sheet": {
                "present": [str(m.pk) for m in members],
                "contributions": [{"member": str(m.pk), "shares": shares} for m in members],
            },
        },
    }


def test_two_tablets_recording_one_meeting_make_a_conflict_never_a_double_payment(users, tontine):
    group, members, today = tontine
    device_a, _ = tablet(users.chw1, "Tablette A")
    device_b, _ = tablet(users.chw1, "Tablette B")
    first = sheet_record(group, members, today)
    [result] = services.push(device=device_a, batch=batch(first))["results"]
    assert result["status"] == "accepted"
    [again] = services.push(device=device_a, batch=batch(first))["results"]
    assert again["status"] == "duplicate"
    business = queries.box_cash(group, "business")
    second = sheet_record(group, members, today, shares=2)
    [other] = services.push(device=device_b, batch=batch(second))["results"]
    assert other["status"] == "accepted" and other["conflict"]
    assert queries.box_cash(group, "business") == business  # nothing of the second sheet paid
    conflict = SheetConflict.objects.get()
    financing.settle_sheet_conflict(by=users.chw1, conflict=conflict, keep="incoming")
    # The stored sheet voided, the incoming one posted: two shares each, once.
    assert queries.box_cash(group, "business") == business - 3 * 50 + 3 * 100
    with pytest.raises(financing.Refused):
        financing.settle_sheet_conflict(by=users.chw1, conflict=conflict, keep="stored")


def test_a_between_meetings_loan_pushed_offline_is_refused_over_the_emergency_limit(users, tontine):
    group, members, today = tontine
    device, _ = tablet(users.chw1)
    record: dict[str, Any] = {
        "type": "fin_loan",
        "id": str(uuid.uuid4()),
        "op": "create",
        "fields": {
            "group": str(group.pk),
            "member": str(members[0].pk),
            "amount": 2000,
            "purpose": "transport",
            "disbursed_on": today.isoformat(),
            "between_meetings": True,
            "referral": None,
        },
    }
    too_much = {**record, "id": str(uuid.uuid4()), "fields": {**record["fields"], "amount": 10001}}
    ok, refused = services.push(device=device, batch=batch(record, too_much))["results"]
    assert ok["status"] == "accepted" and ok["outstanding"] == 2000
    assert refused["status"] == "rejected"
    loan = group.loans.get()
    assert queries.loan_state(loan)["status"] == "to_ratify" and ledger.loan_outstanding(loan) == 2000
    other_device, _ = tablet(users.chw2)
    [taken] = services.push(device=other_device, batch=batch(record))["results"]
    assert taken["status"] == "rejected"


def test_the_facilitators_tablet_pulls_its_groups(users, tontine):
    group, members, today = tontine
    device, _ = tablet(users.chw1)
    cursor, page = None, {}
    while True:
        page = services.pull(device=device, cursor=cursor)
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    [pulled] = page["financing"] if "financing" in page else page["extras"]["financing"]
    assert pulled["id"] == str(group.pk) and len(pulled["members"]) == 3
    assert pulled["constitution"]["emergency_loan_max"] == 10000
