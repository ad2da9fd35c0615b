"""Home visits and their observations. Both are append-only facts.

A visit stores the findings as sent, the measurements, and the assessment the clinical engine
returned (with the engine version), so what the CHW was told can always be shown again. A
wrong measurement is corrected by voiding its observation and adding a replacement
(``voided_at``, ``void_reason``, ``replaces``), as in OpenMRS ``Obs``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from keneya.core.ids import uuid7


class VisitKind(models.TextChoices):
    CHILD_FOLLOWUP = "child_followup", _("Suivi de l'enfant")
    SICK_CHILD = "sick_child", _("Enfant malade (PCIME communautaire)")
    PREGNANCY = "pregnancy", _("Suivi de grossesse")
    POSTNATAL = "postnatal", _("Visite postnatale (mère et nouveau-né)")
    # Child 5-17 years (clinical-rules.md 7; keneya.clinical.older_child): the quarterly task
    # "Visite trimestrielle de l'enfant" of the worklist is resolved by this visit.
    OLDER_CHILD_FOLLOWUP = "older_child_followup", _("Suivi de l'enfant (5-17 ans)")


class Visit(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    # No single-column index on these three: the (column, -visit_date) indexes of Meta serve
    # every lookup by them, and each index costs every insert (a batch of visits is hot).
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("personne"),
        db_index=False,
    )
    household = models.ForeignKey(
        "people.Household",
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("ménage"),
        db_index=False,
    )
    chw = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("relais"),
        db_index=False,
    )
    kind = models.CharField(_("type de visite"), max_length=20, choices=VisitKind.choices)
    visit_date = models.DateField(_("date de la visite"))
    findings = models.JSONField(_("constats"), default=dict, blank=True)
    measurements = models.JSONField(_("mesures"), default=dict, blank=True)
    assessment = models.JSONField(_("évaluation"), default=dict, blank=True)
    engine_version = models.CharField(_("version du moteur clinique"), max_length=20)
    urgent = models.BooleanField(_("urgent"), default=False)
    action = models.CharField(_("conduite à tenir"), max_length=40, blank=True)
    follow_up_days = models.PositiveSmallIntegerField(_("suivi dans (jours)"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("reçue le"), auto_now_add=True)
    # Set when a tablet's own assessment (sent along) disagreed with the server's.
    device_assessment_mismatch = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("visite")
        verbose_name_plural = _("visites")
        ordering = ["-visit_date", "-recorded_at"]
        indexes = [
            models.Index(fields=["person", "-visit_date"]),
            models.Index(fields=["chw", "-visit_date"]),
            models.Index(fields=["household", "-visit_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.visit_date}"


class Observation(models.Model):
    """One measured or observed value of a visit, e.g. ``muac_mm = 118``."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="observations")
    # Served by the (person, code, observed_on) index of Meta.
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="observations", db_index=False
    )
    code = models.CharField(max_length=60)
    value_number = models.FloatField(null=True, blank=True)
    value_text = models.CharField(max_length=200, blank=True)
    value_date = models.DateField(null=True, blank=True)
    observed_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    # Set on the few corrected values only: indexed where set (Meta), not on every row.
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        db_index=False,
    )
    void_reason = models.CharField(max_length=200, blank=True)
    replaces = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by", db_index=False
    )

    class Meta:
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        indexes = [
            models.Index(fields=["person", "code", "observed_on"]),
            models.Index(
                fields=["voided_by"],
                condition=models.Q(voided_by__isnull=False),
                name="visits_obs_voided_by_idx",
            ),
            models.Index(
                fields=["replaces"],
                condition=models.Q(replaces__isnull=False),
                name="visits_obs_replaces_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}={self.value}"

    @property
    def value(self) -> object:
        if self.value_number is not None:
            return self.value_number
        if self.value_date is not None:
            return self.value_date
        return self.value_text
