"""The numpy batch path gives exactly the scalar results, and validates like it."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from keneya.clinical import growth


def random_children(n: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    age = rng.integers(0, 1900, n).astype(float)
    age[rng.random(n) < 0.05] = np.nan
    weight = rng.uniform(1.5, 30, n)
    weight[rng.random(n) < 0.05] = np.nan
    one_decimal = np.round(rng.uniform(40, 125, n), 1)
    two_decimals = np.round(rng.uniform(40, 125, n), 2)
    length = np.where(rng.random(n) < 0.5, one_decimal, two_decimals)
    length[rng.random(n) < 0.05] = np.nan
    muac = rng.uniform(80, 220, n)
    muac[rng.random(n) < 0.05] = np.nan
    headc = rng.uniform(30, 56, n)
    headc[rng.random(n) < 0.05] = np.nan
    return {
        "sex": rng.choice(np.array(["M", "F"], dtype=object), n),
        "age_days": age,
        "weight_kg": weight,
        "length_or_height_cm": length,
        "measured_position": rng.choice(np.array(["L", "H", None], dtype=object), n),
        "muac_mm": muac,
        "head_circumference_cm": headc,
        "oedema": rng.random(n) < 0.03,
    }


def row_kwargs(children: dict[str, np.ndarray], i: int) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    for name, values in children.items():
        value = values[i]
        if isinstance(value, float) and math.isnan(value):
            value = None
        kwargs[name] = value
    kwargs["sex"] = str(kwargs["sex"])
    kwargs["oedema"] = bool(kwargs["oedema"])
    if kwargs["age_days"] is not None:
        kwargs["age_days"] = int(kwargs["age_days"])
    return kwargs


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_batch_equals_scalar_exactly_on_random_children(seed):
    children = random_children(4000, seed)
    batch = growth.zscores_batch(**children)
    for i in range(len(children["sex"])):
        scalar = growth.zscores(**row_kwargs(children, i))
        for k in growth.INDICATORS:
            assert batch[k].at(i) == scalar[k], (i, k)  # z bit for bit, flag and reason


def test_batch_covers_every_reason():
    children = random_children(4000, 4)
    batch = growth.zscores_batch(**children)
    seen = {code for k in growth.INDICATORS for code in batch[k].reason.tolist() if code}
    assert seen == set(growth.REASON_TEXT_FR) - {growth.Z_NOT_FINITE}


def test_batch_accepts_plain_lists_with_none():
    batch = growth.zscores_batch(
        sex=["M", "F", "F"],
        age_days=[400, None, 2000],
        weight_kg=[9.0, 10.0, None],
        length_or_height_cm=[75.0, 80.0, 100.0],
        measured_position=["L", None, "H"],
    )
    expected = [
        growth.zscores(sex="M", age_days=400, weight_kg=9.0, length_or_height_cm=75.0, measured_position="L"),
        growth.zscores(sex="F", age_days=None, weight_kg=10.0, length_or_height_cm=80.0),
        growth.zscores(sex="F", age_days=2000, length_or_height_cm=100.0, measured_position="H"),
    ]
    for i, scalar in enumerate(expected):
        for k in growth.INDICATORS:
            assert batch[k].at(i) == scalar[k]
    assert len(batch["wfa"]) == 3


def test_batch_of_nothing():
    batch = growth.zscores_batch(sex=[], age_days=[])
    assert all(len(batch[k]) == 0 for k in growth.INDICATORS)


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("sex", ["M", "X"]),
        ("age_days", [1, -1]),
        ("age_days", [1, 2.5]),
        ("age_days", [1, "2"]),
        ("weight_kg", [1.0, -2.0]),
        ("weight_kg", [1.0, math.inf]),
        ("weight_kg", [1.0, True]),
        ("length_or_height_cm", [0.0, 50.0]),
        ("muac_mm", [120, 0]),
        ("head_circumference_cm", [40, -1]),
        ("measured_position", ["L", "l"]),
        ("oedema", [False, "y"]),
        ("weight_kg", [1.0]),  # wrong length
    ],
)
def test_batch_invalid_input_names_the_field(field, values):
    kwargs: dict[str, object] = {"sex": ["M", "F"], "age_days": [100, 200]}
    kwargs[field] = values
    with pytest.raises(ValueError, match=field):
        growth.zscores_batch(**kwargs)  # type: ignore[arg-type]


def test_rounding_bounds_match_python_round_exactly():
    for indicator, (low, high) in growth.FLAG_LIMITS.items():
        low_bound, high_bound = growth._FLAG_BOUNDS[indicator]
        for bound, limit, below in ((low_bound, low, True), (high_bound, high, False)):
            z = bound
            for _ in range(5):
                z = math.nextafter(z, -math.inf)
            for _ in range(11):
                flagged_by_bound = bool(z < low_bound or z > high_bound)
                assert flagged_by_bound == growth._is_flagged(indicator, z), (indicator, z)
                z = math.nextafter(z, math.inf)
            assert round(bound, 2) == limit or not below


def test_bit_identity_of_the_shared_kernel_on_single_rows():
    children = random_children(300, 9)
    whole = growth.zscores_batch(**children)
    for i in range(300):
        single = growth.zscores_batch(**{k: v[i : i + 1] for k, v in children.items()})
        for k in growth.INDICATORS:
            assert single[k].at(0) == whole[k].at(i)
