"""Tablet-parity vectors for :func:`keneya.clinical.growth.zscores` (``vectors/growth.json``).

Every boundary of clinical-rules §2 (named cases) plus 300 seeded random children. Inputs are the
keyword arguments of ``zscores``; ``expected`` holds, per indicator, the unrounded ``z`` (full
float), ``flagged`` and ``reason``; ``expected_classes`` is :func:`growth.classify`.
"""

from __future__ import annotations

import random
from typing import Any

from keneya.clinical import ENGINE_VERSION, growth

TOLERANCE = 1e-9
RANDOM_CASES = 300
SEED = 20260131

NOTES = (
    "Compare z with an absolute tolerance of 1e-9 (the kernel uses pow(); last-bit differences "
    "between libms are expected). flagged and classes use the z rounded to 2 decimals, rounding "
    "the exact binary value half-even (Python round(z, 2)); z within 1e-9 of a .xx5 boundary "
    "does not occur in these vectors. muac_mm is divided by 10 (WHO tables are in cm). "
    "BMI = weight / (h * h) with h = clenhei / 100. Weight-for-length/height interpolation: "
    "low = trunc(x*10)/10, upp = trunc(x*10 + 1)/10, diff = (x - low)/0.1, lower row alone when "
    "diff <= 0 (WHO anthro). A reason code is the first that applies, in growth._PRECEDENCE order."
)


def _near_rounding_tie(z: float) -> bool:
    """True when z is within the tolerance of a 2-decimal rounding boundary (x.xx5)."""
    return abs(abs(z) * 100 % 1 - 0.5) / 100 <= 10 * TOLERANCE


def _case(name: str, **kwargs: Any) -> dict[str, Any]:
    result = growth.zscores(**kwargs)
    for key, score in result.items():
        if score.z is not None and _near_rounding_tie(score.z):
            raise AssertionError(f"vector {name!r}: {key} z={score.z!r} is ambiguous at 2 decimals")
    return {
        "name": name,
        "input": kwargs,
        "expected": {
            key: {"z": score.z, "flagged": score.flagged, "reason": score.reason}
            for key, score in result.items()
        },
        "expected_classes": growth.classify(result),
    }


def _lms(indicator: str, sex: str, index: int) -> tuple[float, float, float]:
    table = growth.tables()[indicator]
    return table.row(growth._SEXES.index(sex), index)


def _y_for_z(lms: tuple[float, float, float], z: float, restricted: bool) -> float:
    """The measurement whose z-score is ``z`` (inverse of the WHO formula)."""
    lam, mu, sigma = lms

    def sd(k: float) -> float:
        return float(mu * (1 + lam * sigma * k) ** (1 / lam))

    if restricted and z > 3:
        return sd(3) + (z - 3) * (sd(3) - sd(2))
    if restricted and z < -3:
        return sd(-3) + (z + 3) * (sd(-2) - sd(-3))
    return sd(z)


