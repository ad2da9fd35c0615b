"""Writes to the people registry. Every write goes through one of these functions.

They are keyword-only, transactional, validate in French, and accept client-generated UUIDs so
that a tablet registering offline can send the same record twice without creating it twice.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keneya.accounts.models import Role
from keneya.accounts.permissions import Capability, has_capability
from keneya.accounts.scope import can_register_in_quartier
from keneya.core.errors import IdTaken
from keneya.core.models import Area, AreaLevel
from keneya.people.models import (
    Household,
    HouseholdStatus,
    Person,
    Relationship,
    Sex,
    VitalStatus,
)
from keneya.people.names import fold, name_key, normalise_name
from keneya.people.scope import households_visible_to
from keneya.people.validation import (
    check_date_of_birth,
    check_date_of_death,
    check_gps,
    clean_name,
    clean_text,
    normalise_phone,
)
from keneya.sync import changelog


@dataclass
class PersonData:
    """What a form, the API or the seed hands to the registry for one person."""

    family_name: str
    given_names: str
    sex: str
    date_of_birth: date | None
    date_of_birth_estimated: bool = False
    relationship_to_head: str = Relationship.OTHER
    phone: str = ""
    nina: str = ""
    birth_certificate_number: str = ""
    ramed_number: str = ""
    mutuelle_number: str = ""
    id: uuid.UUID | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _today() -> date:
    return timezone.localdate()


def household_code(quartier: Area, household_id: uuid.UUID) -> str:
    """A code a tablet can make offline: quartier code + 8 characters derived from the UUID.

    8 base32 characters keep 40 bits: about one chance in 20 million of a collision per new
    household in a quartier of 25,000 households (30 bits collided at bulk load).
    """
    suffix = base64.b32encode(household_id.bytes[:5]).decode("ascii")
    return f"{quartier.code}-{suffix}"


IDENTIFIER_FIELDS = ("nina", "birth_certificate_number", "ramed_number", "mutuelle_number")


def _clean_person(data: PersonData, *, today: date) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}

    def attempt(key: str, fn: Any) -> None:
        try:
            cleaned[key] = fn()
        except ValidationError as exc:
            for f, messages in exc.message_dict.items():
                errors.setdefault(f, []).extend(messages)

    attempt("family_name", lambda: clean_name(data.family_name, "family_name", _("Le nom")))
    attempt("given_names", lambda: clean_name(data.given_names, "given_names", _("Le prénom")))
    attempt("date_of_birth", lambda: check_date_of_birth(data.date_of_birth, today=today))
    attempt("phone", lambda: normalise_phone(data.phone))
    for key in IDENTIFIER_FIELDS:
        attempt(key, lambda key=key: clean_text(getattr(data, key), key))
    if data.date_of_birth_estimated not in (True, False):
        errors.setdefault("date_of_birth_estimated", []).append(_("Valeur vrai/faux attendue."))
    if data.sex not in Sex.values:
        errors.setdefault("sex", []).append(_("Sexe invalide : « M » ou « F »."))
    if data.relationship_to_head not in Relationship.values:
        errors.setdefault("relationship_to_head", []).append(_("Lien de parenté inconnu."))
    if errors:
        raise ValidationError(errors)
    cleaned.update(
        sex=data.sex,
        date_of_birth_estimated=bool(data.date_of_birth_estimated),
        relationship_to_head=data.relationship_to_head,
    )
    cleaned["name_key"] = name_key(cleaned["family_name"], cleaned["given_names"])
    return cleaned


def household_search_text(
    code: str, phone: str, phone_alt: str, members: Iterable[tuple[str, str, str]]
) -> str:
    """``Household.search_text`` from values: folded code, phones and normalised member names.

    ``members`` are (family_name, given_names, phone) of the members not merged away, ordered by
    family name, given names, then id (so the text is the same on every database).
    """
    parts = [fold(code), phone, phone_alt]
    for family, given, member_phone in members:
        parts += [normalise_name(f"{family} {given}"), member_phone]
    return " ".join(p for p in parts if p)


def refresh_search_text(household: Household) -> None:
    members = (
        household.members.filter(merged_into__isnull=True)
        .order_by("family_name", "given_names", "id")
        .values_list("family_name", "given_names", "phone")
    )
    text = household_search_text(household.code, household.phone, household.phone_alt, members)
    Household.objects.filter(pk=household.pk).update(search_text=text)
    household.search_text = text


def _check_may_edit(by: Any, household: Household) -> None:
    if not has_capability(by, Capability.REGISTRY_EDIT):
        raise PermissionDenied
    if not households_visible_to(by).filter(pk=household.pk).exists():
        raise PermissionDenied


def _check_may_register(by: Any) -> None:
    from keneya.accounts.permissions import Capability, has_capability

    if not has_capability(by, Capability.REGISTRY_EDIT):
        raise PermissionDenied


def _set_history_user(obj: Any, by: Any) -> None:
    obj._history_user = by if getattr(by, "is_authenticated", False) else None


@transaction.atomic
def register_household(
    *,
    by: Any,
    quartier: Area,
    address_description: str = "",
    phone: str = "",
    phone_alt: str = "",
    gps_latitude: float | Decimal | None = None,
    gps_longitude: float | Decimal | None = None,
    chw: Any = None,
    members: list[PersonData] | tuple[PersonData, ...] = (),
    id: uuid.UUID | None = None,
    today: date | None = None,
) -> Household:
    """Create a household and its members. The member whose relationship is ``head`` heads it.

    Sending the same ``id`` again returns the household already stored and changes nothing,
    provided the caller sees it; an id taken by a household out of the caller's scope, or by
    one of the members, raises ``IdTaken`` (which says nothing of the record).
    """
    _check_may_register(by)
    if id is not None:
        existing = Household.objects.filter(pk=id).first()
        if existing is not None:
            if not households_visible_to(by).filter(pk=existing.pk).exists():
                raise IdTaken()
            return existing
    member_ids = [m.id for m in members if m.id is not None]
    if len(set(member_ids)) != len(member_ids) or (
        member_ids and Person.objects.filter(pk__in=member_ids).exists()
    ):
        raise IdTaken()
    today = today or _today()
    errors: dict[str, list[str]] = {}
    if quartier.level != AreaLevel.QUARTIER:
        errors["quartier"] = [_("Choisissez un quartier ou un village.")]
    elif not can_register_in_quartier(by, quartier.pk):
        errors["quartier"] = [_("Ce quartier n'est pas dans votre zone.")]
    try:
        phone = normalise_phone(phone)
        phone_alt = normalise_phone(phone_alt, "phone_alt")
    except ValidationError as exc:
        for f, messages in exc.message_dict.items():
            errors.setdefault(f, []).extend(messages)
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    try:
        latitude, longitude = check_gps(gps_latitude, gps_longitude)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        address_description = clean_text(address_description, "address_description")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    heads = [m for m in members if m.relationship_to_head == Relationship.HEAD]
    if len(heads) > 1:
        errors["members"] = [_("Un ménage n'a qu'un seul chef de ménage.")]
    cleaned_members: list[dict[str, Any]] = []
    for index, member in enumerate(members):
        try:
            cleaned_members.append(_clean_person(member, today=today))
        except ValidationError as exc:
            for f, messages in exc.message_dict.items():
                errors.setdefault(f"members[{index}].{f}", []).extend(messages)
    if errors:
        raise ValidationError(errors)

    if by.role == Role.CHW and chw is None:
        chw = by
    household_id = id or uuid.uuid4()
    household = Household(
        id=household_id,
        code=household_code(quartier, household_id),
        quartier=quartier,
        address_description=address_description,
        phone=phone,
        phone_alt=phone_alt,
        gps_latitude=latitude,
        gps_longitude=longitude,
        chw=chw,
    )
    _set_history_user(household, by)
    household.save()
    for member, cleaned in zip(members, cleaned_members, strict=True):
        person = Person(id=member.id or uuid.uuid4(), household=household, **cleaned)
        _set_history_user(person, by)
        person.save()
        if person.relationship_to_head == Relationship.HEAD:
            household.head = person
    if household.head_id:
        household.save(update_fields=["head", "updated_at"])
    refresh_search_text(household)
    changelog.record_changes(
        objects=[("household", household.pk)] + [("person", m.pk) for m in household.members.all()],
        chw_id=household.chw_id,
    )
    return household


@transaction.atomic
def add_member(*, by: Any, household: Household, data: PersonData, today: date | None = None) -> Person:
    """Add a person to a household. Sending the same ``data.id`` twice adds them once: the
    second time returns the person stored, provided the caller may read them; an id taken by a
    person out of the caller's scope raises ``IdTaken`` (which says nothing of the person)."""
    from keneya.accounts.scope import person_filter

    _check_may_edit(by, household)
    if data.id is not None:
        existing = Person.objects.filter(pk=data.id).first()
        if existing is not None:
            if not Person.objects.filter(person_filter(by, lookup=True), pk=existing.pk).exists():
                raise IdTaken()
            return existing
    cleaned = _clean_person(data, today=today or _today())
    if cleaned["relationship_to_head"] == Relationship.HEAD and household.head_id:
        raise ValidationError({"relationship_to_head": _("Ce ménage a déjà un chef de ménage.")})
    person = Person(id=data.id or uuid.uuid4(), household=household, **cleaned)
    _set_history_user(person, by)
    person.save()
    if person.relationship_to_head == Relationship.HEAD:
        household.head = person
        _set_history_user(household, by)
        household.save(update_fields=["head", "updated_at"])
        changelog.record_change(
            type="household", obj_id=household.pk, chw_id=household.chw_id, fields=["head"]
        )
    refresh_search_text(household)
    changelog.record_change(type="person", obj_id=person.pk, chw_id=household.chw_id)
    return person


