"""The demo's savings groups: eight tontines in the demo's quartiers (a SHARE group of pregnant
women in Djicoroni-Para, kept by ``tresoriere``), 15-20 women each, a year of weekly meetings,
health loans linked to the demo's real referrals (most repaid, some late, one written off),
business loans with interest, and in Lassa a finished cycle with its share-out.

The money moves through the services (loans, ratification, repayments, write-off, share-out,
cycles), except the weekly contributions and fines: those go in bulk through ``write_entries``
(``demo.fastinsert``: all the postings, then the entries, which closes them and lets the
database check each sum) with the services' own lines (``services.contribution_lines``,
``fine_lines``, their memos); ``keneya/financing/tests/test_bulk.py`` proves the rows equal
the services'. Seeded and dated relative to "today": the same seed gives the same story.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count

from keneya.accounts.models import Role, User
from keneya.core.models import Area
from keneya.demo import district
from keneya.demo.fastinsert import insert_rows, instance_rows
from keneya.financing import ledger, queries, services
from keneya.financing.models import (
    CashCount,
    Cycle,
    EntryKind,
    GroupKind,
    GroupOfficer,
    JournalEntry,
    Loan,
    LoanEvent,
    Meeting,
    Membership,
    Office,
    Posting,
    SavingsGroup,
)
from keneya.notifications.models import OutboxMessage
from keneya.notifications.sending import send_pending
from keneya.people.models import Person
from keneya.referrals.models import Referral

NAMESPACE = uuid.UUID("8f3e2a10-41b7-4c6e-9d35-66696e616e63")
WEEKS = 52
SHARE_OUT_WEEK = 40  # Lassa's first cycle ends here; its second cycle runs to today
# (quartier code, group name, treasurer login, kind)
GROUPS: tuple[tuple[str, str, str, str], ...] = (
    ("LAS", "Tontine Benkadi de Lassa", "tresoriere.lassa", GroupKind.SAVINGS),
    ("SEB", "Tontine Jigiya de Sébénikoro", "tresoriere.sebenikoro", GroupKind.SAVINGS),
    ("TAL", "Tontine Sinignesigi de Taliko", "tresoriere.taliko", GroupKind.SAVINGS),
    ("LAF", "Tontine Ben ni Baara de Lafiabougou", "tresoriere.lafiabougou", GroupKind.SAVINGS),
    ("HAM", "Tontine Musow ka Jama de Hamdallaye", "tresoriere.hamdallaye", GroupKind.SAVINGS),
    ("DJP", "Groupe SHARE de Djicoroni-Para", "tresoriere", GroupKind.SHARE),
    ("KAL", "Tontine Hèrè de Kalabambougou", "tresoriere.kalabambougou", GroupKind.SAVINGS),
    ("SIB", "Tontine Danaya de Sibiribougou", "tresoriere.sibiribougou", GroupKind.SAVINGS),
)
CONSTITUTION = {
    "contribution": 100,
    "health_part": 50,
    "max_shares": 3,
    "fine_absence": 50,
    "fine_late": 25,
    "health_loan_max": 15000,
    "emergency_loan_max": 10000,
    "loan_multiple_of_savings": 3,
    "loan_duration_weeks": 6,
    "business_interest_percent": 10,
}
# A SHARE group saves for the delivery: a larger health part and a larger health loan.
SHARE_CONSTITUTION = {
    **CONSTITUTION,
    "contribution": 150,
    "health_part": 100,
    "health_loan_max": 25000,
    "emergency_loan_max": 15000,
}


def _id(*parts: Any) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts))


def write_entries(rows: Sequence[tuple[JournalEntry, Sequence[ledger.Line]]]) -> int:
    """Many balanced entries at once: every posting, then every entry (the database checks each
    entry's sum when it is written). Returns the number of postings."""
    postings = [
        {
            "entry_id": entry.id,
            "group_id": entry.group_id,
            "account": line.account,
            "member_id": line.member_id,
            "loan_id": line.loan_id,
            "amount": line.amount,
        }
        for entry, lines in rows
        for line in lines
        if line.amount
    ]
    if any(sum(line.amount for line in lines) for _entry, lines in rows):
        raise ValueError("unbalanced entry")
    insert_rows(Posting, postings)
    insert_rows(JournalEntry, instance_rows(entry for entry, _lines in rows))
    return len(postings)


def _women(quartier: Area, today: date, n: int, rng: random.Random) -> list[Person]:
    """One woman of 16-49 per household of the quartier, households with a referral first."""
    women = (
        Person.objects.filter(
            household__quartier=quartier,
            sex="F",
            merged_into__isnull=True,
            vital_status="alive",
            date_of_birth__lte=today - timedelta(days=16 * 365),
            date_of_birth__gte=today - timedelta(days=49 * 365),
        )
        .annotate(referred=Count("household__members__referrals"))
        .order_by("-referred", "household__code", "date_of_birth")
        .select_related("household")
    )
    chosen: list[Person] = []
    households: set[Any] = set()
    for woman in women:
        if woman.household_id not in households:
            chosen.append(woman)
            households.add(woman.household_id)
        if len(chosen) >= n:
            break
    return chosen


def seed_financing(*, seed: int | str, today: date, weeks: int = WEEKS) -> dict[str, int]:
    """The demo's savings groups, ``weeks`` weekly meetings each (a year; the tests' small
    districts take a quarter: keneya/demo/seed.py)."""
    rng = random.Random(f"{seed}:financing")  # noqa: S311 (demo data)
    demo = User.objects.filter(email__endswith=f"@{district.DEMO_EMAIL_DOMAIN}")
    admin = demo.filter(role=Role.ADMIN).order_by("pk").first()
    if admin is None:
        return {}
    counts = {"groups": 0, "members": 0, "meetings": 0, "loans": 0, "postings": 0, "share_outs": 0}
    written_off = False
    for code, name, login, kind in GROUPS:
        quartier = Area.objects.filter(code=code, level="quartier").first()
        treasurer = demo.filter(username=login).first()
        if quartier is None or treasurer is None:
            continue
        facilitator = demo.filter(role=Role.CHW, areas=quartier).order_by("username").first()
        women = _women(quartier, today, rng.randint(15, 20), rng)
        if len(women) < 10:
            continue
        story = _GroupStory(
            weeks=max(13, weeks),
            rng=rng,
            today=today,
            admin=admin,
            treasurer=treasurer,
            facilitator=facilitator,
            quartier=quartier,
            name=name,
            kind=kind,
            women=women,
            share_out=(code == "LAS"),
            write_off=not written_off,
        )
        story.run()
        written_off = written_off or story.wrote_off
        counts["groups"] += 1
        counts["members"] += len(women)
        counts["meetings"] += story.meetings
        counts["loans"] += story.loans
        counts["postings"] += story.postings
        counts["share_outs"] += story.share_outs
    # The receipts and reminders the meetings queued leave through the outbox, as the scheduler's
    # job sends them (keneya/demo/social.py does the same), one batch after another.
    while send_pending().sent:
        pass
    return counts


class _GroupStory:
    def __init__(
        self,
        *,
        weeks: int,
        rng: random.Random,
        today: date,
        admin: Any,
        treasurer: Any,
        facilitator: Any,
        quartier: Area,
        name: str,
        kind: str,
        women: Sequence[Person],
        share_out: bool,
        write_off: bool,
    ) -> None:
        self.rng, self.today, self.admin, self.by = rng, today, admin, treasurer
        self.women = list(women)
        self.weeks = weeks
        self.start = today - timedelta(weeks=weeks - 1)
        self.group = services.create_group(
            by=admin,
            id=_id("group", name),
            name=name,
            quartier=quartier,
            kind=kind,
            facilitator=facilitator,
            meeting_weekday=today.weekday(),
        )
        services.appoint(
            by=admin,
            group=self.group,
            office=Office.TREASURER,
            user=treasurer,
            person=women[1],
            since=self.start,
        )
        services.appoint(
            by=admin, group=self.group, office=Office.PRESIDENT, person=women[0], since=self.start
        )
        services.appoint(
            by=admin, group=self.group, office=Office.BOX_KEEPER_HEALTH, person=women[0], since=self.start
        )
        services.appoint(
            by=admin, group=self.group, office=Office.BOX_KEEPER_BUSINESS, person=women[2], since=self.start
        )
        for woman in women:
            services.add_member(
                by=admin,
                group=self.group,
                person=woman,
                joined_on=self.start,
                phone=woman.phone or woman.household.phone,
            )
        self.constitution = SHARE_CONSTITUTION if kind == GroupKind.SHARE else CONSTITUTION
        self.cycle = services.open_cycle(
            by=admin, group=self.group, opened_on=self.start, **self.constitution
        )
        self.share_out, self.write_off = share_out, write_off
        self.wrote_off = False
        self.meetings = self.loans = self.postings = self.share_outs = 0
        self.buffer: list[tuple[JournalEntry, list[ledger.Line]]] = []
        self.present_rows: list[dict[str, Any]] = []
        # loan id -> (loan, weekly instalment, meetings left before it stops being repaid, owed)
        self.repaying: dict[Any, tuple[Loan, int, int, int]] = {}

    # --- bulk contributions and fines ----------------------------------------------------------
    def _flush(self) -> None:
        if self.buffer:
            self.postings += write_entries(self.buffer)
            self.buffer = []
        if self.present_rows:
            insert_rows(Meeting.present.through, self.present_rows)
            self.present_rows = []

    def _entry(self, kind: str, on: date, meeting: Meeting, member: Person, memo: str) -> JournalEntry:
        return JournalEntry(
            id=_id("entry", meeting.pk, kind, member.pk),
            group=self.group,
            kind=kind,
            date=on,
            meeting=meeting,
            member=member,
            recorded_by=self.by,
            memo=memo,
        )

    def _meeting(self, week: int, on: date) -> Meeting:
        meeting = Meeting.objects.create(
            id=_id("meeting", self.group.pk, on),
            group=self.group,
            cycle=self.cycle,
            held_on=on,
            recorded_by=self.by,
        )
        self.meetings += 1
        for woman in self.women:
            if self.rng.random() < 0.9:
                self.present_rows.append({"meeting_id": meeting.pk, "person_id": woman.pk})
                shares = self.rng.choices([1, 2, 3], weights=[8, 2, 1])[0]
                self.buffer.append(
                    (
                        self._entry(
                            EntryKind.CONTRIBUTION, on, meeting, woman, services.contribution_memo(shares)
                        ),
                        services.contribution_lines(self.cycle, woman.pk, shares),
                    )
                )
            elif self.rng.random() < 0.5:
                fine = self.cycle.fine_absence
                self.buffer.append(
                    (
                        self._entry(EntryKind.FINE, on, meeting, woman, services.fine_memo("absence")),
                        services.fine_lines(fine),
                    )
                )
        return meeting

    # --- the story ----------------------------------------------------------------------------
    def run(self) -> None:
        referrals = list(
            Referral.objects.filter(
                person__household_id__in=[w.household_id for w in self.women],
                issued_at__date__gte=self.start + timedelta(weeks=10),
                issued_at__date__lt=self.today,
            )
            .select_related("person")
            .order_by("issued_at")[:6]
        )
        by_household = {w.household_id: w for w in self.women}
        planned: dict[date, list[dict[str, Any]]] = {}
        for referral in referrals:
            on = referral.issued_at.date()
            planned.setdefault(on, []).append(
                {
                    "member": by_household[referral.person.household_id],
                    "referral": referral,
                    "purpose": "transport",
                    "amount": self.rng.choice([2500, 3000, 5000, 7500]),
                    "between": True,
                }
            )
        for _ in range(3):  # health loans without a Kènèya referral (medicines, delivery)
            on = self.start + timedelta(days=self.rng.randrange(80, self.weeks * 7 - 10))
            planned.setdefault(on, []).append(
                {
                    "member": self.rng.choice(self.women),
                    "referral": None,
                    "purpose": self.rng.choice(["medicines", "delivery", "consultation"]),
                    "amount": self.rng.choice([2000, 4000, 6000]),
                    "between": self.rng.random() < 0.5,
                }
            )
        business_weeks = {16, 30} if not self.share_out else {16, 44}
        for week in range(self.weeks):
            on = self.start + timedelta(weeks=week)
            for day in sorted(d for d in planned if on - timedelta(days=7) < d < on):
                for loan in planned.pop(day):
                    self._disburse(day, loan)
            meeting = self._meeting(week, on)  # its contributions wait in the buffer: repayments read no box
            services.ratify_loans(
                by=self.by, meeting=meeting, loans=list(queries.loans_to_ratify(self.group))
            )
            self._repayments(meeting, on)
            if on in planned:
                for loan in planned.pop(on):
                    self._disburse(on, {**loan, "between": False}, meeting)
            if week in business_weeks:
                member = self.rng.choice(self.women)
                savings = ledger.member_balances(self.group, [member.pk]).get(member.pk, {}).get("savings", 0)
                self._disburse(
                    on,
                    {
                        "member": member,
                        "referral": None,
                        "purpose": "business",
                        "kind": "business",
                        "amount": max(500, min(savings * 2, 10000) // 500 * 500),
                        "between": False,
                    },
                    meeting,
                )
            if self.share_out and week == SHARE_OUT_WEEK:
                self._share_out(meeting, on)
            if week == self.weeks - 1:
                self._last_meeting(meeting)
        self._flush()

    def _disburse(self, on: date, plan: dict[str, Any], meeting: Meeting | None = None) -> None:
        self._flush()
        try:
            loan, _created = services.disburse_loan(
                by=self.by,
                group=self.group,
                loan_id=_id("loan", self.group.pk, on, plan["member"].pk, plan["purpose"]),
                member=plan["member"],
                amount=plan["amount"],
                purpose=plan["purpose"],
                kind=plan.get("kind", "health"),
                disbursed_on=on,
                between_meetings=plan["between"],
                referral=plan["referral"],
                meeting=meeting,
                disbursement="facility" if plan["purpose"] == "delivery" else "cash",
                receipt_number=f"R{on:%y%m%d}-{self.rng.randrange(100, 999)}"
                if plan["purpose"] == "delivery"
                else "",
            )
        except services.Refused:
            return  # not enough in the box that week: the group said no
        self.loans += 1
        owed = loan.amount + loan.interest
        weeks = self.rng.choice([3, 4, 5])
        # About one loan in six stops being repaid halfway (late); the rest are repaid in full.
        stop = weeks // 2 if self.rng.random() < 0.17 else weeks + 1
        self.repaying[loan.pk] = (loan, max(1, -(-owed // weeks)), stop, owed)

    def _repayments(self, meeting: Meeting, on: date) -> None:
        for loan_id, (loan, instalment, left, owed) in list(self.repaying.items()):
            if loan.disbursed_on >= on:
                continue
            if owed <= 0:
                del self.repaying[loan_id]
                continue
            if left <= 0:
                if self.write_off and not self.wrote_off and on - loan.due_on > timedelta(weeks=6):
                    services.write_off_loan(
                        by=self.by,
                        loan=loan,
                        on=on,
                        reason="Décision du groupe : la membre a quitté Bamako",
                        meeting=meeting,
                    )
                    self.wrote_off = True
                    del self.repaying[loan_id]
                continue
            amount = min(instalment, owed)
            services.record_repayment(
                by=self.by,
                loan=loan,
                repayment_id=_id("repayment", loan_id, on),
                amount=amount,
                paid_on=on,
                meeting=meeting,
            )
            self.repaying[loan_id] = (loan, instalment, left - 1, owed - amount)

    def _share_out(self, meeting: Meeting, on: date) -> None:
        self._flush()
        services.post_share_out(by=self.by, cycle=self.cycle, on=on, approved=True, meeting=meeting)
        self.share_outs += 1
        self.repaying.clear()  # the share-out settled what was still owed
        self.cycle = services.open_cycle(
            by=self.admin, group=self.group, opened_on=on + timedelta(days=1), **self.constitution
        )

    def _last_meeting(self, meeting: Meeting) -> None:
        """Today's meeting: the cash counted (one box short, with its reason) and the receipts."""
        self._flush()
        for box, short in (("business", 0), ("health", 100)):
            expected = queries.box_cash(self.group, box)
            CashCount.objects.create(
                meeting=meeting,
                box=box,
                expected=expected,
                counted=max(0, expected - short),
                reason="Pièce de 100 F perdue" if short and expected else "",
            )
        paid: dict[str, int] = {}
        rows = Posting.objects.filter(entry__meeting=meeting, account="savings").values_list(
            "member_id", "amount"
        )
        for member_id, amount in rows:
            paid[str(member_id)] = paid.get(str(member_id), 0) - amount
        services.queue_receipts(self.group, meeting, paid)


def delete_financing(*, quartier_ids: Sequence[Any]) -> dict[str, int]:
    """Remove the demo's savings groups and their ledger (raw DELETEs: the ledger refuses the
    ORM's; on PostgreSQL the purge flag lets its triggers through, decision 0012)."""
    groups = SavingsGroup.objects.filter(quartier_id__in=list(quartier_ids))
    if not groups.exists():
        return {}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL keneya.ledger_purge = 'on'")
    counts: dict[str, int] = {}
    group_ids = list(groups.values_list("pk", flat=True))

    def raw(queryset: Any) -> int:
        return int(queryset._raw_delete(queryset.db))

    OutboxMessage.objects.filter(dedup_key__startswith="financing:").delete()
    raw(CashCount.objects.filter(meeting__group_id__in=group_ids))
    raw(Meeting.present.through.objects.filter(meeting__group_id__in=group_ids))
    raw(LoanEvent.objects.filter(loan__group_id__in=group_ids))
    counts["postings"] = raw(Posting.objects.filter(group_id__in=group_ids))
    raw(JournalEntry.objects.filter(group_id__in=group_ids))
    counts["loans"] = raw(Loan.objects.filter(group_id__in=group_ids))
    raw(Meeting.objects.filter(group_id__in=group_ids))
    raw(Cycle.objects.filter(group_id__in=group_ids))
    raw(Membership.objects.filter(group_id__in=group_ids))
    raw(GroupOfficer.objects.filter(group_id__in=group_ids))
    counts["groups"] = raw(SavingsGroup.objects.filter(pk__in=group_ids))
    return counts
