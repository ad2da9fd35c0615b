"""The registry's syncable types: households and persons, merged field by field (docs/sync.md).

Declared here, registered when Django is ready (``keneya.sync.registry.autodiscover``). Every
write goes through ``people.services``, the same validation as the forms and the REST API; the
sync parsers only read the JSON shape.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from keneya.core.models import Area
from keneya.indicators.targets import pulled_targets
from keneya.people import services as people
from keneya.people.models import Household, HouseholdStatus, Person, Relationship
from keneya.people.scope import households_visible_to, persons_visible_to
from keneya.people.validation import normalise_phone
from keneya.sync import changelog, incoming
from keneya.sync.fields import boolean, coerce, date_or_none, number_or_none, text, uuid_value
from keneya.sync.models import DELETE_REQUEST_FIELD, SyncConflict
from keneya.sync.payloads import pick
from keneya.sync.registry import Batch, Direction, Incoming, SyncType, register, register_pull_extra

HOUSEHOLD = "household"
PERSON = "person"
KEEP = "keep"


def _phone(name: str) -> Any:
    return lambda value: normalise_phone(value, name)


# --- Households -------------------------------------------------------------------------------
def household_live(household: Household, chw_id: Any) -> bool:
    return household.chw_id == chw_id and household.status != HouseholdStatus.DISSOLVED


def household_data(household: Household) -> dict[str, Any]:
    data = pick(
        household,
        ("code", "address_description", "gps_latitude", "gps_longitude", "phone", "phone_alt", "status"),
    )
    data.update(
        quartier=str(household.quartier_id), head=str(household.head_id) if household.head_id else None
    )
    return data


def apply_household_changes(by: Any, household: Household, changes: dict[str, Any]) -> None:
    if changes:
        people.update_household(by=by, household=household, changes=dict(changes))


def _upsert_household(batch: Batch, record: Incoming) -> dict[str, Any]:
    device, user = batch.device, batch.user
    values = coerce(HOUSEHOLD_TYPE, record.fields)
    household = Household.objects.select_for_update().filter(pk=record.id).first()
    if household is not None:
        if not households_visible_to(user).filter(pk=household.pk).exists():
            raise incoming.IdTaken
        merge = incoming.merge_fields(device, record, household, household.pk, values)
        apply_household_changes(user, household, merge.changes)
        return incoming.edit_result(device, record, merge)
    if values.get("quartier") is None:
        raise ValidationError({"quartier": [_("Le quartier est obligatoire.")]})
    quartier = Area.objects.filter(pk=values["quartier"]).first()
    if quartier is None:
        raise ValidationError({"quartier": [_("Quartier inconnu.")]})
    household = people.register_household(
        by=user,
        id=record.id,
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
    incoming.set_clocks(device, record, values)
    return {"status": "accepted", "version": changelog.version_of(record.kind, record.id)}


def _delete_household(batch: Batch, record: Incoming) -> dict[str, Any]:
    """Dissolve the household (status ``dissolved``): nothing is deleted, it can be undone."""
    household = Household.objects.select_for_update().filter(pk=record.id).first()
    if household is None:
        return {"status": "duplicate", "version": changelog.version_of(record.kind, record.id)}
    if not households_visible_to(batch.user).filter(pk=household.pk).exists():
        raise incoming.IdTaken
    merge = incoming.merge_fields(
        batch.device, record, household, household.pk, {"status": HouseholdStatus.DISSOLVED}
    )
    apply_household_changes(batch.user, household, merge.changes)
    return incoming.edit_result(batch.device, record, merge)


def _apply_household(batch: Batch, record: Incoming) -> dict[str, Any]:
    return _delete_household(batch, record) if record.op == "delete" else _upsert_household(batch, record)


def _households_in_scope(user: Any) -> QuerySet[Household]:
    return households_visible_to(user)


HOUSEHOLD_TYPE = register(
    SyncType(
        name=HOUSEHOLD,
        model=Household,
        order=10,
        direction=Direction.BOTH,
        mergeable=True,
        fields={
            "quartier": uuid_value,  # creation only
            "address_description": text,
            "phone": text,
            "phone_alt": text,
            "gps_latitude": number_or_none,
            "gps_longitude": number_or_none,
            "status": text,
        },
        # Sent back by a tablet that pushes a whole record it pulled; the server sets them.
        read_only=frozenset({"code", "head", "chw", "created_at", "updated_at"}),
        normalise={"phone": _phone("phone"), "phone_alt": _phone("phone_alt")},
        ops=("upsert", "delete"),
        apply=_apply_household,
        apply_changes=apply_household_changes,
        scope=_households_in_scope,
        chw="chw",
        live=household_live,
        payload=household_data,
    )
)


# --- Persons ----------------------------------------------------------------------------------
def person_live(person: Person, chw_id: Any) -> bool:
    return person.merged_into_id is None and household_live(person.household, chw_id)


def person_data(person: Person) -> dict[str, Any]:
    data = pick(
        person,
        (
            "family_name",
            "given_names",
            "sex",
            "date_of_birth",
            "date_of_birth_estimated",
            "relationship_to_head",
            "phone",
            "nina",
            "birth_certificate_number",
            "ramed_number",
            "mutuelle_number",
            "vital_status",
            "date_of_death",
        ),
    )
    data["household"] = str(person.household_id)
    return data


def person_tombstone(person: Person) -> dict[str, Any] | None:
    """A merged person names the record kept: tablets re-point their pending visits to it."""
    return {"merged_into": str(person.merged_into_id)} if person.merged_into_id is not None else None


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


def _upsert_person(batch: Batch, record: Incoming) -> dict[str, Any]:
    device, user = batch.device, batch.user
    values = coerce(PERSON_TYPE, record.fields)
    person = Person.objects.select_for_update().filter(pk=record.id).select_related("household").first()
    if person is not None:
        if not households_visible_to(user).filter(pk=person.household_id).exists():
            raise incoming.IdTaken
        merge = incoming.merge_fields(device, record, person, person.household_id, values)
        apply_person_changes(user, person, merge.changes)
        return incoming.edit_result(device, record, merge)
    if values.get("household") is None:
        raise ValidationError({"household": [_("Le ménage est obligatoire.")]})
    household = Household.objects.filter(pk=values["household"]).first()
    if household is None:
        raise ValidationError({"household": [_("Ménage inconnu : envoyez le ménage avant ses membres.")]})
    data = people.PersonData(
        id=record.id,
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
    incoming.set_clocks(device, record, values)
    return {"status": "accepted", "version": changelog.version_of(record.kind, record.id)}


def _delete_person(batch: Batch, record: Incoming) -> dict[str, Any]:
    """A person is never deleted: the tablet's request goes to the supervisor for review."""
    person = Person.objects.select_for_update().filter(pk=record.id).first()
    version = changelog.version_of(record.kind, record.id)
    if person is None or person.merged_into_id is not None:
        return {"status": "duplicate", "version": version}
    if not households_visible_to(batch.user).filter(pk=person.household_id).exists():
        raise incoming.IdTaken
    _request, created = SyncConflict.objects.get_or_create(
        type=PERSON,
        object_id=person.pk,
        field=DELETE_REQUEST_FIELD,
        incoming_device=batch.device,
        resolved_at__isnull=True,
        defaults={
            "household_id": person.household_id,
            "server_value": None,
            "incoming_value": "delete",
            "incoming_changed_at": record.changed_at,
            "kept": "server",
        },
    )
    return {"status": "accepted" if created else "duplicate", "version": version, "review": True}


