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
    LAB_TECHNICIAN = "lab_technician", _("Technicien·ne de laboratoire")
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


class ApiToken(models.Model):
    """A staff member's API token (``POST /api/v1/auth/token/``).

    Only the SHA-256 of the key is stored, as for the tablets' device tokens: a copy of the
    database does not let anyone call the API. A token expires (``KENEYA_API_TOKEN_DAYS``), is
    deleted at logout, and every token of a user goes when their password changes or their
    account is deactivated (``keneya/accounts/tokens.py``). ``auth_hash`` ties the token to the
    password it was issued under, as Django ties a session: a password changed by any path
    (admin, ``changepassword``) refuses the older tokens at once.
    """

    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("utilisateur")
    )
    auth_hash = models.CharField(max_length=128, editable=False)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expire le"), db_index=True)

    class Meta:
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")

    def __str__(self) -> str:
        return f"{self.user_id} {self.key_hash[:8]}…"
