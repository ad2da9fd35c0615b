"""Shared-record reads, scoped through the person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Prefetch, QuerySet

from keneya.accounts.scope import person_filter
from keneya.alerts.models import Alert, AlertEvent
from keneya.people.models import Person
from keneya.records.models import Consultation
from keneya.referrals.models import OPEN_STATUSES, Referral, ReferralEvent, ReferralStatus
from keneya.visits.models import Visit


def consultations_visible_to(user: Any) -> QuerySet[Consultation]:
    persons = Person.objects.filter(person_filter(user)).values("pk")
    return Consultation.objects.filter(person__in=persons).select_related("facility", "clinician")


_KIND_ORDER = {"visit": 0, "alert": 1, "referral": 2, "consultation": 3}


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # "visit", "alert", "referral", "consultation"
    item: Any


@dataclass(frozen=True)
class PatientRecord:
    visits: list[Visit]
    alerts: list[Alert]
    referrals: list[Referral]
    consultations: list[Consultation]

    @property
    def timeline(self) -> list[TimelineEntry]:
        """Everything that happened to the person, newest first."""
        entries = [TimelineEntry(v.recorded_at, "visit", v) for v in self.visits]
        entries += [TimelineEntry(a.raised_at, "alert", a) for a in self.alerts]
        entries += [TimelineEntry(r.issued_at, "referral", r) for r in self.referrals]
        entries += [TimelineEntry(c.consulted_at, "consultation", c) for c in self.consultations]
        # Same instant (a visit and the alert and referral it raised): cause below effect.
        return sorted(entries, key=lambda e: (e.at, _KIND_ORDER[e.kind]), reverse=True)

    @property
    def pending_referrals(self) -> list[Referral]:
        return [r for r in self.referrals if r.status in (*OPEN_STATUSES, ReferralStatus.NOT_ARRIVED)]


def patient_record(*, person: Person) -> PatientRecord:
    """The person's whole record for the patient page, in a fixed number of queries.

    The caller has checked that the person is in the user's scope.
    """
    return PatientRecord(
        visits=list(
            Visit.objects.filter(person=person).select_related("chw").order_by("-visit_date", "-recorded_at")
        ),
        alerts=list(
            Alert.objects.filter(person=person)
            .select_related("facility")
            .prefetch_related(Prefetch("events", queryset=AlertEvent.objects.select_related("by")))
            .order_by("-raised_at")
        ),
        referrals=list(
            Referral.objects.filter(person=person)
            .select_related("to_facility", "from_facility", "issued_by")
            .prefetch_related(Prefetch("events", queryset=ReferralEvent.objects.select_related("by")))
            .order_by("-issued_at")
        ),
        consultations=list(
            Consultation.objects.filter(person=person)
            .select_related("facility", "clinician")
            .prefetch_related("diagnoses")
            .order_by("-consulted_at")
        ),
    )
