"""Builders for sync tests: a tablet, records and batches shaped as docs/sync.md describes."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.utils import timezone

from keneya.sync import services
from keneya.sync.models import Device, SyncConflict


def tablet(user: Any, name: str = "Tablette A") -> tuple[Device, str]:
    device, token, _created = services.register_device(by=user, device_id=uuid.uuid4(), name=name)
    return device, token


def stamp(minutes_ago: float = 0) -> str:
    """A tablet's ``changed_at``: now minus some minutes, ISO 8601 in UTC."""
    moment: datetime = timezone.now() - timedelta(minutes=minutes_ago)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def household_record(
    quartier: Any, *, id: uuid.UUID | None = None, minutes_ago: float = 5, **fields: Any
) -> dict[str, Any]:
    return {
        "type": "household",
        "id": str(id or uuid.uuid4()),
        "op": "upsert",
        "base_version": None,
        "changed_at": stamp(minutes_ago),
        "fields": {
            "quartier": str(quartier.pk),
            "address_description": "Près du marché",
            "phone": "",
            **fields,
        },
    }


def person_record(
    household_id: Any, *, id: uuid.UUID | None = None, minutes_ago: float = 5, **fields: Any
) -> dict[str, Any]:
    return {
        "type": "person",
        "id": str(id or uuid.uuid4()),
        "op": "upsert",
        "base_version": None,
        "changed_at": stamp(minutes_ago),
        "fields": {
            "household": str(household_id),
            "family_name": "Traoré",
            "given_names": "Awa",
            "sex": "F",
            "date_of_birth": (timezone.localdate() - timedelta(days=500)).isoformat(),
            "date_of_birth_estimated": False,
            "relationship_to_head": "child",
            "phone": "",
            **fields,
        },
    }


def edit_record(
    kind: str, obj_id: Any, *, base_version: int | None, minutes_ago: float = 1, **fields: Any
) -> dict[str, Any]:
    return {
        "type": kind,
        "id": str(obj_id),
        "op": "upsert",
        "base_version": base_version,
        "changed_at": stamp(minutes_ago),
        "fields": fields,
    }


def delete_record(
    kind: str, obj_id: Any, *, base_version: int | None = None, minutes_ago: float = 1
) -> dict[str, Any]:
    return {
        "type": kind,
        "id": str(obj_id),
        "op": "delete",
        "base_version": base_version,
        "changed_at": stamp(minutes_ago),
        "fields": {},
    }


def visit_record(
    person_id: Any, *, id: uuid.UUID | None = None, visit_date: date | None = None, **fields: Any
) -> dict[str, Any]:
    return {
        "type": "visit",
        "id": str(id or uuid.uuid4()),
        "op": "create",
        "fields": {
            "person": str(person_id),
            "visit_date": (visit_date or timezone.localdate()).isoformat(),
            "kind": "sick_child",
            "findings": {"cough": True},
            "measurements": {"weight_kg": 9.2},
            **fields,
        },
    }


def batch(*records: dict[str, Any]) -> dict[str, Any]:
    return {"batch_id": str(uuid.uuid4()), "records": list(records)}


def conflict_on(*, person: Any, device: Device, by_web: Any) -> SyncConflict:
    """A phone conflict: the web changes the phone, then the tablet edits it from the version
    it had before (through the services, as in real life)."""
    from keneya.people.services import update_person
    from keneya.sync.changelog import version_of

    base = version_of("person", person.pk)
    update_person(by=by_web, person=person, changes={"phone": "76 00 00 01"})
    services.push(
        device=device,
        batch=batch(edit_record("person", person.pk, base_version=base, minutes_ago=30, phone="66 00 00 02")),
    )
    return SyncConflict.objects.get(object_id=person.pk, field="phone")
