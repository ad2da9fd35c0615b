"""Applying what a tablet pushes (docs/sync.md, "Push").

``apply_record`` checks a record's shape, then runs its handler in a savepoint of the batch's
transaction: households and persons one at a time through ``people.services`` with field-level
last-writer-wins (``merge``). Visits go by runs (``apply_visits``): the consecutive visit
records of a batch are recorded together by ``visits.services.record_home_visits``, in a few
statements for the whole run. Each record gets its result; a ValidationError or
PermissionDenied becomes a ``rejected`` result (the record writes nothing), anything else
propagates (the batch stops there, and its retry finishes the job).

``Batch`` holds what is read once for all the visits of a batch: the persons in the CHW's scope
(with their household). It lives for one push only.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from keneya.core.api import validation_error_detail
from keneya.core.models import Area
from keneya.people import services as people
from keneya.people.models import Household, HouseholdStatus, Person, Relationship
from keneya.people.scope import households_visible_to, persons_visible_to
from keneya.sync import changelog
from keneya.sync.fields import canonical, coerce, current_value
from keneya.sync.models import DELETE_REQUEST_FIELD, ChangeType, Device, FieldClock, SyncConflict
from keneya.visits.services import Outcome, VisitData, record_home_visits

PUSH_TYPES = {
    ChangeType.HOUSEHOLD: ("upsert", "delete"),
    ChangeType.PERSON: ("upsert", "delete"),
    ChangeType.VISIT: ("create",),
}


@dataclass(frozen=True)
class Incoming:
    """One record of a batch, checked for shape."""

    kind: str
    id: uuid.UUID
    op: str
    base_version: int
    changed_at: datetime
    fields: dict[str, Any]


def _uuid_or_none(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


@dataclass
class Batch:
    """What a push reads once for all its visit records, not once per record.

    Made per push (one device, one request) and dropped with it. A household or person record
    may change a person (a move, a death): it calls ``registry_changed`` and the persons are read
    again before the next visit.
    """

    device: Device
    person_ids: set[uuid.UUID] = field(default_factory=set)
    _persons: dict[uuid.UUID, Person] | None = None

    @classmethod
    def of(cls, device: Device, records: list[Any]) -> Batch:
        batch = cls(device=device)
        for record in records:
            if isinstance(record, dict) and record.get("type") == ChangeType.VISIT:
                fields = record.get("fields")
                person_id = _uuid_or_none(fields.get("person")) if isinstance(fields, dict) else None
                if person_id is not None:
                    batch.person_ids.add(person_id)
        return batch

    def person_in_scope(self, person_id: uuid.UUID) -> Person | None:
        """The person, with household, if the CHW sees them; else None (unknown or out of
        scope: the caller tells which)."""
        if self._persons is None:
            self._persons = {
                p.pk: p
                for p in persons_visible_to(self.device.user)
                .filter(pk__in=self.person_ids | {person_id})
                .select_related("household")
            }
        return self._persons.get(person_id)

    def registry_changed(self) -> None:
        self._persons = None


def parse_record(record: Any, now: datetime) -> Incoming:
    if not isinstance(record, dict):
        raise ValidationError({"record": [_("Enregistrement invalide : objet JSON attendu.")]})
    errors: dict[str, list[str]] = {}
    kind = record.get("type")
    if kind not in PUSH_TYPES:
        errors["type"] = [_("Type inconnu : household, person ou visit.")]
    try:
        obj_id = uuid.UUID(str(record.get("id")))
    except ValueError:
        errors["id"] = [_("Identifiant invalide : UUID attendu.")]
    op = record.get("op")
    if kind in PUSH_TYPES and op not in PUSH_TYPES[kind]:
        errors["op"] = [
            _("Opération inconnue pour ce type : %(ops)s.") % {"ops": ", ".join(PUSH_TYPES[kind])}
        ]
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
    if kind in (ChangeType.HOUSEHOLD, ChangeType.PERSON) or raw_changed_at is not None:
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
    # A tablet whose clock runs ahead must not win every later edit: clamp to the server's now.
    return Incoming(
        kind=str(kind),
        id=obj_id,
        op=str(op),
        base_version=base_version or 0,
        changed_at=min(changed_at, now),
        fields=fields,
    )


def _set_clocks(device: Device, incoming: Incoming, names: Any) -> None:
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
    meet a change made after ``base_version`` by another device or the web (a conflict)."""
    clocks = {
        c.field: c
        for c in FieldClock.objects.filter(type=incoming.kind, object_id=incoming.id, field__in=list(values))
    }
    merge = Merge(changes={}, conflicts=[], superseded=[])
    for name, value in values.items():
        server = canonical(name, current_value(obj, name))
        mine = canonical(name, value)
        if server == mine:
            continue
        clock = clocks.get(name)
        newer = clock is None or incoming.changed_at > clock.changed_at
        if name == "date_of_death" and value is None:
            newer = False  # a recorded death is not undone from a tablet
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


