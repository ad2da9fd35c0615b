"""Template helpers for persons: a child's age as the field says it (jours, mois, ans)."""

from __future__ import annotations

from datetime import date

from django import template
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import ngettext

from keneya.clinical.ages import YOUNG_INFANT_MAX_DAYS, completed_months
from keneya.core.phones import format_phone

register = template.Library()

# Below 5 years an age is said in months (as on the growth card), then in years.
AGE_IN_MONTHS_BELOW = 60


def age_text(date_of_birth: date | None, on: date | None = None) -> str:
    """ "12 jours", "14 mois", "7 ans"; empty when the birth date is unknown."""
    if date_of_birth is None:
        return ""
    on = on or timezone.localdate()
    days = max((on - date_of_birth).days, 0)
    if days <= YOUNG_INFANT_MAX_DAYS:
        return ngettext("%(n)s jour", "%(n)s jours", days) % {"n": days}
    months = completed_months(date_of_birth, on)
    if months < AGE_IN_MONTHS_BELOW:
        return ngettext("%(n)s mois", "%(n)s mois", months) % {"n": months}
    years = months // 12
    return ngettext("%(n)s an", "%(n)s ans", years) % {"n": years}


@register.filter
def age(date_of_birth: date | None, on: date | None = None) -> str:
    return age_text(date_of_birth, on)


@register.filter
def hours(duration: object) -> str:
    """A duration (timedelta): "12 min" under an hour, else hours with one decimal ("3,5 h")."""
    seconds = getattr(duration, "total_seconds", None)
    if seconds is None:
        return ""
    if seconds() < 3600:  # "0,2 h" says less than "12 min"
        return f"{int(seconds() // 60)} min"
    return number_format(seconds() / 3600, decimal_pos=1) + " h"


@register.filter
def phone(number: str | None) -> str:
    """ "+22376112233" -> "+223 76 11 22 33": the one display format (``keneya.core.phones``)."""
    return format_phone(number)
