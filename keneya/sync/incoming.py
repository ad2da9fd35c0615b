"""Applying what a tablet pushes (docs/sync.md, "Push"): the mechanism, for any syncable type.

``parse_record`` checks a record's shape against its type (``keneya.sync.registry``).
``apply_record`` runs the type's ``apply`` in a savepoint of the batch's transaction (households
and persons, one at a time, merged field by field with ``merge_fields``); the consecutive
records of a type with ``apply_run`` (visits) go together through ``apply_run_records``, in a few
statements for the whole run. Every record gets its own result: a ValidationError (or a
ValueError/TypeError of a parser), PermissionDenied or IdTaken becomes a ``rejected`` result and
the record writes nothing; the others go on. Anything else propagates (the batch stops there,
and its retry finishes the job).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from keneya.core.api import validation_error_detail
from keneya.core.errors import IdTaken as CoreIdTaken
from keneya.sync import changelog
from keneya.sync.fields import MAX_ERRORS, MAX_NAME, canonical, current_value
from keneya.sync.models import Device, FieldClock, SyncConflict
from keneya.sync.registry import SYNC_TYPES, Batch, Incoming, SyncType

__all__ = [
    "Batch",
    "IdTaken",
    "Incoming",
    "Merge",
    "apply_record",
    "apply_run_records",
    "edit_result",
    "merge_fields",
    "parse_record",
    "runs_together",
    "set_based",
    "set_clocks",
]

logger = logging.getLogger(__name__)

# An error message sent back is cut to this many characters (it may quote what was sent).
MAX_MESSAGE = 160


class IdTaken(Exception):
    """The record's id is stored, outside what the pushing CHW may touch. The answer is the
    same whatever the stored row is (``id_taken``): nothing of it is revealed."""


# What refuses one record, and only that record.
RECORD_ERRORS = (ValidationError, PermissionDenied, IdTaken, ValueError, TypeError, OverflowError)


def pushed_type(record: Any) -> SyncType | None:
    kind = record.get("type") if isinstance(record, dict) else None
    if not isinstance(kind, str):
        return None
    sync_type = SYNC_TYPES.get(kind)
    return sync_type if sync_type is not None and sync_type.direction.pushed else None


def _uuid_or_none(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def parse_record(record: Any, now: datetime) -> Incoming:
    if not isinstance(record, dict):
        raise ValidationError({"record": [_("Enregistrement invalide : objet JSON attendu.")]})
    errors: dict[str, list[str]] = {}
    sync_type = pushed_type(record)
    if sync_type is None:
        names = ", ".join(t.name for t in _pushed_types())
        errors["type"] = [_("Type inconnu : %(types)s.") % {"types": names}]
    obj_id = _uuid_or_none(record.get("id"))
    if obj_id is None:
        errors["id"] = [_("Identifiant invalide : UUID attendu.")]
    op = record.get("op")
    if sync_type is not None and op not in sync_type.ops:
        errors["op"] = [_("Opération inconnue pour ce type : %(ops)s.") % {"ops": ", ".join(sync_type.ops)}]
    fields = record.get("fields", {})
    if not isinstance(fields, dict):
        errors["fields"] = [_("« fields » doit être un objet JSON.")]
    base_version = record.get("base_version")
    if base_version is not None and (
        not isinstance(base_version, int) or isinstance(base_version, bool) or base_version < 0
    ):
        errors["base_version"] = [_("Version invalide : entier positif ou null.")]
    changed_at = now
    raw_changed_at = record.get("changed_at")
    if (sync_type is not None and sync_type.mergeable) or raw_changed_at is not None:
        try:
            changed_at = datetime.fromisoformat(str(raw_changed_at))
            if changed_at.tzinfo is None:
                raise ValueError
        except ValueError:
            errors["changed_at"] = [
                _("Date de modification invalide : ISO 8601 avec fuseau, par ex. 2026-03-02T09:14:03Z.")
            ]
    if errors:
        raise ValidationError(errors)
    assert sync_type is not None and obj_id is not None
    # A tablet whose clock runs ahead must not win every later edit: clamp to the server's now.
    return Incoming(
        kind=sync_type.name,
        id=obj_id,
        op=str(op),
        base_version=base_version or 0,
        changed_at=min(changed_at, now),
        fields=fields,
    )


def _pushed_types() -> list[SyncType]:
    return sorted((t for t in SYNC_TYPES.values() if t.direction.pushed), key=lambda t: (t.order, t.name))


# --- Field-by-field merge (mergeable types) ---------------------------------------------------
def set_clocks(device: Device, incoming: Incoming, names: Any) -> None:
    seq = changelog.version_of(incoming.kind, incoming.id)
    for name in names:
        FieldClock.objects.update_or_create(
            type=incoming.kind,
            object_id=incoming.id,
            field=name,
            defaults={"changed_at": incoming.changed_at, "device": device, "seq": seq},
        )


@dataclass
class Merge:
    changes: dict[str, Any]
    conflicts: list[SyncConflict]
    superseded: list[str]


def merge_fields(
    device: Device, incoming: Incoming, obj: Any, household_id: Any, values: dict[str, Any]
) -> Merge:
    """Field by field: which incoming values win (newer ``changed_at``), which lose, and which
    meet a change made after ``base_version`` by another device or the web (a conflict, shown
    to the supervisors of ``household_id``)."""
    sync_type = SYNC_TYPES[incoming.kind]
    clocks = {
        c.field: c
        for c in FieldClock.objects.filter(type=incoming.kind, object_id=incoming.id, field__in=list(values))
    }
    merge = Merge(changes={}, conflicts=[], superseded=[])
    for name, value in values.items():
        server = canonical(sync_type, name, current_value(obj, name))
        mine = canonical(sync_type, name, value)
        if server == mine:
            continue
        clock = clocks.get(name)
        newer = clock is None or incoming.changed_at > clock.changed_at
        if value is None and name in sync_type.never_cleared:
            newer = False  # e.g. a recorded death is not undone from a tablet
        if clock is not None and clock.seq > incoming.base_version and clock.device_id != device.pk:
            merge.conflicts.append(
                SyncConflict(
                    type=incoming.kind,
                    object_id=incoming.id,
                    household_id=household_id,
                    field=name,
                    server_value=server,
                    incoming_value=mine,
                    server_device_id=clock.device_id,
                    incoming_device=device,
                    server_changed_at=clock.changed_at,
                    incoming_changed_at=incoming.changed_at,
                    kept="incoming" if newer else "server",
                )
            )
        if newer:
            merge.changes[name] = value
        else:
            merge.superseded.append(name)
    return merge


def _save_conflicts(conflicts: list[SyncConflict]) -> None:
    for conflict in conflicts:
        # A retried record must not list the same conflict twice.
        SyncConflict.objects.get_or_create(
            type=conflict.type,
            object_id=conflict.object_id,
            field=conflict.field,
            incoming_device=conflict.incoming_device,
            incoming_changed_at=conflict.incoming_changed_at,
            incoming_value=conflict.incoming_value,
            defaults={
                "household_id": conflict.household_id,
                "server_value": conflict.server_value,
                "server_device_id": conflict.server_device_id,
                "server_changed_at": conflict.server_changed_at,
                "kept": conflict.kept,
            },
        )


def edit_result(device: Device, incoming: Incoming, merge: Merge) -> dict[str, Any]:
    """After the winning fields are applied: conflicts and clocks stored, the record's result."""
    _save_conflicts(merge.conflicts)
    set_clocks(device, incoming, merge.changes)
    result: dict[str, Any] = {
        "status": "accepted" if merge.changes or merge.superseded or merge.conflicts else "duplicate",
        "version": changelog.version_of(incoming.kind, incoming.id),
    }
    if merge.conflicts:
        result["conflicts"] = sorted(c.field for c in merge.conflicts)
    if merge.superseded:
        result["superseded"] = sorted(merge.superseded)
    return result