def apply_household_changes(by: Any, household: Household, changes: dict[str, Any]) -> None:
    if changes:
        people.update_household(by=by, household=household, changes=dict(changes))


def apply_person_changes(by: Any, person: Person, changes: dict[str, Any]) -> None:
    changes = dict(changes)
    if "household" in changes:
        target = Household.objects.filter(pk=changes.pop("household")).first()
        if target is None:
            raise ValidationError({"household": [_("Ménage inconnu.")]})
        person = people.move_member(by=by, person=person, to_household=target)
    date_of_death = changes.pop("date_of_death", None)
    if changes:
        person = people.update_person(by=by, person=person, changes=changes)
    if date_of_death is not None:
        people.record_death(by=by, person=person, date_of_death=date_of_death)


def _edit_result(device: Device, incoming: Incoming, merge: Merge) -> dict[str, Any]:
    _save_conflicts(merge.conflicts)
    _set_clocks(device, incoming, merge.changes)
    result: dict[str, Any] = {
        "status": "accepted" if merge.changes or merge.superseded or merge.conflicts else "duplicate",
        "version": changelog.version_of(incoming.kind, incoming.id),
    }
    if merge.conflicts:
        result["conflicts"] = sorted(c.field for c in merge.conflicts)
    if merge.superseded:
        result["superseded"] = sorted(merge.superseded)
    return result


def _upsert_household(device: Device, incoming: Incoming) -> dict[str, Any]:
    user = device.user
    values = coerce(ChangeType.HOUSEHOLD, incoming.fields)
    household = Household.objects.select_for_update().filter(pk=incoming.id).first()
    if household is not None:
        if not households_visible_to(user).filter(pk=household.pk).exists():
            raise PermissionDenied
        merge = merge_fields(device, incoming, household, household.pk, values)
        apply_household_changes(user, household, merge.changes)
        return _edit_result(device, incoming, merge)
    if values.get("quartier") is None:
        raise ValidationError({"quartier": [_("Le quartier est obligatoire.")]})
    quartier = Area.objects.filter(pk=values["quartier"]).first()
    if quartier is None:
        raise ValidationError({"quartier": [_("Quartier inconnu.")]})
    household = people.register_household(
        by=user,
        id=incoming.id,
        quartier=quartier,
        address_description=values.get("address_description", ""),
        phone=values.get("phone", ""),
        phone_alt=values.get("phone_alt", ""),
        gps_latitude=values.get("gps_latitude"),
        gps_longitude=values.get("gps_longitude"),
    )
    status = values.get("status") or HouseholdStatus.ACTIVE
    if status != household.status:
        people.update_household(by=user, household=household, changes={"status": status})
    _set_clocks(device, incoming, values)
    return {"status": "accepted", "version": changelog.version_of(incoming.kind, incoming.id)}


