"""Savings-group writes: groups, members, cycles, contributions, fines, loans, repayments,
ratification, rescheduling, write-offs, voids, the meeting sheet and the share-out.

Every service is keyword-only (``by`` first), transactional, checks the capability and the
scope at the top, locks the group's row before touching its money (so two tablets' writes to
one group, or two repayments of one loan, run one after the other: the second sees the first's
postings), and writes money only through ``ledger.post``. A write the state forbids (over the
constitution's limit, over a box's cash, over what is owed) raises ``Refused`` with a French
reason: the API answers 409 and nothing is saved.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from keneya.accounts.permissions import Capability, has_capability
from keneya.core.errors import IdTaken
from keneya.financing import ledger, queries, shareout
from keneya.financing.ledger import Line
from keneya.financing.models import (
    CASH_ACCOUNT,
    FREQUENCY_DAYS,
    Account,
    Approval,
    Box,
    CashCount,
    Cycle,
    Disbursement,
    EntryKind,
    GroupKind,
    GroupOfficer,
    JournalEntry,
    Loan,
    LoanEvent,
    LoanKind,
    Meeting,
    Membership,
    Office,
    Purpose,
    SavingsGroup,
    SheetConflict,
)
from keneya.notifications.services import Sms, enqueue_sms, enqueue_sms_many
from keneya.people.models import Person
from keneya.records.models import Consultation
from keneya.referrals.models import Referral


class Refused(Exception):
    """A write the group's state or constitution forbids: a 409 with a French ``detail``."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class MeetingConflict(Refused):
    """A second sheet for a meeting already recorded (another tablet): the facilitator settles it."""

    def __init__(self, meeting: Meeting) -> None:
        super().__init__(
            _("Une autre feuille de cette réunion est déjà enregistrée : l'animatrice doit trancher.")
        )
        self.meeting = meeting


def _require(by: Any) -> None:
    if not has_capability(by, Capability.FINANCING_RECORD):
        raise PermissionDenied


def _check(by: Any, group: SavingsGroup) -> None:
    _require(by)
    if not queries.groups_visible_to(by).filter(pk=group.pk).exists():
        raise PermissionDenied


def _lock(group: SavingsGroup) -> SavingsGroup:
    return SavingsGroup.objects.select_for_update().get(pk=group.pk)


def _event(loan: Loan, kind: str, by: Any, **data: Any) -> None:
    LoanEvent.objects.create(
        loan=loan, kind=kind, by=by if getattr(by, "pk", None) else None, at=timezone.now(), data=data
    )


def _cycle(group: SavingsGroup) -> Cycle:
    cycle = queries.open_cycle(group)
    if cycle is None:
        raise Refused(_("Aucun cycle n'est ouvert pour ce groupe."))
    return cycle


def _amount(value: Any, field: str = "amount") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValidationError({field: [_("Montant en F CFA entier, positif.")]})
    return value


def _member(group: SavingsGroup, person: Any, on: date) -> Membership:
    person_id = getattr(person, "pk", person)
    membership = (
        group.memberships.filter(person_id=person_id, joined_on__lte=on)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=on))
        .select_related("person")
        .first()
    )
    if membership is None:
        raise ValidationError({"member": [_("Cette personne n'est pas membre du groupe à cette date.")]})
    return membership


def _check_balances(group: SavingsGroup, lines: Iterable[Line]) -> None:
    """After a posting: no box below zero, no loan repaid beyond what is owed, no negative savings."""
    lines = list(lines)
    for account in {
        line.account for line in lines if line.account in (Account.CASH_BUSINESS, Account.CASH_HEALTH)
    }:
        if ledger.balance(group, account) < 0:
            label = Box.HEALTH.label if account == Account.CASH_HEALTH else Box.BUSINESS.label
            raise Refused(_("%(box)s n'a pas assez d'argent pour cette opération.") % {"box": label})
    for loan_id in {line.loan_id for line in lines if line.loan_id}:
        if ledger.loan_outstanding(loan_id) < 0:
            raise Refused(_("Ce montant dépasse ce qui reste dû sur le prêt."))
    for member_id in {line.member_id for line in lines if line.account == Account.SAVINGS}:
        if ledger.balance(group, Account.SAVINGS, member=member_id) > 0:
            raise Refused(_("L'épargne de la membre deviendrait négative."))


