"""Tablet-parity vectors for ``older_child.assess_older_child_visit`` (see export.py).

Input: its keyword arguments as JSON (dates as ISO strings; ``config``: the OlderChildConfig
fields that differ; ``doses_received``: [[code, ISO date]]). Expected: the whole result, or
``{"error": "ValueError"}``.

Covered (clinical-rules.md 7): the age limits (59/60 and 215/216 completed months; WHO 2007
z-scores from 61 months, weight-for-age to 120 months); each urgent sign; fever 6/7 days; fever
with RDT positive, negative, not done, and a cadre that does not treat; cough 13/14 days and
weight loss; BMI-for-age either side of -3, -2, +1 and +2 (beyond -3 through WHO's restricted
adjustment), height-for-age either side of -3 and -2, implausible z (flags), oedema; schooling,
net; invalid inputs; then seeded random visits.
"""

from __future__ import annotations

import json
import random
from datetime import date
from typing import Any

from keneya.clinical import ENGINE_VERSION, growth2007
from keneya.clinical.ages import date_at_age_months
from keneya.clinical.older_child import DANGER_SIGNS, OlderChildConfig, assess_older_child_visit

SEED = 20261207
RANDOM_CASES = 200
TOLERANCE = 1e-9
_DOB = date(2012, 3, 14)

NOTES = (
    "Compare numbers with an absolute tolerance of 1e-9 (z-scores use pow()); no z here is within "
    "1e-9 of a 2-decimal rounding tie, so flags and classes cannot differ. Everything else exact."
)


def _at(months: int, day_offset: int = 0) -> str:
    return date.fromordinal(date_at_age_months(_DOB, months).toordinal() + day_offset).isoformat()


def _visit(months: int = 120, sex: str = "F", **kw: Any) -> dict[str, Any]:
    return {"sex": sex, "date_of_birth": _DOB.isoformat(), "visit_date": _at(months), **kw}


def _y_for_z(indicator: str, sex: str, months: int, z: float) -> float:
    """The measurement whose z is ``z`` (inverse LMS, with the restricted tail for bmi/wfa)."""
    lam, mu, s = growth2007.table(indicator, sex)[months]

    def sd(k: float) -> float:
        return mu * (1 + lam * s * k) ** (1 / lam)

    if indicator in growth2007.RESTRICTED and z < -3:
        return sd(-3) + (z + 3) * (sd(-2) - sd(-3))
    if indicator in growth2007.RESTRICTED and z > 3:
        return sd(3) + (z - 3) * (sd(3) - sd(2))
    return sd(z)


def _bmi_case(sex: str, months: int, z: float, height: float = 140.0) -> dict[str, Any]:
    bmi = _y_for_z("bmi", sex, months, z)
    weight = round(bmi * (height / 100) ** 2, 3)
    return _visit(months, sex, measurements={"weight_kg": weight, "length_or_height_cm": height})


def _hfa_case(sex: str, months: int, z: float) -> dict[str, Any]:
    height = round(_y_for_z("lhfa", sex, months, z), 2)
    return _visit(months, sex, measurements={"length_or_height_cm": height})


def _near_tie(z: float) -> bool:
    return abs(abs(z) * 100 % 1 - 0.5) / 100 <= 10 * TOLERANCE


def _ambiguous(expected: dict[str, Any]) -> bool:
    return any(v["z"] is not None and _near_tie(v["z"]) for v in (expected.get("zscores") or {}).values())


def expected_for(case_input: dict[str, Any]) -> dict[str, Any]:
    kwargs = json.loads(json.dumps(case_input))
    try:
        kwargs["date_of_birth"] = date.fromisoformat(kwargs["date_of_birth"])
        kwargs["visit_date"] = date.fromisoformat(kwargs["visit_date"])
        if "config" in kwargs:
            kwargs["config"] = OlderChildConfig(**kwargs["config"])
        if "doses_received" in kwargs:
            kwargs["doses_received"] = [(c, date.fromisoformat(d)) for c, d in kwargs["doses_received"]]
        result = assess_older_child_visit(**kwargs)
    except ValueError:
        return {"error": "ValueError"}
    return json.loads(json.dumps(result, allow_nan=False))


