"""Tablet sync (docs/sync.md): devices, push, pull, conflicts.

- ``push`` applies a batch in order (``incoming.py``) in one transaction, each household or
  person record in a savepoint, each run of consecutive visits in one (recorded together by
  their type's ``apply_run``), through the same services as the web: a batch cut
  off halfway leaves every record whole, and the retry finishes the job. Households and
  persons merge field by field, last writer (device ``changed_at``) wins, with a
  ``SyncConflict`` when another device or the web changed the field after the version the
  tablet started from.
- ``pull`` returns the CHW's change-log rows after a cursor, with each object's current data.
- ``record_change`` (``changelog.py``) is what the write paths call.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keneya.accounts.permissions import Capability, has_capability
from keneya.sync import changelog, incoming, payloads
from keneya.sync.changelog import record_change
from keneya.sync.fields import canonical, coerce, current_value
from keneya.sync.models import ChangeLog, Device, PushBatch, SyncConflict
from keneya.sync.queries import conflicts_visible_to, devices_visible_to
from keneya.sync.registry import PULL_EXTRAS, SYNC_TYPES, Batch, ordered

__all__ = [
    "authenticate_device",
    "pull",
    "push",
    "record_change",
    "register_device",
    "resolve_conflict",
    "revoke_device",
]

TOKEN_BYTES = 32
MAX_RECORDS_PER_BATCH = 1000
DEFAULT_PULL_LIMIT = 500
MAX_PULL_LIMIT = 1000
# last_seen_at is written at most once per this delay (a pull of many pages is one sighting).
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


class SyncError(Exception):
    """A refusal the API turns into a JSON error with this ``code``."""

    code = "sync_error"


class DeviceRevoked(SyncError):
    code = "device_revoked"


class UnknownDevice(SyncError):
    code = "invalid_token"


class DeviceTaken(SyncError):
    code = "device_taken"


class MalformedBatch(SyncError):
    code = "malformed_batch"


class BatchTaken(SyncError):
    code = "batch_id_reused"


class BadCursor(SyncError):
    code = "bad_cursor"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# --- Devices ----------------------------------------------------------------------------------
@transaction.atomic
def register_device(*, by: Any, device_id: uuid.UUID, name: str = "") -> tuple[Device, str, bool]:
    """Register a CHW's tablet; returns (device, token, created). The token is shown only here.

    The same ``device_id`` again (a lost answer, a reinstall) gets a new token, the old one
    stops working. A revoked device stays revoked: the tablet must start over with a new id.
    Registration also logs the CHW's households that their stream has never mentioned (data
    bulk-loaded outside the services), so a first pull brings everything.
    """
    if not has_capability(by, Capability.SYNC_DEVICE):
        raise PermissionDenied
    name = " ".join((name or "").split())[:80]
    token = secrets.token_urlsafe(TOKEN_BYTES)
    device = Device.objects.select_for_update().filter(pk=device_id).first()
    created = device is None
    if device is None:
        try:
            with transaction.atomic():
                device = Device.objects.create(id=device_id, user=by, name=name, token_hash=_hash(token))
        except IntegrityError:
            raise DeviceTaken(_("Cet identifiant de tablette est déjà utilisé.")) from None
    else:
        if device.user_id != by.pk:
            raise DeviceTaken(_("Cet identifiant de tablette est déjà utilisé."))
        if device.is_revoked:
            raise DeviceRevoked(_("Cette tablette a été révoquée."))
        device.token_hash = _hash(token)
        device.name = name or device.name
        device.save(update_fields=["token_hash", "name"])
    changelog.backfill(chw=by)
    return device, token, created


@transaction.atomic
def revoke_device(*, by: Any, device: Device) -> Device:
    """A supervisor locks a tablet out (lost, stolen, handed over). Revoking twice is harmless."""
    if not has_capability(by, Capability.SYNC_SUPERVISE):
        raise PermissionDenied
    if not devices_visible_to(by).filter(pk=device.pk).exists():
        raise PermissionDenied
    if device.revoked_at is None:
        device.revoked_at = timezone.now()
        device.revoked_by = by
        device.save(update_fields=["revoked_at", "revoked_by"])
    return device


def authenticate_device(token: str) -> Device:
    """The device of a token, or UnknownDevice / DeviceRevoked."""
    device = Device.objects.select_related("user").filter(token_hash=_hash(token or "")).first()
    if device is None:
        raise UnknownDevice(_("Jeton de tablette invalide."))
    if device.is_revoked:
        raise DeviceRevoked(_("Cette tablette a été révoquée : ses données locales doivent être effacées."))
    if not device.user.is_active:
        raise UnknownDevice(_("Le compte de ce relais est désactivé."))
    now = timezone.now()
    if device.last_seen_at is None or now - device.last_seen_at > LAST_SEEN_RESOLUTION:
        Device.objects.filter(pk=device.pk).update(last_seen_at=now)
        device.last_seen_at = now
    return device


# --- Push -------------------------------------------------------------------------------------
def push(*, device: Device, batch: Any) -> dict[str, Any]:
    """Apply a batch in the order sent: one transaction, a savepoint per household or person
    record and per run of consecutive visits (recorded together, set-based).

    A rejected record writes nothing and the others go on. A batch that comes back (same
    ``batch_id``) returns the results stored the first time. An unexpected error stops the
    batch where it is: the records before it are committed, the failing record (or run of
    visits) is rolled back, and the error propagates; the retry applies the rest (every record
    is idempotent). A lost connection rolls back the whole batch, which the retry applies.
    """
    if not isinstance(batch, dict):
        raise MalformedBatch(_("Le lot doit être un objet JSON."))
    try:
        batch_id = uuid.UUID(str(batch.get("batch_id")))
    except ValueError:
        raise MalformedBatch(_("« batch_id » : UUID attendu.")) from None
    records = batch.get("records")
    if not isinstance(records, list):
        raise MalformedBatch(_("« records » : liste attendue."))
    if len(records) > MAX_RECORDS_PER_BATCH:
        raise MalformedBatch(
            _("Trop d'enregistrements dans un lot (%(max)s au plus).") % {"max": MAX_RECORDS_PER_BATCH}
        )
    stored = _stored_result(device, batch_id)
    if stored is not None:
        return stored
    now = timezone.now()
    failure: Exception | None = None
    with transaction.atomic(), changelog.streams_locked([device.user_id]):
        # The same batch sent twice at once: the other request held the lock and stored it.
        stored = _stored_result(device, batch_id)
        if stored is not None:
            return stored
        context = Batch(device=device, records=records)
        results: list[dict[str, Any]] = []
        for run in _runs(records):
            try:
                if incoming.set_based(run[0]):
                    with transaction.atomic():  # the run of visits is written whole, or not
                        results += incoming.apply_run_records(context, run, now)
                else:
                    results.append(incoming.apply_record(device, run[0], now, context))
            except Exception as exc:  # noqa: BLE001 - re-raised once the records before it commit
                failure = exc
                break
        if failure is None:
            response = {
                "batch_id": str(batch_id),
                "results": results,
                "cursor": str(changelog.latest_seq(chw_id=device.user_id)),
            }
            try:
                with transaction.atomic():
                    PushBatch.objects.create(batch_id=batch_id, device=device, result=response)
            except IntegrityError:
                # Stored meanwhile by a request of another tablet.
                stored = _stored_result(device, batch_id)
                if stored is None:
                    raise
                return stored
    if failure is not None:
        raise failure
    return response


def _runs(records: list[Any]) -> list[list[Any]]:
    """The records in order, consecutive records of a set-based type (visits) together, any
    other record alone."""
    runs: list[list[Any]] = []
    for record in records:
        if runs and incoming.runs_together(record, runs[-1][0]):
            runs[-1].append(record)
        else:
            runs.append([record])
    return runs


def _stored_result(device: Device, batch_id: uuid.UUID) -> dict[str, Any] | None:
    stored = PushBatch.objects.filter(batch_id=batch_id).first()
    if stored is None:
        return None
    if stored.device_id != device.pk:
        raise BatchTaken(_("Ce « batch_id » a déjà été utilisé par une autre tablette."))
    return stored.result


# --- Pull ---------------------------------------------------------------------------------------
def _parse_cursor(cursor: str | None) -> int:
    if cursor in (None, ""):
        return 0
    assert cursor is not None
    if not cursor.isdigit() or len(cursor) > 19:
        raise BadCursor(_("Curseur invalide : reprenez avec le dernier « next_cursor » reçu."))
    return int(cursor)


def pull(*, device: Device, cursor: str | None = None, limit: int = DEFAULT_PULL_LIMIT) -> dict[str, Any]:
    """The CHW's changes after ``cursor``, oldest first, at most ``limit`` log rows.

    Within a page an object appears once (its latest row), by type in the registry's order
    (households first, then persons, visits, alerts and referrals). The extras (the tasks) come
    with the last page (``has_more`` false).
    """
    after = _parse_cursor(cursor)
    limit = max(1, min(limit, MAX_PULL_LIMIT))
    rows = list(
        ChangeLog.objects.filter(chw_id=device.user_id, seq__gt=after)
        .order_by("seq")
        .values_list("seq", "type", "object_id")[: limit + 1]
    )
    has_more = len(rows) > limit
    rows = rows[:limit]
    latest: dict[tuple[str, uuid.UUID], int] = {}
    for seq, kind, obj_id in rows:
        latest[(kind, obj_id)] = seq
    ids: dict[str, set[uuid.UUID]] = {}
    for kind, obj_id in latest:
        ids.setdefault(kind, set()).add(obj_id)
    loaded = {kind: payloads.load(kind, kind_ids, device.user_id) for kind, kind_ids in ids.items()}
    versions = changelog.versions(latest)
    rank = {t.name: i for i, t in enumerate(ordered())}
    changes = []
    for (kind, obj_id), _seq in sorted(latest.items(), key=lambda item: (rank.get(item[0][0], 99), item[1])):
        if kind not in rank:
            continue  # a type no longer declared
        entry = loaded[kind].get(obj_id, {"op": "delete"})
        change = {
            "type": kind,
            "id": str(obj_id),
            "op": entry["op"],
            "version": versions.get((kind, obj_id), 0),
        }
        if entry.get("data") is not None:
            change["data"] = entry["data"]
        changes.append(change)
    answer: dict[str, Any] = {"changes": changes}
    for name, make in PULL_EXTRAS.items():  # the tasks (visits.sync): whole, on the last page
        answer[name] = None if has_more else make(device.user)
    answer.update(next_cursor=str(rows[-1][0]) if rows else str(after), has_more=has_more)
    return answer


# --- Conflicts --------------------------------------------------------------------------------
def _resolve_field(by: Any, conflict: SyncConflict, value: Any) -> Any:
    sync_type = SYNC_TYPES[conflict.type]
    values = coerce(sync_type, {conflict.field: value})
    chosen = values[conflict.field]
    obj = sync_type.model._default_manager.select_for_update().get(pk=conflict.object_id)
    current = canonical(sync_type, conflict.field, current_value(obj, conflict.field))
    if current != canonical(sync_type, conflict.field, chosen):
        assert sync_type.apply_changes is not None
        sync_type.apply_changes(by, obj, {conflict.field: chosen})
    return canonical(sync_type, conflict.field, chosen)


@transaction.atomic
def resolve_conflict(*, by: Any, conflict: SyncConflict, value: Any) -> SyncConflict:
    """The supervisor picks the value; it is applied as an ordinary change (tablets pull it)."""
    if not has_capability(by, Capability.SYNC_SUPERVISE):
        raise PermissionDenied
    if not conflicts_visible_to(by).filter(pk=conflict.pk).exists():
        raise PermissionDenied
    conflict = SyncConflict.objects.select_for_update().get(pk=conflict.pk)
    sync_type = SYNC_TYPES[conflict.type]
    if conflict.resolved_at is not None:
        if conflict.chosen_value == value or (
            not conflict.is_delete_request
            and conflict.chosen_value == canonical(sync_type, conflict.field, value)
        ):
            return conflict
        raise ValidationError({"value": [_("Ce conflit est déjà résolu.")]})
    if conflict.is_delete_request:
        # "keep", or the id of the record to merge into (the type's resolve_delete).
        assert sync_type.resolve_delete is not None
        chosen = sync_type.resolve_delete(by, conflict, value)
    else:
        chosen = _resolve_field(by, conflict, value)
    conflict.resolved_at = timezone.now()
    conflict.resolved_by = by
    conflict.chosen_value = chosen
    conflict.save(update_fields=["resolved_at", "resolved_by", "chosen_value"])
    return conflict
