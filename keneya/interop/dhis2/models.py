"""The DHIS2 mapping (configuration) and the pushes (facts).

Mapping: the DHIS2 objects Kènèya reports into, imported from the instance's metadata
(``manage.py dhis2_import_metadata``) and edited in the admin: org units (one per Facility),
data sets, data elements, category option combos, and one ``ValueMapping`` per indicator and
disaggregation cell. Pushes: one row per dry-run or real push, the values it carried, DHIS2's
import summary and each conflict tied back to its indicator, cell and facility.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from keneya.core.ids import uuid7

UID_LENGTH = 11  # DHIS2 identifiers: 11 characters, a letter then letters and digits


class DataSet(models.Model):
    uid = models.CharField(_("identifiant DHIS2"), max_length=UID_LENGTH, unique=True)
    code = models.CharField(_("code"), max_length=100, blank=True)
    name = models.CharField(_("nom"), max_length=230)
    period_type = models.CharField(_("périodicité"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("jeu de données DHIS2")
        verbose_name_plural = _("jeux de données DHIS2")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.uid})"


class DataElement(models.Model):
    uid = models.CharField(_("identifiant DHIS2"), max_length=UID_LENGTH, unique=True)
    code = models.CharField(_("code"), max_length=100, blank=True)
    name = models.CharField(_("nom"), max_length=230)
    value_type = models.CharField(_("type de valeur"), max_length=40, blank=True)
    category_combo_uid = models.CharField(_("combinaison de catégories"), max_length=UID_LENGTH, blank=True)
    data_set = models.ForeignKey(
        DataSet,
        verbose_name=_("jeu de données"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="data_elements",
    )

    class Meta:
        verbose_name = _("élément de données DHIS2")
        verbose_name_plural = _("éléments de données DHIS2")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.uid})"


class CategoryOptionCombo(models.Model):
    uid = models.CharField(_("identifiant DHIS2"), max_length=UID_LENGTH, unique=True)
    code = models.CharField(_("code"), max_length=100, blank=True)
    name = models.CharField(_("nom"), max_length=230)
    category_combo_uid = models.CharField(_("combinaison de catégories"), max_length=UID_LENGTH, blank=True)

    class Meta:
        verbose_name = _("combinaison d'options de catégorie DHIS2")
        verbose_name_plural = _("combinaisons d'options de catégorie DHIS2")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.uid})"


class OrgUnit(models.Model):
    """A DHIS2 organisation unit, and the Kènèya facility that reports as it (if any)."""

    uid = models.CharField(_("identifiant DHIS2"), max_length=UID_LENGTH, unique=True)
    code = models.CharField(_("code"), max_length=100, blank=True)
    name = models.CharField(_("nom"), max_length=230)
    facility = models.OneToOneField(
        "core.Facility",
        verbose_name=_("structure Kènèya"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dhis2_org_unit",
        help_text=_("La structure dont les chiffres sont envoyés sous cette unité d'organisation."),
    )

    class Meta:
        verbose_name = _("unité d'organisation DHIS2")
        verbose_name_plural = _("unités d'organisation DHIS2")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.uid})"


class ValueMapping(models.Model):
    """Where one cell of one indicator goes in DHIS2: a data element and a category option combo.

    ``cell`` is the cell's disaggregation written ``key=value;key=value`` in key order (empty for
    the indicator's total), exactly as the DHIS2 page lists an unmapped cell.
    """

    indicator = models.CharField(_("indicateur (code)"), max_length=80)
    cell = models.CharField(
        _("cellule"),
        max_length=255,
        blank=True,
        help_text=_("Désagrégation « clé=valeur;clé=valeur » (ordre alphabétique), vide pour le total."),
    )
    data_element = models.ForeignKey(
        DataElement, verbose_name=_("élément de données"), on_delete=models.PROTECT, related_name="mappings"
    )
    category_option_combo = models.ForeignKey(
        CategoryOptionCombo,
        verbose_name=_("combinaison d'options de catégorie"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mappings",
        help_text=_("Vide : la combinaison par défaut de DHIS2."),
    )

    class Meta:
        verbose_name = _("correspondance indicateur → DHIS2")
        verbose_name_plural = _("correspondances indicateurs → DHIS2")
        ordering = ["indicator", "cell"]
        constraints = [
            # One destination per cell: two would send the same figure twice.
            models.UniqueConstraint(fields=["indicator", "cell"], name="dhis2_one_mapping_per_cell"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} [{self.cell or 'total'}] → {self.data_element.uid}"

    def clean(self) -> None:
        # DHIS2 refuses a combo outside the data element's category combo (E7634): say it here.
        combo = self.category_option_combo
        element = getattr(self, "data_element", None)
        if (
            combo is not None
            and element is not None
            and combo.category_combo_uid
            and element.category_combo_uid
            and combo.category_combo_uid != element.category_combo_uid
        ):
            raise ValidationError(
                {
                    "category_option_combo": _(
                        "Cette combinaison n'appartient pas à la combinaison de catégories de "
                        "l'élément de données choisi."
                    )
                }
            )


class PushStatus(models.TextChoices):
    QUEUED = "queued", _("en attente")
    RUNNING = "running", _("en cours")
    RETRY = "retry", _("nouvel essai prévu")
    SUCCESS = "success", _("accepté")
    WARNING = "warning", _("accepté avec conflits")
    ERROR = "error", _("refusé")
    FAILED = "failed", _("échec (serveur injoignable)")


FINISHED_STATUSES = (PushStatus.SUCCESS, PushStatus.WARNING, PushStatus.ERROR, PushStatus.FAILED)


class Push(models.Model):
    """One dry-run or real push of a month's values: what was sent, when, and DHIS2's answer.

    ``values`` holds the source of each data value (indicator, cell, facility, value) in the
    order of ``payload["dataValues"]``, so a conflict's index leads back to the figure at its
    source. ``unmapped``
    lists the cells that had no destination (never dropped silently).
    """

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    period = models.CharField(_("mois"), max_length=7)  # YYYY-MM
    dry_run = models.BooleanField(_("essai à blanc"))
    status = models.CharField(
        _("statut"), max_length=10, choices=PushStatus.choices, default=PushStatus.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("demandé par"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("demandé le"))
    started_at = models.DateTimeField(_("commencé le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    next_attempt_at = models.DateTimeField(_("prochain essai"), null=True, blank=True)
    last_error = models.CharField(_("dernière erreur"), max_length=255, blank=True)
    data_set_uid = models.CharField(_("jeu de données"), max_length=UID_LENGTH, blank=True)
    params = models.JSONField(_("paramètres d'import"), default=dict)
    values = models.JSONField(_("valeurs envoyées"), default=list)
    payload = models.JSONField(_("corps envoyé (dataValueSets)"), default=dict)
    unmapped = models.JSONField(_("cellules sans correspondance"), default=list)
    values_hash = models.CharField(_("empreinte des valeurs"), max_length=64)
    imported = models.PositiveIntegerField(_("importées"), default=0)
    updated = models.PositiveIntegerField(_("mises à jour"), default=0)
    ignored = models.PositiveIntegerField(_("ignorées"), default=0)
    deleted = models.PositiveIntegerField(_("supprimées"), default=0)
    description = models.CharField(_("message de DHIS2"), max_length=255, blank=True)
    response = models.JSONField(_("réponse de DHIS2"), null=True, blank=True)
    completion = models.CharField(
        _("jeu de données marqué complet"),
        max_length=255,
        blank=True,
        help_text=_("Réponse de DHIS2 à l'enregistrement de complétude (si DHIS2_COMPLETE_DATA_SET)."),
    )
    deadline = models.DateField(_("date limite"))
    on_time = models.BooleanField(_("dans les délais"), null=True, blank=True)

    class Meta:
        verbose_name = _("envoi DHIS2")
        verbose_name_plural = _("envois DHIS2")
        ordering = ["-requested_at"]
        constraints = [
            # One real push of a month in flight at a time: two clicks must not send twice.
            models.UniqueConstraint(
                fields=["period"],
                condition=models.Q(dry_run=False, status__in=["queued", "running", "retry"]),
                name="dhis2_one_push_in_flight_per_month",
            ),
        ]
        indexes = [
            # The month page: this period's pushes, newest first.
            models.Index(fields=["period", "-requested_at"], name="dhis2_push_period_idx"),
            # The worker: the pushes waiting for a (re)try.
            models.Index(fields=["status", "next_attempt_at"], name="dhis2_push_due_idx"),
        ]

    def __str__(self) -> str:
        kind = _("essai") if self.dry_run else _("envoi")
        return f"{kind} {self.period} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in FINISHED_STATUSES


class PushConflict(models.Model):
    """One conflict of DHIS2's import summary, tied to the value (indicator, cell, facility) it concerns."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    push = models.ForeignKey(
        Push, verbose_name=_("envoi"), on_delete=models.CASCADE, related_name="conflicts"
    )
    object = models.CharField(_("objet"), max_length=255, blank=True)
    value = models.TextField(_("message de DHIS2"), blank=True)
    error_code = models.CharField(_("code d'erreur"), max_length=10, blank=True)
    property = models.CharField(_("propriété"), max_length=40, blank=True)
    value_index = models.PositiveIntegerField(_("rang de la valeur"), null=True, blank=True)
    indicator = models.CharField(_("indicateur"), max_length=80, blank=True)
    indicator_name = models.CharField(_("nom de l'indicateur"), max_length=255, blank=True)
    cell = models.JSONField(_("cellule"), default=dict, blank=True)
    facility = models.CharField(_("structure"), max_length=40, blank=True)
    advice = models.CharField(_("que corriger"), max_length=255)

    class Meta:
        verbose_name = _("conflit DHIS2")
        verbose_name_plural = _("conflits DHIS2")
        ordering = ["push", "value_index", "id"]

    def __str__(self) -> str:
        return f"{self.error_code or self.object}: {self.value[:60]}"
