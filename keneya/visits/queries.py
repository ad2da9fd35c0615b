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