def _upsert_person(device: Device, incoming: Incoming) -> dict[str, Any]:
    user = device.user
    values = coerce(ChangeType.PERSON, incoming.fields)
    person = Person.objects.select_for_update().filter(pk=incoming.id).select_related("household").first()
    if person is not None:
        if not households_visible_to(user).filter(pk=person.household_id).exists():
            raise PermissionDenied
        merge = merge_fields(device, incoming, person, person.household_id, values)
        apply_person_changes(user, person, merge.changes)
        return _edit_result(device, incoming, merge)
    if values.get("household") is None:
        raise ValidationError({"household": [_("Le ménage est obligatoire.")]})
    household = Household.objects.filter(pk=values["household"]).first()
    if household is None:
        raise ValidationError({"household": [_("Ménage inconnu : envoyez le ménage avant ses membres.")]})
    data = people.PersonData(
        id=incoming.id,
        family_name=values.get("family_name", ""),
        given_names=values.get("given_names", ""),
        sex=values.get("sex", ""),
        date_of_birth=values.get("date_of_birth"),
        date_of_birth_estimated=values.get("date_of_birth_estimated", False),
        relationship_to_head=values.get("relationship_to_head") or Relationship.OTHER,
        phone=values.get("phone", ""),
        nina=values.get("nina", ""),
        birth_certificate_number=values.get("birth_certificate_number", ""),
        ramed_number=values.get("ramed_number", ""),
        mutuelle_number=values.get("mutuelle_number", ""),
    )
    person = people.add_member(by=user, household=household, data=data)
    if values.get("date_of_death"):
        people.record_death(by=user, person=person, date_of_death=values["date_of_death"])
    _set_clocks(device, incoming, values)
    return {"status": "accepted", "version": changelog.version_of(incoming.kind, incoming.id)}


def _delete_household(device: Device, incoming: Incoming) -> dict[str, Any]:
    """Dissolve the household (status ``dissolved``): nothing is deleted, it can be undone."""
    household = Household.objects.select_for_update().filter(pk=incoming.id).first()
    if household is None:
        return {"status": "duplicate", "version": changelog.version_of(incoming.kind, incoming.id)}
    if not households_visible_to(device.user).filter(pk=household.pk).exists():
        raise PermissionDenied
    merge = merge_fields(device, incoming, household, household.pk, {"status": HouseholdStatus.DISSOLVED})
    apply_household_changes(device.user, household, merge.changes)
    return _edit_result(device, incoming, merge)


def _delete_person(device: Device, incoming: Incoming) -> dict[str, Any]:
    """A person is never deleted: the tablet's request goes to the supervisor for review."""
    person = Person.objects.select_for_update().filter(pk=incoming.id).first()
    version = changelog.version_of(incoming.kind, incoming.id)
    if person is None or person.merged_into_id is not None:
        return {"status": "duplicate", "version": version}
    if not households_visible_to(device.user).filter(pk=person.household_id).exists():
        raise PermissionDenied
    _request, created = SyncConflict.objects.get_or_create(
        type=ChangeType.PERSON,
        object_id=person.pk,
        field=DELETE_REQUEST_FIELD,
        incoming_device=device,
        resolved_at__isnull=True,
        defaults={
            "household_id": person.household_id,
            "server_value": None,
            "incoming_value": "delete",
            "incoming_changed_at": incoming.changed_at,
            "kept": "server",
        },
    )
    return {"status": "accepted" if created else "duplicate", "version": version, "review": True}


def _visit_data(batch: Batch, incoming: Incoming) -> VisitData:
    """A visit record's fields, checked for shape, with its person (in the CHW's scope)."""
    values = incoming.fields
    errors: dict[str, list[str]] = {}
    person_id = _uuid_or_none(values.get("person"))
    person = batch.person_in_scope(person_id) if person_id is not None else None
    known = person is not None or (person_id is not None and Person.objects.filter(pk=person_id).exists())
    if not known:
        errors["person"] = [_("Personne inconnue : envoyez la personne avant ses visites.")]
    try:
        visit_date = date.fromisoformat(str(values.get("visit_date")))
    except ValueError:
        errors["visit_date"] = [_("Date de visite invalide : utilisez le format AAAA-MM-JJ.")]
    for name in ("findings", "measurements"):
        if not isinstance(values.get(name, {}), dict):
            errors[name] = [_("Objet JSON attendu.")]
    device_assessment = values.get("device_assessment")
    if device_assessment is not None and not isinstance(device_assessment, dict):
        errors["device_assessment"] = [_("Objet JSON attendu.")]
    if errors:
        raise ValidationError(errors)
    if person is None:
        raise PermissionDenied
    return VisitData(
        person=person,
        visit_date=visit_date,
        kind=str(values.get("kind", "")),
        findings=values.get("findings") or {},
        measurements=values.get("measurements") or {},
        id=incoming.id,
        device_assessment=device_assessment,
    )


