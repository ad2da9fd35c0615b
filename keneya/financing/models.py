"""Savings groups, their cycles and constitutions, meetings, health loans and the ledger.

The money is only in the ledger (``JournalEntry`` and its ``Posting`` rows, integer F CFA,
append-only): a box's cash, a member's savings and a loan's outstanding amount are sums of
postings (``ledger.balance``), never stored columns. The zero-sum rule of an entry is checked
by the service and by the database (decision 0016, ``migrations/0002_ledger_triggers``).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from keneya.core.ids import uuid7


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Chaque semaine")
    FORTNIGHTLY = "fortnightly", _("Toutes les deux semaines")
    MONTHLY = "monthly", _("Chaque mois")


FREQUENCY_DAYS = {Frequency.WEEKLY: 7, Frequency.FORTNIGHTLY: 14, Frequency.MONTHLY: 30}


class GroupKind(models.TextChoices):
    SAVINGS = "savings", _("Tontine (groupe d'épargne)")
    SHARE = "share", _("Groupe SHARE (femmes enceintes)")


class SavingsGroup(models.Model):
    """A women's savings group (tontine) of a quartier, with a business box and a health box."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("nom"), max_length=120)
    kind = models.CharField(_("type"), max_length=10, choices=GroupKind.choices, default=GroupKind.SAVINGS)
    quartier = models.ForeignKey(
        "core.Area", verbose_name=_("quartier"), on_delete=models.PROTECT, related_name="savings_groups"
    )
    meeting_weekday = models.PositiveSmallIntegerField(_("jour de réunion (0 = lundi)"), default=0)
    frequency = models.CharField(
        _("fréquence"), max_length=12, choices=Frequency.choices, default=Frequency.WEEKLY
    )
    facilitator = models.ForeignKey(
        "accounts.User",
        verbose_name=_("animatrice / animateur"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="facilitated_groups",
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("groupe d'épargne")
        verbose_name_plural = _("groupes d'épargne")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Office(models.TextChoices):
    PRESIDENT = "president", _("Présidente")
    TREASURER = "treasurer", _("Trésorière")
    BOX_KEEPER_HEALTH = "box_keeper_health", _("Gardienne de la caisse santé")
    BOX_KEEPER_BUSINESS = "box_keeper_business", _("Gardienne de la caisse commerce")
    KEY_HOLDER = "key_holder", _("Détentrice de clé")


# The offices whose holder sees and records the group's money (with the facilitator).
MONEY_OFFICES = (Office.TREASURER, Office.BOX_KEEPER_HEALTH, Office.BOX_KEEPER_BUSINESS)


class GroupOfficer(models.Model):
    """An office of a group, held by a member (``person``) and, when she logs in, by a user."""

    group = models.ForeignKey(SavingsGroup, on_delete=models.PROTECT, related_name="officers")
    office = models.CharField(_("fonction"), max_length=24, choices=Office.choices)
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="group_offices"
    )
    user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="group_offices"
    )
    since = models.DateField(_("depuis"))
    until = models.DateField(_("jusqu'au"), null=True, blank=True)

    class Meta:
        verbose_name = _("fonction dans le groupe")
        indexes = [models.Index(fields=["user", "group"], name="fin_officer_user_group")]

    def __str__(self) -> str:
        return f"{self.get_office_display()} ({self.group_id})"