# --- Groups, members, officers, cycles --------------------------------------------------------
@transaction.atomic
def create_group(
    *,
    by: Any,
    name: str,
    quartier: Any,
    kind: str = GroupKind.SAVINGS,
    facilitator: Any = None,
    meeting_weekday: int = 0,
    frequency: str = "weekly",
    id: uuid.UUID | None = None,
) -> SavingsGroup:
    _require(by)
    if not name.strip():
        raise ValidationError({"name": [_("Donnez un nom au groupe.")]})
    return SavingsGroup.objects.create(
        id=id or uuid.uuid4(),
        name=name.strip()[:120],
        quartier=quartier,
        kind=kind,
        facilitator=facilitator,
        meeting_weekday=meeting_weekday,
        frequency=frequency,
    )


@transaction.atomic
def appoint(
    *, by: Any, group: SavingsGroup, office: str, since: date, user: Any = None, person: Any = None
) -> GroupOfficer:
    """Give an office of the group to a member (and to her login, for the money offices)."""
    if not (by.role == "admin" or queries.groups_visible_to(by).filter(pk=group.pk).exists()):
        raise PermissionDenied
    if office not in Office.values:
        raise ValidationError({"office": [_("Fonction inconnue.")]})
    group.officers.filter(office=office, until__isnull=True, user=user).update(until=since)
    return GroupOfficer.objects.create(group=group, office=office, user=user, person=person, since=since)


@transaction.atomic
def add_member(
    *, by: Any, group: SavingsGroup, person: Person, joined_on: date, phone: str = ""
) -> Membership:
    _check(by, group)
    existing = group.memberships.filter(person=person, left_on__isnull=True).first()
    if existing is not None:
        return existing
    if person.merged_into_id is not None:
        raise ValidationError(
            {"person": [_("Cette fiche a été fusionnée avec une autre : choisissez celle qui reste.")]}
        )
    return Membership.objects.create(group=group, person=person, joined_on=joined_on, phone=phone)


@transaction.atomic
def leave_group(*, by: Any, membership: Membership, left_on: date) -> Membership:
    _check(by, membership.group)
    if left_on < membership.joined_on:
        raise ValidationError({"left_on": [_("La sortie ne peut précéder l'entrée.")]})
    membership.left_on = left_on
    membership.save(update_fields=["left_on"])
    return membership


