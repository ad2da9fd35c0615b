"""Referral reads, scoped."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from keneya.accounts.models import Role
from keneya.referrals.models import OPEN_STATUSES, Referral, ReferralStatus


def referral_filter(user: Any) -> Q:
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.role == Role.ADMIN:
        return Q()
    if user.role in (Role.CLINICIAN, Role.FACILITY_MANAGER, Role.SPECIALIST) and user.facility_id:
        return Q(to_facility_id=user.facility_id) | Q(from_facility_id=user.facility_id)
    if user.role == Role.CHW:
        return Q(person__household__chw=user)
    return Q(pk__in=[])


def referrals_visible_to(user: Any) -> QuerySet[Referral]:
    return Referral.objects.filter(referral_filter(user))


def referral_list(*, user: Any, status: str | None = None) -> QuerySet[Referral]:
    qs = referrals_visible_to(user)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("person", "to_facility", "from_facility").order_by("-issued_at", "id")


def facility_referrals(*, user: Any, status: str | None = None) -> QuerySet[Referral]:
    """The referrals page: what the list shows, in a fixed number of queries."""
    return referral_list(user=user, status=status).select_related("issued_by", "person__household")


def referral_detail(*, user: Any, referral_id: Any) -> Referral:
    """One referral with what its slip shows (Referral.DoesNotExist outside the scope)."""
    return (
        referrals_visible_to(user)
        .select_related(
            "person",
            "person__household",
            "person__household__quartier",
            "person__household__chw",
            "to_facility",
            "from_facility",
            "issued_by",
            "visit",
        )
        .get(pk=referral_id)
    )


def referrals_for_person(*, user: Any, person: Any) -> QuerySet[Referral]:
    return (
        referrals_visible_to(user)
        .filter(person=person)
        .select_related("to_facility", "from_facility")
        .order_by("-issued_at")
    )


def pending_referrals(*, user: Any, person: Any) -> QuerySet[Referral]:
    """The person's referrals still waiting for care (issued, arrived or not arrived)."""
    return referrals_for_person(user=user, person=person).filter(
        status__in=[*OPEN_STATUSES, ReferralStatus.NOT_ARRIVED]
    )


def person_page_referrals(
    user: Any, person: Any, *, can_record_visit: bool, show_outcomes: bool
) -> dict[str, Any]:
    """The person page's referrals and their outcome (``people.hooks.person_page``)."""
    return {"referrals": referrals_for_person(user=user, person=person)} if show_outcomes else {}
