"""The demo's bulk path (``keneya.demo.financing.write_entries``) writes the rows the services write."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from keneya.demo.fastinsert import insert_rows, instance_rows
from keneya.demo.financing import write_entries
from keneya.financing import ledger, queries, services
from keneya.financing.models import EntryKind, JournalEntry, Posting
from keneya.financing.tests.factories import group_with_members

pytestmark = pytest.mark.django_db
D = date(2026, 2, 2)


def _rows(entries):
    return Counter(
        (
            e.kind,
            e.member_id,
            e.memo,
            e.group_id,
            e.recorded_by_id,
            e.date,
            tuple(
                sorted(
                    Posting.objects.filter(entry=e).values_list("account", "member_id", "loan_id", "amount")
                )
            ),
        )
        for e in entries
    )


def test_bulk_contributions_and_fines_equal_the_services(users, district):
    group, members = group_with_members(
        admin=users.admin,
        treasurer=users.treasurer,
        chw=users.chw1,
        quartier=district.q1a,
        n=2,
        social_part=10,
    )
    by_service = [
        services.record_contribution(by=users.treasurer, group=group, member=members[0], on=D, shares=2),
        services.record_fine(
            by=users.treasurer, group=group, member=members[1], amount=50, on=D, reason="absence"
        ),
    ]
    balances_after_service = ledger.balances(group)
    cycle = queries.open_cycle(group)
    assert cycle is not None
    bulk = [
        (
            JournalEntry(
                group=group,
                kind=EntryKind.CONTRIBUTION,
                date=D,
                member=members[0],
                recorded_by=users.treasurer,
                memo=services.contribution_memo(2),
            ),
            services.contribution_lines(cycle, members[0].pk, 2),
        ),
        (
            JournalEntry(
                group=group,
                kind=EntryKind.FINE,
                date=D,
                member=members[1],
                recorded_by=users.treasurer,
                memo=services.fine_memo("absence"),
            ),
            services.fine_lines(50),
        ),
    ]
    write_entries(bulk)
    assert _rows(by_service) == _rows(JournalEntry.objects.filter(pk__in=[e.pk for e, _l in bulk]))
    assert ledger.balances(group) == {k: 2 * v for k, v in balances_after_service.items()}


def test_the_database_refuses_an_unbalanced_bulk_entry(users, district):
    group, members = group_with_members(
        admin=users.admin, treasurer=users.treasurer, chw=users.chw1, quartier=district.q1a, n=1
    )
    entry = JournalEntry(group=group, kind=EntryKind.FINE, date=D, recorded_by=users.treasurer)
    with pytest.raises(ValueError):
        write_entries([(entry, [ledger.Line("fines", -5)])])
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(
            Posting,
            [
                {
                    "entry_id": entry.id,
                    "group_id": group.pk,
                    "account": "fines",
                    "member_id": None,
                    "loan_id": None,
                    "amount": -5,
                }
            ],
        )
        insert_rows(JournalEntry, instance_rows([entry]))
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
