"""Field rules for people data, shared by the web forms, the API and the services.

Messages are French (the UI language) through gettext; they are raised as Django ValidationError
keyed by field, so forms show them next to the field and the API returns them as a 400 body.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from keneya.core.phones import MALI_PHONE_DIGITS, normalise_phone  # noqa: F401  (the people rules use them)

# Oldest plausible age of a living person. Above it the birth date is a typing error.
MAX_AGE_YEARS = 120


# Longest text accepted per field, on every write path (form, API, sync): the column's length
# where it has one (``people.models``), a bound of ours for text columns.
MAX_LENGTHS: dict[str, int] = {
    "family_name": 80,
    "given_names": 120,
    "phone": 20,
    "phone_alt": 20,
    "nina": 20,
    "birth_certificate_number": 40,
    "ramed_number": 40,
    "mutuelle_number": 40,
    # Landmarks to find the house ("behind the mosque, blue gate"): a few lines at most.
    "address_description": 500,
}


def check_length(value: str, field: str) -> str:
    """``value`` if it is at most ``MAX_LENGTHS[field]`` characters, else a French error.

    The message never echoes the value (it may be megabytes long)."""
    limit = MAX_LENGTHS[field]
    if len(value) > limit:
        raise ValidationError({field: _("Trop long : %(max)s caractères au plus.") % {"max": limit}})
    return value


def clean_text(value: Any, field: str) -> str:
    """A free-text or identifier field: a string, trimmed, within its length."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError({field: _("Texte attendu.")})
    return check_length(value.strip(), field)


# A clinician's or a CHW's note (complaint, examination, treatment, counter-referral...): a page
# of text at most. Longer is a paste gone wrong, and the text travels to tablets and SMS.
MAX_NOTE_LENGTH = 4000