class Membership(models.Model):
    """A registry person's membership of a group, from ``joined_on`` to ``left_on``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    group = models.ForeignKey(SavingsGroup, on_delete=models.PROTECT, related_name="memberships")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="memberships")
    phone = models.CharField(_("téléphone pour les reçus"), max_length=20, blank=True)
    joined_on = models.DateField(_("entrée le"))
    left_on = models.DateField(_("sortie le"), null=True, blank=True)

    class Meta:
        verbose_name = _("membre")
        constraints = [
            # A person is a current member of a group once (she may leave and join again).
            models.UniqueConstraint(
                fields=["group", "person"],
                condition=models.Q(left_on__isnull=True),
                name="fin_one_current_membership",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.group_id}"


class Approval(models.TextChoices):
    GROUP = "group", _("Le groupe, en réunion")
    PRESIDENT = "president", _("La présidente")
    COMMITTEE = "committee", _("Le bureau (présidente et trésorière)")


class Cycle(models.Model):
    """A cycle of the group (usually a year): it opens with its constitution, ends with a share-out.

    The constitution is the cycle's columns: fixed when the cycle opens, never edited after."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    group = models.ForeignKey(SavingsGroup, on_delete=models.PROTECT, related_name="cycles")
    number = models.PositiveSmallIntegerField(_("numéro"))
    opened_on = models.DateField(_("ouvert le"))
    closed_on = models.DateField(_("clôturé le"), null=True, blank=True)
    # The constitution (integer F CFA).
    contribution = models.PositiveIntegerField(_("cotisation par réunion"))
    health_part = models.PositiveIntegerField(_("part de la cotisation pour la caisse santé"))
    social_part = models.PositiveIntegerField(_("part pour la caisse sociale"), default=0)
    max_shares = models.PositiveSmallIntegerField(_("parts au plus par réunion"), default=1)
    fine_absence = models.PositiveIntegerField(_("amende pour absence"), default=0)
    fine_late = models.PositiveIntegerField(_("amende pour retard"), default=0)
    health_loan_max = models.PositiveIntegerField(_("prêt santé au plus"))
    emergency_loan_max = models.PositiveIntegerField(_("prêt santé entre réunions au plus"))
    loan_multiple_of_savings = models.PositiveSmallIntegerField(
        _("prêt commerce au plus (multiple de l'épargne)"), default=3
    )
    loan_duration_weeks = models.PositiveSmallIntegerField(_("durée d'un prêt (semaines)"), default=12)
    business_interest_percent = models.PositiveSmallIntegerField(
        _("intérêt d'un prêt commerce (% du montant)"), default=10
    )
    approval = models.CharField(
        _("qui approuve les prêts"), max_length=10, choices=Approval.choices, default=Approval.GROUP
    )

    class Meta:
        verbose_name = _("cycle")
        constraints = [
            models.UniqueConstraint(fields=["group", "number"], name="fin_cycle_number"),
            # One open cycle per group.
            models.UniqueConstraint(
                fields=["group"], condition=models.Q(closed_on__isnull=True), name="fin_one_open_cycle"
            ),
            # The boxes' parts come out of the contribution.
            models.CheckConstraint(
                condition=models.Q(health_part__lte=models.F("contribution") - models.F("social_part")),
                name="fin_parts_within_contribution",
            ),
            models.CheckConstraint(
                condition=models.Q(emergency_loan_max__lte=models.F("health_loan_max")),
                name="fin_emergency_within_health_max",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group_id} #{self.number}"


class Meeting(models.Model):
    """A meeting of the group (its sheet: attendance, money, cash count)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    group = models.ForeignKey(SavingsGroup, on_delete=models.PROTECT, related_name="meetings")
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="meetings")
    held_on = models.DateField(_("tenue le"))
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    present = models.ManyToManyField("people.Person", related_name="+", blank=True)

    class Meta:
        verbose_name = _("réunion")
        constraints = [
            # One sheet per group and day: a second tablet's sheet is a conflict, not a second meeting.
            models.UniqueConstraint(fields=["group", "held_on"], name="fin_one_meeting_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.group_id} {self.held_on}"


class Box(models.TextChoices):
    BUSINESS = "business", _("Caisse commerce")
    HEALTH = "health", _("Caisse santé")


class CashCount(models.Model):
    """A box's cash counted at the end of a meeting, against what the ledger expects."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="cash_counts")
    box = models.CharField(max_length=10, choices=Box.choices)
    expected = models.IntegerField(_("attendu"))
    counted = models.IntegerField(_("compté"))
    reason = models.CharField(_("raison de l'écart"), max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "box"], name="fin_one_count_per_box")]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.box}"


class LoanKind(models.TextChoices):
    HEALTH = "health", _("Prêt santé")
    BUSINESS = "business", _("Prêt commerce")


class Purpose(models.TextChoices):
    CONSULTATION = "consultation", _("Consultation")
    MEDICINES = "medicines", _("Médicaments")
    DELIVERY = "delivery", _("Accouchement")
    TRANSPORT = "transport", _("Transport au CSCom ou au CSRef")
    BUSINESS = "business", _("Activité commerciale")
    OTHER = "other", _("Autre")


class Disbursement(models.TextChoices):
    CASH = "cash", _("En espèces à la membre")
    FACILITY = "facility", _("Payé directement au CSCom")


class Loan(models.Model):
    """A loan to a member; its outstanding amount is the ledger's (``ledger.loan_outstanding``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    group = models.ForeignKey(SavingsGroup, on_delete=models.PROTECT, related_name="loans")
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="loans")
    member = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="group_loans")
    beneficiary = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="financed_care"
    )
    kind = models.CharField(max_length=10, choices=LoanKind.choices, default=LoanKind.HEALTH)
    purpose = models.CharField(_("besoin"), max_length=14, choices=Purpose.choices)
    amount = models.PositiveIntegerField(_("montant"))
    interest = models.PositiveIntegerField(_("intérêt"), default=0)
    referral = models.ForeignKey(
        "referrals.Referral", null=True, blank=True, on_delete=models.PROTECT, related_name="loans"
    )
    consultation = models.ForeignKey(
        "records.Consultation", null=True, blank=True, on_delete=models.PROTECT, related_name="loans"
    )
    disbursed_on = models.DateField(_("décaissé le"))
    between_meetings = models.BooleanField(_("entre deux réunions"), default=False)
    disbursement = models.CharField(max_length=10, choices=Disbursement.choices, default=Disbursement.CASH)
    receipt_number = models.CharField(_("n° de reçu du CSCom"), max_length=40, blank=True)
    due_on = models.DateField(_("à rembourser avant le"))
    ratified_in = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="ratified_loans"
    )
    issued_in = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="issued_loans"
    )
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("prêt")
        constraints = [
            # Interest on business loans only: a health loan is interest-free.
            models.CheckConstraint(
                condition=~models.Q(kind="health") | models.Q(interest=0), name="fin_health_loan_no_interest"
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="fin_loan_amount_positive"),
        ]
        indexes = [models.Index(fields=["group", "disbursed_on"], name="fin_loan_group_date")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"

    @property
    def box(self) -> str:
        return Box.HEALTH if self.kind == LoanKind.HEALTH else Box.BUSINESS


class LoanEvent(models.Model):
    """The loan's timeline: disbursed, ratified, repaid, late, rescheduled, written off."""

    id = models.BigAutoField(primary_key=True)
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20)
    at = models.DateTimeField()
    by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    data = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"{self.loan_id} {self.kind}"


