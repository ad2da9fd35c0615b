"""Visit reads, scoped through the person."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db.models import QuerySet
from django.db.models.fields.json import KT

from keneya.accounts.scope import person_filter
from keneya.clinical.faltering import FALTERING_MAX_INTERVAL_DAYS
from keneya.people.models import Person
from keneya.visits.models import Visit


def visits_visible_to(user: Any) -> QuerySet[Visit]:
    return Visit.objects.filter(person__in=Person.objects.filter(person_filter(user)).values("pk"))


def visit_history(*, person: Person) -> QuerySet[Visit]:
    return Visit.objects.filter(person=person).order_by("-visit_date", "-recorded_at")


# Growth faltering compares a child's weight with the weighings of the two months before.
WEIGHINGS_WINDOW = timedelta(days=2 * FALTERING_MAX_INTERVAL_DAYS)
WEIGHED_KINDS = ("child_followup", "sick_child")


def is_weighed_for_growth(visit: Visit) -> bool:
    """Whether the growth-faltering rule looks at this visit's weighings."""
    return visit.kind in WEIGHED_KINDS and bool(visit.measurements.get("weight_kg"))


def weighings(*, person_ids: Iterable[Any], since: date, until: date) -> dict[Any, list[tuple[date, float]]]:
    """Each person's weights between two dates, as ``(visit date, kg)`` in the order they were
    recorded within a date: what the growth-faltering rule reads (one query for a whole set of
    visits; the weight read as text, cheaper than decoding each JSON value)."""
    rows = (
        Visit.objects.filter(
            person_id__in=list(person_ids),
            visit_date__gte=since,
            visit_date__lte=until,
            measurements__weight_kg__isnull=False,
        )
        .order_by("person_id", "visit_date", "recorded_at")
        .values_list("person_id", "visit_date", KT("measurements__weight_kg"))
    )
    found: dict[Any, list[tuple[date, float]]] = {}
    for person_id, day, weight in rows:
        try:
            kg = float(weight)
        except (TypeError, ValueError):  # not a number (a tablet's bug): not a weighing
            continue
        found.setdefault(person_id, []).append((day, kg))
    return found


def weights_until(rows: list[tuple[date, float]], day: date) -> list[tuple[date, float]]:
    """Of ``weighings`` rows, those of the window up to ``day``, one per date (the last
    recorded), oldest first: what ``alerts.rules.VisitFacts.weights`` holds."""
    by_day = {d: weight for d, weight in rows if day - WEIGHINGS_WINDOW <= d <= day}
    return sorted(by_day.items())


def weights_up_to(visit: Visit) -> list[tuple[date, float]]:
    """The weighings the growth-faltering rule reads for a stored visit (one query)."""
    if not is_weighed_for_growth(visit):
        return []
    rows = weighings(
        person_ids=[visit.person_id], since=visit.visit_date - WEIGHINGS_WINDOW, until=visit.visit_date
    )
    return weights_until(rows.get(visit.person_id, []), visit.visit_date)


def visit_detail(*, user: Any, visit_id: Any) -> Visit:
    """One visit with what its result page shows (Visit.DoesNotExist outside the scope)."""
    return (
        visits_visible_to(user)
        .select_related("person", "household", "chw", "referral", "referral__to_facility")
        .prefetch_related("alerts__facility")
        .get(pk=visit_id)
    )


def recent_visits(*, person: Person, limit: int = 10) -> QuerySet[Visit]:
    return visit_history(person=person).select_related("chw")[:limit]


def assessment_mismatches(*, user: Any) -> QuerySet[Visit]:
    """Visits whose tablet assessment differed from the server's: shown to the supervisor."""
    return (
        visits_visible_to(user)
        .filter(device_assessment_mismatch=True)
        .select_related("person", "chw")
        .order_by("-visit_date", "-recorded_at")
    )


def person_page_visits(
    user: Any, person: Any, *, can_record_visit: bool, show_outcomes: bool
) -> dict[str, Any]:
    """The person page's recent visits, for those who record them (``people.hooks.person_page``)."""
    return {"visits": recent_visits(person=person) if show_outcomes and can_record_visit else []}