def _visit_result(incoming: Incoming, outcome: Outcome) -> dict[str, Any]:
    if outcome.error is not None:
        raise outcome.error
    assert outcome.recorded is not None
    visit = outcome.recorded.visit
    version = outcome.recorded.version
    if version is None:  # a visit stored before: its latest change
        version = changelog.version_of(incoming.kind, incoming.id)
    result: dict[str, Any] = {
        "type": incoming.kind,
        "id": str(incoming.id),
        "status": "accepted" if outcome.recorded.created else "duplicate",
        "version": version,
        "assessment_mismatch": visit.device_assessment_mismatch,
    }
    if visit.device_assessment_mismatch:
        result["assessment"] = {
            "action": visit.action,
            "urgent": visit.urgent,
            "classifications": list(visit.assessment.get("classifications", [])),
        }
    return result


def apply_visits(batch: Batch, records: list[Any], now: datetime) -> list[dict[str, Any]]:
    """Apply a run of visit records together (``visits.services.record_home_visits``: a few
    statements for the whole run); one result per record, in order.

    A record refused (shape, validation, scope) is left out and answered ``rejected``; an
    unexpected error propagates with nothing of the run written (the caller's savepoint).
    """
    results: list[dict[str, Any] | None] = [None] * len(records)
    checked: list[tuple[int, Incoming, VisitData]] = []
    for i, record in enumerate(records):
        try:
            incoming = parse_record(record, now)
        except ValidationError as exc:
            results[i] = _rejected(record, exc, malformed=True)
            continue
        try:
            checked.append((i, incoming, _visit_data(batch, incoming)))
        except (ValidationError, PermissionDenied) as exc:
            results[i] = _rejected(record, exc)
    outcomes = record_home_visits(by=batch.device.user, visits=[c[2] for c in checked], in_scope=True)
    for (i, incoming, _data), outcome in zip(checked, outcomes, strict=True):
        try:
            results[i] = _visit_result(incoming, outcome)
        except (ValidationError, PermissionDenied) as exc:
            results[i] = _rejected(records[i], exc)
    done = [r for r in results if r is not None]
    assert len(done) == len(records), "every record of the run has its result, in order"
    return done


HANDLERS: dict[tuple[str, str], Callable[[Device, Incoming], dict[str, Any]]] = {
    (ChangeType.HOUSEHOLD, "upsert"): _upsert_household,
    (ChangeType.HOUSEHOLD, "delete"): _delete_household,
    (ChangeType.PERSON, "upsert"): _upsert_person,
    (ChangeType.PERSON, "delete"): _delete_person,
}


def _head(record: Any) -> dict[str, Any]:
    """The record's type and id as sent (None when not strings), for a rejection."""
    head: dict[str, Any] = {"type": None, "id": None}
    if isinstance(record, dict):
        head = {"type": record.get("type"), "id": record.get("id")}
        head = {k: v if isinstance(v, str) else None for k, v in head.items()}
    return head


def _rejected(
    record: Any, exc: ValidationError | PermissionDenied, *, malformed: bool = False
) -> dict[str, Any]:
    if isinstance(exc, PermissionDenied):
        return {
            **_head(record),
            "status": "rejected",
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
    return {
        **_head(record),
        "status": "rejected",
        "reason": "malformed" if malformed else "validation",
        "errors": validation_error_detail(exc),
    }


def apply_record(device: Device, record: Any, now: datetime, batch: Batch | None = None) -> dict[str, Any]:
    """Apply one record, inside the batch's transaction; ``batch``: what the push read once
    for all its records (``Batch.of``), made for this record alone when not given. A run of
    visit records goes through ``apply_visits`` at once."""
    batch = batch or Batch.of(device, [record])
    if is_visit(record):
        [result] = apply_visits(batch, [record], now)
        return result
    try:
        incoming = parse_record(record, now)
    except ValidationError as exc:
        return _rejected(record, exc, malformed=True)
    batch.registry_changed()
    try:
        with transaction.atomic():
            outcome = HANDLERS[(incoming.kind, incoming.op)](batch.device, incoming)
    except (ValidationError, PermissionDenied) as exc:
        return _rejected(record, exc)
    return {"type": incoming.kind, "id": str(incoming.id), **outcome}


def is_visit(record: Any) -> bool:
    return isinstance(record, dict) and record.get("type") == ChangeType.VISIT
