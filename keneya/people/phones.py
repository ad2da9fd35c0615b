"""One phone format (issue 11 §4): stored and sent by the API as E.164 (``+22376123456``), shown
on pages, PDFs and SMS as ``+223 76 12 34 56``.

Input rules (8 Malian digits, optional +223 / 00223) stay in ``validation.normalise_phone``, the
one validation every write path uses; this module only formats. It reads numbers with the
``phonenumbers`` library (Google's libphonenumber metadata), so a foreign number (a relative in
Côte d'Ivoire) is shown in its own international format rather than mangled. The tablet's twin is
``formatPhone`` in ``keneya/pwa/static/pwa/people.js``.
"""

from __future__ import annotations

import phonenumbers

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
