"""Visit reads, scoped through the person."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from keneya.accounts.scope import person_filter
from keneya.people.models import Person
from keneya.visits.models import Visit


def visits_visible_to(user: Any) -> QuerySet[Visit]:
    return Visit.objects.filter(person__in=Person.objects.filter(person_filter(user)).values("pk"))


def visit_history(*, person: Person) -> QuerySet[Visit]:
    return Visit.objects.filter(person=person).order_by("-visit_date", "-recorded_at")


def visit_detail(*, user: Any, visit_id: Any) -> Visit:
    """One visit with what its result page shows (Visit.DoesNotExist outside the scope)."""
    return (visits_visible_to(user)
            .select_related("person", "household", "chw", "referral",
                            "referral__to_facility")
            .prefetch_related("alerts__facility")
            .get(pk=visit_id))


def recent_visits(*, person: Person, limit: int = 10) -> QuerySet[Visit]:
    return visit_history(person=person).select_related("chw")[:limit]


def assessment_mismatches(*, user: Any) -> QuerySet[Visit]:
    """Visits whose tablet assessment differed from the server's: shown to the supervisor."""
    return (visits_visible_to(user).filter(device_assessment_mismatch=True)
            .select_related("person", "chw").order_by("-visit_date", "-recorded_at"))