UPDATABLE_PERSON_FIELDS = (
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
)


@transaction.atomic
def update_person(*, by: Any, person: Person, changes: dict[str, Any], today: date | None = None) -> Person:
    """Change some fields of a person. Validation is the same as at registration."""
    _check_may_edit(by, person.household)
    unknown = set(changes) - set(UPDATABLE_PERSON_FIELDS)
    if unknown:
        raise ValidationError({f: [_("Ce champ ne peut pas être modifié ici.")] for f in unknown})
    current = {f: getattr(person, f) for f in UPDATABLE_PERSON_FIELDS}
    before = dict(current)
    current.update(changes)
    cleaned = _clean_person(PersonData(**current), today=today or _today())
    household = person.household
    if cleaned["relationship_to_head"] == Relationship.HEAD and household.head_id not in (None, person.pk):
        raise ValidationError({"relationship_to_head": _("Ce ménage a déjà un chef de ménage.")})
    for key, value in cleaned.items():
        setattr(person, key, value)
    _set_history_user(person, by)
    person.save()
    if cleaned["relationship_to_head"] == Relationship.HEAD and household.head_id is None:
        household.head = person
        household.save(update_fields=["head", "updated_at"])
        changelog.record_change(
            type="household", obj_id=household.pk, chw_id=household.chw_id, fields=["head"]
        )
    refresh_search_text(household)
    changelog.record_change(
        type="person",
        obj_id=person.pk,
        chw_id=household.chw_id,
        fields=[f for f in before if getattr(person, f) != before[f]],
    )
    return person


