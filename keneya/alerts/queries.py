"""Alert reads: scoped lists and the clinician inbox."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from keneya.accounts.models import Role
from keneya.alerts.models import Alert, AlertStatus


def alert_filter(user: Any) -> Q:
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.role == Role.ADMIN:
        return Q()
    if user.role in (Role.CLINICIAN, Role.FACILITY_MANAGER) and user.facility_id:
        return Q(facility_id=user.facility_id)
    if user.role == Role.CHW:
        return Q(person__household__chw=user)  # the outcome of their own households' alerts
    return Q(pk__in=[])


def alerts_visible_to(user: Any) -> QuerySet[Alert]:
    return Alert.objects.filter(alert_filter(user))


def _status_rank() -> Case:
    return Case(
        When(status=AlertStatus.OPEN, then=Value(0)),
        When(status=AlertStatus.ACKNOWLEDGED, then=Value(1)),
        When(status=AlertStatus.CONVOKED, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )


def alert_list(*, user: Any, status: str | None = None, priority: str | None = None) -> QuerySet[Alert]:
    """Open first, then urgent first, then oldest first."""
    qs = alerts_visible_to(user)
    if status:
        qs = qs.filter(status=status)
    if priority:
        qs = qs.filter(priority=priority)
    return (
        qs.select_related("person", "facility")
        .annotate(status_rank=_status_rank())
        .order_by("status_rank", "priority_rank", "raised_at", "id")
    )


def inbox(*, user: Any) -> QuerySet[Alert]:
    """The clinician's inbox: alerts not yet closed, urgent first, then oldest first."""
    return inbox_rows(alerts_visible_to(user).exclude(status=AlertStatus.CLOSED)).order_by(
        "priority_rank", "raised_at", "id"
    )


def alert_detail(*, user: Any, alert_id: Any) -> Alert:
    """One alert with what its inbox row shows (Alert.DoesNotExist outside the scope)."""
    return inbox_rows(alerts_visible_to(user)).get(pk=alert_id)


def inbox_rows(qs: QuerySet[Alert]) -> QuerySet[Alert]:
    return qs.select_related(
        "person",
        "person__household",
        "person__household__chw",
        "person__household__quartier",
        "visit",
        "referral",
        "acknowledged_by",
    )


def alerts_for_person(*, user: Any, person: Any) -> QuerySet[Alert]:
    return alerts_visible_to(user).filter(person=person).select_related("facility").order_by("-raised_at")


def person_page_alerts(
    user: Any, person: Any, *, can_record_visit: bool, show_outcomes: bool
) -> dict[str, Any]:
    """The person page's alerts (``people.hooks.person_page``)."""
    return {"alerts": alerts_for_person(user=user, person=person)} if show_outcomes else {}