# --- The ledger -------------------------------------------------------------------------------
class Account(models.TextChoices):
    """The accounts of a group. Debit positive: assets (cash, loans) and losses carry positive
    balances; members' savings, the social fund and income carry negative ones."""

    CASH_BUSINESS = "cash_business", _("Caisse commerce")
    CASH_HEALTH = "cash_health", _("Caisse santé")
    SAVINGS = "savings", _("Épargne des membres")
    LOANS = "loans", _("Prêts à recevoir")
    FINES = "fines", _("Amendes")
    SOCIAL_FUND = "social_fund", _("Caisse sociale")
    INTEREST = "interest", _("Intérêts")
    WRITE_OFFS = "write_offs", _("Pertes sur prêts")


CASH_ACCOUNT: dict[str, str] = {Box.BUSINESS: Account.CASH_BUSINESS, Box.HEALTH: Account.CASH_HEALTH}


class EntryKind(models.TextChoices):
    CONTRIBUTION = "contribution", _("Cotisation")
    FINE = "fine", _("Amende")
    LOAN = "loan", _("Prêt décaissé")
    REPAYMENT = "repayment", _("Remboursement")
    WRITE_OFF = "write_off", _("Prêt passé en perte")
    RESCHEDULE = "reschedule", _("Prêt rééchelonné")
    SHARE_OUT = "share_out", _("Partage de fin de cycle")
    VOID = "void", _("Annulation")


class LedgerGuard(models.QuerySet):
    """Ledger rows are never updated nor deleted through the ORM (the database refuses it too)."""

    def update(self, **kwargs: Any) -> int:
        raise TypeError("The ledger is append-only: void the entry instead.")

    def delete(self) -> Any:
        raise TypeError("The ledger is append-only: void the entry instead.")


class JournalEntry(models.Model):
    """One event of the group's money; its postings sum to zero. Never edited: a correction is an
    entry that ``voids`` it (its postings negated) and a new one."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    group = models.ForeignKey(SavingsGroup, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=14, choices=EntryKind.choices)
    date = models.DateField(_("date"))
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    loan = models.ForeignKey(Loan, null=True, blank=True, on_delete=models.PROTECT, related_name="entries")
    member = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    memo = models.CharField(_("libellé"), max_length=200, blank=True)
    voids = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="voided_by"
    )

    objects = LedgerGuard.as_manager()

    class Meta:
        verbose_name = _("écriture")
        indexes = [
            models.Index(fields=["group", "date"], name="fin_entry_group_date"),
            models.Index(fields=["loan"], name="fin_entry_loan"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.date}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("The ledger is append-only: void the entry instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("The ledger is append-only: void the entry instead.")


class Posting(models.Model):
    """A signed amount (integer F CFA) on one account of the entry's group, for a member or a loan."""

    id = models.BigAutoField(primary_key=True)
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="postings")
    group = models.ForeignKey(SavingsGroup, on_delete=models.PROTECT, related_name="+")
    account = models.CharField(max_length=14, choices=Account.choices)
    member = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    loan = models.ForeignKey(Loan, null=True, blank=True, on_delete=models.PROTECT, related_name="postings")
    amount = models.BigIntegerField()

    objects = LedgerGuard.as_manager()

    class Meta:
        verbose_name = _("mouvement")
        constraints = [models.CheckConstraint(condition=~models.Q(amount=0), name="fin_posting_not_zero")]
        indexes = [
            # A group's balances and a member's statement.
            models.Index(fields=["group", "account", "member"], name="fin_posting_balance"),
            models.Index(fields=["loan"], name="fin_posting_loan"),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.amount}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("Postings are written with their entry (ledger.post).")

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("The ledger is append-only: void the entry instead.")


class SheetConflict(models.Model):
    """A second sheet for a meeting already recorded (two tablets): kept aside, nothing of it
    paid, until the facilitator settles it (keep the stored sheet, or replace it: the stored
    entries voided and the incoming ones posted)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="conflicts")
    sheet = models.JSONField(_("feuille reçue"))
    pushed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kept = models.CharField(_("feuille retenue"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("conflit de feuille de réunion")

    def __str__(self) -> str:
        return f"{self.meeting_id} ({self.created_at:%Y-%m-%d})"