# --- Results ----------------------------------------------------------------------------------
def _head(record: Any) -> dict[str, Any]:
    """The record's type and id as sent (None when not short strings), for a rejection."""
    head: dict[str, Any] = {"type": None, "id": None}
    if isinstance(record, dict):
        head = {"type": record.get("type"), "id": record.get("id")}
        head = {k: v if isinstance(v, str) and len(v) <= 64 else None for k, v in head.items()}
    return head


def _short(message: str) -> str:
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 1] + "…"


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    """French errors keyed by field, short: a message quoting what was sent is cut."""
    detail = validation_error_detail(exc)
    out: dict[str, list[str]] = {}
    for name, messages in list(detail.items())[:MAX_ERRORS]:
        out[str(name)[:MAX_NAME]] = [_short(str(m)) for m in messages[:5]]
    return out


def rejected(record: Any, exc: Exception, *, malformed: bool = False) -> dict[str, Any]:
    head = {**_head(record), "status": "rejected"}
    if isinstance(exc, (IdTaken, CoreIdTaken)):
        return {**head, "reason": "id_taken", "errors": {"id": [_("Cet identifiant est déjà utilisé.")]}}
    if isinstance(exc, PermissionDenied):
        return {
            **head,
            "reason": "forbidden",
            "errors": {
                "id": [
                    _(
                        "Cet enregistrement n'est pas dans votre zone, ou votre "
                        "rôle ne permet pas cette action."
                    )
                ]
            },
        }
    if isinstance(exc, ValidationError):
        return {**head, "reason": "malformed" if malformed else "validation", "errors": _errors(exc)}
    # A value a parser or a service could not read (ValueError, TypeError): its message may
    # quote the value, so it is not sent back.
    logger.warning("sync: record %s rejected (%s)", head.get("id"), type(exc).__name__)
    return {
        **head,
        "reason": "validation",
        "errors": {"fields": [_("Une valeur de cet enregistrement est invalide.")]},
    }


