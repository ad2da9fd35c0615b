"""Shared-record reads, scoped through the person."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from keneya.accounts.scope import person_filter
from keneya.people.models import Person
from keneya.records.models import Consultation


def consultations_visible_to(user: Any) -> QuerySet[Consultation]:
    persons = Person.objects.filter(person_filter(user)).values("pk")
    return Consultation.objects.filter(person__in=persons).select_related("facility",
                                                                          "clinician")
