"""Phone numbers: one reading of what a user typed, kept and sent as E.164 (``+22376123456``),
shown on pages, PDFs and SMS as ``+223 76 12 34 56`` (issue 11 §4).

``normalise_phone`` is the input rule (8 Malian digits, optional +223 / 00223), the one
validation every write path uses. ``format_phone``/``to_e164`` only format; they read numbers with
the ``phonenumbers`` library (libphonenumber's metadata), so a foreign number (a relative in
Côte d'Ivoire) is shown in its own international format rather than mangled. The tablet's twin is
``formatPhone`` in ``keneya/pwa/static/pwa/people.js``. Low in the layering (core) because the
registry, the outbox and the sync path all read phones.
"""

from __future__ import annotations

import re

import phonenumbers
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


MALI_REGION = "ML"
MALI_PREFIX = "+223"


def _parse(value: str | None) -> phonenumbers.PhoneNumber | None:
    text = (value or "").strip()
    if not text:
        return None
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        return phonenumbers.parse(text, MALI_REGION)
    except phonenumbers.NumberParseException:
        return None


def to_e164(value: str | None) -> str:
    """``"76 12 34 56"`` -> ``"+22376123456"``; empty for nothing; the text unchanged if unreadable."""
    number = _parse(value)
    if number is None:
        return (value or "").strip()
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(value: str | None) -> str:
    """``"+22376123456"`` -> ``"+223 76 12 34 56"`` (Malian numbers in pairs, as they are read out).

    A foreign number is shown in its international format; what cannot be read is shown as given
    (never dropped: a supervisor must see what the tablet sent).
    """
    number = _parse(value)
    if number is None:
        return (value or "").strip()
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if e164.startswith(MALI_PREFIX) and len(e164) == len(MALI_PREFIX) + 8:
        digits = e164[len(MALI_PREFIX) :]
        return MALI_PREFIX + " " + " ".join(digits[i : i + 2] for i in range(0, 8, 2))
    if phonenumbers.is_possible_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return (value or "").strip()