def _taken(sync_type: SyncType, user: Any, obj_id: uuid.UUID) -> bool:
    """Stored, but outside what ``user`` may touch (one query)."""
    if sync_type.scope is None:
        return False
    manager = sync_type.model._default_manager
    return (
        manager.filter(pk=obj_id)
        .exclude(pk__in=sync_type.scope(user).filter(pk=obj_id).values("pk"))
        .exists()
    )


# --- Applying ---------------------------------------------------------------------------------
def set_based(record: Any) -> bool:
    """Whether the record's type is applied by runs (``apply_run``: visits)."""
    sync_type = pushed_type(record)
    return sync_type is not None and sync_type.apply_run is not None


def runs_together(record: Any, previous: Any) -> bool:
    """Whether ``record`` joins the run of ``previous`` (same type, applied set-based)."""
    return set_based(record) and pushed_type(record) is pushed_type(previous)


def apply_run_records(batch: Batch, records: Sequence[Any], now: datetime) -> list[dict[str, Any]]:
    """Apply a run of records of one set-based type (``apply_run``); one result per record, in
    order. A record refused (shape, validation, scope) is answered ``rejected``, the others are
    stored. If the set-based call fails on one record's value (ValueError, TypeError...), the
    run is applied again one record at a time, so that only that record is refused."""
    sync_type = pushed_type(records[0])
    assert sync_type is not None and sync_type.apply_run is not None
    results: list[dict[str, Any] | None] = [None] * len(records)
    parsed: list[tuple[int, Incoming]] = []
    for i, record in enumerate(records):
        try:
            parsed.append((i, parse_record(record, now)))
        except ValidationError as exc:
            results[i] = rejected(record, exc, malformed=True)
    outcomes: Sequence[dict[str, Any] | Exception]
    try:
        with transaction.atomic():
            outcomes = sync_type.apply_run(batch, [incoming for _i, incoming in parsed])
    except RECORD_ERRORS:
        outcomes = []
        for _i, incoming in parsed:
            try:
                with transaction.atomic():
                    [outcome] = sync_type.apply_run(batch, [incoming])
            except RECORD_ERRORS as exc:
                outcome = exc
            outcomes.append(outcome)  # type: ignore[attr-defined]
    for (i, incoming), outcome in zip(parsed, outcomes, strict=True):
        if isinstance(outcome, Exception):
            if not isinstance(outcome, RECORD_ERRORS):
                raise outcome
            results[i] = rejected(records[i], outcome)
        else:
            results[i] = {"type": incoming.kind, "id": str(incoming.id), **outcome}
    done = [r for r in results if r is not None]
    assert len(done) == len(records), "every record of the run has its result, in order"
    return done


def apply_record(device: Device, record: Any, now: datetime, batch: Batch | None = None) -> dict[str, Any]:
    """Apply one record, inside the batch's transaction; ``batch``: what the push shares
    between its records, made for this record alone when not given."""
    batch = batch or Batch(device=device, records=[record])
    sync_type = pushed_type(record)
    if sync_type is not None and sync_type.apply_run is not None:
        [result] = apply_run_records(batch, [record], now)
        return result
    try:
        incoming = parse_record(record, now)
    except ValidationError as exc:
        return rejected(record, exc, malformed=True)
    assert sync_type is not None and sync_type.apply is not None
    batch.changed()
    try:
        with transaction.atomic():
            if _taken(sync_type, batch.user, incoming.id):
                raise IdTaken
            outcome = sync_type.apply(batch, incoming)
    except RECORD_ERRORS as exc:
        return rejected(record, exc)
    return {"type": incoming.kind, "id": str(incoming.id), **outcome}
