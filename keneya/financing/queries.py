"""Reads of the savings groups, all starting from scope.

Whose money a user sees: the administrator every group's; the group's treasurer and box
keepers (``GroupOfficer`` rows with a user, current) and its facilitator their group's; nobody
else a member's finances. The M&E officer sees aggregates only (``programme_summary``); a
clinician sees that care was financed by a health loan, never an amount (``financed_label``).
"""

from __future__ import annotations

import statistics
from datetime import date, timedelta
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from keneya.accounts.models import Role
from keneya.accounts.permissions import Capability, has_capability
from keneya.financing import ledger
from keneya.financing.models import (
    FREQUENCY_DAYS,
    MONEY_OFFICES,
    Account,
    Box,
    Cycle,
    EntryKind,
    JournalEntry,
    Loan,
    LoanKind,
    Meeting,
    Membership,
    Posting,
    SavingsGroup,
)
from keneya.referrals.models import Referral


def group_filter(user: Any) -> Q:
    """The groups whose money ``user`` sees and records."""
    if not has_capability(user, Capability.FINANCING_RECORD):
        return Q(pk__in=[])
    if user.role == Role.ADMIN:
        return Q()
    today = timezone.localdate()
    offices = Q(
        officers__user=user,
        officers__office__in=MONEY_OFFICES,
        officers__since__lte=today,
    ) & (Q(officers__until__isnull=True) | Q(officers__until__gte=today))
    return offices | Q(facilitator=user)


def groups_visible_to(user: Any) -> QuerySet[SavingsGroup]:
    return SavingsGroup.objects.filter(group_filter(user)).distinct()


def loans_visible_to(user: Any) -> QuerySet[Loan]:
    return Loan.objects.filter(group__in=groups_visible_to(user).values("pk"))


def entries_visible_to(user: Any) -> QuerySet[JournalEntry]:
    return JournalEntry.objects.filter(group__in=groups_visible_to(user).values("pk"))


def open_cycle(group: SavingsGroup) -> Cycle | None:
    return group.cycles.filter(closed_on__isnull=True).first()


def current_members(group: SavingsGroup, on: date | None = None) -> QuerySet[Membership]:
    on = on or timezone.localdate()
    return (
        group.memberships.filter(joined_on__lte=on)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=on))
        .select_related("person", "person__household")
        .order_by("person__family_name", "person__given_names")
    )


def box_cash(group: SavingsGroup, box: str) -> int:
    return ledger.balance(group, Account.CASH_HEALTH if box == Box.HEALTH else Account.CASH_BUSINESS)


def group_balances(group: SavingsGroup) -> dict[str, Any]:
    """The boxes' cash, the funds and each current member's savings and loans (three queries)."""
    accounts = ledger.balances(group)
    members = list(current_members(group))
    per_member = ledger.member_balances(group)
    return {
        "boxes": [
            {
                "box": Box.BUSINESS.value,
                "label": str(Box.BUSINESS.label),
                "cash": accounts[Account.CASH_BUSINESS],
            },
            {"box": Box.HEALTH.value, "label": str(Box.HEALTH.label), "cash": accounts[Account.CASH_HEALTH]},
        ],
        "savings": -accounts[Account.SAVINGS],
        "loans_outstanding": accounts[Account.LOANS],
        "social_fund": -accounts[Account.SOCIAL_FUND],
        "income": -(accounts[Account.INTEREST] + accounts[Account.FINES] + accounts[Account.WRITE_OFFS]),
        "members": [
            {
                "member": str(m.person_id),
                "name": f"{m.person.given_names} {m.person.family_name}",
                **per_member.get(m.person_id, {"savings": 0, "loans_outstanding": 0}),
            }
            for m in members
        ],
    }


def loan_status(loan: Loan, outstanding: int, *, today: date | None = None, written_off: bool = False) -> str:
    today = today or timezone.localdate()
    if outstanding <= 0:
        return "written_off" if written_off else "repaid"
    if loan.between_meetings and loan.ratified_in_id is None:
        return "to_ratify"
    if loan.due_on < today:
        return "late"
    return "active"


STATUS_LABELS = {
    "to_ratify": _("À ratifier"),
    "active": _("En cours"),
    "late": _("En retard"),
    "repaid": _("Remboursé"),
    "written_off": _("Passé en perte"),
}


