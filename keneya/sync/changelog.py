"""Appending to the change log: what the write paths call so that tablets hear of a change.

The domain services (registry, visits, alerts, referrals...) call these functions explicitly (no signals,
docs/decisions/0001), inside their own transaction: a rolled-back write leaves no row.

Ordering: a tablet's cursor is the last ``seq`` it received, so within one CHW's stream a row
with a smaller ``seq`` must never become visible after a larger one (it would be skipped for
ever). On PostgreSQL two transactions may draw sequence numbers in one order and commit in the
other, so appending for a CHW first takes a row lock on that CHW (``FOR NO KEY UPDATE`` on the
user row, which does not block foreign-key checks), held until commit: one CHW's rows are then
committed in ``seq`` order. SQLite already serialises writers (one writer at a time, and its
backend has no row locks): there, no lock is taken. A push takes its CHW's lock once for the
whole batch (``streams_locked``), so the records it applies do not lock again.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone

from keneya.core.memo import forget, remembered
from keneya.sync.models import ChangeLog, ChangeOp, FieldClock
from keneya.sync.registry import SYNC_TYPES, children_of, ordered

ObjectRef = tuple[str, uuid.UUID]
CHW_OF = "sync.chw_of"  # the kind of ``core.memo`` answers ``chw_of`` remembers

# The CHW streams locked by an enclosing ``streams_locked`` block (a push batch), if any.
_held_streams: ContextVar[frozenset[Any]] = ContextVar("keneya_held_streams", default=frozenset())


def _lock_streams(chw_ids: Iterable[Any]) -> None:
    from keneya.accounts.models import User

    if not connection.features.has_select_for_update:
        return  # SQLite: writers are serialised already, and the SELECT would lock nothing
    held = _held_streams.get()
    ids = sorted({i for i in chw_ids if i is not None and i not in held})
    if ids:
        list(
            User.objects.select_for_update(no_key=True)
            .filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )


@contextmanager
def streams_locked(chw_ids: Iterable[Any]) -> Iterator[None]:
    """Lock the streams of ``chw_ids`` now, for the rest of the enclosing transaction.

    Inside the block, appending for these CHWs does not lock again: the locks taken here are
    held until the transaction ends. Use it directly inside ``transaction.atomic()`` (not in a
    savepoint that may roll back and release the locks before the block ends). Writers that
    lock first, then read what is stored, never store the same object twice.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("streams_locked needs an enclosing transaction.atomic()")
    ids = {i for i in chw_ids if i is not None}
    _lock_streams(ids)
    token = _held_streams.set(_held_streams.get() | ids)
    try:
        yield
    finally:
        _held_streams.reset(token)


def record_changes(*, objects: Sequence[ObjectRef], chw_id: Any, op: str = ChangeOp.UPSERT) -> int | None:
    """Append one row per object for the tablet of ``chw_id``; returns the highest ``seq``.

    ``chw_id`` may be None (no CHW): the rows then reach no tablet but still version the objects.
    """
    seqs = record_changes_for([(chw_id, kind, obj_id) for kind, obj_id in objects], op=op)
    return max(seqs) if seqs else None


def record_changes_for(
    entries: Sequence[tuple[Any, str, uuid.UUID]], *, op: str = ChangeOp.UPSERT
) -> list[int]:
    """Append one row per ``(chw_id, type, object_id)``, for one CHW or several at once (a set
    of visits with their alerts and referrals); returns each row's ``seq``, in order.

    One INSERT whatever the number of rows, after locking every CHW stream involved (in ``pk``
    order, so two such writers cannot deadlock).
    """
    if not entries:
        return []
    with transaction.atomic(savepoint=False):
        _lock_streams(chw_id for chw_id, _kind, _obj_id in entries)
        rows = ChangeLog.objects.bulk_create(
            [ChangeLog(chw_id=chw_id, type=kind, object_id=obj_id, op=op) for chw_id, kind, obj_id in entries]
        )
    if any(row.seq is None for row in rows):  # backends without RETURNING (none we support)
        raise RuntimeError("the database did not return the change-log sequence numbers")
    return [int(row.seq) for row in rows]


def record_change(
    *, type: str, obj_id: Any, chw_id: Any, op: str = ChangeOp.UPSERT, fields: Iterable[str] = ()
) -> int:
    """Append one change; ``fields`` (an edit's changed fields) move their clocks to now.

    The web and the API edit with the server's clock and no device: a tablet that edits the same
    field from an older version then meets a conflict (``sync.services.push``).
    """
    with transaction.atomic(savepoint=False):
        _lock_streams([chw_id])
        seq = ChangeLog.objects.create(chw_id=chw_id, type=type, object_id=obj_id, op=op).seq
        now = timezone.now()
        for name in fields:
            FieldClock.objects.update_or_create(
                type=type,
                object_id=obj_id,
                field=name,
                defaults={"changed_at": now, "device": None, "seq": seq},
            )
    return seq