def boundary_cases() -> list[tuple[str, dict[str, Any]]]:
    m = {"weight_kg": 30.5, "length_or_height_cm": 138.2}
    cases: list[tuple[str, dict[str, Any]]] = [
        ("age_59_months_refused", _visit(59)),
        ("age_60_months_no_zscore", _visit(60, measurements=m)),
        ("age_61_months_first_zscore", _visit(61, measurements=m)),
        ("age_120_months_last_wfa", _visit(120, "M", measurements=m)),
        ("age_121_months_no_wfa", _visit(121, "M", measurements=m)),
        (
            "age_215_months_last_day",
            _visit(216, "M", measurements={"weight_kg": 60.1, "length_or_height_cm": 171.3})
            | {"visit_date": _at(216, -1)},
        ),
        ("age_216_months_refused", _visit(216)),
        ("nothing_found", _visit(100, findings={"in_school": True})),
        ("fever_6_days_no_rdt", _visit(100, findings={"fever": True, "fever_days": 6})),
        ("fever_7_days_urgent", _visit(100, findings={"fever": True, "fever_days": 7})),
        ("fever_rdt_positive", _visit(100, findings={"fever": True, "rdt_result": "positive"})),
        ("fever_rdt_negative", _visit(100, findings={"fever": True, "rdt_result": "negative"})),
        (
            "fever_rdt_positive_cadre_does_not_treat",
            _visit(
                100,
                findings={"fever": True, "rdt_result": "positive"},
                config={"chw_may_treat_at_home": False},
            ),
        ),
        ("cough_13_days", _visit(100, findings={"cough": True, "cough_days": 13})),
        ("cough_14_days_tb_screening", _visit(100, findings={"cough": True, "cough_days": 14})),
        ("weight_loss_tb_screening", _visit(100, findings={"weight_loss": True})),
        ("not_in_school_no_net", _visit(150, findings={"in_school": False, "sleeps_under_net": False})),
        ("in_school_secondary", _visit(150, findings={"in_school": True, "school_level": "secondary"})),
        ("oedema_no_bmi", _visit(100, findings={"bilateral_oedema": True}, measurements=m)),
        (
            "with_a_vaccination_card",
            _visit(100, doses_received=[["BCG", "2012-03-20"], ["VAR1", "2012-12-20"]]),
        ),
        ("urgent_and_severe_thinness", _bmi_case("M", 130, -3.4) | {"findings": {"convulsions": True}}),
        # invalid
        ("invalid_fever_days_contradict", _visit(100, findings={"fever": False, "fever_days": 3})),
        (
            "invalid_school_level_contradicts",
            _visit(100, findings={"in_school": False, "school_level": "primary"}),
        ),
        ("invalid_unknown_finding", _visit(100, findings={"chest_indrawing": True})),
        ("invalid_weight_zero", _visit(100, measurements={"weight_kg": 0})),
        ("invalid_weight_text", _visit(100, measurements={"weight_kg": "30"})),
        ("invalid_fever_days_fraction", _visit(100, findings={"fever_days": 2.5})),
        ("invalid_rdt_value", _visit(100, findings={"fever": True, "rdt_result": "maybe"})),
        ("invalid_sex", _visit(100, sex="X")),
        (
            "invalid_visit_before_birth",
            {"sex": "F", "date_of_birth": "2012-03-14", "visit_date": "2012-03-13"},
        ),
    ]
    for code in DANGER_SIGNS:
        if code != "fever_7_days_or_more":
            cases.append((f"urgent_{code}", _visit(100, findings={code: True})))
    for sex in ("M", "F"):
        for months in (61, 150, 228 - 12):
            for z in (-5.02, -4.98, -3.01, -2.99, -2.01, -1.99, 0.0, 0.99, 1.01, 1.99, 2.01, 3.5, 5.02):
                cases.append((f"bmi_{sex}_{months}m_z{z:+.2f}", _bmi_case(sex, months, z)))
            for z in (-6.02, -5.98, -3.01, -2.99, -2.01, -1.99, 2.5, 6.02):
                cases.append((f"hfa_{sex}_{months}m_z{z:+.2f}", _hfa_case(sex, months, z)))
    return cases


def _random_visit(rng: random.Random) -> dict[str, Any]:
    months = rng.randint(60, 215)
    sex = rng.choice("MF")
    findings: dict[str, Any] = {}
    for code in DANGER_SIGNS:
        if code != "fever_7_days_or_more" and rng.random() < 0.04:
            findings[code] = True
    if rng.random() < 0.4:
        findings["fever"] = True
        if rng.random() < 0.6:
            findings["fever_days"] = rng.randint(1, 9)
        if rng.random() < 0.7:
            findings["rdt_result"] = rng.choice(["positive", "negative"])
    if rng.random() < 0.3:
        findings["cough"] = True
        if rng.random() < 0.7:
            findings["cough_days"] = rng.randint(1, 30)
    for key in ("weight_loss", "in_school", "sleeps_under_net", "illness_since_last_visit"):
        if rng.random() < 0.5:
            findings[key] = rng.random() < 0.7
    if findings.get("in_school") is True and rng.random() < 0.7:
        findings["school_level"] = rng.choice(["primary", "secondary", "koranic", "vocational"])
    case = _visit(months, sex, findings=findings)
    if rng.random() < 0.85:
        height = round(rng.uniform(95, 185), 1)
        weight = round(rng.uniform(12, 90), 1)
        case["measurements"] = {"weight_kg": weight, "length_or_height_cm": height}
        if rng.random() < 0.1:
            del case["measurements"][rng.choice(["weight_kg", "length_or_height_cm"])]
    return case


def random_cases(n: int = RANDOM_CASES, seed: int = SEED) -> list[tuple[str, dict[str, Any]]]:
    rng = random.Random(seed)
    cases: list[tuple[str, dict[str, Any]]] = []
    while len(cases) < n:
        case_input = _random_visit(rng)
        if not _ambiguous(expected_for(case_input)):
            cases.append((f"random_{len(cases):03d}", case_input))
    return cases


def generate() -> dict[str, Any]:
    cases = []
    for name, case_input in boundary_cases() + random_cases():
        expected = expected_for(case_input)
        if _ambiguous(expected):
            raise AssertionError(f"vector {name!r}: a z-score is ambiguous at 2 decimals")
        cases.append({"name": name, "input": case_input, "expected": expected})
    return {
        "function": "keneya.clinical.older_child.assess_older_child_visit",
        "engine_version": ENGINE_VERSION,
        "tolerance": TOLERANCE,
        "notes": NOTES,
        "cases": cases,
    }
