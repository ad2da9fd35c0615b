"""Point-of-care laboratory: a request (``LabOrder``) with its tests, and the results.

A request is made by a clinician (from a consultation or the patient page) or by the laboratory
itself for a walk-in, at a facility: the laboratory of that facility sees it in its pending list
and enters the results. A result is a fact: interpreted at once from the catalogue
(``keneya.clinical.lab``) and stored with its interpretation; a correction voids it and adds its
replacement (``replaces``), so the first value stays in the history. Every change of a request
is a ``LabOrderEvent`` (who, when).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from keneya.core.ids import uuid7


class OrderStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    COMPLETED = "completed", _("Résultats rendus")


class Interpretation(models.TextChoices):
    NORMAL = "normal", _("Normal")
    LOW = "low", _("Bas")
    HIGH = "high", _("Élevé")
    CRITICAL_LOW = "critical_low", _("Critique (bas)")
    CRITICAL_HIGH = "critical_high", _("Critique (élevé)")
    POSITIVE = "positive", _("Positif")
    NEGATIVE = "negative", _("Négatif")
    INVALID = "invalid", _("Invalide")
    RECORDED = "recorded", _("Noté")


class LabOrder(models.Model):
    # Client-suppliable (POST /api/v1/lab/orders/ with its "id"): the same id again is the same request.
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="lab_orders")
    facility = models.ForeignKey(
        "core.Facility", on_delete=models.PROTECT, related_name="lab_orders", verbose_name=_("laboratoire")
    )
    consultation = models.ForeignKey(
        "records.Consultation", on_delete=models.PROTECT, null=True, blank=True, related_name="lab_orders"
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("demandé le"))
    walk_in = models.BooleanField(_("sans prescription (au laboratoire)"), default=False)
    pregnant = models.BooleanField(_("grossesse en cours"), default=False)
    note = models.CharField(_("renseignements cliniques"), max_length=300, blank=True)
    status = models.CharField(
        _("statut"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.PENDING
    )
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("demande d'examens")
        verbose_name_plural = _("demandes d'examens")
        indexes = [
            # The laboratory's pending list: one facility's pending requests, oldest first.
            models.Index(fields=["facility", "status", "requested_at"], name="lab_order_pending_idx"),
            models.Index(fields=["person", "-requested_at"], name="lab_order_person_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.requested_at:%Y-%m-%d}"


class LabOrderTest(models.Model):
    """A test requested in an order (the clinician's, or added by the HIV algorithm)."""

    id = models.BigAutoField(primary_key=True)
    order = models.ForeignKey(LabOrder, on_delete=models.PROTECT, related_name="tests")
    test = models.CharField(_("examen"), max_length=40)  # a code of keneya.clinical.lab
    position = models.PositiveSmallIntegerField(default=0)
    added_by_algorithm = models.BooleanField(default=False)  # the next HIV test after a reactive one

    class Meta:
        ordering = ["order", "position", "id"]
        constraints = [
            # A test is requested once per order: its result is then one line to fill.
            models.UniqueConstraint(fields=["order", "test"], name="lab_order_test_once"),
        ]

    def __str__(self) -> str:
        return self.test


class LabResult(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    order = models.ForeignKey(LabOrder, on_delete=models.PROTECT, related_name="results")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="lab_results")
    test = models.CharField(_("examen"), max_length=40)
    value = models.CharField(_("résultat"), max_length=500)  # canonical text (clinical.lab.parse_value)
    value_number = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)  # for trends
    unit = models.CharField(_("unité"), max_length=20, blank=True)
    interpretation = models.CharField(_("interprétation"), max_length=16, choices=Interpretation.choices)
    abnormal = models.BooleanField(default=False)
    critical = models.BooleanField(default=False)
    reference = models.CharField(_("valeurs de référence"), max_length=80, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("saisi le"))
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    void_reason = models.CharField(_("motif de correction"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("résultat d'examen")
        verbose_name_plural = _("résultats d'examens")
        constraints = [
            # One current value per test of a request: a correction voids the first, then adds.
            models.UniqueConstraint(
                fields=["order", "test"], condition=Q(voided_at__isnull=True), name="lab_result_one_current"
            ),
            # A voided result says why and by whom.
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True) | (Q(voided_by__isnull=False) & ~Q(void_reason="")),
                name="lab_result_void_has_reason",
            ),
        ]
        indexes = [
            # The record's trends and recent results: a person's results of one test by date.
            models.Index(fields=["person", "test", "recorded_at"], name="lab_result_trend_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.test} {self.value}"

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None


class LabOrderEvent(models.Model):
    id = models.BigAutoField(primary_key=True)
    order = models.ForeignKey(LabOrder, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=30)  # requested, result, corrected, test_added, completed
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"
