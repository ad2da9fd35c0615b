"""Tablet-parity vectors for ``iccm.classify_sick_child`` (see export.py).

Input: ``{"date_of_birth": ISO, "visit_date": ISO, "findings": {...}, "config": {...}?}``
(config: the ``IccmConfig`` fields that differ from the default). Expected: the
``assessment_as_dict`` fields without the French texts: ``reason_rules`` lists the rule codes of
the reasons in order. Invalid input expects ``{"error": "ValueError"}``.

Every boundary of clinical-rules.md 1.2-1.6 and section 0 is covered, then seeded random cases.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from keneya.clinical import ENGINE_VERSION
from keneya.clinical.iccm import (
    CHILD_DANGER_SIGNS,
    ICCM_RULES_VERSION,
    YOUNG_INFANT_DANGER_SIGNS,
    IccmConfig,
    assessment_as_dict,
    classify_sick_child,
)

SEED = 20260101
RANDOM_CASES = 300
_DOB = date(2024, 1, 15)


def expected_for(case_input: dict[str, Any]) -> dict[str, Any]:
    """Run the engine on one JSON input and give the JSON expectation."""
    try:
        result = classify_sick_child(
            date_of_birth=date.fromisoformat(case_input["date_of_birth"]),
            visit_date=date.fromisoformat(case_input["visit_date"]),
            findings=case_input["findings"],
            config=IccmConfig(**case_input["config"]) if "config" in case_input else None,
        )
    except ValueError:
        return {"error": "ValueError"}
    out = assessment_as_dict(result)
    out["reason_rules"] = [r["rule"] for r in out.pop("reasons")]
    del out["rules_version"], out["engine_version"]
    return out


def _at(days: int, findings: dict[str, Any], dob: date = _DOB, **extra: Any) -> dict[str, Any]:
    return {
        "date_of_birth": dob.isoformat(),
        "visit_date": (dob + timedelta(days=days)).isoformat(),
        "findings": findings,
        **extra,
    }


def _on(visit: date, findings: dict[str, Any], dob: date = _DOB, **extra: Any) -> dict[str, Any]:
    return {"date_of_birth": dob.isoformat(), "visit_date": visit.isoformat(), "findings": findings, **extra}


def boundary_cases() -> list[tuple[str, dict[str, Any]]]:
    cases: list[tuple[str, dict[str, Any]]] = []
    add = cases.append
    # Section 0: age bands (DOB 2024-01-15).
    for days in (0, 1, 58, 59, 60, 61):
        add((f"age_days_{days}", _at(days, {})))
    add(("age_11_months_last_day", _on(date(2025, 1, 14), {})))
    add(("age_12_months_first_day", _on(date(2025, 1, 15), {})))
    add(("age_59_months_last_day", _on(date(2029, 1, 14), {})))
    add(("age_60_months_first_day", _on(date(2029, 1, 15), {})))
    add(("age_60_months_with_danger_sign", _on(date(2029, 1, 15), {"convulsions": True})))
    add(("spec_example_dob_2025_01_04", _on(date(2026, 1, 5), {}, dob=date(2025, 1, 4))))
    add(("dob_31st_day_60_is_2_11m", _on(date(2024, 9, 29), {}, dob=date(2024, 7, 31))))
    add(("dob_31st_day_59_is_young_infant", _on(date(2024, 9, 28), {}, dob=date(2024, 7, 31))))
    add(("dob_29_feb_12_months", _on(date(2025, 3, 1), {}, dob=date(2024, 2, 29))))
    add(("dob_29_feb_11_months", _on(date(2025, 2, 28), {}, dob=date(2024, 2, 29))))
    add(("visit_day_of_birth", _at(0, {"temperature_c": 36.8})))

    # 1.2: fast breathing, inclusive, per band, threshold - 1 / threshold / + 1.
    for label, visit, threshold in (
        ("young_infant_59d", _DOB + timedelta(days=59), 60),
        ("child_60d", _DOB + timedelta(days=60), 50),
        ("child_11m", date(2025, 1, 14), 50),
        ("child_12m", date(2025, 1, 15), 40),
        ("child_59m", date(2029, 1, 14), 40),
    ):
        for rr in (threshold - 1, threshold, threshold + 1):
            add((f"rr_{label}_{rr}", _on(visit, {"cough": True, "respiratory_rate": rr})))
    add(("rr_60_at_60_days_no_cough", _at(60, {"respiratory_rate": 60})))
    add(
        (
            "rr_50_difficult_breathing_11m",
            _on(date(2025, 1, 14), {"difficult_breathing": True, "respiratory_rate": 50}),
        )
    )
    add(("rr_50_at_12m_is_fast", _on(date(2025, 1, 15), {"cough": True, "respiratory_rate": 50})))
    add(("rr_45_at_11m_not_fast", _on(date(2025, 1, 14), {"cough": True, "respiratory_rate": 45})))
    add(
        (
            "cough_rr_60_chest_indrawing",
            _at(200, {"cough": True, "respiratory_rate": 60, "chest_indrawing": True}),
        )
    )

    # Section 0 fever: 37.4 / 37.5 C, with the RDT (1.4).
    for t in (37.4, 37.5, 37.6):
        for rdt in (None, "positive", "negative"):
            findings: dict[str, Any] = {"temperature_c": t}
            if rdt:
                findings["rdt_result"] = rdt
            add((f"child_temperature_{t}_rdt_{rdt}", _at(300, findings)))
    add(("reported_fever_rdt_positive", _at(300, {"fever": True, "rdt_result": "positive"})))
    add(("reported_fever_alias_rdt_positive_bool", _at(300, {"fever": True, "rdt_positive": True})))
    add(("rdt_positive_without_fever", _at(300, {"rdt_result": "positive"})))

    # 1.3: durations, inclusive.
    for name, limit in (("cough", 14), ("diarrhoea", 14), ("fever", 7)):
        for days in (0, limit - 1, limit, limit + 1):
            add((f"{name}_days_{days}", _at(400, {name: True, f"{name}_days": days})))
    add(("cough_14_flag", _at(400, {"cough_14_days_or_more": True})))
    add(("diarrhoea_14_flag", _at(400, {"diarrhoea_14_days_or_more": True})))
    add(("fever_7_flag_rdt_positive", _at(400, {"fever_7_days_or_more": True, "rdt_result": "positive"})))
    add(("diarrhoea_without_days", _at(400, {"diarrhoea": True})))
    add(("diarrhoea_with_blood", _at(400, {"diarrhoea": True, "diarrhoea_days": 2, "blood_in_stool": True})))
    add(("persistent_diarrhoea_with_blood", _at(400, {"diarrhoea_days": 20, "blood_in_stool": True})))

    # 1.3 / 1.4: MUAC, from 6 completed months (DOB 2024-01-15: 6 months on 2024-07-15).
    for muac in (114, 115, 124, 125):
        add((f"muac_{muac}_at_6_months", _on(date(2024, 7, 15), {"muac_mm": muac})))
        add((f"muac_{muac}_at_5_months", _on(date(2024, 7, 14), {"muac_mm": muac})))
    add(("muac_114_9", _on(date(2024, 9, 1), {"muac_mm": 114.9})))
    add(("muac_120_with_oedema", _on(date(2024, 9, 1), {"muac_mm": 120, "bilateral_oedema": True})))
    add(("oedema_at_3_months", _on(date(2024, 4, 20), {"bilateral_oedema": True})))
    add(("muac_red_flag", _on(date(2024, 9, 1), {"muac_red": True})))
    add(("muac_red_flag_at_5_months", _on(date(2024, 7, 14), {"muac_red": True})))

    # 1.3: each yes/no danger sign alone, at 8 months and at 30 months.
    for code in CHILD_DANGER_SIGNS:
        if code in ("cough_14_days_or_more", "diarrhoea_14_days_or_more", "fever_7_days_or_more", "muac_red"):
            continue
        add((f"child_8m_{code}", _on(date(2024, 9, 20), {code: True})))
        add((f"child_30m_{code}", _on(date(2026, 7, 20), {code: True})))
    add(("child_severe_chest_indrawing_wording", _on(date(2024, 9, 20), {"severe_chest_indrawing": True})))
    add(("child_movement_wording", _on(date(2024, 9, 20), {"movement_only_when_stimulated_or_none": True})))
    add(("child_not_feeding_well_is_ignored", _on(date(2024, 9, 20), {"not_feeding_well": True})))

    # 1.5: the worked example, and every classification kept under a danger sign.
    add(
        (
            "spec_1_5_example",
            _on(
                date(2025, 3, 1),
                {"chest_indrawing": True, "fever": True, "rdt_result": "positive", "muac_mm": 120},
            ),
        )
    )
    add(
        (
            "spec_1_5_example_with_cough_rr",
            _on(
                date(2025, 3, 1),
                {
                    "chest_indrawing": True,
                    "cough": True,
                    "respiratory_rate": 45,
                    "fever": True,
                    "rdt_result": "positive",
                    "muac_mm": 120,
                },
            ),
        )
    )
    add(
        (
            "everything_home_treated",
            _on(
                date(2025, 3, 1),
                {
                    "cough": True,
                    "cough_days": 3,
                    "respiratory_rate": 44,
                    "fever": True,
                    "fever_days": 2,
                    "rdt_result": "positive",
                    "diarrhoea": True,
                    "diarrhoea_days": 2,
                    "muac_mm": 130,
                },
            ),
        )
    )
    add(
        (
            "cough_no_fast_breathing_is_no_finding",
            _on(date(2025, 3, 1), {"cough": True, "cough_days": 2, "respiratory_rate": 30}),
        )
    )
    add(("mam_only_advise", _on(date(2025, 3, 1), {"muac_mm": 118})))
    add(("fever_rdt_negative_advise", _on(date(2025, 3, 1), {"fever": True, "rdt_result": "negative"})))

    # Settings per cadre and [U] rules.
    no_home = {"chw_may_treat_at_home": False}
    add(
        (
            "no_home_treatment_malaria",
            _on(date(2025, 3, 1), {"fever": True, "rdt_result": "positive"}, config=no_home),
        )
    )
    add(
        (
            "no_home_treatment_danger_sign",
            _on(
                date(2025, 3, 1),
                {"convulsions": True, "fever": True, "rdt_result": "positive"},
                config=no_home,
            ),
        )
    )
    add(("no_home_treatment_mam", _on(date(2025, 3, 1), {"muac_mm": 118}, config=no_home)))
    add(("mam_follow_up_30", _on(date(2025, 3, 1), {"muac_mm": 118}, config={"mam_follow_up_days": 30})))
    add(
        (
            "mam_follow_up_30_with_malaria",
            _on(
                date(2025, 3, 1),
                {"muac_mm": 118, "fever": True, "rdt_result": "positive"},
                config={"mam_follow_up_days": 30},
            ),
        )
    )
    add(
        (
            "fever_rdt_negative_follow_up_2",
            _on(
                date(2025, 3, 1),
                {"fever": True, "rdt_result": "negative"},
                config={"fever_rdt_negative_follow_up_days": 2},
            ),
        )
    )

    # 1.6: young infant.
    for t in (35.4, 35.5, 35.6, 37.4, 37.5, 37.6):
        add((f"young_infant_temperature_{t}", _at(10, {"temperature_c": t})))
    for t in (37.9, 38.0):
        add(
            (
                f"young_infant_temperature_{t}_fever_38",
                _at(10, {"temperature_c": t}, config={"young_infant_fever_c": 38.0}),
            )
        )
    for rr in (59, 60, 61):
        add((f"young_infant_rr_{rr}", _at(30, {"respiratory_rate": rr})))
    for code in YOUNG_INFANT_DANGER_SIGNS:
        add((f"young_infant_{code}", _at(20, {code: True})))
    add(("young_infant_jaundice_first_24h", _at(0, {"jaundice_first_24h": True})))
    add(("young_infant_yellow_soles", _at(40, {"yellow_palms_or_soles": True})))
    add(("young_infant_unable_to_feed_wording", _at(20, {"not_able_to_drink_or_feed": True})))
    add(("young_infant_lethargic_wording", _at(20, {"unusually_sleepy_or_unconscious": True})))
    add(("young_infant_mild_chest_indrawing_ignored", _at(20, {"chest_indrawing": True})))
    add(("young_infant_umbilicus", _at(5, {"umbilicus_red_or_draining_pus": True})))
    add(("young_infant_pustules_and_fever", _at(5, {"skin_pustules": True, "temperature_c": 37.8})))
    add(("young_infant_cough_diarrhoea_ignored", _at(25, {"cough": True, "diarrhoea": True})))
    add(("young_infant_muac_ignored", _at(50, {"muac_mm": 100})))

    # Invalid input: ValueError.
    add(("invalid_unknown_key", _at(300, {"chest_indrawnig": True})))
    add(("invalid_negative_rr", _at(300, {"respiratory_rate": -5})))
    add(("invalid_rr_zero", _at(300, {"respiratory_rate": 0})))
    add(("invalid_rr_fraction", _at(300, {"respiratory_rate": 40.5})))
    add(("invalid_temperature_typo", _at(300, {"temperature_c": 375})))
    add(("invalid_muac_in_cm", _at(300, {"muac_mm": 12.5})))
    add(("invalid_bool_as_string", _at(300, {"convulsions": "yes"})))
    add(("invalid_number_as_bool", _at(300, {"respiratory_rate": True})))
    add(("invalid_negative_days", _at(300, {"cough_days": -1})))
    add(("invalid_rdt_value", _at(300, {"fever": True, "rdt_result": "maybe"})))
    add(("invalid_cough_false_with_days", _at(300, {"cough": False, "cough_days": 3})))
    add(("invalid_flag_contradicts_days", _at(300, {"cough_days": 3, "cough_14_days_or_more": True})))
    add(("invalid_muac_flag_contradicts", _at(300, {"muac_mm": 130, "muac_red": True})))
    add(("invalid_young_infant_flag_contradicts", _at(10, {"temperature_c": 36.5, "fever_37_5": True})))
    add(("invalid_alias_conflict", _at(300, {"temperature_c": 37.0, "axillary_temperature_c": 38.0})))
    add(("invalid_visit_before_birth", _at(-1, {})))
    return cases


def _random_findings(rng: random.Random) -> dict[str, Any]:
    f: dict[str, Any] = {}
    for name, limit in (("cough", 14), ("diarrhoea", 14), ("fever", 7)):
        roll = rng.random()
        if roll < 0.25:
            f[name] = True
            f[f"{name}_days"] = rng.randint(0, 2 * limit)
        elif roll < 0.35:
            f[name] = True
        elif roll < 0.45:
            f[name] = False
    for code in (
        "blood_in_stool",
        "convulsions",
        "not_able_to_drink_or_feed",
        "vomits_everything",
        "chest_indrawing",
        "unusually_sleepy_or_unconscious",
        "bilateral_oedema",
        "not_feeding_well",
        "severe_chest_indrawing",
        "movement_only_when_stimulated_or_none",
        "yellow_palms_or_soles",
        "umbilicus_red_or_draining_pus",
        "skin_pustules",
        "difficult_breathing",
    ):
        roll = rng.random()
        if roll < 0.06:
            f[code] = True
        elif roll < 0.12:
            f[code] = False
    if rng.random() < 0.6:
        f["respiratory_rate"] = rng.randint(20, 75)
    if rng.random() < 0.5:
        f["temperature_c"] = round(rng.uniform(35.0, 40.0), 1)
    if rng.random() < 0.5:
        f["muac_mm"] = rng.randint(95, 150)
    if rng.random() < 0.5:
        f["rdt_result"] = rng.choice(["positive", "negative"])
    return f


def random_cases(n: int = RANDOM_CASES, seed: int = SEED) -> list[tuple[str, dict[str, Any]]]:
    rng = random.Random(seed)
    cases = []
    for i in range(n):
        dob = date(2020, 1, 1) + timedelta(days=rng.randint(0, 2000))
        age = rng.choice([rng.randint(0, 59), rng.randint(60, 365), rng.randint(366, 1900)])
        extra = {}
        if rng.random() < 0.15:
            extra["config"] = {"chw_may_treat_at_home": False}
        cases.append((f"random_{i:03d}", _at(age, _random_findings(rng), dob=dob, **extra)))
    return cases


def generate() -> dict[str, Any]:
    return {
        "function": "keneya.clinical.iccm.classify_sick_child",
        "engine_version": ENGINE_VERSION,
        "rules_version": ICCM_RULES_VERSION,
        "cases": [
            {"name": name, "input": case_input, "expected": expected_for(case_input)}
            for name, case_input in boundary_cases() + random_cases()
        ],
    }