def clean_long_text(value: Any, field: str, *, max_length: int = MAX_NOTE_LENGTH) -> str:
    """A free-text note: a string, trimmed, at most ``max_length`` characters."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError({field: _("Texte attendu.")})
    value = value.strip()
    if len(value) > max_length:
        raise ValidationError({field: _("Trop long : %(max)s caractères au plus.") % {"max": max_length}})
    return value


def clean_name(value: str, field: str, label: str) -> str:
    if value is not None and not isinstance(value, str):
        raise ValidationError({field: _("Texte attendu.")})
    if value and len(value) > 4 * MAX_LENGTHS[field]:  # not worth splitting
        check_length(value, field)
    value = " ".join((value or "").split())
    if not value:
        raise ValidationError({field: _("%(label)s est obligatoire.") % {"label": label}})
    if field in MAX_LENGTHS and len(value) > MAX_LENGTHS[field]:
        if field == "family_name":
            raise ValidationError({field: _("Nom trop long (80 caractères au plus).")})
        check_length(value, field)
    if any(ch.isdigit() for ch in value):
        raise ValidationError({field: _("Un nom ne contient pas de chiffres.")})
    return value


def years_between(start: date, end: date) -> int:
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return years


def check_date_of_birth(value: date | None, *, today: date) -> date:
    if value is None:
        raise ValidationError({"date_of_birth": _("La date de naissance (ou l'âge) est obligatoire.")})
    if value > today:
        raise ValidationError({"date_of_birth": _("La date de naissance ne peut pas être dans le futur.")})
    if years_between(value, today) > MAX_AGE_YEARS:
        raise ValidationError(
            {
                "date_of_birth": _("Âge impossible : plus de %(max)s ans. Vérifiez la date de naissance.")
                % {"max": MAX_AGE_YEARS}
            }
        )
    return value


def check_date_of_death(value: date, *, date_of_birth: date, today: date) -> date:
    if value > today:
        raise ValidationError({"date_of_death": _("La date du décès ne peut pas être dans le futur.")})
    if value < date_of_birth:
        raise ValidationError({"date_of_death": _("La date du décès est antérieure à la date de naissance.")})
    return value


def estimated_birth_date(*, age_years: int | None, age_months: int | None, today: date) -> date:
    """When only an age is known: the 15th of the month it implies (mid-year for whole years)."""
    if age_years is None and age_months is None:
        raise ValidationError({"date_of_birth": _("Indiquez la date de naissance ou l'âge.")})
    months = (age_years or 0) * 12 + (age_months or 0)
    if months < 0:
        raise ValidationError({"date_of_birth": _("L'âge ne peut pas être négatif.")})
    if months > MAX_AGE_YEARS * 12:
        raise ValidationError(
            {"date_of_birth": _("Âge impossible : plus de %(max)s ans.") % {"max": MAX_AGE_YEARS}}
        )
    if age_months is None and months >= 12:
        months += 6  # an age in whole years: place the birth in the middle of that year of age
    total = today.year * 12 + (today.month - 1) - months
    year, month_index = divmod(total, 12)
    return min(date(year, month_index + 1, 15), today)


# --- Household GPS -------------------------------------------------------------------------------
# Where a household of Mali can be: Mali's bounding box (Natural Earth 1:110m admin-0
# boundaries, as published in the "country bounding boxes" list: longitude -12.17 to 4.27,
# latitude 10.10 to 24.97), widened by half a degree (about 55 km) for border villages and
# GPS error. A point outside is a typing error (or latitude and longitude swapped). It also keeps
# every value within the column (DecimalField 9 digits, 6 decimals: below 1,000 in absolute).
GPS_LATITUDE_RANGE = (9.6, 25.5)
GPS_LONGITUDE_RANGE = (-12.7, 4.8)
GPS_DECIMALS = 6  # the column's decimal places: about 0.1 m


def _coordinate(value: Any, field: str, bounds: tuple[float, float]) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise ValidationError({field: _("Nombre attendu.")})
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise ValidationError({field: _("Nombre attendu.")}) from None
    low, high = bounds
    if not math.isfinite(number) or not low <= number <= high:
        raise ValidationError(
            {
                field: _("Coordonnée hors du Mali : attendu entre %(low)s et %(high)s.")
                % {"low": low, "high": high}
            }
        )
    return Decimal(f"{number:.{GPS_DECIMALS}f}")


def check_gps(latitude: Any, longitude: Any) -> tuple[Decimal | None, Decimal | None]:
    """A household's (latitude, longitude): both within Mali, or neither. Returns them as the
    column stores them (Decimal, 6 places); raises a ValidationError keyed by field."""
    errors: dict[str, list[str]] = {}
    values: list[Decimal | None] = []
    for value, field, bounds in (
        (latitude, "gps_latitude", GPS_LATITUDE_RANGE),
        (longitude, "gps_longitude", GPS_LONGITUDE_RANGE),
    ):
        try:
            values.append(_coordinate(value, field, bounds))
        except ValidationError as exc:
            errors.update(exc.message_dict)
            values.append(None)
    if errors:
        raise ValidationError(errors)
    lat, lon = values
    if (lat is None) != (lon is None):
        missing = "gps_longitude" if lon is None else "gps_latitude"
        raise ValidationError({missing: _("Indiquez la latitude et la longitude, ou aucune des deux.")})
    return lat, lon


# --- Dates ahead ---------------------------------------------------------------------------------
# Latest date accepted for something planned (an appointment, a convocation, a follow-up): one
# year ahead. Follow-ups in the programmes are days to weeks away (iCCM 2-3 days, nutrition 14
# days, ANC 4-8 weeks, the next vaccine at most months); a date further than a year is a typing
# error (a wrong year), and year 9999 would break every date computation downstream.
MAX_DAYS_AHEAD = 366


def check_not_too_far_ahead(value: date | None, field: str, *, today: date) -> date | None:
    """``value`` if it is at most ``MAX_DAYS_AHEAD`` days after ``today``, else a French error."""
    if value is None:
        return None
    if not isinstance(value, date):
        raise ValidationError({field: _("Date invalide : utilisez le format AAAA-MM-JJ.")})
    if value > today + timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationError({field: _("Date trop lointaine : un an au plus à partir d'aujourd'hui.")})
    return value
