"""Social protection: scorecard versions, screenings, dossiers per scheme, their documents,
events, appointments and mutuelle contributions.

Screenings and contributions are append-only facts (a later screening supersedes an earlier
one; a payment is corrected by a voiding row). A dossier's steps are written by the services,
each with an event (the timeline); the rules of each scheme are data (``keneya.social_rules``).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from keneya.core.ids import uuid7


class Scheme(models.TextChoices):
    RAMED = "ramed", _("RAMED")
    MUTUELLE = "mutuelle", _("Mutuelle (UTM)")
    AMO = "amo", _("AMO")
    RAMU = "ramu", _("RAMU")


# A dossier stays open until one of these (clinical-rules.md §5; the catalogue marks them final).
FINAL_STATUSES = ("card_issued", "refused", "closed")


class ScorecardVersion(models.Model):
    """One version of a vulnerability grid (``keneya.social_rules.scorecard``), as loaded."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    code = models.CharField(_("code"), max_length=60)
    version = models.CharField(_("version"), max_length=40)
    title = models.CharField(_("titre"), max_length=200)
    effective_date = models.DateField(_("date d'effet"))
    source = models.TextField(_("source"))
    illustrative = models.BooleanField(_("grille de démonstration"), default=False)
    definition = models.JSONField(_("définition"))
    active = models.BooleanField(_("active"), default=False)
    loaded_at = models.DateTimeField(_("chargée le"), auto_now_add=True)
    activated_at = models.DateTimeField(_("activée le"), null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("version de grille de vulnérabilité")
        verbose_name_plural = _("versions de grille de vulnérabilité")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="scorecard_code_version_unique"),
            # One grid scores new screenings at a time.
            models.UniqueConstraint(fields=["active"], condition=Q(active=True), name="one_active_scorecard"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.version})"


class Screening(models.Model):
    """A household screened at the door (append-only; the latest one counts)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)  # the tablet's id
    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="screenings")
    scorecard = models.ForeignKey(ScorecardVersion, on_delete=models.PROTECT, related_name="screenings")
    screened_on = models.DateField(_("dépisté le"))
    answers = models.JSONField(_("réponses"))
    admis_de_droit = models.CharField(_("admis de droit"), max_length=40, blank=True)
    score = models.IntegerField(_("score"))
    band = models.CharField(_("tranche"), max_length=40)
    breakdown = models.JSONField(_("détail par indicateur"))
    screened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("enregistré le"), auto_now_add=True)
    rescored_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="rescorings"
    )
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    validated_at = models.DateTimeField(_("validé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("dépistage")
        verbose_name_plural = _("dépistages")
        indexes = [
            models.Index(fields=["household", "-screened_on"], name="screening_latest_by_household"),
            # The social worker's "Dépistages à valider" and "dossier à ouvrir", newest first: the
            # first rows of an index, not a sort of every screening (docs/benchmarks.md).
            models.Index(
                fields=["-screened_on", "-recorded_at"],
                name="screening_to_validate",
                condition=Q(validated_at__isnull=True),
            ),
            models.Index(
                fields=["-validated_at"],
                name="screening_validated",
                condition=Q(validated_at__isnull=False, rescored_from__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.screened_on} {self.band}"


class Dossier(models.Model):
    """One household's file for one scheme, covering the members it enrols."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    reference = models.CharField(_("référence"), max_length=24, unique=True)
    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="dossiers")
    scheme = models.CharField(_("régime"), max_length=20, choices=Scheme.choices)
    status = models.CharField(_("étape"), max_length=40)
    status_since = models.DateField(_("à cette étape depuis"))
    screening = models.ForeignKey(
        Screening, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    social_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(_("ouvert le"), auto_now_add=True)
    card_number = models.CharField(_("n° de carte"), max_length=40, blank=True)
    valid_from = models.DateField(_("valable du"), null=True, blank=True)
    valid_until = models.DateField(_("valable jusqu'au"), null=True, blank=True)
    renewal_of = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("dossier de protection sociale")
        verbose_name_plural = _("dossiers de protection sociale")
        constraints = [
            # One open dossier per household and scheme (a second one is a 409).
            models.UniqueConstraint(
                fields=["household", "scheme"],
                condition=~Q(status__in=FINAL_STATUSES),
                name="one_open_dossier_per_household_and_scheme",
            )
        ]
        indexes = [models.Index(fields=["status", "status_since"], name="dossier_by_step_and_age")]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status not in FINAL_STATUSES


class DossierMember(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="dossier_memberships")
    role = models.CharField(_("rôle"), max_length=30)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dossier", "person"], name="dossier_member_once")]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.person_id} ({self.role})"


class DocumentStatus(models.TextChoices):
    MISSING = "missing", _("Manquant")
    REQUESTED = "requested", _("Demandé")
    OBTAINED = "obtained", _("Obtenu")
    VERIFIED = "verified", _("Vérifié")


class DossierDocument(models.Model):
    """One required document of one member: its state, dates and substitute."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="documents")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("pièce"), max_length=40)
    status = models.CharField(
        _("état"), max_length=20, choices=DocumentStatus.choices, default=DocumentStatus.MISSING
    )
    issued_on = models.DateField(_("délivré le"), null=True, blank=True)
    expires_on = models.DateField(_("expire le"), null=True, blank=True)
    substitute = models.CharField(_("pièce de substitution"), max_length=40, blank=True)
    unavailable_reason = models.CharField(_("raison si impossible à fournir"), max_length=300, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("mis à jour le"), auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dossier", "person", "kind"], name="dossier_document_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.status})"


class DocumentFile(models.Model):
    """A scan or photo of a document (image or PDF), through Django's storage API."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    document = models.ForeignKey(DossierDocument, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("fichier"), upload_to="social/documents/%Y/%m/")
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.file.name or ""


class DossierEvent(models.Model):
    """The dossier's timeline: every step, document change, appointment and payment."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField()
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d}"


class AppointmentKind(models.TextChoices):
    SOCIAL_SURVEY = "social_survey", _("Enquête sociale (SLDS-ES)")
    ANAM_FILING = "anam_filing", _("Dépôt du dossier à l'ANAM")
    CARD_COLLECTION = "card_collection", _("Retrait de la carte")
    DOCUMENT_COLLECTION = "document_collection", _("Retrait d'une pièce")


class Appointment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="appointments")
    kind = models.CharField(_("rendez-vous"), max_length=30, choices=AppointmentKind.choices)
    on = models.DateField(_("le"))
    place = models.CharField(_("lieu"), max_length=120, blank=True)
    done_on = models.DateField(_("fait le"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.kind} {self.on}"


class ContributionKind(models.TextChoices):
    MEMBERSHIP_FEE = "membership_fee", _("Droit d'adhésion")
    MONTHLY = "monthly", _("Cotisation mensuelle")


class ContributionPayment(models.Model):
    """A mutuelle payment in integer F CFA, append-only: a correction voids and replaces."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(_("type"), max_length=20, choices=ContributionKind.choices)
    amount_xof = models.PositiveIntegerField(_("montant (F CFA)"))
    months = models.PositiveSmallIntegerField(_("mois couverts"), default=0)
    paid_on = models.DateField(_("payé le"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    voids = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="voided_by"
    )
    memo = models.CharField(_("motif"), max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} {self.amount_xof} F CFA {self.paid_on}"