def _boundary_cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    add = cases.append
    # 0.7 cm correction (2.2.3) at 730/731 days, both ways, and the 9-month standing rule.
    for age in (730, 731):
        for pos in ("L", "H", None):
            add(
                _case(
                    f"correction age={age} position={pos}",
                    sex="M",
                    age_days=age,
                    weight_kg=11.5,
                    length_or_height_cm=85.3,
                    measured_position=pos,
                )
            )
    for age in (273, 274):
        add(
            _case(
                f"standing under 9 months age={age}",
                sex="F",
                age_days=age,
                weight_kg=7.9,
                length_or_height_cm=68.4,
                measured_position="H",
            )
        )
    # WFL -> WFH table switch at 731 days with the same (uncorrected) length.
    for age in (729, 730, 731, 732):
        add(
            _case(
                f"table switch age={age}",
                sex="F",
                age_days=age,
                weight_kg=10.2,
                length_or_height_cm=80.0,
            )
        )
    # Age unknown: position decides, else 87 cm.
    for pos, length in (("L", 90.0), ("H", 80.0), (None, 86.9), (None, 87.0), (None, 86.95)):
        add(
            _case(
                f"age unknown position={pos} length={length}",
                sex="M",
                age_days=None,
                weight_kg=12.0,
                length_or_height_cm=length,
                measured_position=pos,
                muac_mm=140,
                head_circumference_cm=47.0,
            )
        )
    # Interpolation of non-integer lengths (2.2.6), including float-representation edges.
    for length in (80.0, 80.05, 80.11, 80.15, 80.19, 51.2, 102.4, 64.55, 109.95):
        add(
            _case(
                f"interpolation length={length}",
                sex="F",
                age_days=500,
                weight_kg=10.0,
                length_or_height_cm=length,
            )
        )
    for length, age, pos in (
        (64.6, 300, "H"),
        (101.7, 600, "H"),
        (51.9, 800, "L"),
        (66.0, 900, "L"),
    ):
        add(
            _case(
                f"interpolation after correction length={length} age={age} position={pos}",
                sex="M",
                age_days=age,
                weight_kg=9.0,
                length_or_height_cm=length,
                measured_position=pos,
            )
        )
    # WFL 45.0-110.0 and WFH 65.0-120.0 limits, raw and after correction.
    for length in (44.9, 44.99, 45.0, 110.0, 110.01, 110.1):
        add(
            _case(
                f"wfl range length={length}",
                sex="M",
                age_days=100,
                weight_kg=5.0,
                length_or_height_cm=length,
            )
        )
    for length in (64.9, 64.99, 65.0, 120.0, 120.01, 120.1):
        add(
            _case(
                f"wfh range length={length}",
                sex="F",
                age_days=1000,
                weight_kg=15.0,
                length_or_height_cm=length,
            )
        )
    for length, age, pos in (
        (109.3, 700, "H"),
        (109.4, 700, "H"),
        (65.7, 800, "L"),
        (65.6, 800, "L"),
        (44.3, 400, "H"),
    ):
        add(
            _case(
                f"range after correction length={length} age={age} position={pos}",
                sex="F",
                age_days=age,
                weight_kg=12.0,
                length_or_height_cm=length,
                measured_position=pos,
            )
        )
    # Age limits (2.2.1, 2.2.2).
    for age in (0, 90, 91, 1825, 1826, 1827, 2000):
        add(
            _case(
                f"age limit age={age}",
                sex="M",
                age_days=age,
                weight_kg=12.0,
                length_or_height_cm=88.0,
                measured_position="H",
                muac_mm=140,
                head_circumference_cm=48.0,
            )
        )
    # Oedema (2.2.8): weight-based z not computed, LHFA, ACFA and HCFA still computed.
    for oedema in (False, True):
        add(
            _case(
                f"oedema={oedema}",
                sex="F",
                age_days=400,
                weight_kg=6.0,
                length_or_height_cm=70.0,
                measured_position="L",
                muac_mm=108,
                head_circumference_cm=44.0,
                oedema=oedema,
            )
        )
    add(_case("oedema without weight", sex="M", age_days=None, oedema=True))
    # Restricted adjustment (2.2.5) on both sides and at exactly +/-3.
    for z in (-4.5, -3.2, -3.0, 3.0, 3.2, 4.5):
        add(
            _case(
                f"restricted wfa z={z}",
                sex="M",
                age_days=600,
                weight_kg=_y_for_z(_lms("wfa", "M", 600), z, True),
            )
        )
        add(
            _case(
                f"restricted acfa z={z}",
                sex="F",
                age_days=600,
                muac_mm=10 * _y_for_z(_lms("acfa", "F", 600), z, True),
            )
        )
        add(
            _case(
                f"restricted wflh z={z}",
                sex="F",
                age_days=1200,
                weight_kg=_y_for_z(_lms("wfh", "F", 950), z, True),
                length_or_height_cm=95.0,
                measured_position="H",
            )
        )
        bmi = _y_for_z(_lms("bmi", "M", 1500), z, True)
        add(
            _case(
                f"restricted bmi z={z}",
                sex="M",
                age_days=1500,
                weight_kg=bmi * 1.02 * 1.02,
                length_or_height_cm=102.0,
                measured_position="H",
            )
        )
        add(
            _case(
                f"lhfa not restricted z={z}",
                sex="M",
                age_days=600,
                length_or_height_cm=_y_for_z(_lms("lhfa", "M", 600), z, False),
                measured_position="L",
            )
        )
    # Flags (2.3) at each limit: on the limit, inside and outside the 2-decimal rounding.
    probes = (0.0, 0.0049, 0.0051, 0.02)
    for indicator, (low, high) in growth.FLAG_LIMITS.items():
        for limit, outward in ((low, -1.0), (high, 1.0)):
            for delta in probes:
                z = limit + outward * delta
                add(_flag_case(indicator, z))
    # Classification cut-offs (2.4) on the 2-decimal z: z = -2.00 is not wasted.
    for z in (-3.0051, -3.0049, -2.0051, -2.0049, 1.0049, 1.0051, 2.0051, 3.0049, 3.0051):
        add(_flag_case("wflh", z, name=f"wflh cut-off z={z}"))
        add(_flag_case("lhfa", z, name=f"lhfa cut-off z={z}"))
        add(_flag_case("wfa", z, name=f"wfa cut-off z={z}"))
    # A measurement beyond any scale: BMI overflows, no z.
    add(_case("z not finite", sex="M", age_days=400, weight_kg=10.0, length_or_height_cm=1e-160))
    return cases


