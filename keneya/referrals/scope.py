"""The referrals' part of the scope: a CSCom or CSRef also sees the people referred to it.

Registered on ``accounts.scope.person_visibility`` by ``ReferralsConfig.ready``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q

from keneya.accounts.models import Role
from keneya.referrals.models import Referral

FACILITY_ROLES = frozenset({Role.CLINICIAN, Role.FACILITY_MANAGER, Role.SPECIALIST})


def referred_to_my_facility(user: Any, *, lookup: bool = False) -> Q | None:
    """The people referred to the user's facility (CSCom staff and CSRef specialists).

    With ``lookup`` (a handful of persons: one id, the matches of a name) the test is an EXISTS
    on each person's own referrals (an index probe), where ``pk IN (the facility's referrals)``
    hashed all 18,000 referrals of a district CSCom for each lookup (docs/benchmarks.md). Over
    many persons (a visit list) the IN form stays: it is hashed once and, unlike a correlated
    EXISTS, lets PostgreSQL scan in parallel.
    """
    if not user.facility_id or user.role not in FACILITY_ROLES:
        return None
    if lookup:
        return Q(Exists(Referral.objects.filter(person=OuterRef("pk"), to_facility_id=user.facility_id)))
    return Q(pk__in=Referral.objects.filter(to_facility_id=user.facility_id).values("person_id"))
