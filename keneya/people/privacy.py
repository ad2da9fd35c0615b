"""A person's data, app by app: what Kènèya holds on them (export) and how to remove what
identifies them (anonymisation), for the rights of Mali's law 2013-015 on personal data.

Each app registers its part, so that ``people`` never imports the apps above it::

    register_person_data("visits", title=_("Visites à domicile"), order=30,
                         collect=visits_of, anonymise=blank_visit_notes)

``collect(person)`` (None: nothing to export) returns a dict (one record) or a list of dicts
(rows) of values ``json_ready`` converts (dates, UUIDs, decimals); ``anonymise(person)`` removes what
identifies the person in that app's rows and returns the number of rows changed; it must be
idempotent (a second call changes nothing). ``labels`` gives the French label of each key for
the printable page. The registry's own parts (the person, their household) are registered here;
the apps above register theirs in their ``AppConfig.ready()``. The services that run them
(who may, the log) are in ``records.privacy``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from keneya.people.models import Household, Person

Collect = Callable[[Person], dict[str, Any] | list[dict[str, Any]]]
Anonymise = Callable[[Person], int]


@dataclass(frozen=True)
class PersonDataPart:
    key: str
    title: Any
    collect: Collect | None
    anonymise: Anonymise | None = None
    order: int = 100
    labels: dict[str, Any] = field(default_factory=dict)


_PARTS: dict[str, PersonDataPart] = {}


def register_person_data(
    key: str,
    *,
    title: Any,
    collect: Collect | None,
    anonymise: Anonymise | None = None,
    order: int = 100,
    labels: dict[str, Any] | None = None,
) -> None:
    """Add (or replace) an app's part of a person's data."""
    _PARTS[key] = PersonDataPart(key, title, collect, anonymise, order, dict(labels or {}))


def parts() -> list[PersonDataPart]:
    return sorted(_PARTS.values(), key=lambda p: (p.order, p.key))


def json_ready(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    return value


def collect_person_data(person: Person) -> dict[str, Any]:
    """Every registered part, in order: ``{key: {"title": ..., "data": ...}}``."""
    return {
        part.key: {"title": str(part.title), "data": json_ready(part.collect(person))}
        for part in parts()
        if part.collect is not None
    }


@transaction.atomic
def anonymise_person_data(person: Person) -> dict[str, int]:
    """Run every part's anonymiser (the registry's last), in one transaction: rows changed per
    part. Checks (who, why, confirmation) and the log are the caller's (``records.privacy``)."""
    summary: dict[str, int] = {}
    for part in sorted(parts(), key=lambda p: p.key in REGISTRY_KEYS):  # the person last
        if part.anonymise is not None:
            summary[part.key] = part.anonymise(person)
    return summary


# --- The registry's own parts ---------------------------------------------------------------------

REGISTRY_KEYS = ("registry", "household")
ANONYMOUS_NAME = "ANONYME"
PERSON_FIELDS = (
    "id",
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
    "created_at",
    "updated_at",
)
IDENTIFIERS = ("phone", "nina", "birth_certificate_number", "ramed_number", "mutuelle_number")


def _registry(person: Person) -> dict[str, Any]:
    data = {name: getattr(person, name) for name in PERSON_FIELDS}
    data["merged_from"] = [
        str(pk) for pk in Person.objects.filter(merged_into=person).values_list("pk", flat=True)
    ]
    data["changes"] = [
        {
            "at": h.history_date,
            "by": h.history_user.username if h.history_user else "",
            "type": h.history_type,
        }
        for h in person.history.select_related("history_user").order_by("history_date")  # type: ignore[attr-defined]
    ]
    return data


def _household(person: Person) -> dict[str, Any]:
    h = Household.objects.select_related("quartier", "chw").get(pk=person.household_id)
    return {
        "code": h.code,
        "quartier": h.quartier.name,
        "address_description": h.address_description,
        "gps_latitude": h.gps_latitude,
        "gps_longitude": h.gps_longitude,
        "phone": h.phone,
        "phone_alt": h.phone_alt,
        "chw": h.chw.username if h.chw else "",
        "status": h.status,
        "is_head": h.head_id == person.pk,
        "members": Person.objects.filter(household=h, merged_into__isnull=True).count(),
    }


