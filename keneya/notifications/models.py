"""The outbox: every message that leaves Kènèya is first a row here, written in the caller's
transaction, then sent and marked by a worker (``services.send_pending``).

Life of a message: ``pending`` → ``sending`` (claimed by one worker) → ``sent``; on a retryable
error back to ``pending`` with a later ``next_attempt_at``; ``failed`` when the gateway refuses it
for good (invalid number…); ``dead`` after the last attempt or when a worker died while sending
(delivery unknown: a person decides whether to requeue it).
"""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keneya.core.ids import uuid7


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("e-mail")
    IN_APP = "in_app", _("dans l'application")


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("en attente")
    SENDING = "sending", _("en cours d'envoi")
    SENT = "sent", _("envoyé")
    FAILED = "failed", _("refusé")
    DEAD = "dead", _("abandonné")


class OutboxMessage(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    channel = models.CharField(_("canal"), max_length=10, choices=Channel.choices, default=Channel.SMS)
    recipient = models.CharField(
        _("destinataire"), max_length=64, help_text=_("Numéro normalisé (+223XXXXXXXX) pour un SMS.")
    )
    template = models.CharField(_("modèle"), max_length=64)
    body = models.TextField(_("texte"))
    context = models.JSONField(_("contexte"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    # One row per logical message, e.g. "alert:<uuid>:clinician:<user id>": enqueuing it again
    # (a retried request, a resent offline batch) finds this row instead of making a second SMS.
    dedup_key = models.CharField(_("clé de déduplication"), max_length=200, unique=True)
    status = models.CharField(
        _("statut"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    next_attempt_at = models.DateTimeField(_("prochaine tentative"), default=timezone.now)
    claimed_at = models.DateTimeField(_("pris par un envoyeur le"), null=True, blank=True)
    # The provider's error code and short reason only: never a phone number or the text.
    last_error = models.CharField(_("dernière erreur"), max_length=255, blank=True)
    provider_message_id = models.CharField(_("identifiant chez le fournisseur"), max_length=100, blank=True)
    cost = models.CharField(_("coût"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("message sortant")
        verbose_name_plural = _("messages sortants")
        ordering = ["-created_at"]
        indexes = [
            # The worker's query: status = pending AND next_attempt_at <= now, oldest first.
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.template} {self.id} ({self.status})"
