"""Whose data a user sees. Scope is enforced in queries (never in templates).

- CHW: the households assigned to them (their zone). They register only in their zone's quartiers.
- CSCom clinician / facility manager: every household of the facility's health area.
- CSRef specialist: people referred to the CSRef (and CSCom staff also see people referred to
  their CSCom from outside its area).
- Social worker: households in the areas they are attached to.
- Administrator: everything. M&E officer and treasurer: no names at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.db.models import Q

from keneya.accounts.models import Role
from keneya.core.queries import quartier_ids_under

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from keneya.people.models import Household, Person

_CACHE_ATTR = "_keneya_quartier_scope"


def area_scoped_quartier_ids(user: Any) -> set[UUID] | None:
    """Quartiers a user covers by area, or None when the role has no area-based scope.

    Cached on the user object for the request.
    """
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    roots: list[Any]
    if user.role in {Role.CLINICIAN, Role.FACILITY_MANAGER}:
        facility = user.facility
        roots = [facility.health_area_id] if facility and facility.health_area_id else []
        roots += list(user.areas.values_list("id", flat=True))
    elif user.role in {Role.SOCIAL_WORKER, Role.CHW}:
        roots = list(user.areas.values_list("id", flat=True))
    else:
        return None
    ids = quartier_ids_under(roots)
    setattr(user, _CACHE_ATTR, ids)
    return ids


def household_filter(user: Any, prefix: str = "") -> Q:
    """The scope as a Q over Household, or over a model reaching it through ``prefix``."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.role == Role.ADMIN:
        return Q()
    if user.role == Role.CHW:
        return Q(**{f"{prefix}chw": user})
    if user.role in {Role.CLINICIAN, Role.FACILITY_MANAGER, Role.SOCIAL_WORKER}:
        return Q(**{f"{prefix}quartier_id__in": area_scoped_quartier_ids(user) or set()})
    # Specialists see referred people only; M&E officers and treasurers see no names.
    return Q(pk__in=[])


def households_visible_to(user: Any) -> QuerySet[Household]:
    from keneya.people.models import Household

    return Household.objects.filter(household_filter(user))


def person_filter(user: Any) -> Q:
    """Household scope, plus the people referred to the user's facility (CSCom or CSRef)."""
    q = household_filter(user, prefix="household__")
    if (user.is_authenticated and user.facility_id
            and user.role in {Role.CLINICIAN, Role.FACILITY_MANAGER, Role.SPECIALIST}):
        from keneya.referrals.models import Referral

        referred = Referral.objects.filter(to_facility_id=user.facility_id).values("person_id")
        q = q | Q(pk__in=referred)
    return q


def persons_visible_to(user: Any) -> QuerySet[Person]:
    from keneya.people.models import Person

    return Person.objects.filter(person_filter(user))


def can_register_in_quartier(user: Any, quartier_id: UUID) -> bool:
    if user.role == Role.ADMIN:
        return True
    quartiers = area_scoped_quartier_ids(user)
    return quartiers is not None and quartier_id in quartiers
