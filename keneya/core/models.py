"""Areas (region > cercle > commune > health area > quartier), facilities and partner organisations."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaLevel(models.TextChoices):
    REGION = "region", _("Région")
    CERCLE = "cercle", _("Cercle / district sanitaire")
    COMMUNE = "commune", _("Commune")
    HEALTH_AREA = "health_area", _("Aire de santé")
    QUARTIER = "quartier", _("Quartier / village")


# A child's level is always the next one down: region > cercle > commune > health area > quartier.
LEVEL_ORDER = [level.value for level in AreaLevel]


class Area(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("nom"), max_length=120)
    level = models.CharField(_("niveau"), max_length=20, choices=AreaLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("aire parente"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("aire")
        verbose_name_plural = _("aires")
        ordering = ["name"]
        indexes = [models.Index(fields=["level", "name"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        expected_parent = LEVEL_ORDER.index(self.level) - 1
        if expected_parent < 0:
            if self.parent_id:
                raise ValidationError({"parent": _("Une région n'a pas d'aire parente.")})
            return
        if self.parent is None or self.parent.level != LEVEL_ORDER[expected_parent]:
            raise ValidationError(
                {
                    "parent": _("L'aire parente doit être de niveau « %(level)s ».")
                    % {"level": AreaLevel(LEVEL_ORDER[expected_parent]).label}
                }
            )


class FacilityKind(models.TextChoices):
    CSCOM = "cscom", _("CSCom (centre de santé communautaire)")
    CSREF = "csref", _("CSRef (centre de santé de référence)")
    HOSPITAL = "hospital", _("Hôpital")
    PRIVATE = "private", _("Cabinet privé")
    LABORATORY = "laboratory", _("Laboratoire")
    PHARMACY = "pharmacy", _("Pharmacie")


class Facility(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("nom"), max_length=160)
    kind = models.CharField(_("type"), max_length=20, choices=FacilityKind.choices)
    health_area = models.ForeignKey(
        Area,
        verbose_name=_("aire de santé"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="facilities",
        limit_choices_to={"level__in": [AreaLevel.HEALTH_AREA, AreaLevel.COMMUNE, AreaLevel.CERCLE]},
    )
    refers_to = models.ForeignKey(
        "self",
        verbose_name=_("structure de référence"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referring_facilities",
        help_text=_("Pour un CSCom : le CSRef qui reçoit ses références."),
    )
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("structure de santé")
        verbose_name_plural = _("structures de santé")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganisationKind(models.TextChoices):
    ASACO = "asaco", _("ASACO (association de santé communautaire)")
    UTM = "utm", _("UTM (Union technique de la mutualité)")
    ANAM = "anam", _("ANAM (Agence nationale d'assistance médicale)")
    SLDS_ES = "slds_es", _("SLDS-ES (service local du développement social)")
    MAIRIE = "mairie", _("Mairie")
    NGO = "ngo", _("ONG")


class Organisation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("nom"), max_length=160)
    kind = models.CharField(_("type"), max_length=20, choices=OrganisationKind.choices)
    area = models.ForeignKey(Area, verbose_name=_("aire"), null=True, blank=True, on_delete=models.PROTECT)
    facility = models.ForeignKey(
        Facility,
        verbose_name=_("structure liée"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Pour une ASACO : le CSCom qu'elle gère."),
    )

    class Meta:
        verbose_name = _("organisation partenaire")
        verbose_name_plural = _("organisations partenaires")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
