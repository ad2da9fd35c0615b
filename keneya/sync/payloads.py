"""What a pull sends for each object: its current data, compact, or a tombstone.

The operation comes from the object's state now, not from the log row: an object is sent as an
``upsert`` only while it is ``live`` for the CHW (its type's declaration: household assigned to
them and not dissolved, person not merged, visit/alert/referral of such a person); otherwise it
is a ``delete``. So a tablet always converges to the server's state, and data that left the
CHW's zone is never sent to them, whatever the log holds. One query per type.

The types write their rows with ``pick`` and ``json_value`` (``<app>/sync.py``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from keneya.sync.registry import SYNC_TYPES


def json_value(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def pick(obj: Any, names: Iterable[str]) -> dict[str, Any]:
    return {name: json_value(getattr(obj, name)) for name in names}


def ref(value: Any) -> str | None:
    """A foreign key's id as the wire writes it (a string, or null)."""
    return str(value) if value is not None else None


def load(kind: str, ids: set[uuid.UUID], chw_id: Any) -> dict[uuid.UUID, dict[str, Any]]:
    """For each id, ``{"op": "upsert", "data": ...}`` when it is live for the CHW, else a
    tombstone ``{"op": "delete"}`` (with the type's ``tombstone`` data if any: a merged
    person's names the record kept, so tablets re-point their pending visits to it). An id
    missing from the answer no longer exists (or its type is gone): a tombstone."""
    sync_type = SYNC_TYPES.get(kind)
    if sync_type is None or not sync_type.direction.pulled:
        return {}
    rows = sync_type.model._default_manager.filter(pk__in=ids)
    if sync_type.select_related:
        rows = rows.select_related(*sync_type.select_related)
    found: dict[uuid.UUID, dict[str, Any]] = {}
    for obj in rows:
        if sync_type.live(obj, chw_id):
            found[obj.pk] = {"op": "upsert", "data": sync_type.payload(obj)}
            continue
        entry: dict[str, Any] = {"op": "delete"}
        data = sync_type.tombstone(obj) if sync_type.tombstone is not None else None
        if data is not None:
            entry["data"] = data
        found[obj.pk] = entry
    return found
