"""Tablet-parity vectors for ``nutrition.assess_nutrition`` (see export.py).

Input: the keyword arguments of ``assess_nutrition`` (numbers and booleans). Expected: its
``as_dict()`` without the French texts (``reason_rules`` lists the rule codes in order), or
``{"error": "ValueError"}``. Covers every boundary of clinical-rules.md 1.4, 1.8 and 2.4 (z on
two decimals, MUAC 114/115/124/125 mm, 5/6 and 59/60 months), then seeded random cases.
"""

from __future__ import annotations

import random
from typing import Any

from keneya.clinical import ENGINE_VERSION
from keneya.clinical.nutrition import NUTRITION_RULES_VERSION, assess_nutrition

SEED = 20260102
RANDOM_CASES = 200


def expected_for(case_input: dict[str, Any]) -> dict[str, Any]:
    try:
        out = assess_nutrition(**case_input).as_dict()
    except ValueError:
        return {"error": "ValueError"}
    out["reason_rules"] = [r["rule"] for r in out.pop("reasons")]
    del out["rules_version"]
    return out


def boundary_cases() -> list[tuple[str, dict[str, Any]]]:
    cases: list[tuple[str, dict[str, Any]]] = []
    add = cases.append
    for z in (-3.01, -3.0, -2.99, -2.01, -2.0, -1.99, 0.0, 1.0, 1.01, 2.0, 2.01, 3.0, 3.01, -2.004, -2.006):
        add((f"whz_{z}", {"age_months": 24, "whz": z}))
        add((f"whz_{z}_muac_130", {"age_months": 24, "whz": z, "muac_mm": 130}))
    for muac in (114, 114.9, 115, 124, 124.9, 125):
        add((f"muac_{muac}_6m", {"age_months": 6, "muac_mm": muac}))
        add((f"muac_{muac}_5m", {"age_months": 5, "muac_mm": muac}))
        add((f"muac_{muac}_whz_-1_30m", {"age_months": 30, "muac_mm": muac, "whz": -1.0}))
    for age in (0, 5, 6, 59, 60):
        add((f"age_{age}_whz_-3.5", {"age_months": age, "whz": -3.5}))
    add(("oedema_only", {"age_months": 18, "bilateral_oedema": True}))
    add(("oedema_under_6_months", {"age_months": 3, "bilateral_oedema": True}))
    for flag in ("general_danger_sign", "medical_complication", "appetite_test_failed"):
        add((f"sam_muac_{flag}", {"age_months": 18, "muac_mm": 110, flag: True}))
        add((f"mam_muac_{flag}", {"age_months": 18, "muac_mm": 120, flag: True}))
        add((f"normal_{flag}", {"age_months": 18, "muac_mm": 130, "whz": 0.0, flag: True}))
    add(("sam_whz_and_mam_muac", {"age_months": 18, "whz": -3.2, "muac_mm": 120}))
    add(("mam_whz_and_green_muac", {"age_months": 18, "whz": -2.5, "muac_mm": 135}))
    add(("nothing_measured", {"age_months": 18}))
    add(("muac_only_under_6_months", {"age_months": 4, "muac_mm": 100}))
    for z in (-3.01, -3.0, -2.01, -2.0, 3.0, 3.01):
        add((f"haz_{z}", {"age_months": 24, "haz": z}))
    for z in (-3.01, -3.0, -2.01, -2.0, 1.0, 1.01):
        add((f"waz_{z}", {"age_months": 24, "waz": z}))
    add(("invalid_age_negative", {"age_months": -1, "whz": 0.0}))
    add(("invalid_whz_string", {"age_months": 12, "whz": "-2"}))
    add(("invalid_muac_cm", {"age_months": 12, "muac_mm": 11.5}))
    add(("invalid_oedema_not_bool", {"age_months": 12, "bilateral_oedema": 1}))
    return cases


def random_cases(n: int = RANDOM_CASES, seed: int = SEED) -> list[tuple[str, dict[str, Any]]]:
    rng = random.Random(seed)
    cases = []
    for i in range(n):
        case: dict[str, Any] = {"age_months": rng.randint(0, 62)}
        for key in ("whz", "haz", "waz"):
            if rng.random() < 0.7:
                case[key] = round(rng.uniform(-4.5, 3.5), 2)
        if rng.random() < 0.7:
            case["muac_mm"] = rng.randint(95, 150)
        for key in (
            "bilateral_oedema",
            "general_danger_sign",
            "medical_complication",
            "appetite_test_failed",
        ):
            if rng.random() < 0.1:
                case[key] = True
        cases.append((f"random_{i:03d}", case))
    return cases


def generate() -> dict[str, Any]:
    return {
        "function": "keneya.clinical.nutrition.assess_nutrition",
        "engine_version": ENGINE_VERSION,
        "rules_version": NUTRITION_RULES_VERSION,
        "cases": [
            {"name": name, "input": case_input, "expected": expected_for(case_input)}
            for name, case_input in boundary_cases() + random_cases()
        ],
    }