def _mid_year(day: date | None) -> date | None:
    """A date kept to the year only: the 1st of July (at most six months from the truth)."""
    return None if day is None else date(day.year, 7, 1)


def _anonymise_person(person: Person) -> int:
    """Names, identifiers and phone blanked, birth (and death) date kept to the year; the
    person's history rows (which hold the old values) deleted; the same for the duplicates
    merged into them. Sex, vital status and household stay, for the indicators."""
    from keneya.people.services import refresh_search_text

    changed = 0
    targets = [person, *Person.objects.filter(merged_into=person)]
    for p in targets:
        values: dict[str, Any] = {
            "family_name": ANONYMOUS_NAME,
            "given_names": "",
            "name_key": "",
            "date_of_birth": _mid_year(p.date_of_birth),
            "date_of_birth_estimated": True,
            "date_of_death": _mid_year(p.date_of_death),
            **dict.fromkeys(IDENTIFIERS, ""),
        }
        if any(getattr(p, k) != v for k, v in values.items()):
            Person.objects.filter(pk=p.pk).update(**values)  # no history row: it would keep nothing new
            changed += 1
        changed += p.history.all().delete()[0]  # type: ignore[attr-defined]
        for k, v in values.items():
            setattr(p, k, v)
    household = Household.objects.get(pk=person.household_id)
    refresh_search_text(household)
    return changed


def _anonymise_household(person: Person) -> int:
    """The household's address, GPS and phones, when nobody else lives in it."""
    household = Household.objects.get(pk=person.household_id)
    others = Person.objects.filter(household=household, merged_into__isnull=True).exclude(pk=person.pk)
    if others.exists():
        return 0
    values: dict[str, Any] = {
        "address_description": "",
        "gps_latitude": None,
        "gps_longitude": None,
        "phone": "",
        "phone_alt": "",
    }
    changed = 0
    if any(getattr(household, k) != v for k, v in values.items()):
        Household.objects.filter(pk=household.pk).update(**values)
        changed = 1
    changed += household.history.all().delete()[0]  # type: ignore[attr-defined]
    from keneya.people.services import refresh_search_text

    for k, v in values.items():
        setattr(household, k, v)
    refresh_search_text(household)
    return changed


register_person_data(
    "registry",
    title=_("Registre : la personne"),
    collect=_registry,
    anonymise=_anonymise_person,
    order=10,
    labels={
        "id": _("Identifiant"),
        "family_name": _("Nom de famille"),
        "given_names": _("Prénoms"),
        "sex": _("Sexe"),
        "date_of_birth": _("Date de naissance"),
        "date_of_birth_estimated": _("Date de naissance estimée"),
        "relationship_to_head": _("Lien avec le chef de ménage"),
        "phone": _("Téléphone"),
        "nina": _("NINA"),
        "birth_certificate_number": _("N° d'acte de naissance"),
        "ramed_number": _("N° de carte RAMED"),
        "mutuelle_number": _("N° de carte mutuelle"),
        "vital_status": _("Statut vital"),
        "date_of_death": _("Date du décès"),
        "created_at": _("Enregistré·e le"),
        "updated_at": _("Modifié·e le"),
        "merged_from": _("Doublons fusionnés"),
        "changes": _("Modifications"),
    },
)
register_person_data(
    "household",
    title=_("Ménage"),
    collect=_household,
    anonymise=_anonymise_household,
    order=20,
    labels={
        "code": _("Code ménage"),
        "quartier": _("Quartier"),
        "address_description": _("Repères"),
        "gps_latitude": _("Latitude"),
        "gps_longitude": _("Longitude"),
        "phone": _("Téléphone"),
        "phone_alt": _("Autre téléphone"),
        "chw": _("Relais"),
        "status": _("Statut"),
        "is_head": _("Chef de ménage"),
        "members": _("Nombre de membres"),
    },
)
