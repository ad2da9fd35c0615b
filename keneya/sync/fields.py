"""The fields a tablet may send for a household or a person, read into Python values.

``coerce`` turns a JSON value into what the registry services take (French ValidationError
keyed by field when it cannot); ``canonical`` gives the JSON form the server compares and keeps
in conflicts, so that "76 12 34 56" and "+22376123456" count as the same phone number.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from keneya.people.validation import normalise_phone
from keneya.sync.models import ChangeType


def _text(field: str, value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError({field: [_("Texte attendu.")]})
    return value


def _uuid(field: str, value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        raise ValidationError({field: [_("Identifiant invalide.")]}) from None


def _date(field: str, value: Any) -> date | None:
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({field: [_("Date invalide : utilisez le format AAAA-MM-JJ.")]}) from None


def _bool(field: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValidationError({field: [_("Valeur vrai/faux attendue.")]})
    return value


def _coordinate(field: str, value: Any) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValidationError({field: [_("Nombre attendu.")]})
    try:
        return round(float(value), 6)
    except (TypeError, ValueError):
        raise ValidationError({field: [_("Nombre attendu.")]}) from None


Coercer = Callable[[str, Any], Any]

HOUSEHOLD_FIELDS: dict[str, Coercer] = {
    "quartier": _uuid,
    "address_description": _text,
    "phone": _text,
    "phone_alt": _text,
    "gps_latitude": _coordinate,
    "gps_longitude": _coordinate,
    "status": _text,
}
PERSON_FIELDS: dict[str, Coercer] = {
    "household": _uuid,
    "family_name": _text,
    "given_names": _text,
    "sex": _text,
    "date_of_birth": _date,
    "date_of_birth_estimated": _bool,
    "relationship_to_head": _text,
    "phone": _text,
    "nina": _text,
    "birth_certificate_number": _text,
    "ramed_number": _text,
    "mutuelle_number": _text,
    "date_of_death": _date,
}
# Sent back by a tablet that pushes a whole record it pulled; the server sets them itself.
READ_ONLY_FIELDS: dict[str, set[str]] = {
    ChangeType.HOUSEHOLD: {"code", "head", "chw", "created_at", "updated_at"},
    ChangeType.PERSON: {"vital_status", "created_at", "updated_at"},
}
FIELDS: dict[str, dict[str, Coercer]] = {
    ChangeType.HOUSEHOLD: HOUSEHOLD_FIELDS,
    ChangeType.PERSON: PERSON_FIELDS,
}
FOREIGN_KEYS = {"quartier", "household"}
PHONE_FIELDS = {"phone", "phone_alt"}


def coerce(kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Known fields as Python values; unknown fields and bad values as one ValidationError."""
    spec = FIELDS[kind]
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for name, raw in fields.items():
        if name in READ_ONLY_FIELDS[kind]:
            continue
        if name not in spec:
            errors[name] = [_("Champ inconnu.")]
            continue
        try:
            values[name] = spec[name](name, raw)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return values


def canonical(name: str, value: Any) -> Any:
    """The JSON value compared between the server and a tablet, and kept in a conflict."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal | float):
        return round(float(value), 6)
    if isinstance(value, str):
        if name in PHONE_FIELDS:
            try:
                return normalise_phone(value, name)
            except ValidationError:
                return value
        return " ".join(value.split())
    return value


def current_value(obj: Any, name: str) -> Any:
    return getattr(obj, f"{name}_id") if name in FOREIGN_KEYS else getattr(obj, name)