HOUSEHOLD_UPDATABLE_FIELDS = (
    "address_description",
    "phone",
    "phone_alt",
    "gps_latitude",
    "gps_longitude",
    "status",
)


@transaction.atomic
def update_household(*, by: Any, household: Household, changes: dict[str, Any]) -> Household:
    _check_may_edit(by, household)
    errors: dict[str, list[str]] = {}
    unknown = set(changes) - set(HOUSEHOLD_UPDATABLE_FIELDS)
    for f in unknown:
        errors[f] = [_("Ce champ ne peut pas être modifié ici.")]
    for key in ("phone", "phone_alt"):
        if key in changes:
            try:
                changes[key] = normalise_phone(changes[key] or "", key)
            except ValidationError as exc:
                errors.update(exc.message_dict)
    if "status" in changes and changes["status"] not in HouseholdStatus.values:
        errors["status"] = [_("Statut inconnu.")]
    if "address_description" in changes:
        try:
            changes["address_description"] = clean_text(changes["address_description"], "address_description")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if "gps_latitude" in changes or "gps_longitude" in changes:
        # The pair as it will be stored: one coordinate cannot be set or cleared alone.
        try:
            lat, lon = check_gps(
                changes.get("gps_latitude", household.gps_latitude),
                changes.get("gps_longitude", household.gps_longitude),
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
        else:
            for key, value in (("gps_latitude", lat), ("gps_longitude", lon)):
                if key in changes:
                    changes[key] = value
    if errors:
        raise ValidationError(errors)
    before = {key: getattr(household, key) for key in changes}
    for key, value in changes.items():
        setattr(household, key, value)
    _set_history_user(household, by)
    household.save()
    refresh_search_text(household)
    changed = [key for key in changes if getattr(household, key) != before[key]]
    changelog.record_change(type="household", obj_id=household.pk, chw_id=household.chw_id, fields=changed)
    if "status" in changed and HouseholdStatus.DISSOLVED in (before["status"], household.status):
        # Dissolved households leave the tablet with their members, and come back with them.
        changelog.record_changes(
            objects=changelog.household_objects(household.pk)[1:], chw_id=household.chw_id
        )
    return household


@transaction.atomic
def move_member(*, by: Any, person: Person, to_household: Household) -> Person:
    """Move a person to another household (marriage, fostering). History keeps where they were."""
    old = person.household
    _check_may_edit(by, old)
    _check_may_edit(by, to_household)
    if old.pk == to_household.pk:
        return person
    if old.head_id == person.pk:
        old.head = None
        _set_history_user(old, by)
        old.save(update_fields=["head", "updated_at"])
        changelog.record_change(type="household", obj_id=old.pk, chw_id=old.chw_id, fields=["head"])
    person.household = to_household
    if person.relationship_to_head == Relationship.HEAD and to_household.head_id:
        person.relationship_to_head = Relationship.OTHER_RELATIVE
    _set_history_user(person, by)
    person.save()
    refresh_search_text(old)
    refresh_search_text(to_household)
    changelog.record_person_handover(
        person_id=person.pk, from_chw_id=old.chw_id, to_chw_id=to_household.chw_id
    )
    return person


@transaction.atomic
def record_death(*, by: Any, person: Person, date_of_death: date, today: date | None = None) -> Person:
    _check_may_edit(by, person.household)
    check_date_of_death(date_of_death, date_of_birth=person.date_of_birth, today=today or _today())
    person.vital_status = VitalStatus.DECEASED
    person.date_of_death = date_of_death
    _set_history_user(person, by)
    person.save(update_fields=["vital_status", "date_of_death", "updated_at"])
    changelog.record_change(
        type="person",
        obj_id=person.pk,
        chw_id=person.household.chw_id,
        fields=["vital_status", "date_of_death"],
    )
    return person


MERGE_FILLABLE_FIELDS = (
    "phone",
    "nina",
    "birth_certificate_number",
    "ramed_number",
    "mutuelle_number",
)


@transaction.atomic
def merge_persons(*, by: Any, keep: Person, duplicate: Person) -> Person:
    """Fold a duplicate record into the one kept. The duplicate stays, marked ``merged_into``.

    Identifiers missing on the kept record are copied from the duplicate; nothing is deleted, so
    visits and history recorded against the duplicate stay traceable.
    """
    if not has_capability(by, Capability.REGISTRY_MERGE):
        raise PermissionDenied
    _check_may_edit(by, keep.household)
    _check_may_edit(by, duplicate.household)
    if keep.pk == duplicate.pk:
        raise ValidationError({"duplicate": _("Une personne ne peut pas être fusionnée avec elle-même.")})
    if duplicate.merged_into_id is not None or keep.merged_into_id is not None:
        raise ValidationError({"duplicate": _("Cette fiche a déjà été fusionnée.")})
    if keep.sex != duplicate.sex:
        raise ValidationError({"duplicate": _("Les deux fiches n'ont pas le même sexe.")})
    filled = []
    for name in MERGE_FILLABLE_FIELDS:
        if not getattr(keep, name) and getattr(duplicate, name):
            setattr(keep, name, getattr(duplicate, name))
            filled.append(name)
    _set_history_user(keep, by)
    keep.save()
    duplicate.merged_into = keep
    _set_history_user(duplicate, by)
    duplicate.save(update_fields=["merged_into", "updated_at"])
    household = duplicate.household
    if household.head_id == duplicate.pk:
        household.head = keep if keep.household_id == household.pk else None
        household.save(update_fields=["head", "updated_at"])
        changelog.record_change(
            type="household", obj_id=household.pk, chw_id=household.chw_id, fields=["head"]
        )
    refresh_search_text(household)
    changelog.record_change(type="person", obj_id=keep.pk, chw_id=keep.household.chw_id, fields=filled)
    # The duplicate leaves the tablet (a tombstone naming the record kept), with its visits.
    changelog.record_changes(
        objects=changelog.person_objects([duplicate.pk]), chw_id=household.chw_id, op="delete"
    )
    return keep


@transaction.atomic
def reassign_household(*, by: Any, household: Household, chw: Any) -> Household:
    """Give a household to another CHW (or to none). Its tablet data moves with it: the old
    CHW's tablet drops it, the new one receives it with its members and their visits."""
    if not has_capability(by, Capability.REGISTRY_ASSIGN):
        raise PermissionDenied
    _check_may_edit(by, household)
    if chw is not None:
        if chw.role != Role.CHW or not chw.is_active:
            raise ValidationError({"chw": _("Choisissez un relais actif.")})
        if not can_register_in_quartier(chw, household.quartier_id):
            raise ValidationError({"chw": _("Ce quartier n'est pas dans la zone de ce relais.")})
    old_chw_id = household.chw_id
    if old_chw_id == (chw.pk if chw is not None else None):
        return household
    household.chw = chw
    _set_history_user(household, by)
    household.save(update_fields=["chw", "updated_at"])
    changelog.record_household_handover(
        household_id=household.pk, from_chw_id=old_chw_id, to_chw_id=household.chw_id
    )
    return household
