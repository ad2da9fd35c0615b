"""The ledger's one write (``post``) and its reads (balances are sums of postings).

``post`` writes the postings first and the entry last, in one transaction: the entry's INSERT
*closes* it. The database checks the zero sum (decision 0012): on PostgreSQL a deferred
constraint trigger sums each touched entry at commit (django-hordak's design); on SQLite, which
has no deferred triggers, the INSERT of the entry sums its postings (already there, foreign keys
being deferred) and a posting for an entry already written is refused.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from babel.numbers import format_decimal
from django.core.exceptions import ValidationError
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from keneya.core.ids import uuid7
from keneya.financing.models import Account, EntryKind, JournalEntry, Posting, SavingsGroup


@dataclass(frozen=True)
class Line:
    account: str
    amount: int
    member_id: Any = None
    loan_id: Any = None


def money(amount: int) -> str:
    """``125 000 F CFA`` (babel, fr_ML; the group separator a plain space for SMS and PDFs)."""
    text = format_decimal(int(amount), locale="fr_ML")
    return text.replace("\u202f", " ").replace("\xa0", " ") + " F CFA"


def post(
    *,
    by: Any,
    group: SavingsGroup,
    kind: str,
    on: date,
    lines: Sequence[Line],
    meeting: Any = None,
    loan: Any = None,
    member: Any = None,
    memo: str = "",
    voids: JournalEntry | None = None,
    entry_id: uuid.UUID | None = None,
) -> JournalEntry:
    """Write one balanced entry with its postings (call inside the service's transaction)."""
    lines = [line for line in lines if line.amount]
    if any(not isinstance(line.amount, int) for line in lines):
        raise ValidationError({"amount": [_("Les montants sont des F CFA entiers.")]})
    if sum(line.amount for line in lines) != 0:
        raise ValidationError({"amount": [_("Écriture déséquilibrée : les mouvements ne s'annulent pas.")]})
    if not lines and kind not in (EntryKind.RESCHEDULE,):
        raise ValidationError({"amount": [_("Une écriture sans montant n'a pas lieu d'être.")]})
    entry = JournalEntry(
        id=entry_id or uuid7(),
        group=group,
        kind=kind,
        date=on,
        meeting=meeting,
        loan=loan,
        member=member,
        recorded_by=by,
        memo=memo[:200],
        voids=voids,
    )
    Posting.objects.bulk_create(
        [
            Posting(
                entry_id=entry.id,
                group_id=group.pk,
                account=line.account,
                member_id=line.member_id,
                loan_id=line.loan_id,
                amount=line.amount,
            )
            for line in lines
        ]
    )
    entry.save(force_insert=True)
    return entry


def void_lines(entry: JournalEntry) -> list[Line]:
    return [
        Line(p.account, -p.amount, p.member_id, p.loan_id)
        for p in Posting.objects.filter(entry=entry).order_by("id")
    ]


# --- Reads ------------------------------------------------------------------------------------
def balance(
    group: Any, account: str, *, member: Any = None, loan: Any = None, until: date | None = None
) -> int:
    """The sum of the postings of one account of a group (for a member, a loan, up to a date)."""
    q = Q(group=group, account=account)
    if member is not None:
        q &= Q(member=member)
    if loan is not None:
        q &= Q(loan=loan)
    if until is not None:
        q &= Q(entry__date__lte=until)
    return int(Posting.objects.filter(q).aggregate(s=Sum("amount"))["s"] or 0)


def balances(group: Any) -> dict[str, int]:
    """Every account's balance for the group, in one query."""
    rows = Posting.objects.filter(group=group).values("account").annotate(s=Sum("amount"))
    found = {row["account"]: int(row["s"]) for row in rows}
    return {account: found.get(account, 0) for account in Account.values}


def member_balances(group: Any, members: Iterable[Any] | None = None) -> dict[Any, dict[str, int]]:
    """Savings (positive: what the group owes her) and loans outstanding per member, one query."""
    q = Q(group=group, account__in=[Account.SAVINGS, Account.LOANS], member__isnull=False)
    if members is not None:
        q &= Q(member__in=list(members))
    rows = Posting.objects.filter(q).values("member_id", "account").annotate(s=Sum("amount"))
    out: dict[Any, dict[str, int]] = {}
    for row in rows:
        line = out.setdefault(row["member_id"], {"savings": 0, "loans_outstanding": 0})
        if row["account"] == Account.SAVINGS:
            line["savings"] = -int(row["s"])
        else:
            line["loans_outstanding"] = int(row["s"])
    return out


def loan_outstanding(loan: Any) -> int:
    return int(Posting.objects.filter(loan=loan, account=Account.LOANS).aggregate(s=Sum("amount"))["s"] or 0)


def loans_outstanding(loan_ids: Iterable[Any]) -> dict[Any, int]:
    rows = (
        Posting.objects.filter(loan__in=list(loan_ids), account=Account.LOANS)
        .values("loan_id")
        .annotate(s=Sum("amount"))
    )
    return {row["loan_id"]: int(row["s"]) for row in rows}
