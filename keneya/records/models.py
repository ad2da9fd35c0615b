"""The shared medical record, first piece: consultations with vitals and ICD-10 diagnoses.

Built to grow into the full record (prescriptions, lab results, problem list, documents):
every clinical fact hangs off a ``Consultation`` of a ``Person`` at a ``Facility``. Reading a
person's record writes a ``RecordAccess`` row (who, when, why).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
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
    """Who read which person's data, when, through which page or endpoint (``action``), and why
    when a reason was given. Append-only: written by ``records.access`` (one row per person
    read, one row without a person for a list or a search), never updated or deleted.
    """

    id = models.BigAutoField(primary_key=True)
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="record_accesses"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=60)  # e.g. "patient_page", "person_api", "person_list_api"
    reason = models.CharField(max_length=300, blank=True)
    grant = models.ForeignKey(
        "BreakGlassGrant", on_delete=models.PROTECT, null=True, blank=True, related_name="accesses"
    )

    class Meta:
        indexes = [models.Index(fields=["person", "-at"])]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.person_id} ({self.action})"

    @property
    def break_glass(self) -> bool:
        return self.grant_id is not None


class BreakGlassGrant(models.Model):
    """A clinician opened a record outside their scope, giving a reason ("bris de glace").

    While ``expires_at`` is ahead, ``accounts.scope.person_filter`` lets that user read that
    person (the SQL compares with the database clock each time it runs). Append-only.
    """

    id = models.BigAutoField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("motif"), max_length=300)
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["person", "user", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.person_id} until {self.expires_at:%Y-%m-%d %H:%M}"


class Anonymisation(models.Model):
    """A person's personal data was removed at their request (``records.privacy``). The row
    keeps who did it, when and why, and what was changed (counts only). Irreversible."""

    person = models.OneToOneField("people.Person", on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(_("motif"), max_length=300)
    summary = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"{self.person_id} ({self.at:%Y-%m-%d})"


class ProblemStatus(models.TextChoices):
    ACTIVE = "active", _("actif")
    RESOLVED = "resolved", _("résolu")


class Problem(models.Model):
    """One entry of a person's problem list: an ICD-10 coded condition (HTA, diabetes, sickle
    cell...), its onset, its status, who recorded it where and when.

    Append-only, like ``visits.Observation``: a correction or a change of status (resolved)
    voids the row and writes its replacement (``replaces``); a row entered in error is voided
    with a reason. The list is the rows not voided.
    """

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="problems")
    icd10_code = models.CharField(_("code CIM-10"), max_length=8)
    label = models.CharField(_("libellé"), max_length=200)
    onset = models.DateField(_("début"), null=True, blank=True)
    status = models.CharField(
        _("statut"), max_length=10, choices=ProblemStatus.choices, default=ProblemStatus.ACTIVE
    )
    resolved_on = models.DateField(_("résolu le"), null=True, blank=True)
    note = models.CharField(_("remarque"), max_length=300, blank=True)
    # The consultation whose diagnosis was added to the list, when it was.
    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    facility = models.ForeignKey("core.Facility", on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    void_reason = models.CharField(_("motif d'annulation"), max_length=300, blank=True)
    replaces = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )

    class Meta:
        verbose_name = _("problème")
        verbose_name_plural = _("problèmes")
        indexes = [models.Index(fields=["person", "-recorded_at"])]

    def __str__(self) -> str:
        return f"{self.icd10_code} {self.label} ({self.status})"

    @property
    def voided(self) -> bool:
        return self.voided_at is not None


class DocumentKind(models.TextChoices):
    OUTSIDE_RESULT = "outside_result", _("Résultat d'examen extérieur")
    DISCHARGE_LETTER = "discharge_letter", _("Lettre de sortie d'hospitalisation")
    OLD_FILE = "old_file", _("Ancien dossier papier")
    LETTER = "letter", _("Courrier médical")
    OTHER = "other", _("Autre document")


class RecordDocument(models.Model):
    """A scan or photo attached to a person's record (an outside result, a discharge letter, an
    old paper file): image or PDF, checked and stripped of its EXIF by ``keneya.core.uploads``,
    kept through Django's storage API (never a public URL: ``records.views.document_file``).
    Voided with a reason, never deleted."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="record_documents")
    kind = models.CharField(_("type de document"), max_length=20, choices=DocumentKind.choices)
    title = models.CharField(_("titre"), max_length=200)
    document_date = models.DateField(_("date du document"), null=True, blank=True)
    file = models.FileField(_("fichier"), upload_to="records/documents/%Y/%m/")
    thumbnail = models.FileField(upload_to="records/thumbnails/%Y/%m/", blank=True)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    facility = models.ForeignKey("core.Facility", on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    void_reason = models.CharField(_("motif d'annulation"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("document du dossier")
        verbose_name_plural = _("documents du dossier")
        indexes = [models.Index(fields=["person", "-uploaded_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.title}"
