"""Referral reads, scoped."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from keneya.accounts.models import Role
from keneya.referrals.models import Referral


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
    return qs.select_related("person", "to_facility", "from_facility").order_by("-issued_at",
                                                                                 "id")