def _flag_case(indicator: str, z: float, name: str | None = None) -> dict[str, Any]:
    name = name or f"flag {indicator} z={z}"
    restricted = indicator in growth.RESTRICTED
    if indicator == "wfa":
        return _case(name, sex="F", age_days=400, weight_kg=_y_for_z(_lms("wfa", "F", 400), z, True))
    if indicator == "lhfa":
        return _case(
            name,
            sex="M",
            age_days=400,
            length_or_height_cm=_y_for_z(_lms("lhfa", "M", 400), z, False),
        )
    if indicator == "wflh":
        return _case(
            name,
            sex="M",
            age_days=400,
            weight_kg=_y_for_z(_lms("wfl", "M", 750), z, True),
            length_or_height_cm=75.0,
        )
    if indicator == "bmi":
        bmi = _y_for_z(_lms("bmi", "F", 400), z, True)
        return _case(name, sex="F", age_days=400, weight_kg=bmi * 0.75 * 0.75, length_or_height_cm=75.0)
    if indicator == "acfa":
        return _case(
            name,
            sex="M",
            age_days=400,
            muac_mm=10 * _y_for_z(_lms("acfa", "M", 400), z, restricted),
        )
    return _case(
        name,
        sex="F",
        age_days=400,
        head_circumference_cm=_y_for_z(_lms("hcfa", "F", 400), z, False),
    )


def _random_cases(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    cases = []
    for i in range(count):
        age = None if rng.random() < 0.05 else rng.randint(0, 1900)
        months = (age if age is not None else 900) / growth.DAYS_PER_MONTH
        typical_length = 50 + 50 * (months / 60) ** 0.6
        typical_weight = 3.3 + 14 * (months / 60) ** 0.8
        kwargs: dict[str, Any] = {
            "sex": rng.choice(("M", "F")),
            "age_days": age,
            "weight_kg": None if rng.random() < 0.05 else round(typical_weight * rng.uniform(0.55, 1.5), 2),
            "length_or_height_cm": None
            if rng.random() < 0.05
            else round(typical_length * rng.uniform(0.8, 1.2), rng.choice((1, 1, 2))),
            "measured_position": rng.choice(("L", "H", None)),
            "muac_mm": None if rng.random() < 0.1 else rng.randint(85, 210),
            "head_circumference_cm": None if rng.random() < 0.2 else round(rng.uniform(31.0, 55.0), 1),
            "oedema": rng.random() < 0.05,
        }
        cases.append(_case(f"random {i:03d}", **kwargs))
    return cases


def generate() -> dict[str, Any]:
    return {
        "function": "keneya.clinical.growth.zscores",
        "engine_version": ENGINE_VERSION,
        "tolerance": TOLERANCE,
        "notes": NOTES,
        "indicators": list(growth.INDICATORS),
        "reason_text_fr": growth.REASON_TEXT_FR,
        "cases": _boundary_cases() + _random_cases(RANDOM_CASES, SEED),
    }
