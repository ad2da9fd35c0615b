"""Referrals from a CHW visit to the CSCom, or from a CSCom to the CSRef, tracked to care.

issued → arrived → seen → counter_referred → closed, or not_arrived (which gives the CHW a
follow-up task). Time to care (issued to seen) is stored when the person is seen: the
programme's goal is care within 24 h.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from keneya.core.ids import uuid7

# Programme goal: a referred child or mother is seen within 24 hours (Mali Health strategy).
CARE_TARGET = timedelta(hours=24)


class ReferralStatus(models.TextChoices):
    ISSUED = "issued", _("Émise")
    ARRIVED = "arrived", _("Arrivé·e")
    SEEN = "seen", _("Vu·e")
    COUNTER_REFERRED = "counter_referred", _("Contre-référée")
    CLOSED = "closed", _("Clôturée")
    NOT_ARRIVED = "not_arrived", _("Non arrivé·e")


OPEN_STATUSES = (ReferralStatus.ISSUED, ReferralStatus.ARRIVED)


class Referral(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="referrals")
    visit = models.OneToOneField(
        "visits.Visit", on_delete=models.PROTECT, null=True, blank=True, related_name="referral"
    )
    from_facility = models.ForeignKey(
        "core.Facility", on_delete=models.PROTECT, null=True, blank=True, related_name="referrals_sent"
    )
    to_facility = models.ForeignKey(
        "core.Facility",
        on_delete=models.PROTECT,
        related_name="referrals_received",
        verbose_name=_("structure de destination"),
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_issued"
    )
    issued_at = models.DateTimeField(_("émise le"))
    urgent = models.BooleanField(_("urgente"), default=True)
    reason = models.CharField(_("motif"), max_length=300)
    findings = models.JSONField(_("constats"), default=list, blank=True)
    status = models.CharField(
        _("statut"), max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.ISSUED
    )
    arrived_at = models.DateTimeField(null=True, blank=True)
    seen_at = models.DateTimeField(null=True, blank=True)
    time_to_care = models.DurationField(_("délai de prise en charge"), null=True, blank=True)
    counter_referral_note = models.TextField(_("contre-référence"), blank=True)
    counter_referred_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("référence")
        verbose_name_plural = _("références")
        ordering = ["-issued_at"]
        indexes = [
            models.Index(fields=["to_facility", "status", "issued_at"]),
            models.Index(fields=["person", "-issued_at"]),
            models.Index(fields=["status", "issued_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.to_facility}"

    @property
    def within_target(self) -> bool | None:
        return None if self.time_to_care is None else self.time_to_care <= CARE_TARGET

    def care_delay(self, now: datetime) -> timedelta | None:
        """Time to care once seen; while still expected, the time waited so far."""
        if self.time_to_care is not None:
            return self.time_to_care
        if self.status in (*OPEN_STATUSES, ReferralStatus.NOT_ARRIVED):
            return max(now - self.issued_at, timedelta(0))
        return None


class ReferralEvent(models.Model):
    id = models.BigAutoField(primary_key=True)
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=30)
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"
