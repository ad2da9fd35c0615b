"""WHO growth z-scores: reference values, every boundary of clinical-rules §2, reasons, classes."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest

from keneya.clinical import growth
from keneya.clinical.growth import ZScore, classify, zscores
from keneya.clinical.reasons import Reason


def z_of(indicator: str, **kwargs: Any) -> Any:
    return zscores(**kwargs)[indicator].z


def lms(indicator: str, sex: str, index: int) -> tuple[float, float, float]:
    return growth.tables()[indicator].row(0 if sex == "M" else 1, index)


# --- Reference values from WHO's own anthro R package (its test suite, tests/testthat) -------

WHO_ANTHRO_R_POINTS = [
    # (indicator, kwargs, expected 2-decimal z, expected flag), source: test-zscores.R etc.
    ("lhfa", dict(sex="M", age_days=987, length_or_height_cm=72.86, measured_position="L"), -6.09, True),
    # 8 months standing: position implausible, no correction (c9mo_flag = 1)
    ("lhfa", dict(sex="M", age_days=244, length_or_height_cm=60.0, measured_position="H"), -4.81, False),
    # 9 months standing: +0.7 cm
    ("lhfa", dict(sex="M", age_days=274, length_or_height_cm=60.0, measured_position="H"), -5.02, False),
    # 24 months = 730.5 days -> 731: height table
    ("lhfa", dict(sex="F", age_days=731, length_or_height_cm=77.5), -2.55, False),
    ("lhfa", dict(sex="F", age_days=731, length_or_height_cm=77.5, measured_position="H"), -2.55, False),
    ("wfa", dict(sex="F", age_days=1522, weight_kg=17.0), 0.24, False),
    ("wfa", dict(sex="F", age_days=1, weight_kg=10.37), None, True),
    # BMI 25 for a 1-day-old girl is flagged (test-zscore-bmi-for-age.R)
    ("bmi", dict(sex="F", age_days=1, weight_kg=6.25, length_or_height_cm=50.0), None, True),
    # spec stack.md §9: 12-month boy at 75.7 cm (the WHO median) gives -0.02
    ("lhfa", dict(sex="M", age_days=365, length_or_height_cm=75.7, measured_position="L"), -0.02, False),
]


@pytest.mark.parametrize(("indicator", "kwargs", "expected", "flag"), WHO_ANTHRO_R_POINTS)
def test_who_anthro_reference_points(indicator, kwargs, expected, flag):
    score = zscores(**kwargs)[indicator]
    if expected is not None:
        assert score.z_rounded == expected
    assert score.flagged is flag


def test_length_for_age_formula_of_who_test_suite():
    # anthro test: round(((50 / 56.4833)^1 - 1) / (0.03492 * 1), 2) for a boy of 44 days
    assert lms("lhfa", "M", 44) == (1.0, 56.4833, 0.03492)
    expected = round(((50 / 56.4833) ** 1 - 1) / (0.03492 * 1), 2)
    assert zscores(sex="M", age_days=44, length_or_height_cm=50)["lhfa"].z_rounded == expected


# Published WHO Child Growth Standards chart values (simplified field tables, 0.1 precision).
# (indicator, sex, age_days, kwargs, published SD line)
WHO_PUBLISHED = [
    ("wfa", "M", 0, {"weight_kg": 3.3}, 0),
    ("wfa", "M", 0, {"weight_kg": 2.5}, -2),
    ("wfa", "M", 0, {"weight_kg": 2.1}, -3),
    ("wfa", "M", 365, {"weight_kg": 9.6}, 0),
    ("wfa", "M", 365, {"weight_kg": 7.7}, -2),
    ("wfa", "M", 365, {"weight_kg": 6.9}, -3),
    ("wfa", "M", 731, {"weight_kg": 12.2}, 0),
    ("wfa", "M", 731, {"weight_kg": 9.7}, -2),
    ("wfa", "M", 731, {"weight_kg": 8.6}, -3),
    ("wfa", "M", 1826, {"weight_kg": 18.3}, 0),
    ("wfa", "F", 0, {"weight_kg": 3.2}, 0),
    ("wfa", "F", 0, {"weight_kg": 2.4}, -2),
    ("wfa", "F", 0, {"weight_kg": 2.0}, -3),
    ("wfa", "F", 365, {"weight_kg": 8.9}, 0),
    ("wfa", "F", 365, {"weight_kg": 7.0}, -2),
    ("wfa", "F", 365, {"weight_kg": 6.3}, -3),
    ("lhfa", "M", 0, {"length_or_height_cm": 49.9}, 0),
    ("lhfa", "M", 0, {"length_or_height_cm": 46.1}, -2),
    ("lhfa", "M", 0, {"length_or_height_cm": 44.2}, -3),
    ("lhfa", "M", 365, {"length_or_height_cm": 71.0}, -2),
    ("lhfa", "M", 365, {"length_or_height_cm": 68.6}, -3),
    ("lhfa", "M", 731, {"length_or_height_cm": 87.1, "measured_position": "H"}, 0),
    ("lhfa", "M", 731, {"length_or_height_cm": 87.8, "measured_position": "L"}, 0),
    ("lhfa", "F", 0, {"length_or_height_cm": 49.1}, 0),
    ("lhfa", "F", 365, {"length_or_height_cm": 74.0}, 0),
    ("lhfa", "F", 730, {"length_or_height_cm": 86.4, "measured_position": "L"}, 0),
    ("lhfa", "F", 731, {"length_or_height_cm": 85.7, "measured_position": "H"}, 0),
    ("hcfa", "M", 0, {"head_circumference_cm": 34.5}, 0),
    ("hcfa", "F", 0, {"head_circumference_cm": 33.9}, 0),
]
# Chart values are rounded to 0.1 kg / 0.1 cm: tolerance in z for that rounding.
TOLERANCE = {"wfa": 0.15, "lhfa": 0.05, "hcfa": 0.05}


@pytest.mark.parametrize(("indicator", "sex", "age", "kwargs", "sd_line"), WHO_PUBLISHED)
def test_published_who_chart_values(indicator, sex, age, kwargs, sd_line):
    z = z_of(indicator, sex=sex, age_days=age, **kwargs)
    assert z is not None
    assert abs(z - sd_line) <= TOLERANCE[indicator]


@pytest.mark.parametrize("indicator", ["wfa", "lhfa", "bmi", "acfa", "hcfa"])
@pytest.mark.parametrize("sex", ["M", "F"])
@pytest.mark.parametrize("day", [91, 365, 1000, 1826])
def test_median_of_the_table_gives_zero(indicator, sex, day):
    _, mu, _ = lms(indicator, sex, day)
    kwargs: dict[str, Any] = {
        "wfa": {"weight_kg": mu},
        "lhfa": {"length_or_height_cm": mu},
        "acfa": {"muac_mm": mu * 10},
        "hcfa": {"head_circumference_cm": mu},
        "bmi": {"weight_kg": mu, "length_or_height_cm": 100.0},
    }[indicator]
    if indicator == "lhfa":
        kwargs["measured_position"] = "L" if day < 731 else "H"
    assert abs(z_of(indicator, sex=sex, age_days=day, **kwargs)) < 1e-9


# --- 2.2.3 the 0.7 cm correction --------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "position", "used"),
    [
        (730, "H", 80.7),  # standing under 24 months: +0.7
        (730, "L", 80.0),
        (730, None, 80.0),
        (731, "L", 79.3),  # lying from 24 months: -0.7
        (731, "H", 80.0),
        (731, None, 80.0),
        (273, "H", 80.0),  # standing under 9 months: position ignored, no correction
        (274, "H", 80.7),
    ],
)
def test_length_height_correction(age, position, used):
    got = zscores(sex="M", age_days=age, length_or_height_cm=80.0, measured_position=position)
    expected = zscores(sex="M", age_days=age, length_or_height_cm=used)
    assert got["lhfa"].z == expected["lhfa"].z


def test_correction_is_explained_in_french():
    score = zscores(sex="F", age_days=400, length_or_height_cm=70.0, measured_position="H")["lhfa"]
    rules = [r.rule for r in score.reasons]
    assert "GROWTH.LENHEI.CORRECTION" in rules
    assert all(isinstance(r, Reason) and r.text_fr for r in score.reasons)


def test_standing_under_9_months_is_explained():
    score = zscores(sex="F", age_days=200, length_or_height_cm=65.0, measured_position="H")["lhfa"]
    assert "GROWTH.LENHEI.STANDING_UNDER_9_MONTHS" in [r.rule for r in score.reasons]


def test_correction_feeds_bmi_and_wflh():
    a = zscores(sex="M", age_days=500, weight_kg=9.5, length_or_height_cm=77.3, measured_position="H")
    b = zscores(sex="M", age_days=500, weight_kg=9.5, length_or_height_cm=77.3 + 0.7)
    assert a["bmi"].z == b["bmi"].z
    assert a["wflh"].z == b["wflh"].z


# --- 2.2.6 weight-for-length / weight-for-height -----------------------------------------------


def expected_wflh(table: str, sex: str, length_tenths: int, weight: float) -> float:
    lam, mu, sigma = lms(table, sex, length_tenths)
    z = ((weight / mu) ** lam - 1) / (sigma * lam)
    assert abs(z) <= 3
    return z


@pytest.mark.parametrize(("age", "table"), [(729, "wfl"), (730, "wfl"), (731, "wfh"), (1000, "wfh")])
def test_table_switch_at_731_days(age, table):
    z = z_of("wflh", sex="F", age_days=age, weight_kg=10.2, length_or_height_cm=80.0)
    assert z == pytest.approx(expected_wflh(table, "F", 800, 10.2), abs=1e-12)


@pytest.mark.parametrize(
    ("position", "length", "table"),
    [("L", 90.0, "wfl"), ("H", 80.0, "wfh"), (None, 86.9, "wfl"), (None, 87.0, "wfh")],
)
def test_unknown_age_uses_position_then_87_cm(position, length, table):
    got = zscores(
        sex="M", age_days=None, weight_kg=12.0, length_or_height_cm=length, measured_position=position
    )
    assert got["wflh"].z == pytest.approx(expected_wflh(table, "M", round(length * 10), 12.0), abs=1e-12)
    for k in ("wfa", "lhfa", "bmi", "acfa", "hcfa"):
        assert got[k].z is None and got[k].reason == growth.MISSING_AGE


@pytest.mark.parametrize("length", [80.05, 80.11, 80.15, 80.19, 74.55])
def test_non_integer_length_is_interpolated(length):
    low_k = math.trunc(length * 10)
    diff = (length - low_k / 10) / 0.1
    lo = lms("wfl", "F", low_k)
    up = lms("wfl", "F", low_k + 1)
    lam, mu, sigma = (a + diff * (b - a) for a, b in zip(lo, up, strict=True))
    expected = ((10.0 / mu) ** lam - 1) / (sigma * lam)
    score = zscores(sex="F", age_days=500, weight_kg=10.0, length_or_height_cm=length)["wflh"]
    assert score.z == pytest.approx(expected, abs=1e-12)
    assert "GROWTH.WFLH.INTERPOLATION" in [r.rule for r in score.reasons]
    # strictly between the two neighbouring rows (weight fixed, M increases with length)
    z_lo = z_of("wflh", sex="F", age_days=500, weight_kg=10.0, length_or_height_cm=low_k / 10)
    z_up = z_of("wflh", sex="F", age_days=500, weight_kg=10.0, length_or_height_cm=(low_k + 1) / 10)
    assert score.z is not None
    assert z_up < score.z < z_lo


@pytest.mark.parametrize(
    ("age", "length", "position", "computed"),
    [
        (100, 44.9, None, False),
        (100, 44.99, None, False),
        (100, 45.0, None, True),
        (100, 110.0, None, True),
        (100, 110.01, None, False),
        (100, 110.1, None, False),
        (1000, 64.9, None, False),
        (1000, 65.0, None, True),
        (1000, 120.0, None, True),
        (1000, 120.01, None, False),
        (700, 109.3, "H", True),  # 110.0 after +0.7
        (700, 109.4, "H", False),  # 110.1 after +0.7
        (800, 65.7, "L", True),  # 65.0 after -0.7
        (800, 65.6, "L", False),  # 64.9 after -0.7
        (400, 44.3, "H", True),  # 45.0 after +0.7
    ],
)
def test_wflh_table_range(age, length, position, computed):
    score = zscores(
        sex="F", age_days=age, weight_kg=9.0, length_or_height_cm=length, measured_position=position
    )["wflh"]
    assert (score.z is not None) is computed
    if not computed:
        assert score.reason == growth.LENGTH_OUT_OF_RANGE
        assert score.flagged is None
        assert "45–110" in (score.reason_fr or "")


# --- 2.2.1 / 2.2.2 age limits -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "computed"), [(91, True), (1825, True), (1826, True), (1827, False), (5000, False)]
)
def test_age_limit_60_months(age, computed):
    result = zscores(
        sex="M",
        age_days=age,
        weight_kg=15.0,
        length_or_height_cm=100.0,
        muac_mm=150,
        head_circumference_cm=49.0,
    )
    for k in growth.INDICATORS:
        assert (result[k].z is not None) is computed, k
        if not computed:
            assert result[k].reason == growth.AGE_OUT_OF_RANGE


@pytest.mark.parametrize(("age", "reason"), [(0, "AGE_BELOW_MIN"), (90, "AGE_BELOW_MIN"), (91, None)])
def test_muac_for_age_starts_at_day_91(age, reason):
    score = zscores(sex="F", age_days=age, muac_mm=130)["acfa"]
    assert score.reason == reason
    assert (score.z is None) is (reason is not None)


def test_muac_is_converted_from_mm_to_cm():
    lam, mu, sigma = lms("acfa", "M", 400)
    expected = ((13.5 / mu) ** lam - 1) / (sigma * lam)
    assert z_of("acfa", sex="M", age_days=400, muac_mm=135) == pytest.approx(expected, abs=1e-12)


# --- 2.2.5 restricted adjustment ---------------------------------------------------------------


def sd(lms_row: tuple[float, float, float], k: float) -> float:
    lam, mu, sigma = lms_row
    return mu * (1 + lam * sigma * k) ** (1 / lam)


@pytest.mark.parametrize("weight", [2.0, 4.0, 17.0, 20.0])
def test_restricted_adjustment_weight_for_age(weight):
    row = lms("wfa", "M", 600)
    lam, mu, sigma = row
    raw = ((weight / mu) ** lam - 1) / (sigma * lam)
    if raw > 3:
        expected = 3 + (weight - sd(row, 3)) / (sd(row, 3) - sd(row, 2))
    else:
        expected = -3 + (weight - sd(row, -3)) / (sd(row, -2) - sd(row, -3))
    assert abs(raw) > 3
    score = zscores(sex="M", age_days=600, weight_kg=weight)["wfa"]
    assert score.z == pytest.approx(expected, abs=1e-12)
    assert score.z != pytest.approx(raw, abs=1e-3)
    assert any(r.rule == "GROWTH.WFA.RESTRICTED_ADJUSTMENT" for r in score.reasons)


def test_restricted_adjustment_not_applied_within_3_sd():
    row = lms("bmi", "F", 800)
    lam, mu, sigma = row
    bmi = sd(row, 2.5)
    weight = bmi * 0.8 * 0.8
    expected = ((weight / (0.8 * 0.8) / mu) ** lam - 1) / (sigma * lam)
    score = zscores(sex="F", age_days=800, weight_kg=weight, length_or_height_cm=80.0, measured_position="H")[
        "bmi"
    ]
    assert score.z == pytest.approx(expected, abs=1e-9)
    assert not any("RESTRICTED" in r.rule for r in score.reasons)


@pytest.mark.parametrize("indicator", ["acfa", "wflh", "bmi"])
def test_restricted_adjustment_other_indicators(indicator):
    row = {"acfa": lms("acfa", "F", 700), "wflh": lms("wfl", "F", 700), "bmi": lms("bmi", "F", 700)}[
        indicator
    ]
    y = sd(row, 3) + 1.5 * (sd(row, 3) - sd(row, 2))  # z* = 4.5 by the WHO formula
    kwargs = {
        "acfa": {"muac_mm": y * 10},
        "wflh": {"weight_kg": y, "length_or_height_cm": 70.0},
        "bmi": {"weight_kg": y * 0.7 * 0.7, "length_or_height_cm": 70.0},
    }[indicator]
    assert z_of(indicator, sex="F", age_days=700, **kwargs) == pytest.approx(4.5, abs=1e-9)


def test_length_for_age_is_not_restricted():
    _, mu, sigma = lms("lhfa", "M", 600)
    y = mu * (1 + sigma * 4.5)
    assert z_of("lhfa", sex="M", age_days=600, length_or_height_cm=y, measured_position="L") == pytest.approx(
        4.5
    )


# --- 2.2.8 oedema -------------------------------------------------------------------------------


def test_oedema_suppresses_weight_based_indicators_only():
    kwargs: dict[str, Any] = dict(
        sex="F",
        age_days=400,
        weight_kg=6.0,
        length_or_height_cm=70.0,
        muac_mm=108,
        head_circumference_cm=44.0,
    )
    without = zscores(**kwargs)
    with_oedema = zscores(**kwargs, oedema=True)
    for k in ("wfa", "wflh", "bmi"):
        assert without[k].z is not None
        assert with_oedema[k].z is None and with_oedema[k].flagged is None
        assert with_oedema[k].reason == growth.OEDEMA
    for k in ("lhfa", "acfa", "hcfa"):
        assert with_oedema[k] == without[k]


def test_oedema_counts_as_severe_in_classification():
    classes = classify(zscores(sex="M", age_days=None, oedema=True))
    assert classes["wflh"] == "severe_wasting"
    assert classes["bmi"] == "severe_wasting"
    assert classes["wfa"] == "severely_underweight"
    assert classes["lhfa"] is None


# --- 2.3 flags on the 2-decimal z ---------------------------------------------------------------


@pytest.mark.parametrize(("indicator", "limits"), list(growth.FLAG_LIMITS.items()))
def test_flag_limits_apply_to_rounded_z(indicator, limits):
    low, high = limits
    assert growth._is_flagged(indicator, low) is False
    assert growth._is_flagged(indicator, low - 0.0049) is False  # rounds to the limit
    assert growth._is_flagged(indicator, low - 0.0051) is True
    assert growth._is_flagged(indicator, high) is False
    assert growth._is_flagged(indicator, high + 0.0049) is False
    assert growth._is_flagged(indicator, high + 0.0051) is True


def test_flag_limits_are_who_anthro():
    assert growth.FLAG_LIMITS == {
        "wfa": (-6, 5),
        "lhfa": (-6, 6),
        "wflh": (-5, 5),
        "bmi": (-5, 5),
        "acfa": (-5, 5),
        "hcfa": (-5, 5),
    }


def test_weight_for_age_flag_is_asymmetric():
    row = lms("wfa", "F", 400)
    at = {z: sd(row, 3) + (z - 3) * (sd(row, 3) - sd(row, 2)) for z in (5.5,)}
    at[-5.5] = sd(row, -3) + (-5.5 + 3) * (sd(row, -2) - sd(row, -3))
    high = zscores(sex="F", age_days=400, weight_kg=at[5.5])["wfa"]
    low = zscores(sex="F", age_days=400, weight_kg=at[-5.5])["wfa"]
    assert high.flagged is True  # > +5
    assert low.flagged is False  # not < -6
    assert any(r.rule == "GROWTH.WFA.IMPLAUSIBLE" and "re-mesurer" in r.text_fr for r in high.reasons)


# --- result shape and reasons -------------------------------------------------------------------


def test_every_indicator_key_is_present():
    result = zscores(sex="M", age_days=100)
    assert list(result) == ["wfa", "lhfa", "wflh", "bmi", "acfa", "hcfa"]
    assert {r.reason for r in result.values()} == {
        "MISSING_WEIGHT",
        "MISSING_LENGTH",
        "MISSING_MUAC",
        "MISSING_HEAD_CIRCUMFERENCE",
    }
    for score in result.values():
        assert score.z is None and score.flagged is None
        assert score.reason_fr and score.reasons[-1].text_fr


def test_zscore_is_frozen():
    score = ZScore(1.0, False)
    with pytest.raises(AttributeError):
        score.z = 2.0  # type: ignore[misc]


def test_reason_texts_are_french_and_complete():
    assert set(growth.REASON_TEXT_FR) >= {code for codes in growth._PRECEDENCE.values() for code in codes} | {
        growth.Z_NOT_FINITE
    }


def test_absurd_length_gives_no_bmi_instead_of_an_error():
    result = zscores(sex="M", age_days=400, weight_kg=10.0, length_or_height_cm=1e-160)
    assert result["bmi"].z is None and result["bmi"].reason == growth.Z_NOT_FINITE


# --- invalid input: ValueError naming the field ------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sex", "X"),
        ("sex", "m"),
        ("sex", 1),
        ("sex", None),
        ("age_days", -1),
        ("age_days", 10.5),
        ("age_days", "10"),
        ("age_days", True),
        ("age_days", math.nan),
        ("weight_kg", -3.0),
        ("weight_kg", 0),
        ("weight_kg", math.inf),
        ("weight_kg", math.nan),
        ("weight_kg", "7"),
        ("weight_kg", True),
        ("length_or_height_cm", -70),
        ("muac_mm", 0),
        ("head_circumference_cm", -1),
        ("measured_position", "lying"),
        ("measured_position", "l"),
        ("measured_position", ""),
        ("oedema", "yes"),
        ("oedema", 1),
        ("oedema", None),
    ],
)
def test_invalid_input_raises_value_error_naming_the_field(field, value):
    kwargs: dict[str, Any] = dict(sex="M", age_days=400, weight_kg=9.0, length_or_height_cm=75.0)
    kwargs[field] = value
    with pytest.raises(ValueError, match=field):
        zscores(**kwargs)


def test_integral_float_age_is_accepted():
    age: Any = 400.0
    assert zscores(sex="M", age_days=age, weight_kg=9.0) == zscores(sex="M", age_days=400, weight_kg=9.0)


def test_age_days_between_follows_section_0():
    assert growth.age_days_between(dt.date(2025, 1, 4), dt.date(2025, 1, 4)) == 0
    assert growth.age_days_between(dt.date(2024, 2, 28), dt.date(2024, 3, 1)) == 2
    with pytest.raises(ValueError, match="visit_date"):
        growth.age_days_between(dt.date(2025, 1, 5), dt.date(2025, 1, 4))


# --- 2.4 classification on the 2-decimal z ------------------------------------------------------


def one(indicator: str, z: float | None) -> dict[str, ZScore]:
    scores = {k: ZScore(None, None, growth.MISSING_WEIGHT) for k in growth.INDICATORS}
    scores[indicator] = ZScore(
        z, False if z is not None else None, None if z is not None else "MISSING_WEIGHT"
    )
    return scores


@pytest.mark.parametrize(
    ("z", "wflh", "lhfa", "wfa"),
    [
        (-3.01, "severe_wasting", "severely_stunted", "severely_underweight"),
        (-3.005001, "severe_wasting", "severely_stunted", "severely_underweight"),
        (-3.004999, "wasting", "stunted", "underweight"),
        (-3.0, "wasting", "stunted", "underweight"),
        (-2.01, "wasting", "stunted", "underweight"),
        (-2.0, "normal", "normal", "normal"),  # z = -2.00 is not wasted
        (-2.004, "normal", "normal", "normal"),
        (0.0, "normal", "normal", "normal"),
        (1.0, "normal", "normal", "normal"),
        (1.01, "possible_risk_of_overweight", "normal", "possible_growth_problem"),
        (2.0, "possible_risk_of_overweight", "normal", "possible_growth_problem"),
        (2.01, "overweight", "normal", "possible_growth_problem"),
        (3.0, "overweight", "normal", "possible_growth_problem"),
        (3.01, "obese", "very_tall", "possible_growth_problem"),
        (None, None, None, None),
    ],
)
def test_classification_cut_offs(z, wflh, lhfa, wfa):
    assert classify(one("wflh", z))["wflh"] == wflh
    assert classify(one("bmi", z))["bmi"] == wflh  # BMI-for-age uses the WFL/H cut-offs
    assert classify(one("lhfa", z))["lhfa"] == lhfa
    assert classify(one("wfa", z))["wfa"] == wfa


def test_every_class_has_a_french_label():
    codes = set()
    for z in (-4, -2.5, 0, 1.5, 2.5, 3.5):
        for k in ("wflh", "lhfa", "wfa", "bmi"):
            codes.add(classify(one(k, z))[k])
    assert codes <= set(growth.CLASS_LABELS_FR)
