"""The chart lines are the WHO LMS curves: the median is M, +/-2 SD bracket the table's SD2."""

import pytest

from keneya.clinical.growth import tables
from keneya.clinical.growth_curves import sd_curves, value_at_z


@pytest.mark.parametrize(
    ("indicator", "sex", "day", "median", "minus2", "plus2"),
    [
        # WHO weight-for-age girls, 1 year (day 365): median 8.9 kg, -2 SD 7.0, +2 SD 11.5.
        ("wfa", "F", 365, 8.95, 7.0, 11.5),
        # WHO length-for-age boys, 1 year: median 75.7 cm, -2 SD 71.0, +2 SD 80.5.
        ("lhfa", "M", 365, 75.75, 71.0, 80.5),
    ],
)
def test_lines_match_the_who_chart_values(indicator, sex, day, median, minus2, plus2):
    row = tables()[indicator].row(0 if sex == "M" else 1, day)
    assert value_at_z(row, 0) == pytest.approx(row[1])
    assert value_at_z(row, 0) == pytest.approx(median, abs=0.1)
    assert value_at_z(row, -2) == pytest.approx(minus2, abs=0.15)
    assert value_at_z(row, 2) == pytest.approx(plus2, abs=0.15)


def test_curves_cover_the_requested_range_in_months_and_are_ordered():
    curves = sd_curves("wfa", "M", to_day=730)
    ages = curves["ages_months"]
    assert ages[0] == 0 and ages[-1] == pytest.approx(730 / 30.4375, abs=0.01)
    assert len(ages) <= 130
    for i in range(len(ages)):
        values = [curves["lines"][str(z)][i] for z in (-3, -2, -1, 0, 1, 2, 3)]
        assert values == sorted(values)


def test_range_is_clipped_to_the_table_and_bad_input_is_refused():
    assert sd_curves("lhfa", "F", to_day=99999)["ages_months"][-1] == pytest.approx(60, abs=0.1)
    with pytest.raises(ValueError, match="indicator"):
        sd_curves("bmi", "F", to_day=100)
    with pytest.raises(ValueError, match="sex"):
        sd_curves("wfa", "X", to_day=100)
