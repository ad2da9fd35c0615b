"""Section 0 of clinical-rules.md: age in days, completed months, age bands."""

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from keneya.clinical.ages import (
    AGE_BANDS,
    age_band,
    age_days,
    age_months,
    band_for,
    date_at_age_months,
)

DOB = date(2024, 1, 15)


@pytest.mark.parametrize(
    ("dob", "on", "days"),
    [
        (DOB, DOB, 0),  # day of birth = day 0
        (DOB, date(2024, 1, 16), 1),
        (DOB, date(2024, 3, 14), 59),  # 2024 is a leap year
        (DOB, date(2024, 3, 15), 60),
    ],
)
def test_age_in_days_counts_the_day_of_birth_as_zero(dob, on, days):
    assert age_days(dob, on) == days


@pytest.mark.parametrize(
    ("dob", "on", "months"),
    [
        (date(2025, 1, 4), date(2026, 1, 5), 12),  # the spec's example
        (date(2025, 1, 4), date(2026, 1, 4), 12),
        (date(2025, 1, 4), date(2026, 1, 3), 11),  # visit day-of-month earlier: minus one
        (date(2025, 1, 31), date(2025, 2, 28), 0),
        (date(2025, 1, 31), date(2025, 3, 1), 1),
        (date(2025, 1, 31), date(2025, 3, 31), 2),
        (date(2024, 2, 29), date(2025, 2, 28), 11),
        (date(2024, 2, 29), date(2025, 3, 1), 12),
        (date(2020, 3, 15), date(2025, 3, 14), 59),
        (date(2020, 3, 15), date(2025, 3, 15), 60),
    ],
)
def test_age_in_completed_months_decrements_when_the_day_is_earlier(dob, on, months):
    assert age_months(dob, on) == months


@pytest.mark.parametrize(
    ("on", "band"),
    [
        (DOB, "young_infant_0_59d"),
        (DOB + timedelta(days=59), "young_infant_0_59d"),  # 0-59 days inclusive
        (DOB + timedelta(days=60), "child_2_11m"),
        (date(2025, 1, 14), "child_2_11m"),  # 11 completed months
        (date(2025, 1, 15), "child_12_59m"),  # 12 completed months
        (date(2029, 1, 14), "child_12_59m"),  # 59 completed months
        (date(2029, 1, 15), "out_of_scope_60m_plus"),  # 60 completed months
    ],
)
def test_age_bands_follow_the_imci_wording(on, band):
    assert age_band(DOB, on) == band


def test_day_60_is_a_child_even_before_two_calendar_months():
    # Born 31 July: day 60 is 29 September, only 1 completed month; the day rule decides.
    assert age_months(date(2024, 7, 31), date(2024, 9, 29)) == 1
    assert age_band(date(2024, 7, 31), date(2024, 9, 29)) == "child_2_11m"
    assert age_band(date(2024, 7, 31), date(2024, 9, 28)) == "young_infant_0_59d"


def test_day_59_is_a_young_infant_even_at_two_calendar_months():
    assert age_months(date(2023, 2, 1), date(2023, 4, 1)) == 2
    assert age_band(date(2023, 2, 1), date(2023, 4, 1)) == "young_infant_0_59d"


@pytest.mark.parametrize(
    ("dob", "months", "expected"),
    [
        (date(2025, 1, 15), 9, date(2025, 10, 15)),
        (date(2025, 1, 31), 1, date(2025, 3, 1)),  # no 31 February: the 1st of March
        (date(2025, 1, 31), 9, date(2025, 10, 31)),
        (date(2025, 1, 31), 15, date(2026, 5, 1)),  # no 31 April
        (date(2024, 2, 29), 12, date(2025, 3, 1)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
    ],
)
def test_date_at_age_months(dob, months, expected):
    assert date_at_age_months(dob, months) == expected


@pytest.mark.parametrize(
    ("dob", "on", "field"),
    [
        (DOB, DOB - timedelta(days=1), "on"),
        (datetime(2024, 1, 15, 10, 0), DOB, "date_of_birth"),  # noqa: DTZ001
        ("2024-01-15", DOB, "date_of_birth"),
        (DOB, None, "on"),
    ],
)
def test_invalid_dates_raise_value_error_naming_the_field(dob, on, field):
    with pytest.raises(ValueError, match=field):
        age_days(dob, on)
    with pytest.raises(ValueError, match=field):
        age_band(dob, on)


@pytest.mark.parametrize("months", [-1, 1.5, True, "9"])
def test_date_at_age_months_refuses_bad_months(months):
    with pytest.raises(ValueError, match="months"):
        date_at_age_months(DOB, months)


dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))


@given(dob=dates, gap=st.integers(0, 3000))
def test_every_age_has_exactly_one_band(dob, gap):
    on = dob + timedelta(days=gap)
    band = age_band(dob, on)
    assert band in AGE_BANDS
    assert band == band_for(age_days(dob, on), age_months(dob, on))


@given(dob=dates, n=st.integers(0, 240))
def test_date_at_age_months_is_the_first_day_of_that_age(dob, n):
    d = date_at_age_months(dob, n)
    assert age_months(dob, d) >= n
    if d > dob:
        assert age_months(dob, d - timedelta(days=1)) < n


@given(dob=dates, gap=st.integers(0, 3000), step=st.integers(0, 400))
def test_age_never_decreases_with_time(dob, gap, step):
    on = dob + timedelta(days=gap)
    assert age_months(dob, on + timedelta(days=step)) >= age_months(dob, on)
    assert AGE_BANDS.index(age_band(dob, on + timedelta(days=step))) >= AGE_BANDS.index(age_band(dob, on))
