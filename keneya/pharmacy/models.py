"""Allergies and intolerances, prescriptions (ordonnances) and their items.

- ``Allergy``: a recorded fact about a person: a substance (a catalogue medicine code, a class
  or free text, resolved by ``keneya.clinical.medicines.resolve_substance``), the reaction, its
  severity and status; or "no known allergy" (``no_known_allergy``), a fact distinct from "never
  asked" (no row). Append-only: a correction voids the row and adds its replacement.
- ``Prescription``: an ordonnance by a prescriber at a facility, optionally of a consultation,
  shaped like OpenMRS's ``DrugOrder`` / FHIR ``MedicationRequest``. The checks made at prescribing
  (allergy, coverage, dose) are stored with it (``warnings``), with the override reason, and the
  coverage and weight it was written with (the printed ordonnance shows them as they were).
- ``PrescriptionItem``: one medicine line; active until ``ends_on`` unless stopped with a reason
  (the current medications are derived from the items, never typed twice).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from keneya.core.ids import uuid7


class Severity(models.TextChoices):
    MILD = "mild", _("légère")
    MODERATE = "moderate", _("modérée")
    SEVERE = "severe", _("sévère")
    UNKNOWN = "unknown", _("non précisée")


class AllergyStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    SUSPECTED = "suspected", _("suspectée")
    RESOLVED = "resolved", _("résolue")


class AllergyKind(models.TextChoices):
    ALLERGY = "allergy", _("allergie")
    INTOLERANCE = "intolerance", _("intolérance")


class Allergy(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)  # the client's id
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="allergies")
    no_known_allergy = models.BooleanField(_("aucune allergie connue"), default=False)
    kind = models.CharField(
        _("type"), max_length=12, choices=AllergyKind.choices, default=AllergyKind.ALLERGY
    )
    # What the clinician gave: a catalogue code, a class code or words; and how it resolved.
    substance = models.CharField(_("substance"), max_length=120, blank=True)
    substance_code = models.CharField(_("médicament du catalogue"), max_length=80, blank=True)
    substance_class = models.CharField(_("classe"), max_length=40, blank=True)
    substance_label = models.CharField(_("libellé"), max_length=160, blank=True)
    reaction = models.CharField(_("réaction"), max_length=300, blank=True)
    severity = models.CharField(
        _("sévérité"), max_length=10, choices=Severity.choices, default=Severity.UNKNOWN
    )
    status = models.CharField(
        _("statut"), max_length=10, choices=AllergyStatus.choices, default=AllergyStatus.ACTIVE
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    facility = models.ForeignKey(
        "core.Facility", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("enregistrée le"))
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    void_reason = models.CharField(_("motif d'annulation"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("allergie")
        verbose_name_plural = _("allergies")
        indexes = [models.Index(fields=["person", "-recorded_at"], name="allergy_person_recent")]
        constraints = [
            # "No known allergy" names no substance; an allergy names one.
            models.CheckConstraint(
                condition=Q(no_known_allergy=True, substance="")
                | Q(no_known_allergy=False) & ~Q(substance=""),
                name="allergy_substance_unless_none_known",
            ),
            # A voided fact says who voided it and why.
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True) | (Q(voided_by__isnull=False) & ~Q(void_reason="")),
                name="allergy_void_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.no_known_allergy:
            return "Aucune allergie connue"
        text = self.substance_label or self.substance
        details = [self.get_severity_display() if self.severity != Severity.UNKNOWN else "", self.reaction]
        extra = " ; ".join(str(d) for d in details if d)
        prefix = "Intolérance" if self.kind == AllergyKind.INTOLERANCE else "Allergie"
        return f"{prefix} : {text}" + (f" ({extra})" if extra else "")


class Prescription(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)  # the client's id
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="prescriptions")
    facility = models.ForeignKey("core.Facility", on_delete=models.PROTECT, related_name="prescriptions")
    prescriber = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    consultation = models.ForeignKey(
        "records.Consultation", on_delete=models.PROTECT, null=True, blank=True, related_name="prescriptions"
    )
    prescribed_at = models.DateTimeField(_("prescrite le"))
    catalogue_version = models.CharField(max_length=20)
    # The checks made at prescribing: [{"code", "item", "medicine", "message", "blocking", ...}].
    warnings = models.JSONField(default=list, blank=True)
    blocking_overridden = models.BooleanField(default=False)  # a blocking warning was overridden
    override_reason = models.CharField(_("motif du passage outre"), max_length=300, blank=True)
    # As prescribed: the patient's age and weight, and their coverage ([{"scheme", "status", "card_number"}]).
    age_months = models.PositiveIntegerField(null=True, blank=True)
    weight_kg = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    coverage = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("ordonnance")
        verbose_name_plural = _("ordonnances")
        indexes = [models.Index(fields=["person", "-prescribed_at"], name="prescription_person_recent")]
        constraints = [
            # A blocking allergy warning is stored only with the reason it was overridden.
            models.CheckConstraint(
                condition=Q(blocking_overridden=False) | ~Q(override_reason=""),
                name="prescription_override_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"ORD-{self.prescribed_at:%Y%m%d}-{self.pk.hex[:6].upper()}"


class PrescriptionItem(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    prescription = models.ForeignKey(Prescription, on_delete=models.PROTECT, related_name="items")
    position = models.PositiveSmallIntegerField()
    medicine_code = models.CharField(_("médicament"), max_length=80)
    medicine_label = models.CharField(max_length=200)
    dci = models.CharField(_("DCI"), max_length=160)
    generic = models.BooleanField(default=True)
    dose = models.DecimalField(_("dose"), max_digits=8, decimal_places=2)
    dose_unit = models.CharField(_("unité"), max_length=20)
    frequency = models.CharField(_("fréquence"), max_length=12)
    route = models.CharField(_("voie"), max_length=30)
    duration_days = models.PositiveIntegerField(_("durée (jours)"))
    quantity = models.DecimalField(_("quantité à délivrer"), max_digits=8, decimal_places=2)
    instructions = models.CharField(_("consignes"), max_length=300, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    stopped_at = models.DateTimeField(null=True, blank=True)
    stopped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    stop_reason = models.CharField(_("motif d'arrêt"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("ligne d'ordonnance")
        verbose_name_plural = _("lignes d'ordonnance")
        ordering = ["prescription", "position"]
        constraints = [
            models.UniqueConstraint(fields=["prescription", "position"], name="prescription_item_position"),
            models.CheckConstraint(condition=Q(dose__gt=0), name="prescription_item_dose_positive"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="prescription_item_ends"
            ),
            # A stop says who and why.
            models.CheckConstraint(
                condition=Q(stopped_at__isnull=True) | (Q(stopped_by__isnull=False) & ~Q(stop_reason="")),
                name="prescription_item_stop_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["medicine_code"], name="prescription_item_medicine")]

    def __str__(self) -> str:
        return f"{self.medicine_label} ({self.prescription_id})"
