"""Reports of the savings groups: a loan's repayment schedule and the SAVIX group items.

SAVIX (the Savings Groups Information Exchange, savix.org, "SAVIX Reporting Standard": group
items reported per group, aggregated into its metrics) is the sector's reporting format; we
export the group items Kènèya holds, per calendar quarter, with integer F CFA and no names.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db.models import Q, Sum
from django.utils import timezone

from keneya.financing.models import (
    FREQUENCY_DAYS,
    Account,
    EntryKind,
    JournalEntry,
    Loan,
    LoanKind,
    Posting,
    SavingsGroup,
)


def schedule(loan: Loan) -> list[dict[str, Any]]:
    """Equal instalments at the group's meeting frequency until the due date, with what was
    repaid by each; an instalment past and not covered is late."""
    step = FREQUENCY_DAYS.get(loan.group.frequency, 7)  # type: ignore[call-overload]
    total = loan.amount + loan.interest
    dates = []
    on = loan.disbursed_on + timedelta(days=step)
    while on < loan.due_on:
        dates.append(on)
        on += timedelta(days=step)
    dates.append(loan.due_on)
    base, extra = divmod(total, len(dates))
    repaid = -int(
        Posting.objects.filter(
            loan=loan, account=Account.LOANS, entry__kind__in=[EntryKind.REPAYMENT]
        ).aggregate(s=Sum("amount"))["s"]
        or 0
    )
    today = timezone.localdate()
    out, cumulative = [], 0
    for i, due in enumerate(dates):
        amount = base + (1 if i < extra else 0)
        cumulative += amount
        out.append(
            {
                "due_on": due,
                "amount": amount,
                "cumulative": cumulative,
                "late": due < today and repaid < cumulative,
            }
        )
    return out


SAVIX_COLUMNS = [
    "group_id",
    "group_name",
    "quartier",
    "group_type",
    "quarter_end",
    "cycle_number",
    "members",
    "members_female",
    "savings_value",
    "loans_outstanding_number",
    "loans_outstanding_value",
    "write_off_value",
    "fines_value",
    "interest_value",
    "cash_business_box",
    "cash_health_box",
    "social_fund_value",
    "health_loans_disbursed_quarter",
    "health_loans_value_quarter",
    "share_out_value",
]


def quarter_end(on: date) -> date:
    month = ((on.month - 1) // 3 + 1) * 3
    next_month = date(on.year + (month == 12), month % 12 + 1, 1)
    return next_month - timedelta(days=1)


def savix_rows(groups: Iterable[SavingsGroup], *, until: date | None = None) -> list[list[Any]]:
    """One row per group and quarter since its first entry, balances at the quarter's end."""
    until = until or timezone.localdate()
    rows = []
    for group in groups:
        first = (
            JournalEntry.objects.filter(group=group).order_by("date").values_list("date", flat=True).first()
        )
        if first is None:
            continue
        end = quarter_end(first)
        while True:
            start = date(end.year, end.month - 2, 1)
            balances = {
                r["account"]: int(r["s"])
                for r in Posting.objects.filter(group=group, entry__date__lte=end)
                .values("account")
                .annotate(s=Sum("amount"))
            }
            members = group.memberships.filter(joined_on__lte=end).filter(
                Q(left_on__isnull=True) | Q(left_on__gt=end)
            )
            loans = (
                Posting.objects.filter(group=group, account=Account.LOANS, entry__date__lte=end)
                .values("loan_id")
                .annotate(s=Sum("amount"))
            )
            open_loans = [r for r in loans if r["s"]]
            health = Loan.objects.filter(
                group=group, kind=LoanKind.HEALTH, disbursed_on__gte=start, disbursed_on__lte=end
            )
            shared = -int(
                Posting.objects.filter(
                    group=group,
                    entry__kind=EntryKind.SHARE_OUT,
                    entry__date__gte=start,
                    entry__date__lte=end,
                    account__in=[Account.CASH_BUSINESS, Account.CASH_HEALTH],
                ).aggregate(s=Sum("amount"))["s"]
                or 0
            )
            cycle = (
                group.cycles.filter(opened_on__lte=end)
                .order_by("-number")
                .values_list("number", flat=True)
                .first()
            )
            rows.append(
                [
                    str(group.pk),
                    group.name,
                    group.quartier.name,
                    group.kind,
                    end.isoformat(),
                    cycle or "",
                    members.count(),
                    members.filter(person__sex="F").count(),
                    -balances.get(Account.SAVINGS, 0),
                    len(open_loans),
                    sum(int(r["s"]) for r in open_loans),
                    balances.get(Account.WRITE_OFFS, 0),
                    -balances.get(Account.FINES, 0),
                    -balances.get(Account.INTEREST, 0),
                    balances.get(Account.CASH_BUSINESS, 0),
                    balances.get(Account.CASH_HEALTH, 0),
                    -balances.get(Account.SOCIAL_FUND, 0),
                    health.count(),
                    int(health.aggregate(s=Sum("amount"))["s"] or 0),
                    shared,
                ]
            )
            if end >= until:
                break
            end = quarter_end(end + timedelta(days=1))
    return rows