@transaction.atomic
def open_cycle(*, by: Any, group: SavingsGroup, opened_on: date, **constitution: Any) -> Cycle:
    """Open the group's next cycle with its constitution (the previous one must be closed)."""
    _check(by, group)
    group = _lock(group)
    if queries.open_cycle(group) is not None:
        raise Refused(_("Le cycle en cours doit être clôturé (partage) avant d'en ouvrir un autre."))
    errors: dict[str, list[str]] = {}
    for field in ("contribution", "health_part", "health_loan_max", "emergency_loan_max"):
        value = constitution.get(field)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            errors[field] = [_("Montant en F CFA entier requis.")]
    if not errors:
        if constitution["health_part"] + constitution.get("social_part", 0) > constitution["contribution"]:
            errors["health_part"] = [_("Les parts des caisses dépassent la cotisation.")]
        if constitution["emergency_loan_max"] > constitution["health_loan_max"]:
            errors["emergency_loan_max"] = [_("Le plafond d'urgence dépasse celui du prêt santé.")]
    if constitution.get("approval", Approval.GROUP) not in Approval.values:
        errors["approval"] = [_("Choix inconnu.")]
    if errors:
        raise ValidationError(errors)
    number = (group.cycles.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    return Cycle.objects.create(group=group, number=number, opened_on=opened_on, **constitution)


# --- Money -----------------------------------------------------------------------------------
def contribution_lines(cycle: Cycle, member_id: Any, shares: int) -> list[Line]:
    """A contribution's postings: the business and health boxes' parts, the member's savings."""
    health = cycle.health_part * shares
    social = cycle.social_part * shares
    total = cycle.contribution * shares
    return [
        Line(Account.CASH_BUSINESS, total - health - social),
        Line(Account.CASH_HEALTH, health + social),
        Line(Account.SAVINGS, -(total - social), member_id),
        Line(Account.SOCIAL_FUND, -social, member_id),
    ]


@transaction.atomic
def record_contribution(
    *,
    by: Any,
    group: SavingsGroup,
    member: Any,
    on: date,
    shares: int = 1,
    meeting: Meeting | None = None,
    entry_id: uuid.UUID | None = None,
) -> JournalEntry:
    """A member's contribution, split between the boxes by the constitution."""
    _check(by, group)
    group = _lock(group)
    cycle = _cycle(group)
    membership = _member(group, member, on)
    if isinstance(shares, bool) or not isinstance(shares, int) or not 1 <= shares <= cycle.max_shares:
        raise Refused(_("Entre 1 et %(n)d parts par réunion, selon le règlement.") % {"n": cycle.max_shares})
    lines = contribution_lines(cycle, membership.person_id, shares)
    return ledger.post(
        by=by,
        group=group,
        kind=EntryKind.CONTRIBUTION,
        on=on,
        lines=lines,
        meeting=meeting,
        member=membership.person,
        memo=contribution_memo(shares),
        entry_id=entry_id,
    )


@transaction.atomic
def record_fine(
    *,
    by: Any,
    group: SavingsGroup,
    member: Any,
    amount: int,
    on: date,
    reason: str = "",
    meeting: Meeting | None = None,
) -> JournalEntry:
    _check(by, group)
    group = _lock(group)
    _cycle(group)
    membership = _member(group, member, on)
    amount = _amount(amount)
    lines = fine_lines(amount)
    return ledger.post(
        by=by,
        group=group,
        kind=EntryKind.FINE,
        on=on,
        lines=lines,
        meeting=meeting,
        member=membership.person,
        memo=fine_memo(reason),
    )


def contribution_memo(shares: int) -> str:
    return _("Cotisation (%(n)d part·s)") % {"n": shares}


def fine_memo(reason: str) -> str:
    return (_("Amende : %(r)s") % {"r": reason})[:200] if reason else _("Amende")


def fine_lines(amount: int) -> list[Line]:
    """A fine's postings: into the business box, income of the group."""
    return [Line(Account.CASH_BUSINESS, amount), Line(Account.FINES, -amount)]


def _same_loan_again(by: Any, loan_id: Any) -> Loan | None:
    existing = Loan.objects.filter(pk=loan_id).first()
    if existing is None:
        return None
    if not queries.loans_visible_to(by).filter(pk=loan_id).exists():
        raise IdTaken
    return existing


@transaction.atomic
def disburse_loan(
    *,
    by: Any,
    group: SavingsGroup,
    loan_id: uuid.UUID,
    member: Any,
    amount: Any,
    purpose: str,
    disbursed_on: date,
    kind: str = LoanKind.HEALTH,
    between_meetings: bool = False,
    referral: Referral | None = None,
    consultation: Consultation | None = None,
    beneficiary: Person | None = None,
    disbursement: str = Disbursement.CASH,
    receipt_number: str = "",
    meeting: Meeting | None = None,
) -> tuple[Loan, bool]:
    """Disburse a loan from its box (the health box for a health loan, interest-free).

    Between meetings, within the emergency limit, and to be ratified at the next meeting. The
    same id again answers the stored loan (``created`` False)."""
    _check(by, group)
    existing = _same_loan_again(by, loan_id)
    if existing is not None:
        return existing, False
    group = _lock(group)
    cycle = _cycle(group)
    membership = _member(group, member, disbursed_on)
    amount = _amount(amount)
    errors: dict[str, list[str]] = {}
    if purpose not in Purpose.values:
        errors["purpose"] = [_("Besoin inconnu.")]
    if kind not in LoanKind.values:
        errors["kind"] = [_("Type de prêt inconnu.")]
    if disbursement not in Disbursement.values:
        errors["disbursement"] = [_("Mode de décaissement inconnu.")]
    if disbursement == Disbursement.FACILITY and not receipt_number.strip():
        errors["receipt_number"] = [_("Le numéro du reçu du CSCom est requis.")]
    if disbursed_on > timezone.localdate() + timedelta(days=1):
        errors["disbursed_on"] = [_("La date ne peut pas être dans le futur.")]
    household_id = membership.person.household_id
    if referral is not None:
        if referral.person.household_id != household_id:
            errors["referral"] = [_("Cette référence ne concerne pas la membre ni son ménage.")]
        beneficiary = beneficiary or referral.person
    if consultation is not None:
        if consultation.person.household_id != household_id:
            errors["consultation"] = [_("Cette consultation ne concerne pas la membre ni son ménage.")]
        beneficiary = beneficiary or consultation.person
    if beneficiary is not None and beneficiary.household_id != household_id:
        errors["beneficiary"] = [_("Un prêt santé finance les soins de la membre ou de son ménage.")]
    if errors:
        raise ValidationError(errors)
    interest = 0
    if kind == LoanKind.HEALTH:
        if between_meetings and amount > cycle.emergency_loan_max:
            raise Refused(
                _("Entre deux réunions, un prêt santé ne dépasse pas %(max)s (règlement du groupe).")
                % {"max": ledger.money(cycle.emergency_loan_max)}
            )
        if amount > cycle.health_loan_max:
            raise Refused(
                _("Un prêt santé ne dépasse pas %(max)s (règlement du groupe).")
                % {"max": ledger.money(cycle.health_loan_max)}
            )
    else:
        savings = (
            ledger.member_balances(group, [membership.person_id])
            .get(membership.person_id, {})
            .get("savings", 0)
        )
        if amount > savings * cycle.loan_multiple_of_savings:
            raise Refused(
                _("Un prêt commerce ne dépasse pas %(n)d fois l'épargne de la membre (%(s)s).")
                % {"n": cycle.loan_multiple_of_savings, "s": ledger.money(savings)}
            )
        interest = amount * cycle.business_interest_percent // 100
    box = Box.HEALTH if kind == LoanKind.HEALTH else Box.BUSINESS
    cash = queries.box_cash(group, box)
    if amount > cash:
        raise Refused(
            _("%(box)s n'a que %(cash)s : prêt impossible.")
            % {"box": Box(box).label, "cash": ledger.money(cash)}
        )
    weeks = cycle.loan_duration_weeks
    loan = Loan.objects.create(
        id=loan_id,
        group=group,
        cycle=cycle,
        member=membership.person,
        beneficiary=beneficiary,
        kind=kind,
        purpose=purpose,
        amount=amount,
        interest=interest,
        referral=referral,
        consultation=consultation,
        disbursed_on=disbursed_on,
        between_meetings=between_meetings,
        disbursement=disbursement,
        receipt_number=receipt_number.strip()[:40],
        due_on=disbursed_on + timedelta(days=weeks * 7),
        issued_in=meeting,
        recorded_by=by,
    )
    lines = [
        Line(Account.LOANS, amount + interest, membership.person_id, loan.pk),
        Line(CASH_ACCOUNT[box], -amount),
        Line(Account.INTEREST, -interest),
    ]
    memo = str(Purpose(purpose).label)
    if disbursement == Disbursement.FACILITY:
        memo = _("%(p)s, payé au CSCom (reçu %(r)s)") % {"p": memo, "r": loan.receipt_number}
    ledger.post(
        by=by,
        group=group,
        kind=EntryKind.LOAN,
        on=disbursed_on,
        lines=lines,
        meeting=meeting,
        loan=loan,
        member=membership.person,
        memo=memo,
    )
    _check_balances(group, lines)
    _event(loan, "disbursed", by, amount=amount, between_meetings=between_meetings)
    return loan, True


@transaction.atomic
def record_repayment(
    *,
    by: Any,
    loan: Loan,
    repayment_id: uuid.UUID,
    amount: Any,
    paid_on: date,
    meeting: Meeting | None = None,
) -> tuple[JournalEntry, bool]:
    """A repayment back into the loan's box; never above what is owed. The same id again
    answers the stored repayment (``created`` False)."""
    _check(by, loan.group)
    existing = JournalEntry.objects.filter(pk=repayment_id).first()
    if existing is not None:
        if existing.kind != EntryKind.REPAYMENT or existing.loan_id != loan.pk:
            raise IdTaken
        if not queries.entries_visible_to(by).filter(pk=repayment_id).exists():
            raise IdTaken
        return existing, False
    group = _lock(loan.group)
    loan = Loan.objects.select_for_update().get(pk=loan.pk)  # two tablets, one loan: one at a time
    amount = _amount(amount)
    if paid_on < loan.disbursed_on:
        raise ValidationError({"paid_on": [_("Un remboursement ne précède pas le prêt.")]})
    owed = ledger.loan_outstanding(loan)
    if amount > owed:
        raise Refused(_("Il ne reste que %(owed)s à rembourser sur ce prêt.") % {"owed": ledger.money(owed)})
    lines = [Line(CASH_ACCOUNT[loan.box], amount), Line(Account.LOANS, -amount, loan.member_id, loan.pk)]
    entry = ledger.post(
        by=by,
        group=group,
        kind=EntryKind.REPAYMENT,
        on=paid_on,
        lines=lines,
        meeting=meeting,
        loan=loan,
        member=loan.member,
        memo=_("Remboursement"),
        entry_id=repayment_id,
    )
    _check_balances(group, lines)
    _event(loan, "repaid", by, amount=amount, entry=str(entry.pk))
    return entry, True


@transaction.atomic
def ratify_loans(*, by: Any, meeting: Meeting, loans: Sequence[Loan]) -> int:
    """The meeting ratifies loans disbursed between meetings."""
    _check(by, meeting.group)
    count = 0
    for loan in loans:
        if loan.group_id != meeting.group_id:
            raise ValidationError({"ratify": [_("Ce prêt n'est pas de ce groupe.")]})
        if loan.ratified_in_id is None and loan.between_meetings:
            loan.ratified_in = meeting
            loan.save(update_fields=["ratified_in"])
            _event(loan, "ratified", by, meeting=str(meeting.pk))
            count += 1
    return count


@transaction.atomic
def reschedule_loan(
    *, by: Any, loan: Loan, due_on: date, on: date, reason: str, meeting: Meeting | None = None
) -> Loan:
    """A group decision: a new due date (an entry without money says so in the ledger)."""
    _check(by, loan.group)
    if not reason.strip():
        raise ValidationError({"reason": [_("Donnez la décision du groupe.")]})
    if due_on <= on:
        raise ValidationError({"due_on": [_("La nouvelle échéance suit la décision.")]})
    old = loan.due_on
    loan.due_on = due_on
    loan.save(update_fields=["due_on"])
    ledger.post(
        by=by,
        group=loan.group,
        kind=EntryKind.RESCHEDULE,
        on=on,
        lines=[],
        meeting=meeting,
        loan=loan,
        member=loan.member,
        memo=(_("Échéance reportée au %(d)s : %(r)s") % {"d": due_on.strftime("%d/%m/%Y"), "r": reason})[
            :200
        ],
    )
    _event(loan, "rescheduled", by, old=old.isoformat(), new=due_on.isoformat(), reason=reason)
    return loan


@transaction.atomic
def write_off_loan(
    *, by: Any, loan: Loan, on: date, reason: str, meeting: Meeting | None = None
) -> JournalEntry:
    """A group decision: what remains owed becomes a loss of the group."""
    _check(by, loan.group)
    if not reason.strip():
        raise ValidationError({"reason": [_("Donnez la décision du groupe.")]})
    group = _lock(loan.group)
    owed = ledger.loan_outstanding(loan)
    if owed <= 0:
        raise Refused(_("Ce prêt est déjà soldé."))
    lines = [Line(Account.WRITE_OFFS, owed), Line(Account.LOANS, -owed, loan.member_id, loan.pk)]
    entry = ledger.post(
        by=by,
        group=group,
        kind=EntryKind.WRITE_OFF,
        on=on,
        lines=lines,
        meeting=meeting,
        loan=loan,
        member=loan.member,
        memo=(_("Passé en perte : %(r)s") % {"r": reason})[:200],
    )
    _event(loan, "written_off", by, amount=owed, reason=reason)
    return entry


@transaction.atomic
def void_entry(*, by: Any, entry: JournalEntry, reason: str, on: date | None = None) -> JournalEntry:
    """A correction: an entry with the voided one's postings negated (nothing is edited)."""
    _check(by, entry.group)
    if not reason.strip():
        raise ValidationError({"reason": [_("Donnez la raison de l'annulation.")]})
    group = _lock(entry.group)
    if entry.kind in (EntryKind.VOID, EntryKind.SHARE_OUT):
        raise Refused(_("Cette écriture ne peut pas être annulée."))
    if JournalEntry.objects.filter(voids=entry).exists():
        raise Refused(_("Cette écriture est déjà annulée."))
    lines = ledger.void_lines(entry)
    void = ledger.post(
        by=by,
        group=group,
        kind=EntryKind.VOID,
        on=on or timezone.localdate(),
        lines=lines,
        loan=entry.loan,
        member=entry.member,
        memo=(_("Annule : %(r)s") % {"r": reason})[:200],
        voids=entry,
        meeting=entry.meeting,
    )
    _check_balances(group, lines)
    return void


# --- Share-out -------------------------------------------------------------------------------
def share_out_lines(cycle: Cycle) -> tuple[list[shareout.ShareLine], dict[str, int]]:
    """The computation, line by line, before the group approves it."""
    group = cycle.group
    accounts = ledger.balances(group)
    per_member = ledger.member_balances(group)
    members = [
        shareout.MemberPosition(str(person_id), values["savings"], values["loans_outstanding"])
        for person_id, values in sorted(per_member.items(), key=lambda kv: str(kv[0]))
        if values["savings"] or values["loans_outstanding"]
    ]
    income = -(accounts[Account.INTEREST] + accounts[Account.FINES] + accounts[Account.WRITE_OFFS])
    try:
        lines = shareout.share_out(members, income=income)
    except shareout.ShareOutError as error:
        raise Refused(str(error)) from None
    totals = {
        "income": income,
        "cash": accounts[Account.CASH_BUSINESS] + accounts[Account.CASH_HEALTH],
        "social_fund": -accounts[Account.SOCIAL_FUND],
        "distributed": sum(line.payout for line in lines),
    }
    return lines, totals


@transaction.atomic
def post_share_out(
    *, by: Any, cycle: Cycle, on: date, approved: bool, meeting: Meeting | None = None
) -> JournalEntry:
    """Post the approved share-out and close the cycle: each member gets her savings and her
    share of the income, less her outstanding loans; the social fund stays in the health box."""
    _check(by, cycle.group)
    if not approved:
        raise Refused(_("Le partage doit être approuvé par le groupe."))
    group = _lock(cycle.group)
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.closed_on is not None:
        raise Refused(_("Ce cycle est déjà clôturé."))
    share_lines, totals = share_out_lines(cycle)
    accounts = ledger.balances(group)
    lines: list[Line] = [
        Line(Account.INTEREST, -accounts[Account.INTEREST]),
        Line(Account.FINES, -accounts[Account.FINES]),
        Line(Account.WRITE_OFFS, -accounts[Account.WRITE_OFFS]),
    ]
    # The fines and write-offs are posted per member; close them as a whole.
    for share in share_lines:
        member_id = uuid.UUID(share.member)
        lines.append(Line(Account.SAVINGS, share.savings, member_id))
    for loan_id, owed in ledger.loans_outstanding(group.loans.values_list("pk", flat=True)).items():
        if owed:
            member_id = Loan.objects.values_list("member_id", flat=True).get(pk=loan_id)
            lines.append(Line(Account.LOANS, -owed, member_id, loan_id))
    distributed = totals["distributed"]
    from_business = min(distributed, accounts[Account.CASH_BUSINESS])
    lines.append(Line(Account.CASH_BUSINESS, -from_business))
    lines.append(Line(Account.CASH_HEALTH, -(distributed - from_business)))
    entry = ledger.post(
        by=by,
        group=group,
        kind=EntryKind.SHARE_OUT,
        on=on,
        lines=_merge(lines),
        meeting=meeting,
        memo=_("Partage du cycle %(n)d : %(d)s distribués")
        % {"n": cycle.number, "d": ledger.money(distributed)},
    )
    _check_balances(group, lines)
    cycle.closed_on = on
    cycle.save(update_fields=["closed_on"])
    return entry


def _merge(lines: Iterable[Line]) -> list[Line]:
    """Per-member postings of the same account summed (the fines and write-offs close per account)."""
    merged: dict[tuple[str, Any, Any], int] = {}
    for line in lines:
        key = (line.account, line.member_id, line.loan_id)
        merged[key] = merged.get(key, 0) + line.amount
    return [
        Line(account, amount, member, loan) for (account, member, loan), amount in merged.items() if amount
    ]


# --- The meeting sheet -----------------------------------------------------------------------
@transaction.atomic
def record_meeting(
    *,
    by: Any,
    group: SavingsGroup,
    meeting_id: uuid.UUID,
    held_on: date,
    present: Sequence[Any] = (),
    contributions: Sequence[dict[str, Any]] = (),
    fines: Sequence[dict[str, Any]] = (),
    repayments: Sequence[dict[str, Any]] = (),
    loans: Sequence[dict[str, Any]] = (),
    ratify: Sequence[Any] = (),
    cash_counts: Sequence[dict[str, Any]] = (),
    send_receipts: bool = True,
) -> tuple[Meeting, bool]:
    """The whole sheet of a meeting in one transaction: attendance, contributions (split by the
    constitution), fines, repayments, loans issued and ratified, the cash count of each box.

    Idempotent: the same ``meeting_id`` again answers the stored meeting, nothing new. Another
    sheet for the same group and day raises ``MeetingConflict`` (two tablets): nothing is paid
    twice. After it, each member present or paying gets an SMS receipt."""
    _check(by, group)
    stored = Meeting.objects.filter(pk=meeting_id).first()
    if stored is not None:
        if stored.group_id != group.pk:
            raise IdTaken
        return stored, False
    group = _lock(group)
    cycle = _cycle(group)
    other = Meeting.objects.filter(group=group, held_on=held_on).first()
    if other is not None:
        raise MeetingConflict(other)
    if held_on > timezone.localdate() + timedelta(days=1):
        raise ValidationError({"held_on": [_("La date ne peut pas être dans le futur.")]})
    meeting = Meeting.objects.create(id=meeting_id, group=group, cycle=cycle, held_on=held_on, recorded_by=by)
    paid = _apply_sheet(
        by=by,
        group=group,
        cycle=cycle,
        meeting=meeting,
        present=present,
        contributions=contributions,
        fines=fines,
        repayments=repayments,
        loans=loans,
        ratify=ratify,
        cash_counts=cash_counts,
    )
    if send_receipts:
        queue_receipts(group, meeting, paid)
    return meeting, True


def _apply_sheet(
    *,
    by: Any,
    group: SavingsGroup,
    cycle: Cycle,
    meeting: Meeting,
    present: Sequence[Any],
    contributions: Sequence[dict[str, Any]],
    fines: Sequence[dict[str, Any]],
    repayments: Sequence[dict[str, Any]],
    loans: Sequence[dict[str, Any]],
    ratify: Sequence[Any],
    cash_counts: Sequence[dict[str, Any]],
) -> dict[str, int]:
    """Post a sheet's lines on its meeting; what each member paid."""
    held_on = meeting.held_on
    members = {str(m.person_id): m for m in queries.current_members(group, held_on)}
    present_ids = [str(p) for p in present]
    unknown = [p for p in present_ids if p not in members]
    if unknown:
        raise ValidationError({"present": [_("Une personne présente n'est pas membre du groupe.")]})
    meeting.present.set([members[p].person for p in present_ids])
    paid: dict[str, int] = {}
    for line in contributions:
        # The group is locked, its scope checked and its members read once for the whole sheet.
        member = str(line.get("member"))
        shares = line.get("shares", 1)
        membership = members.get(member)
        if membership is None:
            raise ValidationError({"member": [_("Cette personne n'est pas membre du groupe à cette date.")]})
        if isinstance(shares, bool) or not isinstance(shares, int) or not 1 <= shares <= cycle.max_shares:
            raise Refused(
                _("Entre 1 et %(n)d parts par réunion, selon le règlement.") % {"n": cycle.max_shares}
            )
        ledger.post(
            by=by,
            group=group,
            kind=EntryKind.CONTRIBUTION,
            on=held_on,
            lines=contribution_lines(cycle, membership.person_id, shares),
            meeting=meeting,
            member=membership.person,
            memo=contribution_memo(shares),
        )
        paid[member] = paid.get(member, 0) + cycle.contribution * shares
    for line in fines:
        member = str(line.get("member"))
        record_fine(
            by=by,
            group=group,
            member=member,
            amount=line.get("amount"),  # type: ignore[arg-type]  # None: the service refuses it
            on=held_on,
            reason=str(line.get("reason", "")),
            meeting=meeting,
        )
        paid[member] = paid.get(member, 0) + int(line["amount"])
    for line in repayments:
        loan = Loan.objects.filter(pk=str(line.get("loan")), group=group).first()
        if loan is None:
            raise ValidationError({"repayments": [_("Prêt inconnu dans ce groupe.")]})
        record_repayment(
            by=by,
            loan=loan,
            repayment_id=uuid.UUID(str(line.get("id"))),
            amount=line.get("amount"),
            paid_on=held_on,
            meeting=meeting,
        )
        paid[str(loan.member_id)] = paid.get(str(loan.member_id), 0) + int(line["amount"])
    for line in loans:
        disburse_loan(
            by=by,
            group=group,
            loan_id=uuid.UUID(str(line.get("id"))),
            member=line.get("member"),
            amount=line.get("amount"),
            purpose=line.get("purpose", Purpose.OTHER),
            disbursed_on=held_on,
            kind=line.get("kind", LoanKind.HEALTH),
            meeting=meeting,
            referral=Referral.objects.filter(pk=line["referral"]).first() if line.get("referral") else None,
        )
    to_ratify = list(group.loans.filter(pk__in=[str(r) for r in ratify]))
    if len(to_ratify) != len(set(map(str, ratify))):
        raise ValidationError({"ratify": [_("Prêt inconnu dans ce groupe.")]})
    ratify_loans(by=by, meeting=meeting, loans=to_ratify)
    for count in cash_counts:
        box = count.get("box")
        if box not in Box.values:
            raise ValidationError({"cash_counts": [_("Caisse inconnue.")]})
        counted = count.get("counted")
        if isinstance(counted, bool) or not isinstance(counted, int) or counted < 0:
            raise ValidationError({"cash_counts": [_("Montant compté en F CFA entier.")]})
        expected = queries.box_cash(group, box)
        reason = str(count.get("reason") or "").strip()
        if counted != expected and not reason:
            raise ValidationError({"cash_counts": [_("Un écart de caisse demande une raison.")]})
        CashCount.objects.create(
            meeting=meeting, box=box, expected=expected, counted=counted, reason=reason[:200]
        )
    return paid


def _phone(membership: Membership) -> str:
    person = membership.person
    return membership.phone or person.phone or getattr(person.household, "phone", "") or ""


def queue_receipts(group: SavingsGroup, meeting: Meeting, paid: dict[str, int]) -> None:
    """One SMS per member who paid: what she paid and her balances (the outbox sends it)."""
    if not paid:
        return
    balances = ledger.member_balances(group, list(paid))
    members = {
        str(m.person_id): m
        for m in group.memberships.filter(person_id__in=list(paid)).select_related("person__household")
    }
    messages = []
    for member, amount in paid.items():
        membership = members.get(member)
        if membership is None or not _phone(membership):
            continue  # no phone known: the sheet and her statement show it; no SMS to fail
        values = balances.get(membership.person_id, {"savings": 0, "loans_outstanding": 0})
        messages.append(
            Sms(
                to=_phone(membership),
                template="financing_receipt",
                context={
                    "group": group.name,
                    "date": meeting.held_on.strftime("%d/%m/%Y"),
                    "paid": ledger.money(amount),
                    "savings": ledger.money(values["savings"]),
                    "loans": ledger.money(values["loans_outstanding"]),
                },
                dedup_key=f"financing:receipt:{meeting.pk}:{member}",
            )
        )
    enqueue_sms_many(messages)


def remind_late_loans(*, today: date | None = None) -> int:
    """Periodic job: an SMS to the member and to the treasurer for each late loan, once a week."""
    today = today or timezone.localdate()
    loans = list(Loan.objects.filter(due_on__lt=today).select_related("group", "member__household"))
    owed = ledger.loans_outstanding(loan.pk for loan in loans)
    week = today.isocalendar()
    sent = 0
    for loan in loans:
        if owed.get(loan.pk, 0) <= 0:
            continue
        membership = (
            loan.group.memberships.filter(person=loan.member).select_related("person__household").first()
        )
        context = {
            "group": loan.group.name,
            "name": loan.member.given_names,
            "due": ledger.money(owed[loan.pk]),
            "date": loan.due_on.strftime("%d/%m/%Y"),
        }
        key = f"financing:late:{loan.pk}:{week.year}-{week.week}"
        if membership is not None and _phone(membership):
            enqueue_sms(
                to=_phone(membership),
                template="financing_loan_late",
                context=context,
                dedup_key=f"{key}:member",
            )
        for officer in loan.group.officers.filter(office=Office.TREASURER, until__isnull=True).select_related(
            "user"
        ):
            if officer.user is not None and officer.user.phone:
                enqueue_sms(
                    to=officer.user.phone,
                    template="financing_loan_late",
                    context=context,
                    dedup_key=f"{key}:treasurer:{officer.user_id}",
                )
        sent += 1
    return sent


def frequency_days(group: SavingsGroup) -> int:
    return FREQUENCY_DAYS.get(group.frequency, 7)  # type: ignore[call-overload]


@transaction.atomic
def park_conflicting_sheet(*, by: Any, meeting: Meeting, sheet: dict[str, Any]) -> SheetConflict:
    """Keep a second tablet's sheet aside for the facilitator (nothing of it is posted)."""
    _check(by, meeting.group)
    return SheetConflict.objects.create(meeting=meeting, sheet=sheet, pushed_by=by)


@transaction.atomic
def settle_sheet_conflict(*, by: Any, conflict: SheetConflict, keep: str) -> SheetConflict:
    """The facilitator's decision. ``stored``: the incoming sheet is dropped. ``incoming``: the
    stored sheet's entries are voided and the incoming sheet's lines posted on the meeting (its
    loans and repayments keep their ids: one already posted is not posted twice)."""
    meeting = conflict.meeting
    _check(by, meeting.group)
    if conflict.resolved_at is not None:
        raise Refused(_("Ce conflit est déjà réglé."))
    if keep not in ("stored", "incoming"):
        raise ValidationError({"keep": [_("Choisissez la feuille à garder.")]})
    if keep == "incoming":
        for entry in (
            meeting.entries.exclude(kind=EntryKind.VOID)
            .filter(voided_by__isnull=True)
            .exclude(kind__in=[EntryKind.LOAN, EntryKind.REPAYMENT])
        ):
            void_entry(
                by=by,
                entry=entry,
                reason=_("Feuille remplacée par celle d'une autre tablette"),
                on=meeting.held_on,
            )
        sheet = conflict.sheet
        _apply_sheet(
            by=by,
            group=meeting.group,
            cycle=meeting.cycle,
            meeting=meeting,
            present=sheet.get("present", []),
            contributions=sheet.get("contributions", []),
            fines=sheet.get("fines", []),
            repayments=[
                r
                for r in sheet.get("repayments", [])
                if not JournalEntry.objects.filter(pk=str(r.get("id"))).exists()
            ],
            loans=[
                loan
                for loan in sheet.get("loans", [])
                if not Loan.objects.filter(pk=str(loan.get("id"))).exists()
            ],
            ratify=sheet.get("ratify", []),
            cash_counts=[],
        )
    conflict.resolved_at = timezone.now()
    conflict.resolved_by = by
    conflict.kept = keep
    conflict.save(update_fields=["resolved_at", "resolved_by", "kept"])
    return conflict