def _apply_person(batch: Batch, record: Incoming) -> dict[str, Any]:
    return _delete_person(batch, record) if record.op == "delete" else _upsert_person(batch, record)


def resolve_delete_request(by: Any, conflict: SyncConflict, value: Any) -> str:
    """``"keep"``: the person stays and goes back to the tablet. A person's id: the person is
    merged into that record (a duplicate), which removes it from the tablets."""
    person = Person.objects.select_related("household").get(pk=conflict.object_id)
    if value == KEEP:
        changelog.record_change(type=PERSON, obj_id=person.pk, chw_id=person.household.chw_id)
        return KEEP
    try:
        keep = persons_visible_to(by).filter(pk=uuid.UUID(str(value))).first()
    except ValueError:
        keep = None
    if keep is None:
        raise ValidationError(
            {
                "value": [
                    _(
                        "Indiquez « keep » (garder la fiche) ou l'identifiant "
                        "de la fiche dans laquelle la fusionner."
                    )
                ]
            }
        )
    people.merge_persons(by=by, keep=keep, duplicate=person)
    return str(keep.pk)


def _persons_in_scope(user: Any) -> QuerySet[Person]:
    # Merged persons too: a delete of one already merged is a duplicate, not a refusal.
    return Person.objects.filter(household__in=households_visible_to(user).values("pk"))


PERSON_TYPE = register(
    SyncType(
        name=PERSON,
        model=Person,
        order=20,
        direction=Direction.BOTH,
        mergeable=True,
        fields={
            "household": uuid_value,  # at creation; on an edit, a different one moves the person
            "family_name": text,
            "given_names": text,
            "sex": text,
            "date_of_birth": date_or_none,
            "date_of_birth_estimated": boolean,
            "relationship_to_head": text,
            "phone": text,
            "nina": text,
            "birth_certificate_number": text,
            "ramed_number": text,
            "mutuelle_number": text,
            "date_of_death": date_or_none,  # records a death; a null never undoes one
        },
        read_only=frozenset({"vital_status", "created_at", "updated_at"}),
        normalise={"phone": _phone("phone")},
        never_cleared=frozenset({"date_of_death"}),
        ops=("upsert", "delete"),
        apply=_apply_person,
        apply_changes=apply_person_changes,
        resolve_delete=resolve_delete_request,
        scope=_persons_in_scope,
        parent=(HOUSEHOLD, "household"),
        chw="household__chw",
        live=person_live,
        payload=person_data,
        tombstone=person_tombstone,
        select_related=("household",),
    )
)

# The CHW's targets and progress as of this pull (keneya.indicators.targets): the tablet shows
# them offline in "Mes objectifs". Registered here because people sits above both sync and
# indicators (the two mechanisms do not know each other).
register_pull_extra("targets", pulled_targets)
