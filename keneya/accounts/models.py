"""Users, their role, and what they are attached to (a facility and/or areas).

The role decides *what* a user may do; the attachment decides *whose* data they see
(``keneya/accounts/scope.py``).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CHW = "chw", _("Relais / agent de santé communautaire")
    CLINICIAN = "clinician", _("Clinicien (médecin, infirmier, sage-femme)")
    SPECIALIST = "specialist", _("Spécialiste du CSRef")
    SOCIAL_WORKER = "social_worker", _("Travailleur social / médiateur")
    TREASURER = "treasurer", _("Trésorière de groupe d'épargne")
    FACILITY_MANAGER = "facility_manager", _("Responsable de structure (DTC)")
    ME_OFFICER = "me_officer", _("Chargé de suivi-évaluation")
    ADMIN = "admin", _("Administrateur")


class Cadre(models.TextChoices):
    DOCTOR = "doctor", _("Médecin")
    NURSE = "nurse", _("Infirmier·ère")
    MIDWIFE = "midwife", _("Sage-femme")
    RELAIS = "relais", _("Relais communautaire")
    ASC = "asc", _("Agent de santé communautaire (ASC)")
    OTHER = "other", _("Autre")


class User(AbstractUser):
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, default=Role.CHW)
    cadre = models.CharField(_("cadre"), max_length=20, choices=Cadre.choices, blank=True)
    facility = models.ForeignKey(
        "core.Facility",
        verbose_name=_("structure"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    areas = models.ManyToManyField(
        "core.Area",
        verbose_name=_("aires"),
        blank=True,
        related_name="users",
        help_text=_(
            "Pour un relais : les quartiers de sa zone. Pour un travailleur social : les aires qu'il couvre."
        ),
    )
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")

    @property
    def is_chw(self) -> bool:
        return self.role == Role.CHW

    @property
    def sees_names(self) -> bool:
        """M&E officers and treasurers work on aggregates or their own groups, not the registry."""
        return self.role not in {Role.ME_OFFICER, Role.TREASURER}
