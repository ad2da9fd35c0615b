"""Households and persons. Primary keys are UUIDs that a tablet may generate offline.

Writes go through ``services.py``; history is kept by django-simple-history (who, when, what).
``search_text`` columns hold accent-folded, Mande-normalised names so that list and search stay
fast on 500,000 persons (trigram index on PostgreSQL, see migration 0002).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class HouseholdStatus(models.TextChoices):
    ACTIVE = "active", _("Actif")
    MOVED = "moved", _("Déménagé")
    DISSOLVED = "dissolved", _("Dissous")


class Household(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(_("code ménage"), max_length=32, unique=True)
    quartier = models.ForeignKey(
        "core.Area",
        verbose_name=_("quartier"),
        on_delete=models.PROTECT,
        related_name="households",
    )
    address_description = models.TextField(
        _("repères pour trouver le ménage"),
        blank=True,
        help_text=_("Repères : mosquée, école, boutique, couleur du portail…"),
    )
    gps_latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    gps_longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    head = models.ForeignKey(
        "Person",
        verbose_name=_("chef de ménage"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_households",
    )
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    phone_alt = models.CharField(_("autre téléphone"), max_length=20, blank=True)
    chw = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("relais assigné"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="households",
    )
    status = models.CharField(
        _("statut"), max_length=12, choices=HouseholdStatus.choices, default=HouseholdStatus.ACTIVE
    )
    # Folded code, phones and member names: what the search box matches.
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["search_text"])

    class Meta:
        verbose_name = _("ménage")
        verbose_name_plural = _("ménages")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["chw", "code"]),
            models.Index(fields=["quartier", "code"]),
            models.Index(fields=["status"]),
        ]

    def __str__(self) -> str:
        return self.code


class Sex(models.TextChoices):
    MALE = "M", _("Masculin")
    FEMALE = "F", _("Féminin")


class Relationship(models.TextChoices):
    HEAD = "head", _("Chef de ménage")
    SPOUSE = "spouse", _("Conjoint·e")
    CHILD = "child", _("Enfant")
    GRANDCHILD = "grandchild", _("Petit-enfant")
    PARENT = "parent", _("Père / mère")
    SIBLING = "sibling", _("Frère / sœur")
    OTHER_RELATIVE = "other_relative", _("Autre parent")
    OTHER = "other", _("Autre (non apparenté)")


class VitalStatus(models.TextChoices):
    ALIVE = "alive", _("Vivant")
    DECEASED = "deceased", _("Décédé")


class Person(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    household = models.ForeignKey(
        Household, verbose_name=_("ménage"), on_delete=models.PROTECT, related_name="members"
    )
    family_name = models.CharField(_("nom de famille"), max_length=80)
    given_names = models.CharField(_("prénoms"), max_length=120)
    sex = models.CharField(_("sexe"), max_length=1, choices=Sex.choices)
    date_of_birth = models.DateField(_("date de naissance"))
    date_of_birth_estimated = models.BooleanField(_("date de naissance estimée"), default=False)
    relationship_to_head = models.CharField(
        _("lien avec le chef de ménage"),
        max_length=20,
        choices=Relationship.choices,
        default=Relationship.OTHER,
    )
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    nina = models.CharField(_("NINA"), max_length=20, blank=True)
    birth_certificate_number = models.CharField(_("n° d'acte de naissance"), max_length=40, blank=True)
    ramed_number = models.CharField(_("n° de carte RAMED"), max_length=40, blank=True)
    mutuelle_number = models.CharField(_("n° de carte mutuelle"), max_length=40, blank=True)
    vital_status = models.CharField(
        _("statut vital"), max_length=10, choices=VitalStatus.choices, default=VitalStatus.ALIVE
    )
    date_of_death = models.DateField(_("date du décès"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("fusionné dans"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )
    # Folded, Mande-normalised "family given" for duplicate detection and search.
    name_key = models.CharField(max_length=220, editable=False, default="", db_index=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["name_key"])

    class Meta:
        verbose_name = _("personne")
        verbose_name_plural = _("personnes")
        ordering = ["family_name", "given_names"]
        indexes = [models.Index(fields=["household", "date_of_birth"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(vital_status="alive", date_of_death__isnull=True)
                | Q(vital_status="deceased", date_of_death__isnull=False),
                name="person_death_date_matches_vital_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.given_names} {self.family_name}"

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.family_name}"

    @property
    def is_active_record(self) -> bool:
        return self.merged_into_id is None
