"""Property tests (hypothesis): monotonicity, totality on valid input, ValueError on invalid input."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keneya.clinical import growth

PROFILE = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

sexes = st.sampled_from(["M", "F"])
ages = st.none() | st.integers(min_value=0, max_value=3000)
table_ages = st.integers(min_value=0, max_value=1826)
positions = st.sampled_from(["L", "H", None])


def positive(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False)


optional = {
    "weight_kg": st.none() | positive(0.01, 500.0),
    "length_or_height_cm": st.none() | positive(1.0, 300.0),
    "muac_mm": st.none() | positive(10.0, 1000.0),
    "head_circumference_cm": st.none() | positive(5.0, 150.0),
}


@PROFILE
@given(
    sex=sexes,
    age=ages,
    position=positions,
    oedema=st.booleans(),
    weight=optional["weight_kg"],
    length=optional["length_or_height_cm"],
    muac=optional["muac_mm"],
    headc=optional["head_circumference_cm"],
)
def test_any_valid_input_gives_a_complete_result(sex, age, position, oedema, weight, length, muac, headc):
    result = growth.zscores(
        sex=sex,
        age_days=age,
        weight_kg=weight,
        length_or_height_cm=length,
        measured_position=position,
        muac_mm=muac,
        head_circumference_cm=headc,
        oedema=oedema,
    )
    assert tuple(result) == growth.INDICATORS
    for score in result.values():
        if score.z is None:
            assert score.flagged is None and score.reason in growth.REASON_TEXT_FR
        else:
            assert math.isfinite(score.z) and isinstance(score.flagged, bool) and score.reason is None
    classes = growth.classify(result)
    assert set(classes.values()) <= set(growth.CLASS_LABELS_FR) | {None}


def _strictly_increasing(indicator: str, build, low: float, high: float):
    z_low = growth.zscores(**build(low))[indicator].z
    z_high = growth.zscores(**build(high))[indicator].z
    if z_low is not None and z_high is not None:
        assert z_low < z_high, (low, high, z_low, z_high)


pairs = st.tuples(positive(0.5, 200.0), st.floats(min_value=1.001, max_value=3.0))


@PROFILE
@given(sex=sexes, age=table_ages, pair=pairs)
def test_weight_for_age_increases_with_weight(sex, age, pair):
    w, factor = pair
    _strictly_increasing("wfa", lambda y: {"sex": sex, "age_days": age, "weight_kg": y}, w, w * factor)


@PROFILE
@given(sex=sexes, age=table_ages, pair=pairs, position=positions)
def test_length_for_age_increases_with_length(sex, age, pair, position):
    y, factor = pair
    _strictly_increasing(
        "lhfa",
        lambda v: {"sex": sex, "age_days": age, "length_or_height_cm": v, "measured_position": position},
        y,
        y * factor,
    )


@PROFILE
@given(sex=sexes, age=st.integers(min_value=91, max_value=1826), pair=pairs)
def test_muac_for_age_increases_with_muac(sex, age, pair):
    y, factor = pair
    _strictly_increasing("acfa", lambda v: {"sex": sex, "age_days": age, "muac_mm": v * 10}, y, y * factor)


@PROFILE
@given(sex=sexes, age=table_ages, pair=pairs)
def test_head_circumference_for_age_increases(sex, age, pair):
    y, factor = pair
    _strictly_increasing(
        "hcfa", lambda v: {"sex": sex, "age_days": age, "head_circumference_cm": v}, y, y * factor
    )


@PROFILE
@given(
    sex=sexes,
    age=st.none() | table_ages,
    length=positive(45.0, 120.0),
    position=positions,
    pair=st.tuples(positive(1.0, 60.0), st.floats(min_value=1.001, max_value=3.0)),
)
def test_weight_for_length_and_bmi_increase_with_weight(sex, age, length, position, pair):
    w, factor = pair

    def build(weight: float) -> dict[str, object]:
        return {
            "sex": sex,
            "age_days": age,
            "weight_kg": weight,
            "length_or_height_cm": length,
            "measured_position": position,
        }

    _strictly_increasing("wflh", build, w, w * factor)
    _strictly_increasing("bmi", build, w, w * factor)


# --- invalid input ---------------------------------------------------------------------------

VALID = {
    "sex": "F",
    "age_days": 400,
    "weight_kg": 9.0,
    "length_or_height_cm": 75.0,
    "measured_position": "L",
    "muac_mm": 140.0,
    "head_circumference_cm": 45.0,
    "oedema": False,
}

not_a_number = st.text(max_size=5) | st.booleans() | st.lists(st.integers(), max_size=2)
bad_values = {
    "sex": st.text(max_size=5).filter(lambda s: s not in ("M", "F")) | st.integers() | st.none(),
    "age_days": st.integers(max_value=-1)
    | st.floats().filter(lambda f: not (math.isfinite(f) and f >= 0 and f.is_integer()))
    | not_a_number,
    "weight_kg": st.floats(max_value=0.0) | st.just(math.inf) | st.just(math.nan) | not_a_number,
    "length_or_height_cm": st.floats(max_value=0.0) | st.just(-math.inf) | not_a_number,
    "muac_mm": st.floats(max_value=0.0) | st.just(math.nan) | not_a_number,
    "head_circumference_cm": st.floats(max_value=0.0) | st.just(math.inf) | not_a_number,
    "measured_position": st.text(max_size=5).filter(lambda s: s not in ("L", "H")) | st.integers(),
    "oedema": st.integers() | st.text(max_size=3) | st.none(),
}


@PROFILE
@given(data=st.data(), field=st.sampled_from(sorted(bad_values)))
def test_invalid_input_raises_value_error_naming_the_field(data, field):
    value = data.draw(bad_values[field])
    kwargs = dict(VALID, **{field: value})
    try:
        growth.zscores(**kwargs)
    except ValueError as exc:
        assert field in str(exc)
    else:
        raise AssertionError(f"{field}={value!r} was accepted")


# --- batch == scalar on generated children -------------------------------------------------------


@PROFILE
@given(
    st.lists(
        st.tuples(
            sexes,
            ages,
            optional["weight_kg"],
            optional["length_or_height_cm"],
            positions,
            optional["muac_mm"],
            optional["head_circumference_cm"],
            st.booleans(),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_batch_equals_scalar(children):
    columns = list(zip(*children, strict=True))
    batch = growth.zscores_batch(
        sex=list(columns[0]),
        age_days=list(columns[1]),
        weight_kg=np.array([np.nan if v is None else v for v in columns[2]]),
        length_or_height_cm=list(columns[3]),
        measured_position=list(columns[4]),
        muac_mm=list(columns[5]),
        head_circumference_cm=list(columns[6]),
        oedema=list(columns[7]),
    )
    for i, child in enumerate(children):
        scalar = growth.zscores(
            sex=child[0],
            age_days=child[1],
            weight_kg=child[2],
            length_or_height_cm=child[3],
            measured_position=child[4],
            muac_mm=child[5],
            head_circumference_cm=child[6],
            oedema=child[7],
        )
        for k in growth.INDICATORS:
            assert batch[k].at(i) == scalar[k]
