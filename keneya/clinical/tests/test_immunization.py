"""Mali PEV schedule (clinical-rules.md 3): due, overdue, upcoming, not eligible."""

import json
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keneya.clinical.immunization import (
    DOSES,
    SCHEDULE,
    STATUSES,
    ImmunizationConfig,
    due_vaccines,
    fully_vaccinated,
)

DOB = date(2025, 1, 15)
BIRTH_DOSES = [("BCG", DOB), ("VPO0", DOB)]


def status(code, on, received=(), dob=DOB, config=None):
    doses = {
        v.code: v for v in due_vaccines(date_of_birth=dob, on=on, doses_received=received, config=config)
    }
    return doses[code].status if code in doses else "received_or_disabled"


@pytest.mark.parametrize(
    ("code", "age"),
    [
        ("BCG", ("days", 0)),
        ("VPO0", ("days", 0)),
        ("PENTA1", ("days", 42)),
        ("VPO1", ("days", 42)),
        ("PCV1", ("days", 42)),
        ("ROTA1", ("days", 42)),
        ("PENTA2", ("days", 70)),
        ("VPO2", ("days", 70)),
        ("PCV2", ("days", 70)),
        ("ROTA2", ("days", 70)),
        ("PENTA3", ("days", 98)),
        ("VPO3", ("days", 98)),
        ("PCV3", ("days", 98)),
        ("ROTA3", ("days", 98)),
        ("VPI1", ("days", 98)),
        ("RR1", ("months", 9)),
        ("VAA", ("months", 9)),
        ("MENA", ("months", 9)),
        ("RR2", ("months", 15)),
    ],
)
def test_the_mali_schedule(code, age):
    assert DOSES[code].age == age
    assert DOSES[code].enabled is True
    assert DOSES[code].source


@pytest.mark.parametrize("code", ["VPI2", "R21_1", "R21_2", "R21_3"])
def test_uncertain_doses_are_off_by_default(code):
    assert DOSES[code].enabled is False
    assert status(code, date(2026, 1, 1)) == "received_or_disabled"


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (41, "upcoming"),
        (42, "due"),  # due from DOB + 42 days
        (70, "due"),  # due through due_date + 28 days
        (71, "overdue"),  # "overdue when visit_date > due_date + grace"
    ],
)
def test_six_week_doses_due_then_overdue(day, expected):
    on = DOB + timedelta(days=day)
    for code in ("PENTA1", "VPO1", "PCV1", "ROTA1"):
        assert status(code, on, BIRTH_DOSES) == expected


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2025, 10, 14), "upcoming"),
        (date(2025, 10, 15), "due"),  # 9 completed months
        (date(2025, 11, 12), "due"),
        (date(2025, 11, 13), "overdue"),
    ],
)
def test_nine_month_doses(on, expected):
    for code in ("RR1", "VAA", "MENA"):
        assert status(code, on) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [(14, "due"), (15, "not_eligible")],
)
def test_birth_polio_dose_only_within_14_days(day, expected):
    assert status("VPO0", DOB + timedelta(days=day)) == expected


@pytest.mark.parametrize(
    ("on", "expected"),
    [(date(2027, 1, 14), "overdue"), (date(2027, 1, 15), "not_eligible")],
)
def test_rotavirus_not_after_24_months(on, expected):
    assert status("ROTA1", on) == expected


@pytest.mark.parametrize(
    ("on", "expected"),
    [(date(2030, 1, 14), "overdue"), (date(2030, 1, 15), "not_eligible")],
)
def test_catch_up_ends_at_59_completed_months(on, expected):
    assert status("PENTA1", on) == expected
    assert status("RR1", on) == expected


def test_next_dose_waits_28_days_after_a_late_dose():
    late = [*BIRTH_DOSES, ("PENTA1", DOB + timedelta(days=60))]
    assert status("PENTA2", DOB + timedelta(days=87), late) == "upcoming"
    assert status("PENTA2", DOB + timedelta(days=88), late) == "due"
    penta2 = next(
        v
        for v in due_vaccines(date_of_birth=DOB, on=DOB + timedelta(days=88), doses_received=late)
        if v.code == "PENTA2"
    )
    assert penta2.due_date == DOB + timedelta(days=88)


def test_next_dose_stays_upcoming_until_the_previous_one_is_given():
    assert status("PENTA2", DOB + timedelta(days=200), BIRTH_DOSES) == "upcoming"
    assert status("PENTA1", DOB + timedelta(days=200), BIRTH_DOSES) == "overdue"


def test_rr2_needs_15_months_and_one_month_after_rr1():
    assert status("RR2", date(2026, 4, 14), [("RR1", date(2025, 10, 15))]) == "upcoming"
    assert status("RR2", date(2026, 4, 15), [("RR1", date(2025, 10, 15))]) == "due"
    assert status("RR2", date(2026, 4, 20), [("RR1", date(2026, 4, 1))]) == "upcoming"


def test_a_dose_that_would_come_after_the_limit_is_not_eligible():
    received = [("ROTA1", date(2026, 11, 20)), ("ROTA2", date(2026, 12, 20))]
    assert status("ROTA3", date(2026, 12, 20), received) == "not_eligible"


@pytest.mark.parametrize(
    ("dob", "code", "on", "expected"),
    [
        (date(2025, 1, 31), "RR1", date(2025, 10, 30), "upcoming"),
        (date(2025, 1, 31), "RR1", date(2025, 10, 31), "due"),
        (date(2024, 2, 29), "RR1", date(2024, 11, 28), "upcoming"),
        (date(2024, 2, 29), "RR1", date(2024, 11, 29), "due"),
    ],
)
def test_month_end_and_leap_day_births(dob, code, on, expected):
    assert status(code, on, dob=dob) == expected


