"""The toy app's syncable type, declared as docs/sync.md "Adding a syncable type" says:
pushed (created once, append-only) and pulled, under its household."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from keneya.people.models import Household
from keneya.people.scope import households_visible_to
from keneya.people.sync import HOUSEHOLD, household_live
from keneya.sync import changelog
from keneya.sync.fields import boolean, coerce, text, uuid_value
from keneya.sync.payloads import pick
from keneya.sync.registry import Batch, Direction, Incoming, SyncType, register
from keneya.sync.tests.toyapp.models import WaterPoint

WATER_POINT = "water_point"


def record_water_point(*, by: Any, id: Any, household: Household, kind: str, working: bool) -> WaterPoint:
    """The app's service: check scope and value, write, and tell the household's tablet."""
    if not households_visible_to(by).filter(pk=household.pk).exists():
        raise PermissionDenied
    if kind not in ("well", "tap", "borehole"):
        raise ValidationError({"kind": ["Type de point d'eau inconnu."]})
    point = WaterPoint._default_manager.create(id=id, household=household, kind=kind, working=working)
    changelog.record_change(type=WATER_POINT, obj_id=point.pk, chw_id=household.chw_id)
    return point


def _apply(batch: Batch, record: Incoming) -> dict[str, Any]:
    if WaterPoint._default_manager.filter(pk=record.id).exists():
        return {"status": "duplicate", "version": changelog.version_of(WATER_POINT, record.id)}
    values = coerce(WATER_POINT_TYPE, record.fields)
    household = Household.objects.filter(pk=values.get("household", uuid.UUID(int=0))).first()
    if household is None:
        raise ValidationError({"household": ["Ménage inconnu."]})
    record_water_point(
        by=batch.user,
        id=record.id,
        household=household,
        kind=values.get("kind", ""),
        working=values.get("working", True),
    )
    return {"status": "accepted", "version": changelog.version_of(WATER_POINT, record.id)}


def _data(point: WaterPoint) -> dict[str, Any]:
    return {**pick(point, ("kind", "working")), "household": str(point.household.pk)}


WATER_POINT_TYPE = register(
    SyncType(
        name=WATER_POINT,
        model=WaterPoint,
        order=60,
        direction=Direction.BOTH,
        fields={"household": uuid_value, "kind": text, "working": boolean},
        ops=("create",),
        apply=_apply,
        scope=lambda user: WaterPoint._default_manager.filter(
            household__in=households_visible_to(user).values("pk")
        ),
        parent=(HOUSEHOLD, "household"),
        chw="household__chw",
        live=lambda point, chw_id: household_live(point.household, chw_id),
        payload=_data,
        select_related=("household",),
    )
)
