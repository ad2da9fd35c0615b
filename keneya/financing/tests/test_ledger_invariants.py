"""The ledger's invariants under random sequences of operations (Hypothesis).

Contributions, fines, health and business loans (between meetings or not), repayments, voids,
write-offs and a share-out, in any order: every balance equals the sum of its postings, every
entry sums to zero, a box's cash never goes negative, a loan is never repaid beyond what is owed,
and the share-out distributes exactly the cash (the social fund stays in the health box).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keneya.financing import ledger, queries, services
from keneya.financing.models import Account, Box, JournalEntry, Posting
from keneya.financing.tests.factories import group_with_members

pytestmark = pytest.mark.django_db
D = date(2026, 3, 2)
N = 3

member = st.integers(0, N - 1)
operation = st.one_of(
    st.tuples(st.just("contribute"), member, st.integers(1, 3)),
    st.tuples(st.just("fine"), member, st.sampled_from([25, 50, 100])),
    st.tuples(
        st.just("loan"),
        member,
        st.integers(1, 60).map(lambda k: k * 100),
        st.sampled_from(["health", "business"]),
        st.booleans(),
    ),
    st.tuples(st.just("repay"), st.integers(0, 5), st.integers(1, 40).map(lambda k: k * 50)),
    st.tuples(st.just("void"), st.integers(0, 30)),
    st.tuples(st.just("write_off"), st.integers(0, 5)),
    st.tuples(
        st.just("share_out"),
    ),
)


def _apply(
    by: Any, group: Any, members: list[Any], op: tuple[Any, ...], loans: list[Any], entries: list[Any]
) -> None:
    kind = op[0]
    if kind == "contribute":
        entries.append(
            services.record_contribution(by=by, group=group, member=members[op[1]], on=D, shares=op[2])
        )
    elif kind == "fine":
        entries.append(services.record_fine(by=by, group=group, member=members[op[1]], amount=op[2], on=D))
    elif kind == "loan":
        loan, _ = services.disburse_loan(
            by=by,
            group=group,
            loan_id=uuid.uuid4(),
            member=members[op[1]],
            amount=op[2],
            kind=op[3],
            purpose="business" if op[3] == "business" else "medicines",
            disbursed_on=D,
            between_meetings=op[4],
        )
        loans.append(loan)
        entries.append(loan.entries.get(kind="loan"))
    elif kind == "repay" and loans:
        loan = loans[op[1] % len(loans)]
        entry, _ = services.record_repayment(
            by=by, loan=loan, repayment_id=uuid.uuid4(), amount=op[2], paid_on=D
        )
        entries.append(entry)
    elif kind == "void" and entries:
        services.void_entry(by=by, entry=entries[op[1] % len(entries)], reason="Erreur")
    elif kind == "write_off" and loans:
        services.write_off_loan(by=by, loan=loans[op[1] % len(loans)], on=D, reason="Décision du groupe")
    elif kind == "share_out":
        cycle = queries.open_cycle(group)
        if cycle is None:
            return
        accounts = ledger.balances(group)
        cash_before = accounts[Account.CASH_BUSINESS] + accounts[Account.CASH_HEALTH]
        social = -accounts[Account.SOCIAL_FUND]
        lines, totals = services.share_out_lines(cycle)
        services.post_share_out(by=by, cycle=cycle, on=D, approved=True)
        # The share-out distributes exactly the cash, less the social fund kept in the health box.
        assert sum(line.payout for line in lines) == cash_before - social == totals["distributed"]
        after = ledger.balances(group)
        assert after[Account.CASH_BUSINESS] + after[Account.CASH_HEALTH] == social
        assert after[Account.SAVINGS] == after[Account.LOANS] == 0


def _check_invariants(group: Any, loans: list[Any]) -> None:
    postings = list(
        Posting.objects.filter(group=group).values("entry_id", "account", "member_id", "loan_id", "amount")
    )
    by_entry: dict[Any, int] = defaultdict(int)
    by_account: dict[str, int] = defaultdict(int)
    by_member: dict[Any, dict[str, int]] = defaultdict(lambda: {"savings": 0, "loans_outstanding": 0})
    by_loan: dict[Any, int] = defaultdict(int)
    for p in postings:
        by_entry[p["entry_id"]] += p["amount"]
        by_account[p["account"]] += p["amount"]
        if p["member_id"] and p["account"] == Account.SAVINGS:
            by_member[p["member_id"]]["savings"] -= p["amount"]
        if p["member_id"] and p["account"] == Account.LOANS:
            by_member[p["member_id"]]["loans_outstanding"] += p["amount"]
        if p["loan_id"] and p["account"] == Account.LOANS:
            by_loan[p["loan_id"]] += p["amount"]
    assert all(total == 0 for total in by_entry.values())
    assert ledger.balances(group) == {a: by_account.get(a, 0) for a in Account.values}
    computed = ledger.member_balances(group)
    for member_id, values in by_member.items():
        assert computed[member_id] == values
    for box in Box.values:
        assert queries.box_cash(group, box) >= 0
    for loan in loans:
        owed = ledger.loan_outstanding(loan)
        assert owed == by_loan.get(loan.pk, 0)
        assert 0 <= owed <= loan.amount + loan.interest
    assert JournalEntry.objects.filter(group=group).count() == len({p["entry_id"] for p in postings}) + (
        JournalEntry.objects.filter(group=group, postings__isnull=True).count()
    )
    total = Posting.objects.filter(group=group).aggregate(s=Sum("amount"))["s"] or 0
    assert total == 0


@pytest.fixture
def tontine(users, district):
    return group_with_members(
        admin=users.admin,
        treasurer=users.treasurer,
        chw=users.chw1,
        quartier=district.q1a,
        n=N,
        social_part=10,
        opened_on=date(2026, 1, 5),
    )


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=st.lists(operation, min_size=1, max_size=20))
def test_the_ledger_invariants_hold_under_any_sequence(users, tontine, ops):
    group, members = tontine
    with transaction.atomic():
        loans: list[Any] = []
        entries: list[Any] = []
        for op in ops:
            try:
                _apply(users.treasurer, group, members, op, loans, entries)
            except (services.Refused, ValidationError):
                pass  # refused for that operation alone: nothing of it is saved
            _check_invariants(group, loans)
        transaction.set_rollback(True)
