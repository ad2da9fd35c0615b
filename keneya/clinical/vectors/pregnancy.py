"""Tablet-parity vectors for ``pregnancy`` (see export.py).

This module has several functions: each case names its own ``function`` (gestational_age,
anc_schedule, postnatal_schedule, assess_pregnancy, assess_postpartum, assess_newborn) and its
``input`` holds the keyword arguments (dates as ISO strings, ``contacts_done`` a list of ISO
dates, ``config`` the ``PregnancyConfig`` fields that differ). Expected: the result's
``as_dict()`` without French texts (``reason_rules`` for the reasons, contacts reduced to code,
status and dates), or ``{"error": "ValueError"}``.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from keneya.clinical import ENGINE_VERSION, pregnancy
from keneya.clinical.pregnancy import (
    POSTPARTUM_DANGER_SIGNS,
    POSTPARTUM_SAME_DAY_SIGNS,
    PREGNANCY_DANGER_SIGNS,
    PREGNANCY_RULES_VERSION,
    PregnancyConfig,
)

SEED = 20260104
RANDOM_CASES = 150
_LMP = date(2025, 1, 6)
_DATE_KEYS = ("on", "lmp", "edd", "delivery_date", "date_of_birth", "visit_date")


def _parse(case_input: dict[str, Any]) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    for key, value in case_input.items():
        if key in _DATE_KEYS:
            kwargs[key] = date.fromisoformat(value)
        elif key == "contacts_done":
            kwargs[key] = [date.fromisoformat(d) for d in value]
        elif key == "config":
            if "anc_contact_weeks" in value:
                value = {**value, "anc_contact_weeks": tuple(value["anc_contact_weeks"])}
            kwargs[key] = PregnancyConfig(**value)
        else:
            kwargs[key] = value
    return kwargs


def _contacts(out: dict[str, Any]) -> None:
    out["contacts"] = [
        {k: c[k] for k in ("code", "status", "due_from", "target_date", "overdue_until", "done_on")}
        for c in out["contacts"]
    ]


def expected_for(function: str, case_input: dict[str, Any]) -> dict[str, Any]:
    try:
        result = getattr(pregnancy, function)(**_parse(case_input))
    except ValueError:
        return {"error": "ValueError"}
    out = result.as_dict()
    out.pop("rules_version", None)
    if "reasons" in out:
        out["reason_rules"] = [r["rule"] for r in out.pop("reasons")]
    if "contacts" in out:
        _contacts(out)
    return out


def _days(n: int, start: date = _LMP) -> str:
    return (start + timedelta(days=n)).isoformat()


def boundary_cases() -> list[tuple[str, str, dict[str, Any]]]:
    cases: list[tuple[str, str, dict[str, Any]]] = []
    add = cases.append
    lmp = _LMP.isoformat()
    # Dating: GA weeks = floor(days / 7); EDD = LMP + 280; 44 weeks maximum.
    for d in (0, 6, 7, 83, 84, 279, 280, 308, 309):
        add((f"ga_day_{d}", "gestational_age", {"on": _days(d), "lmp": lmp}))
    add(("ga_from_edd", "gestational_age", {"on": _days(100), "edd": _days(280)}))
    add(("ga_edd_wins_over_lmp", "gestational_age", {"on": _days(100), "lmp": _days(-10), "edd": _days(280)}))
    add(("ga_on_before_lmp", "gestational_age", {"on": _days(-1), "lmp": lmp}))
    add(("ga_nothing_given", "gestational_age", {"on": lmp}))
    # ANC windows (days since LMP): 1: 0-84 due, 85-125 overdue; 2: 126-140 due, 141-167
    # overdue; ... 8: 266-280 due, 281-287 overdue, missed from 288.
    for d in (0, 84, 85, 125, 126, 140, 141, 167, 168, 238, 239, 266, 280, 281, 287, 288):
        add((f"anc_nothing_done_day_{d}", "anc_schedule", {"on": _days(d), "lmp": lmp}))
    add(
        (
            "anc_contact1_late_at_16_weeks",
            "anc_schedule",
            {"on": _days(115), "lmp": lmp, "contacts_done": [_days(112)]},
        )
    )
    add(
        (
            "anc_first_contact_at_18_weeks_is_contact_2",
            "anc_schedule",
            {"on": _days(130), "lmp": lmp, "contacts_done": [_days(126)]},
        )
    )
    add(
        (
            "anc_two_contacts_same_window",
            "anc_schedule",
            {"on": _days(100), "lmp": lmp, "contacts_done": [_days(60), _days(80)]},
        )
    )
    add(
        (
            "anc_all_eight_on_time",
            "anc_schedule",
            {
                "on": _days(285),
                "lmp": lmp,
                "contacts_done": [_days(7 * w) for w in (10, 20, 26, 30, 34, 36, 38, 40)],
            },
        )
    )
    add(
        (
            "anc_four_contacts_config",
            "anc_schedule",
            {
                "on": _days(200),
                "lmp": lmp,
                "contacts_done": [_days(90)],
                "config": {"anc_contact_weeks": [16, 26, 32, 36]},
            },
        )
    )
    add(
        (
            "anc_contact_after_on",
            "anc_schedule",
            {"on": _days(100), "lmp": lmp, "contacts_done": [_days(101)]},
        )
    )
    add(
        (
            "anc_contact_before_lmp",
            "anc_schedule",
            {"on": _days(100), "lmp": lmp, "contacts_done": [_days(-3)]},
        )
    )
    # PNC windows (days since delivery): 1: 0-1; 2: 2-3 due, 4-6 overdue; 3: 7-14, 15-41;
    # 4: 42, overdue to 56.
    delivery = date(2025, 6, 1)
    for d in (0, 1, 2, 3, 4, 6, 7, 14, 15, 41, 42, 43, 56, 57):
        add(
            (
                f"pnc_nothing_done_day_{d}",
                "postnatal_schedule",
                {"delivery_date": delivery.isoformat(), "on": _days(d, delivery)},
            )
        )
    add(
        (
            "pnc_day_0_and_day_1_visits",
            "postnatal_schedule",
            {
                "delivery_date": delivery.isoformat(),
                "on": _days(5, delivery),
                "contacts_done": [_days(0, delivery), _days(1, delivery)],
            },
        )
    )
    add(
        (
            "pnc_late_pnc2_on_day_5",
            "postnatal_schedule",
            {
                "delivery_date": delivery.isoformat(),
                "on": _days(8, delivery),
                "contacts_done": [_days(0, delivery), _days(5, delivery)],
            },
        )
    )
    add(
        (
            "pnc_on_before_delivery",
            "postnatal_schedule",
            {"delivery_date": delivery.isoformat(), "on": _days(-1, delivery)},
        )
    )
    # Danger signs: each alone, none, combinations, national additions switched off.
    for code in PREGNANCY_DANGER_SIGNS:
        add((f"pregnancy_{code}", "assess_pregnancy", {"findings": {code: True}}))
    add(("pregnancy_no_sign", "assess_pregnancy", {"findings": {}}))
    add(
        (
            "pregnancy_all_false",
            "assess_pregnancy",
            {"findings": {code: False for code in PREGNANCY_DANGER_SIGNS}},
        )
    )
    add(
        (
            "pregnancy_national_addition_off",
            "assess_pregnancy",
            {"findings": {"reduced_fetal_movements": True}, "config": {"national_additions": False}},
        )
    )
    add(("pregnancy_unknown_sign", "assess_pregnancy", {"findings": {"bleeding": True}}))
    add(("pregnancy_sign_not_bool", "assess_pregnancy", {"findings": {"fever": "yes"}}))
    for code in POSTPARTUM_DANGER_SIGNS + POSTPARTUM_SAME_DAY_SIGNS:
        add((f"postpartum_{code}", "assess_postpartum", {"findings": {code: True}}))
    add(
        (
            "postpartum_urgent_and_same_day",
            "assess_postpartum",
            {"findings": {"heavy_vaginal_bleeding": True, "foul_smelling_lochia": True}},
        )
    )
    add(("postpartum_no_sign", "assess_postpartum", {"findings": {}}))
    dob = date(2025, 6, 1)
    for days, findings in (
        (0, {"jaundice_first_24h": True}),
        (3, {"temperature_c": 35.4}),
        (3, {"temperature_c": 35.5}),
        (10, {"respiratory_rate": 60}),
        (10, {"respiratory_rate": 59}),
        (7, {"skin_pustules": True}),
        (59, {"convulsions": True}),
        (60, {"convulsions": True}),
        (5, {}),
    ):
        name = "_".join(f"{k}_{v}" for k, v in findings.items()) or "no_sign"
        add(
            (
                f"newborn_day_{days}_{name}",
                "assess_newborn",
                {"date_of_birth": dob.isoformat(), "visit_date": _days(days, dob), "findings": findings},
            )
        )
    return cases


def random_cases(n: int = RANDOM_CASES, seed: int = SEED) -> list[tuple[str, str, dict[str, Any]]]:
    rng = random.Random(seed)
    cases: list[tuple[str, str, dict[str, Any]]] = []
    for i in range(n):
        if i % 3 == 0:
            lmp = date(2024, 1, 1) + timedelta(days=rng.randint(0, 700))
            on = rng.randint(0, 300)
            done = sorted({rng.randint(0, on) for _ in range(rng.randint(0, 9))})
            cases.append(
                (
                    f"random_anc_{i:03d}",
                    "anc_schedule",
                    {
                        "on": _days(on, lmp),
                        "lmp": lmp.isoformat(),
                        "contacts_done": [_days(d, lmp) for d in done],
                    },
                )
            )
        elif i % 3 == 1:
            delivery = date(2024, 1, 1) + timedelta(days=rng.randint(0, 700))
            on = rng.randint(0, 70)
            done = sorted({rng.randint(0, on) for _ in range(rng.randint(0, 5))})
            cases.append(
                (
                    f"random_pnc_{i:03d}",
                    "postnatal_schedule",
                    {
                        "delivery_date": delivery.isoformat(),
                        "on": _days(on, delivery),
                        "contacts_done": [_days(d, delivery) for d in done],
                    },
                )
            )
        else:
            signs = POSTPARTUM_DANGER_SIGNS + POSTPARTUM_SAME_DAY_SIGNS
            chosen = rng.sample(signs, rng.randint(0, 3))
            cases.append(
                (
                    f"random_postpartum_{i:03d}",
                    "assess_postpartum",
                    {"findings": {code: rng.random() < 0.7 for code in chosen}},
                )
            )
    return cases


def generate() -> dict[str, Any]:
    return {
        "function": "keneya.clinical.pregnancy (per case: function)",
        "engine_version": ENGINE_VERSION,
        "rules_version": PREGNANCY_RULES_VERSION,
        "cases": [
            {
                "name": name,
                "function": function,
                "input": case_input,
                "expected": expected_for(function, case_input),
            }
            for name, function, case_input in boundary_cases() + random_cases()
        ],
    }
