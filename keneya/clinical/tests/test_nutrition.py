"""Clinician nutrition classification (clinical-rules.md 1.4, 1.8, 2.4), table by table."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from keneya.clinical.nutrition import (
    ACUTE_CLASSES,
    assess_nutrition,
    classify_stunting,
    classify_underweight,
    classify_wasting,
    muac_colour,
)


@pytest.mark.parametrize(
    ("z", "expected"),
    [
        (-3.01, "severe_wasting"),  # z < -3
        (-3.00, "wasting"),  # -3 <= z < -2
        (-2.01, "wasting"),
        (-2.00, "normal"),  # "z = -2.00 is not wasted"
        (-2.004, "normal"),  # rounded to 2 decimals first
        (-2.006, "wasting"),
        (1.00, "normal"),
        (1.01, "possible_risk_of_overweight"),  # > +1
        (2.00, "possible_risk_of_overweight"),
        (2.01, "overweight"),  # > +2
        (3.00, "overweight"),
        (3.01, "obese"),  # > +3
    ],
)
def test_wasting_classes_on_two_decimal_z(z, expected):
    assert classify_wasting(z) == expected


@pytest.mark.parametrize(
    ("z", "expected"),
    [
        (-3.01, "severely_stunted"),
        (-3.0, "stunted"),
        (-2.01, "stunted"),
        (-2.0, "normal"),
        (3.0, "normal"),
        (3.01, "very_tall"),
    ],
)
def test_stunting_classes(z, expected):
    assert classify_stunting(z) == expected


@pytest.mark.parametrize(
    ("z", "expected"),
    [
        (-3.01, "severely_underweight"),
        (-3.0, "underweight"),
        (-2.01, "underweight"),
        (-2.0, "normal"),
        (1.0, "normal"),
        (1.01, "possible_growth_problem"),
    ],
)
def test_underweight_classes(z, expected):
    assert classify_underweight(z) == expected


@pytest.mark.parametrize(
    ("muac", "colour"),
    [(114, "red"), (114.9, "red"), (115, "yellow"), (124, "yellow"), (124.9, "yellow"), (125, "green")],
)
def test_muac_colours(muac, colour):
    assert muac_colour(muac) == colour


@pytest.mark.parametrize(
    ("kwargs", "acute", "follow_up"),
    [
        ({"age_months": 24, "whz": -3.01}, "uncomplicated_sam", 7),
        ({"age_months": 24, "whz": -3.0}, "mam", 30),
        ({"age_months": 24, "whz": -2.01}, "mam", 30),
        ({"age_months": 24, "whz": -2.0, "muac_mm": 125}, "no_acute_malnutrition", None),
        ({"age_months": 6, "muac_mm": 114}, "uncomplicated_sam", 7),
        ({"age_months": 6, "muac_mm": 115}, "mam", 30),
        ({"age_months": 6, "muac_mm": 124}, "mam", 30),
        ({"age_months": 6, "muac_mm": 125}, "no_acute_malnutrition", None),
        ({"age_months": 5, "muac_mm": 110}, "not_assessed", None),  # MUAC not used < 6 months
        ({"age_months": 5, "muac_mm": 110, "whz": -3.5}, "uncomplicated_sam", 7),
        ({"age_months": 18, "bilateral_oedema": True}, "uncomplicated_sam", 7),
        ({"age_months": 18, "bilateral_oedema": True, "muac_mm": 130}, "uncomplicated_sam", 7),
        ({"age_months": 18, "whz": -2.5, "muac_mm": 135}, "mam", 30),  # either criterion
        ({"age_months": 18, "whz": -1.0, "muac_mm": 120}, "mam", 30),
        ({"age_months": 18, "whz": -3.2, "muac_mm": 120}, "uncomplicated_sam", 7),
        ({"age_months": 18}, "not_assessed", None),
        ({"age_months": 59, "whz": -3.5}, "uncomplicated_sam", 7),
        ({"age_months": 60, "whz": -3.5}, "age_out_of_scope", None),
    ],
)
def test_acute_malnutrition_table(kwargs, acute, follow_up):
    a = assess_nutrition(**kwargs)
    assert a.acute == acute
    assert a.follow_up_days == follow_up
    assert a.urgent_referral is False


@pytest.mark.parametrize(
    "complication", ["general_danger_sign", "medical_complication", "appetite_test_failed"]
)
def test_sam_with_a_complication_is_referred_urgently(complication):
    a = assess_nutrition(age_months=18, muac_mm=110, **{complication: True})
    assert a.acute == "complicated_sam"
    assert a.urgent_referral is True
    assert a.action == "urgent_referral"
    assert a.follow_up_days is None
    # A complication does not turn MAM or a normal child into SAM.
    assert assess_nutrition(age_months=18, muac_mm=120, **{complication: True}).acute == "mam"


def test_actions_name_the_mali_programmes():
    assert assess_nutrition(age_months=18, muac_mm=110).action == "outpatient_rutf"  # URENAS
    assert assess_nutrition(age_months=18, muac_mm=120).action == "supplementary_feeding"
    assert assess_nutrition(age_months=18, muac_mm=130).action is None


def test_one_measure_only_is_classified_and_says_so():
    a = assess_nutrition(age_months=18, whz=-1.0)
    assert a.acute == "no_acute_malnutrition"
    assert "NUTRITION.INCOMPLETE" in [r.rule for r in a.reasons]


def test_growth_indicators_are_reported_alongside():
    a = assess_nutrition(age_months=30, whz=-1.0, muac_mm=130, haz=-3.2, waz=-2.5)
    assert (a.wasting, a.stunting, a.underweight) == ("normal", "severely_stunted", "underweight")
    d = a.as_dict()
    assert json.loads(json.dumps(d)) == d


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"age_months": -1}, "age_months"),
        ({"age_months": 12.5}, "age_months"),
        ({"age_months": True}, "age_months"),
        ({"age_months": 12, "whz": "-2"}, "whz"),
        ({"age_months": 12, "whz": float("nan")}, "whz"),
        ({"age_months": 12, "haz": float("inf")}, "haz"),
        ({"age_months": 12, "waz": True}, "waz"),
        ({"age_months": 12, "muac_mm": 11.5}, "muac_mm"),  # centimetres
        ({"age_months": 12, "muac_mm": 0}, "muac_mm"),
        ({"age_months": 12, "bilateral_oedema": 1}, "bilateral_oedema"),
        ({"age_months": 12, "appetite_test_failed": "yes"}, "appetite_test_failed"),
    ],
)
def test_invalid_input_raises_value_error_naming_the_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        assess_nutrition(**kwargs)


zs = st.none() | st.floats(-8, 8)
SEVERITY = {
    "age_out_of_scope": 0,
    "not_assessed": 0,
    "no_acute_malnutrition": 1,
    "mam": 2,
    "uncomplicated_sam": 3,
    "complicated_sam": 4,
}


@given(
    age=st.integers(0, 80),
    whz=zs,
    haz=zs,
    waz=zs,
    muac=st.none() | st.integers(50, 300),
    flags=st.lists(st.booleans(), min_size=4, max_size=4),
)
def test_any_valid_input_is_classified(age, whz, haz, waz, muac, flags):
    a = assess_nutrition(
        age_months=age,
        whz=whz,
        haz=haz,
        waz=waz,
        muac_mm=muac,
        bilateral_oedema=flags[0],
        general_danger_sign=flags[1],
        medical_complication=flags[2],
        appetite_test_failed=flags[3],
    )
    assert a.acute in ACUTE_CLASSES
    assert a.urgent_referral == (a.acute == "complicated_sam")
    json.dumps(a.as_dict())


@given(
    age=st.integers(6, 59),
    whz=st.none() | st.floats(-6, 6),
    muac=st.integers(60, 299),
    drop=st.integers(1, 40),
)
def test_a_smaller_arm_is_never_less_severe(age, whz, muac, drop):
    thin = assess_nutrition(age_months=age, whz=whz, muac_mm=max(50, muac - drop))
    assert SEVERITY[thin.acute] >= SEVERITY[assess_nutrition(age_months=age, whz=whz, muac_mm=muac).acute]


def test_tablet_vectors_are_strict_json_and_cover_the_boundaries():
    from keneya.clinical.vectors import nutrition as vectors_nutrition

    document = vectors_nutrition.generate()
    json.dumps(document, allow_nan=False)  # the tablet parses it with JSON.parse
    names = [case["name"] for case in document["cases"]]
    assert len(names) == len(set(names))
    assert sum(name.startswith("random_") for name in names) >= 150