def loan_state(loan: Loan) -> dict[str, Any]:
    outstanding = ledger.loan_outstanding(loan)
    written_off = loan.entries.filter(kind=EntryKind.WRITE_OFF, voided_by__isnull=True).exists()
    status = loan_status(loan, outstanding, written_off=written_off)
    return {"outstanding": outstanding, "status": status, "status_label": str(STATUS_LABELS[status])}


def group_loans(group: SavingsGroup) -> list[tuple[Loan, dict[str, Any]]]:
    loans = list(group.loans.select_related("member", "beneficiary").order_by("-disbursed_on"))
    outstanding = ledger.loans_outstanding(loan.pk for loan in loans)
    written = set(
        JournalEntry.objects.filter(
            loan__in=loans, kind=EntryKind.WRITE_OFF, voided_by__isnull=True
        ).values_list("loan_id", flat=True)
    )
    out = []
    for loan in loans:
        owed = outstanding.get(loan.pk, 0)
        status = loan_status(loan, owed, written_off=loan.pk in written)
        out.append(
            (loan, {"outstanding": owed, "status": status, "status_label": str(STATUS_LABELS[status])})
        )
    return out


def loans_to_ratify(group: SavingsGroup) -> QuerySet[Loan]:
    return group.loans.filter(between_meetings=True, ratified_in__isnull=True).select_related("member")


def member_statement(
    group: SavingsGroup, person: Any, *, start: date | None = None, end: date | None = None
) -> dict[str, Any]:
    """A member's postings (savings and loans) with running balances, for a period."""
    q = Q(group=group, member=person, account__in=[Account.SAVINGS, Account.LOANS])
    opening = {"savings": 0, "loans": 0}
    if start is not None:
        before = Posting.objects.filter(q, entry__date__lt=start).values("account").annotate(s=Sum("amount"))
        for total in before:
            opening["savings" if total["account"] == Account.SAVINGS else "loans"] = int(total["s"])
        q &= Q(entry__date__gte=start)
    if end is not None:
        q &= Q(entry__date__lte=end)
    rows = (
        Posting.objects.filter(q)
        .order_by("entry__date", "entry_id", "id")
        .values("entry__date", "entry__kind", "entry__memo", "account", "amount")
    )
    savings, loans = -opening["savings"], opening["loans"]
    lines = []
    for row in rows:
        if row["account"] == Account.SAVINGS:
            savings -= row["amount"]
        else:
            loans += row["amount"]
        lines.append(
            {
                "date": row["entry__date"],
                "kind": row["entry__kind"],
                "label": str(EntryKind(row["entry__kind"]).label),
                "memo": row["entry__memo"],
                "account": row["account"],
                "amount": -row["amount"] if row["account"] == Account.SAVINGS else row["amount"],
                "savings": savings,
                "loans": loans,
            }
        )
    return {
        "opening_savings": -opening["savings"],
        "opening_loans": opening["loans"],
        "lines": lines,
        "savings": savings,
        "loans": loans,
    }


def cash_book(group: SavingsGroup, *, start: date, end: date) -> dict[str, Any]:
    """The cash movements of both boxes over a period, entry by entry, with running balances."""
    cash: list[str] = [Account.CASH_BUSINESS, Account.CASH_HEALTH]
    opening = {a: ledger.balance(group, a, until=start - timedelta(days=1)) for a in cash}
    rows = (
        Posting.objects.filter(group=group, account__in=cash, entry__date__gte=start, entry__date__lte=end)
        .values("entry_id", "entry__date", "entry__kind", "entry__memo", "account")
        .annotate(s=Sum("amount"))
        .order_by("entry__date", "entry_id")
    )
    running = dict(opening)
    lines = []
    for row in rows:
        running[row["account"]] += int(row["s"])
        lines.append(
            {
                "date": row["entry__date"],
                "label": str(EntryKind(row["entry__kind"]).label),
                "memo": row["entry__memo"],
                "box": str(Box.HEALTH.label if row["account"] == Account.CASH_HEALTH else Box.BUSINESS.label),
                "amount": int(row["s"]),
                "business": running[Account.CASH_BUSINESS],
                "health": running[Account.CASH_HEALTH],
            }
        )
    return {"opening": opening, "lines": lines, "closing": running}


def next_due(loan_disbursed: date, frequency: str, weeks: int) -> date:
    return loan_disbursed + timedelta(days=max(weeks * 7, FREQUENCY_DAYS.get(frequency, 7)))  # type: ignore[call-overload]


# --- What a clinician may know -----------------------------------------------------------------
FINANCED_LABEL = _("financé par un prêt santé")


