"""Whose data a user sees. Scope is enforced in queries (never in templates).

- CHW: the households assigned to them (their zone). They register only in their zone's quartiers.
- CSCom clinician / facility manager: every household of the facility's health area.
- CSRef specialist: people referred to the CSRef (and CSCom staff also see people referred to
  their CSCom from outside its area).
- Social worker: households in the areas they are attached to.
- Administrator: everything. M&E officer and treasurer: no names at all.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from keneya.accounts.models import Role, User
from keneya.core.hooks import Hook
from keneya.core.queries import quartier_ids_under, quartiers_under_sql

# Who else a user sees beyond their households: apps above register a function
# ``(user, *, lookup: bool) -> Q | None`` over Person (``keneya.referrals``: the people referred
# to the user's facility). Such a function may read only what ``scope_key`` holds of the user,
# or what its SQL selects when it runs: the compiled lookups share a query between users of
# one key (docs/decisions/0006-compiled-lookups.md).
person_visibility = Hook("person_visibility", "Extra persons a user sees: (user, *, lookup) -> Q | None.")

_CACHE_ATTR = "_keneya_quartier_scope"


def _area_roots(user: Any) -> tuple[list[UUID], QuerySet[Any]] | None:
    """The areas whose quartiers a user covers: the facility's health area (CSCom staff) and
    the areas the user is attached to; None when the role has no area-based scope."""
    roots = []
    if user.role in {Role.CLINICIAN, Role.FACILITY_MANAGER}:
        facility = user.facility
        if facility and facility.health_area_id:
            roots.append(facility.health_area_id)
    elif user.role not in {Role.SOCIAL_WORKER, Role.CHW}:
        return None
    return roots, User.areas.through.objects.filter(user_id=user.pk).values("area_id")


def area_scoped_quartier_ids(user: Any) -> set[UUID] | None:
    """Quartiers a user covers by area, or None when the role has no area-based scope.

    One query (the user's facility comes with the user, ``accounts/authentication.py``), cached
    on the user object for the request.
    """
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    area_roots = _area_roots(user)
    if area_roots is None:
        return None
    ids = quartier_ids_under(area_roots[0], also_under=area_roots[1])
    setattr(user, _CACHE_ATTR, ids)
    return ids


def _quartiers_subquery(user: Any) -> Any:
    """The quartiers of ``area_scoped_quartier_ids`` as a subquery (nothing when none)."""
    area_roots = _area_roots(user)
    query = None if area_roots is None else quartiers_under_sql(area_roots[0], also_under=area_roots[1])
    return [] if query is None else RawSQL(*query)  # noqa: S611 (model names, values as params)


def scope_key(user: Any) -> tuple[Any, ...]:
    """Everything of the user that the SQL of ``household_filter`` and ``person_filter`` (with
    ``quartiers_inline``) depends on: two users with the same key get the same SQL, so a
    query compiled for one serves the other (``core.compiled.CompiledGet``). The user's attached
    areas are not in it: the SQL selects them when it runs. Whoever makes a filter read
    something else of the user adds it here."""
    facility = user.facility if user.is_authenticated and user.facility_id else None
    return (
        user.is_authenticated,
        user.pk,
        user.role,
        user.facility_id,
        facility.health_area_id if facility else None,
    )


def household_filter(user: Any, prefix: str = "", *, quartiers_inline: bool = False) -> Q:
    """The scope as a Q over Household, or over a model reaching it through ``prefix``.

    The quartiers of an area-scoped user are listed in the SQL (the planner then knows how
    many households they hold), or with ``quartiers_inline`` selected by a subquery in the
    same statement: one query less where the plan cannot depend on it, as a lookup by id.
    """
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.role == Role.ADMIN:
        return Q()
    if user.role == Role.CHW:
        return Q(**{f"{prefix}chw": user})
    if user.role in {Role.CLINICIAN, Role.FACILITY_MANAGER, Role.SOCIAL_WORKER}:
        quartiers = _quartiers_subquery(user) if quartiers_inline else area_scoped_quartier_ids(user) or set()
        return Q(**{f"{prefix}quartier_id__in": quartiers})
    # Specialists see referred people only; M&E officers and treasurers see no names.
    return Q(pk__in=[])


def person_filter(user: Any, *, lookup: bool = False, quartiers_inline: bool = False) -> Q:
    """Household scope, plus the persons the ``person_visibility`` receivers add (the people
    referred to the user's facility, CSCom or CSRef).

    ``lookup`` is for queries that read a handful of persons (one id, the matches of a name):
    a receiver may then test each person's own rows (an index probe) rather than hash a whole
    facility's (docs/benchmarks.md). ``quartiers_inline``: see ``household_filter``.
    """
    q = household_filter(user, prefix="household__", quartiers_inline=quartiers_inline)
    if not user.is_authenticated:
        return q
    for extra in person_visibility(user, lookup=lookup):
        if extra is not None:
            q = q | extra
    return q


def can_register_in_quartier(user: Any, quartier_id: UUID) -> bool:
    if user.role == Role.ADMIN:
        return True
    quartiers = area_scoped_quartier_ids(user)
    return quartiers is not None and quartier_id in quartiers
