"""Malian phone numbers: one reading of what a user typed, kept as E.164 (+223 and 8 digits).

Low in the layering (core) because the registry, the outbox and the sync path all read phones.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Malian numbers: 8 digits, optionally written with +223 / 00223 (ARCEP Mali numbering plan).
MALI_PHONE_DIGITS = 8
_PHONE_STRIP = re.compile(r"[\s.\-()]")
MAX_PHONE_INPUT = 20  # "+223 76 12 34 56" with its spaces


def normalise_phone(value: str, field: str = "phone") -> str:
    """'76 12 34 56', '+223 76123456', '0022376123456' all become '+22376123456'.

    Not a string, or far longer than any way of writing a number: refused without reading it."""
    if value is not None and not isinstance(value, str):
        raise ValidationError({field: _("Texte attendu.")})
    if value and len(value) > 4 * MAX_PHONE_INPUT:
        raise ValidationError(
            {field: _("Numéro de téléphone invalide : 8 chiffres attendus, par ex. 76 12 34 56.")}
        )
    raw = _PHONE_STRIP.sub("", value or "")
    if not raw:
        return ""
    if raw.startswith("+223"):
        raw = raw[4:]
    elif raw.startswith("00223"):
        raw = raw[5:]
    if not raw.isdigit() or len(raw) != MALI_PHONE_DIGITS:
        raise ValidationError(
            {field: _("Numéro de téléphone invalide : 8 chiffres attendus, par ex. 76 12 34 56.")}
        )
    return "+223" + raw