def financed_by_loan(
    *, referral_ids: list[Any] | None = None, consultation_ids: list[Any] | None = None
) -> set[Any]:
    """The referrals or consultations a health loan paid for (no amount, no group)."""
    if referral_ids:
        return set(
            Loan.objects.filter(referral_id__in=referral_ids, kind=LoanKind.HEALTH).values_list(
                "referral_id", flat=True
            )
        )
    if consultation_ids:
        return set(
            Loan.objects.filter(consultation_id__in=consultation_ids, kind=LoanKind.HEALTH).values_list(
                "consultation_id", flat=True
            )
        )
    return set()


# --- Aggregates (M&E) ---------------------------------------------------------------------------
def programme_summary() -> dict[str, Any]:
    """Health-loan indicators over every group, no names: loans by need, repayment rate, the
    median days from referral to loan, the share of members' urgent referrals financed."""
    loans = list(Loan.objects.filter(kind=LoanKind.HEALTH).select_related("referral"))
    by_need: dict[str, int] = {}
    for loan in loans:
        by_need[loan.purpose] = by_need.get(loan.purpose, 0) + 1
    lent = sum(loan.amount for loan in loans)
    outstanding = ledger.loans_outstanding(loan.pk for loan in loans)
    written_off = int(
        Posting.objects.filter(account=Account.WRITE_OFFS, loan__kind=LoanKind.HEALTH).aggregate(
            s=Sum("amount")
        )["s"]
        or 0
    )
    repaid = lent - sum(outstanding.values()) - written_off
    days = [
        (loan.disbursed_on - timezone.localtime(loan.referral.issued_at).date()).days
        for loan in loans
        if loan.referral is not None
    ]
    members = Membership.objects.filter(left_on__isnull=True).values("person__household_id")
    urgent = Referral.objects.filter(urgent=True, person__household_id__in=members)
    urgent_count = urgent.count()
    financed = urgent.filter(loans__kind=LoanKind.HEALTH).distinct().count()
    return {
        "groups": SavingsGroup.objects.count(),
        "members": Membership.objects.filter(left_on__isnull=True).count(),
        "health_loans": len(loans),
        "by_need": by_need,
        "lent": lent,
        "repayment_rate": round(repaid / (lent - sum(outstanding.values())), 3)
        if lent - sum(outstanding.values())
        else None,
        "median_days_referral_to_loan": statistics.median(days) if days else None,
        "urgent_referrals_of_members": urgent_count,
        "urgent_referrals_financed_share": round(financed / urgent_count, 3) if urgent_count else None,
        "meetings": Meeting.objects.count(),
    }


def patient_page_financing(user: Any, person: Any) -> dict[str, Any]:
    """The patient page (``records.hooks.patient_page``): which of the person's referrals and
    consultations a health loan paid for, and the French line a clinician sees. No amount, no
    group: a member's finances are the group's business."""
    referrals = set(
        Loan.objects.filter(kind=LoanKind.HEALTH, referral__person=person).values_list(
            "referral_id", flat=True
        )
    )
    consultations = set(
        Loan.objects.filter(kind=LoanKind.HEALTH, consultation__person=person).values_list(
            "consultation_id", flat=True
        )
    )
    if not referrals and not consultations:
        return {}
    return {
        "financed_referrals": referrals,
        "financed_consultations": consultations,
        "financed_care": str(FINANCED_LABEL).capitalize(),
        "financed_label": str(FINANCED_LABEL),
    }


def home_page_financing(user: Any) -> dict[str, Any]:
    """The home page's tile (``accounts.views.home_page``): how many groups the user keeps."""
    if not has_capability(user, Capability.FINANCING_RECORD):
        return {}
    return {"financing_groups": groups_visible_to(user).count()}


def person_page_financing(user: Any, person: Any, **_kwargs: Any) -> dict[str, Any]:
    """The person page (``people.hooks.person_page``), for the CHW who may refer urgently: which
    savings group a woman of the household belongs to (a health loan is possible), no amount."""
    if user.role not in (Role.CHW, Role.ADMIN):
        return {}
    today = timezone.localdate()
    membership = (
        Membership.objects.filter(person__household_id=person.household_id, joined_on__lte=today)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=today))
        .select_related("group", "person")
        .first()
    )
    if membership is None:
        return {}
    line = _("%(name)s est membre de « %(group)s » : un prêt santé de la caisse du groupe est possible.") % {
        "name": membership.person.given_names,
        "group": membership.group.name,
    }
    return {"savings_group_line": line}
