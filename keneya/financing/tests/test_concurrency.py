"""Two tablets repay the same loan at once (PostgreSQL, two connections): never overdrawn.

Run with ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/keneya_financing``; skipped on SQLite,
which serialises writers itself. The repayment service locks the group's row and the loan's
(``SELECT … FOR UPDATE``), so the second repayment reads the first's postings.
"""

from __future__ import annotations

import threading
import uuid
from datetime import date

import pytest
from django.db import connection, connections

from keneya.financing import ledger, services
from keneya.financing.tests.factories import group_with_members

D = date(2026, 2, 2)


@pytest.mark.django_db(transaction=True)
def test_concurrent_repayments_of_one_loan_never_overdraw_it(users, district):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (two real connections)")
    group, members = group_with_members(
        admin=users.admin, treasurer=users.treasurer, chw=users.chw1, quartier=district.q1a, n=2
    )
    for _week in range(40):
        services.record_contribution(by=users.treasurer, group=group, member=members[0], on=D)
    loan, _ = services.disburse_loan(
        by=users.treasurer,
        group=group,
        loan_id=uuid.uuid4(),
        member=members[0],
        amount=1000,
        purpose="medicines",
        disbursed_on=D,
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def repay(by):
        try:
            barrier.wait()
            services.record_repayment(by=by, loan=loan, repayment_id=uuid.uuid4(), amount=700, paid_on=D)
            outcomes.append("accepted")
        except services.Refused:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=repay, args=(u,)) for u in (users.treasurer, users.chw1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["accepted", "refused"]
    assert ledger.loan_outstanding(loan) == 300
