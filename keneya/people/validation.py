"""Field rules for people data, shared by the web forms, the API and the services.

Messages are French (the UI language) through gettext; they are raised as Django ValidationError
keyed by field, so forms show them next to the field and the API returns them as a 400 body.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from keneya.core.phones import MALI_PHONE_DIGITS, normalise_phone  # noqa: F401  (the people rules use them)

# Oldest plausible age of a living person. Above it the birth date is a typing error.
MAX_AGE_YEARS = 120


def clean_name(value: str, field: str, label: str) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise ValidationError({field: _("%(label)s est obligatoire.") % {"label": label}})
    if len(value) > 80 and field == "family_name":
        raise ValidationError({field: _("Nom trop long (80 caractères au plus).")})
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
