"""The shared medical record, first piece: consultations with vitals and ICD-10 diagnoses.

Built to grow into the full record (prescriptions, lab results, problem list, documents):
every clinical fact hangs off a ``Consultation`` of a ``Person`` at a ``Facility``. Reading a
person's record writes a ``RecordAccess`` row (who, when, why).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from keneya.core.ids import uuid7


class Consultation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="consultations")
    facility = models.ForeignKey("core.Facility", on_delete=models.PROTECT, related_name="consultations")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consultations"
    )
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, null=True, blank=True, related_name="consultations"
    )
    consulted_at = models.DateTimeField(_("date de consultation"))
    complaint = models.TextField(_("motif de consultation"), blank=True)
    examination = models.TextField(_("examen clinique"), blank=True)
    treatment = models.TextField(_("traitement"), blank=True)
    follow_up_date = models.DateField(_("revoir le"), null=True, blank=True)
    # Vitals (units in the names). All optional: a clinician records what was measured.
    temperature_c = models.DecimalField(
        _("température (°C)"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    weight_kg = models.DecimalField(_("poids (kg)"), max_digits=5, decimal_places=2, null=True, blank=True)
    height_cm = models.DecimalField(_("taille (cm)"), max_digits=4, decimal_places=1, null=True, blank=True)
    respiratory_rate = models.PositiveSmallIntegerField(
        _("fréquence respiratoire (/min)"), null=True, blank=True
    )
    heart_rate = models.PositiveSmallIntegerField(_("pouls (/min)"), null=True, blank=True)
    systolic_bp = models.PositiveSmallIntegerField(_("TA systolique (mmHg)"), null=True, blank=True)
    diastolic_bp = models.PositiveSmallIntegerField(_("TA diastolique (mmHg)"), null=True, blank=True)
    spo2 = models.PositiveSmallIntegerField(_("SpO2 (%)"), null=True, blank=True)
    muac_mm = models.PositiveSmallIntegerField(_("PB (mm)"), null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-consulted_at"]
        indexes = [models.Index(fields=["person", "-consulted_at"])]

    def __str__(self) -> str:
        return f"{self.person_id} {self.consulted_at:%Y-%m-%d}"


class Diagnosis(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.PROTECT, related_name="diagnoses")
    icd10_code = models.CharField(_("code CIM-10"), max_length=8)
    label = models.CharField(_("libellé"), max_length=200)

    class Meta:
        verbose_name = _("diagnostic")
        verbose_name_plural = _("diagnostics")

    def __str__(self) -> str:
        return f"{self.icd10_code} {self.label}"


class RecordAccess(models.Model):
    """Who opened which person's medical record, and when. Append-only."""

    id = models.BigAutoField(primary_key=True)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="record_accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    context = models.CharField(max_length=60)  # e.g. "patient_page", "api"

    class Meta:
        indexes = [models.Index(fields=["person", "-at"])]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.person_id} ({self.context})"
