"""The ledger and the services: limits, boxes, repayments, ratification, voids, share-out, SMS."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from keneya.core.errors import IdTaken
from keneya.financing import ledger, queries, services
from keneya.financing.ledger import Line
from keneya.financing.models import Account, EntryKind, JournalEntry, Posting
from keneya.financing.tests.factories import group_with_members
from keneya.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db
D = date(2026, 2, 2)


@pytest.fixture
def tontine(users, district):
    return group_with_members(
        admin=users.admin, treasurer=users.treasurer, chw=users.chw1, quartier=district.q1a, n=4
    )


def _contribute(by, group, members, weeks=10, on=D):
    for member in members:
        for _week in range(weeks):
            services.record_contribution(by=by, group=group, member=member, on=on, shares=1)


def test_money_is_shown_in_fr_ml():
    assert ledger.money(125000) == "125 000 F CFA"
    assert ledger.money(0) == "0 F CFA"


def test_a_contribution_is_split_between_the_boxes(users, tontine):
    group, members = tontine
    services.record_contribution(by=users.treasurer, group=group, member=members[0], on=D, shares=2)
    assert queries.box_cash(group, "business") == 100
    assert queries.box_cash(group, "health") == 100
    assert ledger.member_balances(group)[members[0].pk] == {"savings": 200, "loans_outstanding": 0}


def test_a_health_loan_over_the_limit_or_the_box_is_refused_and_nothing_saved(users, tontine):
    group, members = tontine
    _contribute(users.treasurer, group, members, weeks=50)  # 4 x 50 x 50 = 10 000 in the health box
    with pytest.raises(services.Refused, match="ne dépasse pas 15 000 F CFA"):
        services.disburse_loan(
            by=users.treasurer,
            group=group,
            loan_id=uuid.uuid4(),
            member=members[0],
            amount=15001,
            purpose="delivery",
            disbursed_on=D,
        )
    with pytest.raises(services.Refused, match="Entre deux réunions"):
        services.disburse_loan(
            by=users.treasurer,
            group=group,
            loan_id=uuid.uuid4(),
            member=members[0],
            amount=10001,
            purpose="delivery",
            disbursed_on=D,
            between_meetings=True,
        )
    with pytest.raises(services.Refused, match="Caisse santé n'a que 10 000 F CFA"):
        services.disburse_loan(
            by=users.treasurer,
            group=group,
            loan_id=uuid.uuid4(),
            member=members[0],
            amount=12000,
            purpose="delivery",
            disbursed_on=D,
        )
    assert not group.loans.exists()
    assert queries.box_cash(group, "health") == 10000


def test_repayments_are_idempotent_and_never_above_what_is_owed(users, tontine):
    group, members = tontine
    _contribute(users.treasurer, group, members, weeks=20)
    loan, created = services.disburse_loan(
        by=users.treasurer,
        group=group,
        loan_id=uuid.uuid4(),
        member=members[1],
        amount=3000,
        purpose="medicines",
        disbursed_on=D,
        between_meetings=True,
    )
    assert created and queries.loan_state(loan)["status"] == "to_ratify"
    same, created = services.disburse_loan(
        by=users.treasurer,
        group=group,
        loan_id=loan.pk,
        member=members[1],
        amount=3000,
        purpose="medicines",
        disbursed_on=D,
    )
    assert same == loan and not created
    rid = uuid.uuid4()
    services.record_repayment(by=users.treasurer, loan=loan, repayment_id=rid, amount=1000, paid_on=D)
    _entry, created = services.record_repayment(
        by=users.treasurer, loan=loan, repayment_id=rid, amount=1000, paid_on=D
    )
    assert not created and ledger.loan_outstanding(loan) == 2000
    with pytest.raises(services.Refused, match="Il ne reste que 2 000 F CFA"):
        services.record_repayment(
            by=users.treasurer, loan=loan, repayment_id=uuid.uuid4(), amount=2001, paid_on=D
        )
    assert ledger.loan_outstanding(loan) == 2000
    assert queries.box_cash(group, "health") == 4 * 20 * 50 - 3000 + 1000


def test_an_id_taken_outside_the_scope_reveals_nothing(users, tontine, district, make_user):
    group, members = tontine
    _contribute(users.treasurer, group, members, weeks=20)
    loan, _ = services.disburse_loan(
        by=users.treasurer,
        group=group,
        loan_id=uuid.uuid4(),
        member=members[1],
        amount=1000,
        purpose="medicines",
        disbursed_on=D,
    )
    other_treasurer = make_user("tresoriere2", "treasurer")
    other, other_members = group_with_members(
        admin=users.admin, treasurer=other_treasurer, chw=users.chw1, quartier=district.q1a, n=1, name="Autre"
    )
    _contribute(other_treasurer, other, other_members, weeks=40)
    with pytest.raises(IdTaken):
        services.disburse_loan(
            by=other_treasurer,
            group=other,
            loan_id=loan.pk,
            member=other_members[0],
            amount=1000,
            purpose="medicines",
            disbursed_on=D,
        )
    with pytest.raises(PermissionDenied):
        services.record_repayment(
            by=other_treasurer, loan=loan, repayment_id=uuid.uuid4(), amount=10, paid_on=D
        )
    with pytest.raises(PermissionDenied):
        services.record_contribution(by=users.clinician1, group=group, member=members[0], on=D)


def test_a_loan_linked_to_a_referral_of_another_household_is_refused(users, tontine, toddler):
    group, members = tontine
    _contribute(users.treasurer, group, members, weeks=20)
    from keneya.visits.services import record_home_visit

    visit = record_home_visit(
        by=users.chw1, person=toddler, visit_date=D, kind="sick_child", findings={"convulsions": True}
    )
    with pytest.raises(ValidationError) as error:
        services.disburse_loan(
            by=users.treasurer,
            group=group,
            loan_id=uuid.uuid4(),
            member=members[0],
            amount=1000,
            purpose="consultation",
            disbursed_on=D,
            referral=visit.referral,
        )
    assert "referral" in error.value.message_dict


def test_the_meeting_ratifies_and_a_write_off_and_a_void_are_entries(users, tontine):
    group, members = tontine
    _contribute(users.treasurer, group, members, weeks=20)
    loan, _ = services.disburse_loan(
        by=users.treasurer,
        group=group,
        loan_id=uuid.uuid4(),
        member=members[2],
        amount=2000,
        purpose="transport",
        disbursed_on=D,
        between_meetings=True,
    )
    meeting, created = services.record_meeting(
        by=users.treasurer,
        group=group,
        meeting_id=uuid.uuid4(),
        held_on=date(2026, 2, 9),
        present=[m.pk for m in members],
        ratify=[loan.pk],
        contributions=[{"member": m.pk, "shares": 1} for m in members],
        repayments=[{"id": uuid.uuid4(), "loan": loan.pk, "amount": 500}],
    )
    loan.refresh_from_db()
    assert created and loan.ratified_in == meeting
    assert queries.loan_state(loan)["outstanding"] == 1500
    services.write_off_loan(by=users.treasurer, loan=loan, on=date(2026, 3, 2), reason="Décès")
    assert queries.loan_state(loan)["status"] == "written_off"
    fine = services.record_fine(by=users.treasurer, group=group, member=members[0], amount=50, on=D)
    void = services.void_entry(by=users.treasurer, entry=fine, reason="Erreur de saisie")
    assert ledger.balance(group, Account.FINES) == 0
    assert void.voids == fine
    with pytest.raises(services.Refused):
        services.void_entry(by=users.treasurer, entry=fine, reason="Encore")


def test_the_same_sheet_twice_is_one_meeting_and_another_tablet_is_a_conflict(users, tontine):
    group, members = tontine
    sheet: dict[str, Any] = {
        "held_on": date(2026, 2, 9),
        "present": [m.pk for m in members],
        "contributions": [{"member": m.pk, "shares": 1} for m in members],
    }
    meeting_id = uuid.uuid4()
    services.record_meeting(by=users.treasurer, group=group, meeting_id=meeting_id, **sheet)
    again, created = services.record_meeting(by=users.treasurer, group=group, meeting_id=meeting_id, **sheet)
    assert not created and again.pk == meeting_id
    with pytest.raises(services.MeetingConflict):
        services.record_meeting(by=users.chw1, group=group, meeting_id=uuid.uuid4(), **sheet)
    assert queries.box_cash(group, "business") == 200
    receipts = OutboxMessage.objects.filter(template="financing_receipt")
    assert receipts.count() == 4
    assert "payé 100 F CFA" in receipts.get(dedup_key__endswith=str(members[0].pk)).body


def test_a_cash_count_difference_needs_a_reason(users, tontine):
    group, members = tontine
    with pytest.raises(ValidationError):
        services.record_meeting(
            by=users.treasurer,
            group=group,
            meeting_id=uuid.uuid4(),
            held_on=D,
            contributions=[{"member": members[0].pk}],
            cash_counts=[{"box": "business", "counted": 40}],
        )
    meeting, _ = services.record_meeting(
        by=users.treasurer,
        group=group,
        meeting_id=uuid.uuid4(),
        held_on=D,
        contributions=[{"member": members[0].pk}],
        cash_counts=[
            {"box": "business", "counted": 40, "reason": "Billet déchiré"},
            {"box": "health", "counted": 50},
        ],
    )
    counts = {c.box: (c.expected, c.counted) for c in meeting.cash_counts.all()}
    assert counts == {"business": (50, 40), "health": (50, 50)}


def test_the_ledger_refuses_edits_and_unbalanced_entries_in_the_database(users, tontine):
    group, members = tontine
    entry = services.record_contribution(by=users.treasurer, group=group, member=members[0], on=D)
    with pytest.raises(TypeError):
        Posting.objects.filter(entry=entry).update(amount=1)
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(ValidationError):
        ledger.post(
            by=users.treasurer, group=group, kind=EntryKind.FINE, on=D, lines=[Line(Account.FINES, -5)]
        )
    # Below the service: the database itself.
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE financing_posting SET amount = amount + 1 WHERE entry_id = %s",
            [entry.pk.hex if connection.vendor == "sqlite" else entry.pk],
        )
    entry_id = uuid.uuid4()
    with pytest.raises(IntegrityError), transaction.atomic():
        Posting.objects.bulk_create(
            [Posting(entry_id=entry_id, group_id=group.pk, account=Account.FINES, amount=-5)]
        )
        JournalEntry(
            id=entry_id, group=group, kind=EntryKind.FINE, date=D, recorded_by=users.treasurer
        ).save()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert not JournalEntry.objects.filter(pk=entry_id).exists()


def test_a_posting_cannot_be_added_to_a_closed_entry(users, tontine):
    group, members = tontine
    entry = services.record_contribution(by=users.treasurer, group=group, member=members[0], on=D)
    with pytest.raises(IntegrityError), transaction.atomic():
        Posting.objects.bulk_create(
            [Posting(entry_id=entry.pk, group_id=group.pk, account=Account.FINES, amount=-5)]
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_share_out_distributes_the_cash_and_closes_the_cycle(users, tontine):
    group, members = tontine
    _contribute(users.treasurer, group, members[:2], weeks=30)  # 3 000 each
    _contribute(users.treasurer, group, members[2:], weeks=10)  # 1 000 each
    loan, _ = services.disburse_loan(
        by=users.treasurer,
        group=group,
        loan_id=uuid.uuid4(),
        member=members[0],
        amount=1000,
        purpose="business",
        kind="business",
        disbursed_on=D,
    )  # 100 interest
    services.record_repayment(
        by=users.treasurer, loan=loan, repayment_id=uuid.uuid4(), amount=1100, paid_on=D
    )
    services.record_fine(by=users.treasurer, group=group, member=members[3], amount=100, on=D)
    lines, totals = services.share_out_lines(queries.open_cycle(group))  # type: ignore[arg-type]
    assert totals["income"] == 200
    assert sum(line.payout for line in lines) == totals["cash"] == 8200
    services.post_share_out(
        by=users.treasurer,
        cycle=queries.open_cycle(group),  # type: ignore[arg-type]
        on=date(2026, 12, 28),
        approved=True,
    )
    assert queries.open_cycle(group) is None
    assert all(v == 0 for v in ledger.balances(group).values())


def test_a_late_loan_is_flagged_reminded_once_a_week_and_rescheduled_by_the_group(users, tontine):
    group, members = tontine
    users.treasurer.phone = "+22365447120"
    users.treasurer.save(update_fields=["phone"])
    _contribute(users.treasurer, group, members, weeks=20)
    loan, _ = services.disburse_loan(
        by=users.treasurer,
        group=group,
        loan_id=uuid.uuid4(),
        member=members[0],
        amount=1000,
        purpose="medicines",
        disbursed_on=D,
    )
    late_day = loan.due_on + timedelta(days=3)
    assert queries.loan_status(loan, 1000, today=late_day) == "late"
    assert services.remind_late_loans(today=late_day) == 1
    services.remind_late_loans(today=late_day + timedelta(days=1))  # the same week: nothing more
    reminders = OutboxMessage.objects.filter(template="financing_loan_late")
    assert reminders.count() == 2  # the member and the treasurer
    assert all("1 000 F CFA" in r.body for r in reminders)
    services.reschedule_loan(
        by=users.treasurer,
        loan=loan,
        due_on=late_day + timedelta(weeks=4),
        on=late_day,
        reason="Décision du groupe",
    )
    loan.refresh_from_db()
    assert queries.loan_status(loan, 1000, today=late_day) == "active"
    assert loan.entries.filter(kind=EntryKind.RESCHEDULE).count() == 1
    assert loan.events.filter(kind="rescheduled").exists()
