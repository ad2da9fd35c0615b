"""Tablet-parity vectors for ``immunization.due_vaccines`` (see export.py).

Input: ``{"date_of_birth": ISO, "on": ISO, "doses_received": [[code, ISO], ...], "config":
{"grace_days": n, "enable": [...], "disable": [...]}?}``. Expected: ``{"doses": [{"code",
"status", "due_date", "overdue_after", "last_date"}, ...]}`` in the engine's order, or
``{"error": "ValueError"}``. Covers due / overdue / upcoming / not_eligible around each boundary
(due date - 1, due date, due date + grace, + grace + 1), the 28-day interval, the catch-up
limits, month-end and 29 February births, then seeded random cases.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from keneya.clinical import ENGINE_VERSION
from keneya.clinical.immunization import (
    DOSES,
    PEV_SCHEDULE_VERSION,
    SCHEDULE,
    ImmunizationConfig,
    due_vaccines,
)

SEED = 20260103
RANDOM_CASES = 200
DOB = date(2025, 1, 15)


def case_arguments(case_input: dict[str, Any]) -> dict[str, Any]:
    """A vector's input as the keyword arguments of the schedule functions (``due_vaccines``,
    ``vaccination_card.card_doses``, ``next_doses``)."""
    config = None
    if "config" in case_input:
        raw = case_input["config"]
        config = ImmunizationConfig(
            grace_days=raw.get("grace_days", 28),
            enable=frozenset(raw.get("enable", ())),
            disable=frozenset(raw.get("disable", ())),
        )
    return {
        "date_of_birth": date.fromisoformat(case_input["date_of_birth"]),
        "on": date.fromisoformat(case_input["on"]),
        "doses_received": [(c, date.fromisoformat(d)) for c, d in case_input["doses_received"]],
        "config": config,
    }


def expected_for(case_input: dict[str, Any]) -> dict[str, Any]:
    try:
        doses = due_vaccines(**case_arguments(case_input))
    except ValueError:
        return {"error": "ValueError"}
    keys = ("code", "status", "due_date", "overdue_after", "last_date")
    return {"doses": [{k: v.as_dict()[k] for k in keys} for v in doses]}


def case(
    on: date, received: Sequence[tuple[str, date]] = (), dob: date = DOB, **extra: Any
) -> dict[str, Any]:
    return {
        "date_of_birth": dob.isoformat(),
        "on": on.isoformat(),
        "doses_received": [[c, d.isoformat()] for c, d in received],
        **extra,
    }


def _all_before(dob: date, on: date, codes: tuple[str, ...]) -> list[tuple[str, date]]:
    return [(c, DOSES[c].due_from_birth(dob)) for c in codes if DOSES[c].due_from_birth(dob) <= on]


def boundary_cases() -> list[tuple[str, dict[str, Any]]]:
    cases: list[tuple[str, dict[str, Any]]] = []
    add = cases.append
    add(("birth_day", case(DOB)))
    # Birth doses: BCG and VPO0; VPO0 until day 14 inclusive.
    for day in (13, 14, 15, 28, 29):
        add((f"day_{day}_nothing_given", case(DOB + timedelta(days=day))))
    # 6 weeks (42 days): due from day 42, overdue after day 70 (grace 28).
    birth = [("BCG", DOB), ("VPO0", DOB)]
    for day in (41, 42, 70, 71):
        add((f"six_weeks_day_{day}", case(DOB + timedelta(days=day), birth)))
    # 28-day interval: Penta1 given late at day 60 -> Penta2 from day 88 (not day 70).
    late = birth + [
        ("PENTA1", DOB + timedelta(days=60)),
        ("VPO1", DOB + timedelta(days=60)),
        ("PCV1", DOB + timedelta(days=60)),
        ("ROTA1", DOB + timedelta(days=60)),
    ]
    for day in (70, 87, 88, 116, 117):
        add((f"interval_after_late_dose_day_{day}", case(DOB + timedelta(days=day), late)))
    # 9 and 15 completed months (DOB 2025-01-15): RR1/VAA/MENA from 2025-10-15, RR2 2026-04-15.
    infant = _all_before(DOB, date(2025, 10, 14), tuple(d.code for d in SCHEDULE if d.enabled))
    for on in (date(2025, 10, 14), date(2025, 10, 15), date(2025, 11, 12), date(2025, 11, 13)):
        add((f"nine_months_{on.isoformat()}", case(on, infant)))
    with_rr1 = infant + [
        ("RR1", date(2025, 10, 15)),
        ("VAA", date(2025, 10, 15)),
        ("MENA", date(2025, 10, 15)),
    ]
    for on in (date(2026, 4, 14), date(2026, 4, 15)):
        add((f"fifteen_months_{on.isoformat()}", case(on, with_rr1)))
    add(("rr2_interval_after_late_rr1", case(date(2026, 4, 20), infant + [("RR1", date(2026, 4, 1))])))
    # Rotavirus: not after 23 completed months (last day 2027-01-14).
    for on in (date(2027, 1, 14), date(2027, 1, 15)):
        add((f"rota_limit_{on.isoformat()}", case(on, birth)))
    add(
        (
            "rota3_would_fall_after_limit",
            case(date(2026, 12, 20), birth + [("ROTA1", date(2026, 11, 20)), ("ROTA2", date(2026, 12, 20))]),
        )
    )
    # Under-5 catch-up limit: last day at 59 completed months.
    for on in (date(2030, 1, 14), date(2030, 1, 15)):
        add((f"under5_limit_{on.isoformat()}", case(on)))
    # Month-end and leap-day births.
    add(("dob_31_jan_nine_months", case(date(2025, 10, 31), dob=date(2025, 1, 31))))
    add(("dob_31_jan_day_before_nine_months", case(date(2025, 10, 30), dob=date(2025, 1, 31))))
    add(
        (
            "dob_31_jan_rr2_on_1_may",
            case(date(2026, 5, 1), [("RR1", date(2025, 10, 31))], dob=date(2025, 1, 31)),
        )
    )
    add(("dob_29_feb_nine_months", case(date(2024, 11, 29), dob=date(2024, 2, 29))))
    add(("dob_29_feb_rr2", case(date(2025, 5, 29), [("RR1", date(2024, 11, 29))], dob=date(2024, 2, 29))))
    # Older names, duplicates, configuration.
    add(("var1_counts_as_rr1", case(date(2025, 11, 1), infant + [("VAR1", date(2025, 10, 20))])))
    add(
        (
            "duplicate_dose_keeps_earliest",
            case(date(2025, 4, 1), birth + [("PENTA1", date(2025, 3, 1)), ("PENTA1", date(2025, 2, 26))]),
        )
    )
    add(("grace_14_days", case(DOB + timedelta(days=57), birth, config={"grace_days": 14})))
    add(
        (
            "malaria_vaccine_enabled",
            case(date(2025, 7, 1), infant, config={"enable": ["R21_1", "R21_2", "R21_3"]}),
        )
    )
    add(("two_dose_rotavirus", case(date(2025, 5, 1), birth, config={"disable": ["ROTA3"]})))
    add(("ipv2_enabled", case(date(2025, 10, 15), infant, config={"enable": ["VPI2"]})))
    # Invalid input.
    add(("invalid_unknown_code", case(date(2025, 3, 1), [("PENTA4", date(2025, 2, 26))])))
    add(("invalid_dose_before_birth", case(date(2025, 3, 1), [("BCG", date(2025, 1, 1))])))
    add(("invalid_dose_after_on", case(date(2025, 3, 1), [("BCG", date(2025, 3, 2))])))
    add(("invalid_on_before_birth", case(date(2025, 1, 14))))
    add(("invalid_config_code", case(date(2025, 3, 1), config={"enable": ["XYZ"]})))
    return cases


def random_cases(
    n: int = RANDOM_CASES, seed: int = SEED, *, share_given: float = 0.7
) -> list[tuple[str, dict[str, Any]]]:
    """Children of random ages, each dose due by then given (up to 60 days late) with
    probability ``share_given``; the vaccination-card vectors draw theirs here too."""
    rng = random.Random(seed)
    cases = []
    for i in range(n):
        dob = date(2021, 1, 1) + timedelta(days=rng.randint(0, 1600))
        on = dob + timedelta(days=rng.randint(0, 1900))
        received = []
        for dose in SCHEDULE:
            due = dose.due_from_birth(dob)
            if due <= on and rng.random() < share_given:
                given = min(on, due + timedelta(days=rng.randint(0, 60)))
                received.append((dose.code, given))
        cases.append((f"random_{i:03d}", case(on, received, dob=dob)))
    return cases


def generate() -> dict[str, Any]:
    return {
        "function": "keneya.clinical.immunization.due_vaccines",
        "engine_version": ENGINE_VERSION,
        "rules_version": PEV_SCHEDULE_VERSION,
        "cases": [
            {"name": name, "input": case_input, "expected": expected_for(case_input)}
            for name, case_input in boundary_cases() + random_cases()
        ],
    }
