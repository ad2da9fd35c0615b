"""The record's part of the scope: a clinician who broke the glass sees that person for a while.

Registered on ``accounts.scope.person_visibility`` by ``RecordsConfig.ready``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Now

from keneya.accounts.scope import BREAK_GLASS_ROLES
from keneya.records.models import BreakGlassGrant


def break_glass_grants(user: Any, *, lookup: bool = False) -> Q | None:
    """The persons of the user's unexpired break-glass grants. The expiry is compared with the
    database's clock (``Now()``) inside the SQL, so a statement compiled once per ``scope_key``
    (``core.compiled.CompiledGet``) still reads the grants, and the time, each time it runs: a
    grant opened or expired between two requests counts at once."""
    if user.role not in BREAK_GLASS_ROLES:
        return None
    if lookup:
        grants = BreakGlassGrant.objects.filter(user_id=user.pk, person=OuterRef("pk"), expires_at__gt=Now())
        return Q(Exists(grants))
    return Q(pk__in=BreakGlassGrant.objects.filter(user_id=user.pk, expires_at__gt=Now()).values("person_id"))
