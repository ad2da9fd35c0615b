"""Tablet-parity vectors for ``vaccination_card`` (see export.py).

Each case names its ``function``: ``card_doses`` or ``next_doses``. Input: ``{"date_of_birth":
ISO, "on": ISO, "doses_received": [[code, ISO], ...], "config": {"grace_days": n, "enable":
[...], "disable": [...]}?}``. Expected: ``{"doses": [...]}`` in the engine's order (``card_doses``:
every key of ``CardDose.as_dict``; ``next_doses``: code, status, due_date), or ``{"error":
"ValueError"}``. Covers the day before and the day of each age of the schedule, month-end and
29 February births, doses given early, disabled doses received, older names, the fallback to the
next upcoming doses, then seeded random cases.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from keneya.clinical import ENGINE_VERSION
from keneya.clinical.immunization import PEV_SCHEDULE_VERSION, SCHEDULE
from keneya.clinical.vaccination_card import card_doses, next_doses
from keneya.clinical.vectors import immunization as immunization_vectors
from keneya.clinical.vectors.immunization import DOB, case, case_arguments

SEED = 20260215
RANDOM_CASES = 120
NEXT_KEYS = ("code", "status", "due_date")


def expected_for(function: str, case_input: dict[str, Any]) -> dict[str, Any]:
    try:
        kwargs = case_arguments(case_input)
        if function == "card_doses":
            return {"doses": [d.as_dict() for d in card_doses(**kwargs)]}
        return {"doses": [{k: v.as_dict()[k] for k in NEXT_KEYS} for v in next_doses(**kwargs)]}
    except ValueError:
        return {"error": "ValueError"}


def boundary_cases() -> list[tuple[str, dict[str, Any]]]:
    cases: list[tuple[str, dict[str, Any]]] = []
    add = cases.append
    birth = [("BCG", DOB), ("VPO0", DOB)]
    add(("birth_day", case(DOB)))
    add(("birth_doses_given", case(DOB + timedelta(days=3), birth)))
    # The day before and the day of 6, 10 and 14 weeks.
    for day in (41, 42, 69, 70, 97, 98):
        add((f"day_{day}_birth_doses_given", case(DOB + timedelta(days=day), birth)))
    add(("day_120_nothing_recorded", case(DOB + timedelta(days=120))))
    # 9 and 15 completed months (DOB 2025-01-15): from 2025-10-15 and 2026-04-15.
    for on in (date(2025, 10, 14), date(2025, 10, 15), date(2026, 4, 14), date(2026, 4, 15)):
        add((f"months_{on.isoformat()}", case(on, birth)))
    # Month-end and leap-day births.
    add(("dob_31_jan_day_before_nine_months", case(date(2025, 10, 30), dob=date(2025, 1, 31))))
    add(("dob_31_jan_nine_months", case(date(2025, 10, 31), dob=date(2025, 1, 31))))
    add(("dob_29_feb_nine_months", case(date(2024, 11, 29), dob=date(2024, 2, 29))))
    # A dose given before its age (a campaign), a disabled dose received, older names, duplicates.
    add(("rr1_given_early", case(date(2025, 9, 1), birth + [("RR1", date(2025, 8, 20))])))
    add(
        (
            "malaria_dose_received_while_disabled",
            case(date(2025, 7, 1), birth + [("R21_1", date(2025, 6, 16))]),
        )
    )
    add(("var1_counts_as_rr1", case(date(2025, 11, 1), birth + [("VAR1", date(2025, 10, 20))])))
    add(
        (
            "duplicate_dose_keeps_earliest",
            case(date(2025, 4, 1), birth + [("PENTA1", date(2025, 3, 1)), ("PENTA1", date(2025, 2, 26))]),
        )
    )
    # Everything of the first year given: only the upcoming 15-month dose is next.
    first_year = [
        (d.code, d.due_from_birth(DOB))
        for d in SCHEDULE
        if d.enabled and d.due_from_birth(DOB) <= date(2025, 10, 15)
    ]
    add(("first_year_complete", case(date(2025, 11, 1), first_year)))
    add(("fully_vaccinated", case(date(2026, 6, 1), first_year + [("RR2", date(2026, 4, 15))])))
    add(("past_five_years", case(date(2030, 2, 1), birth)))
    # Configuration.
    add(
        (
            "malaria_vaccine_enabled",
            case(date(2025, 7, 1), birth, config={"enable": ["R21_1", "R21_2", "R21_3"]}),
        )
    )
    add(("two_dose_rotavirus", case(date(2025, 6, 1), birth, config={"disable": ["ROTA3"]})))
    add(("grace_14_days", case(DOB + timedelta(days=57), birth, config={"grace_days": 14})))
    # Invalid input.
    add(("invalid_unknown_code", case(date(2025, 3, 1), [("PENTA4", date(2025, 2, 26))])))
    add(("invalid_dose_before_birth", case(date(2025, 3, 1), [("BCG", date(2025, 1, 1))])))
    add(("invalid_dose_after_on", case(date(2025, 3, 1), [("BCG", date(2025, 3, 2))])))
    add(("invalid_on_before_birth", case(date(2025, 1, 14))))
    add(("invalid_config_code", case(date(2025, 3, 1), config={"enable": ["XYZ"]})))
    return cases


def random_cases() -> list[tuple[str, dict[str, Any]]]:
    return immunization_vectors.random_cases(RANDOM_CASES, SEED, share_given=0.6)


def generate() -> dict[str, Any]:
    return {
        "function": "keneya.clinical.vaccination_card (per case: function)",
        "engine_version": ENGINE_VERSION,
        "rules_version": PEV_SCHEDULE_VERSION,
        "cases": [
            {
                "name": f"{function}:{name}",
                "function": function,
                "input": case_input,
                "expected": expected_for(function, case_input),
            }
            for function in ("card_doses", "next_doses")
            for name, case_input in boundary_cases() + random_cases()
        ],
    }
