"""The end-of-cycle share-out, as a pure function (no Django, no database).

Source: the VSLA methodology (VSL Associates, "VSLA Programme Guide", field operations manual,
v3.1, 2012, ch. "Share-out"): each member takes back her savings plus a share of the cycle's
income (interest on business loans and fines, less loans written off) proportional to her
savings; a loan still outstanding is deducted from the borrower's payout ("settled first").

Integer F CFA: the income is split by the largest-remainder method (Hamilton), so the payouts
sum exactly to the cash distributed; ties go to the member listed first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class MemberPosition:
    member: str
    savings: int  # what the group owes her (positive)
    outstanding: int  # what she still owes on her loans


@dataclass(frozen=True)
class ShareLine:
    member: str
    savings: int
    income_share: int
    loans_deducted: int
    payout: int


class ShareOutError(ValueError):
    """A share-out that cannot be posted (a member would owe the group more than her payout)."""


def share_out(members: Sequence[MemberPosition], *, income: int) -> list[ShareLine]:
    """Each member's payout: savings + her share of ``income`` − her outstanding loans.

    ``income`` is the cycle's net income (may be negative after write-offs). The sum of the
    payouts is ``sum(savings) + income − sum(outstanding)``, the cash the share-out distributes.
    """
    total_savings = sum(m.savings for m in members)
    if total_savings <= 0:
        if income:
            raise ShareOutError("Aucune épargne : le revenu ne peut pas être partagé.")
        shares = [0] * len(members)
    else:
        exact = [income * m.savings for m in members]
        shares = [value // total_savings for value in exact]
        remainders = [value - share * total_savings for value, share in zip(exact, shares, strict=True)]
        left = income - sum(shares)  # 0 <= left < len(members) (floor division rounds down)
        order = sorted(range(len(members)), key=lambda i: (-remainders[i], i))
        for i in order[:left]:
            shares[i] += 1
    lines = []
    for member, share in zip(members, shares, strict=True):
        payout = member.savings + share - member.outstanding
        if payout < 0:
            raise ShareOutError(
                f"{member.member} : les prêts en cours dépassent ce qui lui revient ; passez-les en perte."
            )
        lines.append(ShareLine(member.member, member.savings, share, member.outstanding, payout))
    return lines
