"""Lab reads, all starting from scope.

- The laboratory technician sees the requests of their facility (their pending list), and
  nothing else of the record.
- The clinical roles (clinician, specialist, facility manager) see the requests and results of
  the persons in their scope (``people.scope``, break-the-glass grants included): one record
  across facilities.
- The administrator sees everything; every other role nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from keneya.accounts.models import Role
from keneya.accounts.permissions import Capability, has_capability
from keneya.clinical import lab as catalogue
from keneya.lab.models import LabOrder, LabOrderTest, LabResult, OrderStatus
from keneya.people.scope import persons_visible_to

# Tests whose values trend on the patient page (a line chart each).
TREND_TESTS = ("hb", "glycemia", "glycemia_fasting")
RECENT_RESULTS = 10


def lab_order_filter(user: Any) -> Q:
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    if user.role == Role.ADMIN:
        return Q()
    if user.role == Role.LAB_TECHNICIAN:
        return Q(facility_id=user.facility_id) if user.facility_id else Q(pk__in=[])
    if has_capability(user, Capability.CLINICAL_VIEW):
        return Q(person__in=persons_visible_to(user).values("pk"))
    return Q(pk__in=[])


def lab_orders_visible_to(user: Any) -> QuerySet[LabOrder]:
    return LabOrder.objects.filter(lab_order_filter(user))


def lab_results_visible_to(user: Any) -> QuerySet[LabResult]:
    if getattr(user, "is_authenticated", False) and user.role == Role.ADMIN:
        return LabResult.objects.all()
    return LabResult.objects.filter(order__in=lab_orders_visible_to(user).values("pk"))


def _with_tests_and_results(qs: QuerySet[LabOrder], *, who: bool = True) -> QuerySet[LabOrder]:
    """The tests and results of each request (``who``: with the users who entered and voided
    them, for the history; the pending list does without)."""
    results = LabResult.objects.order_by("recorded_at", "id")
    if who:
        results = results.select_related("recorded_by", "voided_by")
    return qs.prefetch_related(
        Prefetch("tests", queryset=LabOrderTest.objects.order_by("position", "id")),
        Prefetch("results", queryset=results),
    )


def pending_orders(*, user: Any, limit: int = 200) -> list[LabOrder]:
    """The laboratory's pending list: its facility's requests not yet completed, oldest first,
    with the person, the requester, the tests and the results already entered (a fixed number
    of queries whatever the number of rows)."""
    qs = (
        lab_orders_visible_to(user)
        .filter(status=OrderStatus.PENDING)
        .select_related("person", "requested_by", "facility")
        .order_by("requested_at", "id")
    )
    if user.role != Role.ADMIN and user.facility_id:
        qs = qs.filter(facility_id=user.facility_id)
    return list(_with_tests_and_results(qs, who=False)[:limit])


def order_detail(*, user: Any, order_id: Any) -> LabOrder:
    """One request with its tests, results (voided ones too) and events (DoesNotExist outside scope)."""
    qs = lab_orders_visible_to(user).select_related(
        "person", "person__household", "requested_by", "facility", "consultation"
    )
    return _with_tests_and_results(qs).prefetch_related("events__by").get(pk=order_id)


def orders_for_person(*, user: Any, person: Any, limit: int = 50) -> list[LabOrder]:
    qs = (
        lab_orders_visible_to(user)
        .filter(person=person)
        .select_related("requested_by", "facility")
        .order_by("-requested_at", "-id")
    )
    return list(_with_tests_and_results(qs)[:limit])


@dataclass(frozen=True)
class ResultRow:
    """A result as the record shows it (JSON-ready through ``as_json``)."""

    result: LabResult
    test: catalogue.LabTest

    @property
    def label(self) -> str:
        interpretation = catalogue.INTERPRETATIONS.get(self.result.interpretation, "")
        text = f"{self.test.short_fr} : {catalogue.value_label(self.test, self.result.value)}"
        if self.result.abnormal and interpretation:
            text += f" ({interpretation.lower()})"
        return text

    def as_json(self) -> dict[str, Any]:
        r = self.result
        return {
            "id": str(r.pk),
            "order": str(r.order_id),
            "test": r.test,
            "test_label": self.test.label_fr,
            "value": r.value,
            "unit": r.unit,
            "interpretation": r.interpretation,
            "abnormal": r.abnormal,
            "critical": r.critical,
            "reference": r.reference,
            "at": r.recorded_at.isoformat(),
            "label": self.label,
        }


def row(result: LabResult) -> ResultRow:
    return ResultRow(result, catalogue.get(result.test))


def recent_results(*, user: Any, person: Any, limit: int = RECENT_RESULTS) -> list[ResultRow]:
    """The person's last current (not voided) results, newest first."""
    qs = (
        lab_results_visible_to(user)
        .filter(person=person, voided_at__isnull=True)
        .order_by("-recorded_at", "-id")[:limit]
    )
    return [row(r) for r in qs if r.test in catalogue.TESTS]


def trends(*, user: Any, person: Any) -> list[dict[str, Any]]:
    """The Hb and glycaemia series of the person (current values, oldest first), for the chart;
    only the tests that have values."""
    qs = (
        lab_results_visible_to(user)
        .filter(person=person, voided_at__isnull=True, test__in=TREND_TESTS, value_number__isnull=False)
        .order_by("recorded_at", "id")
        .values_list("test", "recorded_at", "value_number", "interpretation")
    )
    series: dict[str, list[dict[str, Any]]] = {}
    for code, at, value, interpretation in qs:
        series.setdefault(code, []).append(_point(at, value, interpretation))
    charts = []
    for code in TREND_TESTS:
        if code in series:
            test = catalogue.get(code)
            crit = test.critical
            charts.append(
                {
                    "id": f"lab-trend-{code}",
                    "title": f"{test.label_fr} ({test.unit})",
                    "points": series[code],
                    "critical_low": float(crit.low) if crit and crit.low is not None else None,
                    "critical_high": float(crit.high) if crit and crit.high is not None else None,
                }
            )
    return charts


def _point(at: datetime, value: Decimal | None, interpretation: str) -> dict[str, Any]:
    return {
        "x": at.date().isoformat(),
        "y": float(value or 0),
        "flag": interpretation,
    }
