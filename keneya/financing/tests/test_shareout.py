"""The share-out on a hand-computed example (pure function, no database)."""

from __future__ import annotations

import pytest

from keneya.financing.shareout import MemberPosition, ShareOutError, share_out


def test_share_out_by_hand():
    # Savings 3 000, 2 000, 1 000 (total 6 000); income 1 000 = 100 interest + 950 fines - 50 written off.
    # Exact shares: 500, 333.33, 166.67 -> floors 500, 333, 166 (999); the 1 left goes to the largest
    # remainder (Bintou's 0.67). Awa still owes 1 200 on a loan: deducted from her payout.
    members = [
        MemberPosition("Awa", 3000, 1200),
        MemberPosition("Fanta", 2000, 0),
        MemberPosition("Bintou", 1000, 0),
    ]
    lines = share_out(members, income=1000)
    assert [(s.member, s.income_share, s.loans_deducted, s.payout) for s in lines] == [
        ("Awa", 500, 1200, 2300),
        ("Fanta", 333, 0, 2333),
        ("Bintou", 167, 0, 1167),
    ]
    # The cash distributed: savings + income - loans still out = 6 000 + 1 000 - 1 200.
    assert sum(s.payout for s in lines) == 5800


def test_a_loss_is_shared_too_and_a_payout_never_goes_negative():
    lines = share_out([MemberPosition("A", 100, 0), MemberPosition("B", 300, 0)], income=-40)
    assert [s.payout for s in lines] == [90, 270]
    with pytest.raises(ShareOutError):
        share_out([MemberPosition("A", 100, 500)], income=0)
