"""Common age definitions for every clinical rule (clinical-rules.md v1, section 0).

- ``age_days``: ``on - date_of_birth`` in whole days; the day of birth is day 0.
- ``age_months``: completed calendar months, decremented by one when the day-of-month of ``on``
  is earlier than that of the birth date (DOB 2025-01-04, on 2026-01-05 gives 12).
- Age bands (IMCI 2014 / iCCM 2011 wording, the day-based young-infant rule is a design choice
  of the spec): ``young_infant_0_59d`` (age_days <= 59), ``child_2_11m`` (age_days >= 60 and
  age_months <= 11), ``child_12_59m`` (12 <= age_months <= 59), ``out_of_scope_60m_plus``
  (age_months >= 60).

The boundaries live in ``data/age_bands.json`` (versioned, with sources). The date is always a
parameter: nothing here reads the clock.
"""

from __future__ import annotations

import calendar
import json
from datetime import date, datetime, timedelta
from pathlib import Path

_DATA = json.loads((Path(__file__).parent / "data" / "age_bands.json").read_text("utf-8"))
AGE_BANDS_VERSION: str = _DATA["version"]

# clinical-rules.md section 0 [H]: young infant = 0-59 days (WHO PSBI 2015, IMCI 2014).
YOUNG_INFANT_MAX_DAYS: int = _DATA["young_infant_max_age_days"]["value"]
# "2 months up to 12 months" -> completed months <= 11 (IMCI 2014, iCCM 2011).
CHILD_2_11M_MAX_MONTHS: int = _DATA["child_2_11m_max_age_months"]["value"]
# "12 months up to 5 years" -> completed months <= 59 (IMCI 2014, iCCM 2011).
CHILD_12_59M_MAX_MONTHS: int = _DATA["child_12_59m_max_age_months"]["value"]
# age_months >= 60: the under-5 algorithm is not applied.
OUT_OF_SCOPE_MIN_MONTHS: int = _DATA["out_of_scope_min_age_months"]["value"]

YOUNG_INFANT = "young_infant_0_59d"
CHILD_2_11M = "child_2_11m"
CHILD_12_59M = "child_12_59m"
OUT_OF_SCOPE = "out_of_scope_60m_plus"
AGE_BANDS: tuple[str, ...] = tuple(_DATA["bands"])
assert AGE_BANDS == (YOUNG_INFANT, CHILD_2_11M, CHILD_12_59M, OUT_OF_SCOPE)


def check_date(value: object, field: str) -> date:
    """Return ``value`` if it is a calendar date; a ``datetime`` (time zone trap) is refused."""
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValueError(f"{field}: expected a datetime.date, got {type(value).__name__}")
    return value


def age_days(date_of_birth: date, on: date) -> int:
    """Whole days from birth (day of birth = 0). ValueError if ``on`` is before the birth."""
    check_date(date_of_birth, "date_of_birth")
    check_date(on, "on")
    days = (on - date_of_birth).days
    if days < 0:
        raise ValueError(f"on: {on.isoformat()} is before date_of_birth {date_of_birth.isoformat()}")
    return days


def completed_months(date_of_birth: date, on: date) -> int:
    """``age_months`` without the checks, for callers that have already validated the dates."""
    months = (on.year - date_of_birth.year) * 12 + (on.month - date_of_birth.month)
    return months - 1 if on.day < date_of_birth.day else months


def age_months(date_of_birth: date, on: date) -> int:
    """Completed calendar months (section 0 decrement rule). ValueError if ``on`` precedes birth."""
    age_days(date_of_birth, on)  # validates the types and the order
    return completed_months(date_of_birth, on)


def date_at_age_months(date_of_birth: date, months: int) -> date:
    """The first date on which ``age_months(date_of_birth, d) >= months``.

    Usually the same day-of-month ``months`` later; when that month is too short (born on the
    31st, or on 29 February) the decrement rule moves it to the 1st of the following month.
    """
    check_date(date_of_birth, "date_of_birth")
    if isinstance(months, bool) or not isinstance(months, int) or months < 0:
        raise ValueError(f"months: expected an integer >= 0, got {months!r}")
    index = date_of_birth.year * 12 + date_of_birth.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    if date_of_birth.day <= calendar.monthrange(year, month)[1]:
        return date(year, month, date_of_birth.day)
    return date(year, month, calendar.monthrange(year, month)[1]) + timedelta(days=1)


def band_for(days: int, months: int) -> str:
    """Age band from an already computed (age_days, age_months) pair."""
    if days <= YOUNG_INFANT_MAX_DAYS:
        return YOUNG_INFANT
    if months <= CHILD_2_11M_MAX_MONTHS:
        return CHILD_2_11M
    if months <= CHILD_12_59M_MAX_MONTHS:
        return CHILD_12_59M
    return OUT_OF_SCOPE


def age_band(date_of_birth: date, on: date) -> str:
    """One of ``AGE_BANDS`` (section 0). ValueError if ``on`` precedes birth."""
    days = age_days(date_of_birth, on)
    return band_for(days, completed_months(date_of_birth, on))