def test_received_doses_are_not_listed_and_old_names_count():
    doses = due_vaccines(
        date_of_birth=DOB, on=date(2025, 11, 1), doses_received=[*BIRTH_DOSES, ("VAR1", date(2025, 10, 20))]
    )
    codes = {v.code for v in doses}
    assert not codes & {"BCG", "VPO0", "RR1"}


def test_a_dose_recorded_twice_counts_from_the_first_date():
    received = [("PENTA1", date(2025, 3, 1)), ("PENTA1", date(2025, 2, 26))]
    penta2 = next(
        v
        for v in due_vaccines(date_of_birth=DOB, on=date(2025, 4, 1), doses_received=received)
        if v.code == "PENTA2"
    )
    assert penta2.due_date == date(2025, 3, 26)


def test_settings_switch_doses_and_grace():
    cfg = ImmunizationConfig(enable=frozenset({"R21_1"}), disable=frozenset({"ROTA3"}), grace_days=14)
    assert status("R21_1", date(2025, 6, 15), config=cfg) == "due"  # 5 completed months
    assert status("ROTA3", date(2025, 6, 15), config=cfg) == "received_or_disabled"
    assert status("PENTA1", DOB + timedelta(days=57), config=cfg) == "overdue"


def test_the_list_is_sorted_by_due_date_and_json_ready():
    doses = due_vaccines(date_of_birth=DOB, on=date(2025, 6, 1))
    assert [v.due_date for v in doses] == sorted(v.due_date for v in doses)
    assert json.dumps([v.as_dict() for v in doses])


def test_fully_vaccinated_is_the_dhs_definition():
    basic = [
        ("BCG", DOB),
        ("PENTA1", DOB),
        ("PENTA2", DOB),
        ("PENTA3", DOB),
        ("VPO1", DOB),
        ("VPO2", DOB),
        ("VPO3", DOB),
    ]
    assert not fully_vaccinated(basic)
    assert fully_vaccinated([*basic, ("RR1", DOB)])
    assert fully_vaccinated([*basic, ("VAR1", DOB)])
    assert not fully_vaccinated([*basic[:-1], ("VPO0", DOB), ("RR1", DOB)])  # VPO0 not counted


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"on": DOB - timedelta(days=1)}, "on"),
        ({"on": date(2025, 3, 1), "doses_received": [("PENTA4", DOB)]}, "PENTA4"),
        ({"on": date(2025, 3, 1), "doses_received": [("BCG", date(2025, 1, 1))]}, "BCG"),
        ({"on": date(2025, 3, 1), "doses_received": [("BCG", date(2025, 3, 2))]}, "BCG"),
        ({"on": date(2025, 3, 1), "doses_received": [("BCG", "2025-01-15")]}, "BCG"),
        ({"on": date(2025, 3, 1), "doses_received": ["BCG"]}, "doses_received"),
        ({"on": date(2025, 3, 1), "config": "default"}, "config"),
    ],
)
def test_invalid_input_raises_value_error(kwargs, field):
    with pytest.raises(ValueError, match=field):
        due_vaccines(date_of_birth=DOB, **kwargs)


@pytest.mark.parametrize(
    "kwargs", [{"grace_days": -1}, {"enable": frozenset({"XYZ"})}, {"disable": frozenset({"A"})}]
)
def test_bad_settings_are_refused(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        ImmunizationConfig(**kwargs)


@st.composite
def histories(draw):
    dob = draw(st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 1, 1)))
    on = dob + timedelta(days=draw(st.integers(0, 2200)))
    received = []
    for dose in SCHEDULE:
        if draw(st.booleans()):
            received.append((dose.code, dob + timedelta(days=draw(st.integers(0, (on - dob).days)))))
    return dob, on, received


@settings(max_examples=300)
@given(histories())
def test_any_valid_history_gives_one_status_per_missing_dose(history):
    dob, on, received = history
    doses = due_vaccines(date_of_birth=dob, on=on, doses_received=received)
    given_codes = {c for c, _ in received}
    assert all(v.status in STATUSES for v in doses)
    assert not {v.code for v in doses} & given_codes
    assert {v.code for v in doses} | given_codes >= {d.code for d in SCHEDULE if d.enabled}
    for v in doses:
        assert v.due_date <= v.overdue_after
        if v.status == "due":
            assert v.due_date <= on <= v.overdue_after


ORDER = {"upcoming": 0, "due": 1, "overdue": 2, "not_eligible": 3}


@settings(max_examples=200)
@given(histories(), st.integers(1, 400))
def test_time_only_moves_a_dose_forward(history, later):
    dob, on, received = history
    before = {v.code: v.status for v in due_vaccines(date_of_birth=dob, on=on, doses_received=received)}
    after = due_vaccines(date_of_birth=dob, on=on + timedelta(days=later), doses_received=received)
    for v in after:
        # A dose whose previous dose is missing stays upcoming (its date moves with on).
        assert ORDER[v.status] >= ORDER[before[v.code]]


def test_tablet_vectors_are_strict_json_and_cover_the_boundaries():
    from keneya.clinical.vectors import immunization as vectors_immunization

    document = vectors_immunization.generate()
    json.dumps(document, allow_nan=False)  # the tablet parses it with JSON.parse
    names = [case["name"] for case in document["cases"]]
    assert len(names) == len(set(names))
    assert sum(name.startswith("random_") for name in names) >= 150
