"""Alerts for the CSCom clinicians, and their timeline.

An alert is raised by a rule of ``rules.py`` from a visit (or from a late referral), routed to
the CSCom of the person's health area, and moves open → acknowledged → (convoked) → closed.
Every change is an ``AlertEvent`` with who and when.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from keneya.core.ids import uuid7


class Priority(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    ROUTINE = "routine", _("Routine")
    FOLLOW_UP = "follow_up", _("Suivi")


# Inbox order: urgent first (then oldest first within a priority).
PRIORITY_RANK = {Priority.URGENT: 0, Priority.FOLLOW_UP: 1, Priority.ROUTINE: 2}


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Ouverte")
    ACKNOWLEDGED = "acknowledged", _("Prise en compte")
    CONVOKED = "convoked", _("Famille convoquée")
    CLOSED = "closed", _("Clôturée")


class CloseReason(models.TextChoices):
    SEEN = "seen", _("Patient vu")
    FALSE_ALARM = "false_alarm", _("Fausse alerte")
    DECEASED = "deceased", _("Décédé")
    MOVED = "moved", _("A déménagé")


class Alert(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="alerts")
    facility = models.ForeignKey(
        "core.Facility", on_delete=models.PROTECT, related_name="alerts", verbose_name=_("CSCom")
    )
    visit = models.ForeignKey(
        "visits.Visit", on_delete=models.PROTECT, null=True, blank=True, related_name="alerts"
    )
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, null=True, blank=True, related_name="alerts"
    )
    # What a fact rule looked at, for an alert raised from another app's fact (rules.Fact):
    # "<kind>:<id>" (e.g. "lab_result:<uuid>"); empty for the alerts of visits and referrals.
    subject = models.CharField(_("objet"), max_length=80, blank=True, default="")
    rule = models.CharField(_("règle"), max_length=60)
    priority = models.CharField(_("priorité"), max_length=12, choices=Priority.choices)
    priority_rank = models.PositiveSmallIntegerField(default=2, editable=False)
    status = models.CharField(
        _("statut"), max_length=14, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    title = models.CharField(_("motif"), max_length=200)
    findings = models.JSONField(_("constats"), default=list, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    raised_at = models.DateTimeField(_("levée le"))
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    appointment_date = models.DateField(_("date de convocation"), null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.CharField(max_length=14, choices=CloseReason.choices, blank=True)

    class Meta:
        verbose_name = _("alerte")
        verbose_name_plural = _("alertes")
        constraints = [
            # One alert per rule per visit: re-sending a visit cannot duplicate its alerts.
            models.UniqueConstraint(fields=["visit", "rule"], name="alert_once_per_visit_rule"),
            models.UniqueConstraint(fields=["referral", "rule"], name="alert_once_per_referral_rule"),
            # One alert per rule per reported fact: reporting a fact twice raises nothing new.
            models.UniqueConstraint(
                fields=["subject", "rule"],
                condition=~models.Q(subject=""),
                name="alert_once_per_subject_rule",
            ),
        ]
        indexes = [
            models.Index(fields=["facility", "status", "priority_rank", "raised_at"], name="alert_inbox_idx"),
            models.Index(fields=["person", "-raised_at"]),
            models.Index(fields=["status", "priority", "raised_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status != AlertStatus.CLOSED


class AlertEvent(models.Model):
    id = models.BigAutoField(primary_key=True)
    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=30)  # raised, acknowledged, convoked, escalated, closed
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"
