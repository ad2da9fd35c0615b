"""Reading the fields of a pushed record, and comparing them with the server's.

The parsers only read the JSON shape into the Python value a domain service takes (a French
ValidationError keyed by field when it cannot): lengths, ranges and the rules of each field are
the domain service's, the same for the forms, the REST API and sync (one validation per field).
A type lists its fields and their parser in its ``SyncType`` (``keneya.sync.registry``).

``canonical`` gives the JSON form the server compares and keeps in conflicts, so that
"76 12 34 56" and "+22376123456" count as the same phone number (the type's ``normalise``).
"""

from __future__ import annotations

import math
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.utils.translation import gettext as _

from keneya.sync.registry import SyncType

# A field name echoed in an error is cut to this length; at most this many fields are listed.
MAX_NAME = 40
MAX_ERRORS = 20


def text(field: str, value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError({field: [_("Texte attendu.")]})
    return value


def uuid_value(field: str, value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        raise ValidationError({field: [_("Identifiant invalide.")]}) from None


def date_or_none(field: str, value: Any) -> date | None:
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({field: [_("Date invalide : utilisez le format AAAA-MM-JJ.")]}) from None


def boolean(field: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValidationError({field: [_("Valeur vrai/faux attendue.")]})
    return value


def number_or_none(field: str, value: Any) -> float | None:
    """A finite number (rounded to 6 decimals: GPS), or None. Its range is the service's."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValidationError({field: [_("Nombre attendu.")]})
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise ValidationError({field: [_("Nombre attendu.")]}) from None
    if not math.isfinite(number):
        raise ValidationError({field: [_("Nombre attendu.")]})
    return round(number, 6)


def json_object(field: str, value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationError({field: [_("Objet JSON attendu.")]})
    return value


def coerce(sync_type: SyncType, fields: dict[str, Any]) -> dict[str, Any]:
    """Known fields as Python values; unknown fields and bad values as one ValidationError."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for name, raw in fields.items():
        if name in sync_type.read_only:
            continue
        parse = sync_type.fields.get(name)
        if parse is None:
            if len(errors) < MAX_ERRORS:
                errors[str(name)[:MAX_NAME]] = [_("Champ inconnu.")]
            continue
        try:
            values[name] = parse(name, raw)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return values


def canonical(sync_type: SyncType, name: str, value: Any) -> Any:
    """The JSON value compared between the server and a tablet, and kept in a conflict."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal | float):
        return round(float(value), 6)
    if isinstance(value, str):
        normalise = sync_type.normalise.get(name)
        if normalise is not None:
            try:
                return normalise(value)
            except ValidationError:
                return value
        return " ".join(value.split())
    return value


def current_value(obj: Any, name: str) -> Any:
    """The server's value of a field (a foreign key's id)."""
    try:
        return getattr(obj, obj._meta.get_field(name).attname)
    except FieldDoesNotExist:
        return getattr(obj, name)