def latest_seq(*, chw_id: Any = None) -> int:
    qs = ChangeLog.objects.all() if chw_id is None else ChangeLog.objects.filter(chw_id=chw_id)
    return qs.aggregate(m=Max("seq"))["m"] or 0


def versions(refs: Iterable[ObjectRef]) -> dict[ObjectRef, int]:
    """The version of each object: the ``seq`` of its latest change (one query per type)."""
    by_type: dict[str, set[uuid.UUID]] = {}
    for kind, obj_id in refs:
        by_type.setdefault(kind, set()).add(obj_id)
    found: dict[ObjectRef, int] = {}
    for kind, ids in by_type.items():
        rows = (
            ChangeLog.objects.filter(type=kind, object_id__in=ids)
            .values("object_id")
            .annotate(version=Max("seq"))
            .values_list("object_id", "version")
        )
        found.update({(kind, obj_id): version for obj_id, version in rows})
    return found


def version_of(kind: str, obj_id: Any) -> int:
    return ChangeLog.objects.filter(type=kind, object_id=obj_id).aggregate(m=Max("seq"))["m"] or 0


def chw_of(kind: str, obj_id: Any) -> Any:
    """The CHW whose tablet holds this object (its type's ``chw`` path), or None.

    Remembered inside ``core.memo.remembering`` (the demo seed); the handovers below forget."""
    sync_type = SYNC_TYPES[kind]
    return remembered(
        CHW_OF,
        (kind, obj_id),
        lambda: (
            sync_type.model._default_manager.filter(pk=obj_id).values_list(sync_type.chw, flat=True).first()
        ),
    )


# Shorthands for the callers in people, alerts and referrals (names only: no import of them).
def chw_of_person(person_id: Any) -> Any:
    return chw_of("person", person_id)


def objects_under(kind: str, ids: Iterable[Any]) -> list[ObjectRef]:
    """The objects and everything under them that a tablet holds (the types whose ``parent``
    is this one, recursively), each type in order and by ``pk``."""
    ids = list(ids)
    if not ids:
        return []
    refs: list[ObjectRef] = [(kind, i) for i in ids]
    for child in children_of(kind):
        assert child.parent is not None
        child_ids = (
            child.model._default_manager.filter(**{f"{child.parent[1]}__in": ids})
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        refs += objects_under(child.name, child_ids)
    return refs


def person_objects(person_ids: Iterable[Any]) -> list[ObjectRef]:
    """The persons and what the tablet holds about them: visits, alerts, referrals."""
    return objects_under("person", person_ids)


def household_objects(household_id: Any) -> list[ObjectRef]:
    """A household and everything under it that a tablet holds."""
    return objects_under("household", [household_id])


def record_handover(*, refs: Sequence[ObjectRef], from_chw_id: Any, to_chw_id: Any) -> None:
    """Objects change CHW: the old tablet gets deletes, the new one upserts."""
    forget(CHW_OF)
    with transaction.atomic():
        _lock_streams([from_chw_id, to_chw_id])
        if from_chw_id is not None:
            record_changes(objects=refs, chw_id=from_chw_id, op=ChangeOp.DELETE)
        record_changes(objects=refs, chw_id=to_chw_id, op=ChangeOp.UPSERT)


def record_household_handover(*, household_id: Any, from_chw_id: Any, to_chw_id: Any) -> None:
    """A household changes CHW: the old tablet gets deletes, the new one upserts of it all."""
    if from_chw_id == to_chw_id:
        return
    record_handover(refs=household_objects(household_id), from_chw_id=from_chw_id, to_chw_id=to_chw_id)


def record_person_handover(*, person_id: Any, from_chw_id: Any, to_chw_id: Any) -> None:
    """A person moves to a household of another CHW (or of the same one)."""
    forget(CHW_OF)
    if from_chw_id == to_chw_id:
        record_changes(objects=[("person", person_id)], chw_id=to_chw_id)
        return
    record_handover(refs=person_objects([person_id]), from_chw_id=from_chw_id, to_chw_id=to_chw_id)


def backfill(*, chw: Any = None) -> int:
    """Log the top-level objects (households) and all under them that their CHW's stream has
    never mentioned.

    For data written outside the services (the bulk demo seed, imports, rows older than this
    app). Idempotent: an object already in its CHW's stream is skipped. Returns rows added.
    """
    added = 0
    for sync_type in ordered():
        if sync_type.parent is not None or not sync_type.direction.pulled:
            continue
        path = sync_type.chw
        rows = sync_type.model._default_manager.filter(**{f"{path}__isnull": False})
        if chw is not None:
            rows = rows.filter(**{path: chw})
        logged = ChangeLog.objects.filter(
            type=sync_type.name, object_id=OuterRef("pk"), chw_id=OuterRef(path)
        )
        missing = rows.exclude(Exists(logged)).order_by("pk").values_list("pk", path)
        for obj_id, chw_id in list(missing):
            refs = objects_under(sync_type.name, [obj_id])
            with transaction.atomic():
                record_changes(objects=refs, chw_id=chw_id)
            added += len(refs)
    return added
