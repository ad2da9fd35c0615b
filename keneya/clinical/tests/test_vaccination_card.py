"""The vaccination card of a home visit: the doses to copy, and the ones that come next."""

import json
from datetime import date, timedelta

import pytest

from keneya.clinical.immunization import ImmunizationConfig
from keneya.clinical.vaccination_card import card_doses, next_doses

DOB = date(2025, 1, 15)
BIRTH = [("BCG", DOB), ("VPO0", DOB)]


def codes(doses):
    return [d.code for d in doses]


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (DOB, ["BCG", "VPO0"]),
        (DOB + timedelta(days=41), ["BCG", "VPO0"]),
        (DOB + timedelta(days=42), ["BCG", "VPO0", "PENTA1", "VPO1", "PCV1", "ROTA1"]),
        (
            DOB + timedelta(days=98),
            [
                "BCG",
                "VPO0",
                "PENTA1",
                "VPO1",
                "PCV1",
                "ROTA1",
                "PENTA2",
                "VPO2",
                "PCV2",
                "ROTA2",
                "PENTA3",
                "VPO3",
                "PCV3",
                "ROTA3",
                "VPI1",
            ],
        ),
        (
            date(2025, 10, 14),
            [
                "BCG",
                "VPO0",
                "PENTA1",
                "VPO1",
                "PCV1",
                "ROTA1",
                "PENTA2",
                "VPO2",
                "PCV2",
                "ROTA2",
                "PENTA3",
                "VPO3",
                "PCV3",
                "ROTA3",
                "VPI1",
            ],
        ),
        (
            date(2025, 10, 15),
            [
                "BCG",
                "VPO0",
                "PENTA1",
                "VPO1",
                "PCV1",
                "ROTA1",
                "PENTA2",
                "VPO2",
                "PCV2",
                "ROTA2",
                "PENTA3",
                "VPO3",
                "PCV3",
                "ROTA3",
                "VPI1",
                "RR1",
                "VAA",
                "MENA",
            ],
        ),
    ],
)
def test_the_card_lists_the_doses_whose_age_is_reached_in_schedule_order(on, expected):
    assert codes(card_doses(date_of_birth=DOB, on=on)) == expected


def test_later_doses_of_a_series_are_asked_even_when_the_first_is_missing():
    # Nothing recorded at 4 months: Penta 2 and 3 may well be on the card.
    card = card_doses(date_of_birth=DOB, on=DOB + timedelta(days=120))
    assert {"PENTA1", "PENTA2", "PENTA3"} <= set(codes(card))
    assert all(d.given is None for d in card)


def test_doses_received_carry_their_date_and_the_age_of_the_dose():
    card = {
        d.code: d
        for d in card_doses(
            date_of_birth=DOB, on=date(2025, 4, 1), doses_received=BIRTH + [("PENTA1", date(2025, 3, 1))]
        )
    }
    assert card["PENTA1"].given == date(2025, 3, 1)
    assert card["PENTA1"].age_label_fr == "6 semaines"
    assert card["PENTA2"].given is None and card["PENTA2"].age_label_fr == "10 semaines"
    assert card["BCG"].age_label_fr == "Naissance"
    assert card["BCG"].as_dict()["given"] == "2025-01-15"


def test_early_and_disabled_doses_received_stay_on_the_card():
    card = codes(
        card_doses(
            date_of_birth=DOB,
            on=date(2025, 9, 1),
            doses_received=[("RR1", date(2025, 8, 20)), ("R21_1", date(2025, 6, 16))],
        )
    )
    assert "RR1" in card and "R21_1" in card
    assert "R21_2" not in card and "VAA" not in card  # disabled, and not 9 months yet


def test_older_names_are_read_as_the_current_dose():
    card = {
        d.code: d
        for d in card_doses(
            date_of_birth=DOB, on=date(2025, 11, 1), doses_received=[("VAR1", date(2025, 10, 20))]
        )
    }
    assert card["RR1"].given == date(2025, 10, 20)


def test_configuration_switches_doses_on_the_card():
    config = ImmunizationConfig(enable=frozenset({"R21_1"}), disable=frozenset({"ROTA3"}))
    card = codes(card_doses(date_of_birth=DOB, on=date(2025, 7, 1), config=config))
    assert "R21_1" in card and "ROTA3" not in card


@pytest.mark.parametrize(
    "received",
    [[("PENTA9", date(2025, 3, 1))], [("BCG", date(2025, 1, 1))], [("BCG", date(2025, 3, 2))]],
)
def test_a_bad_card_is_refused(received):
    with pytest.raises(ValueError, match="doses_received"):
        card_doses(date_of_birth=DOB, on=date(2025, 3, 1), doses_received=received)


def test_next_doses_are_those_due_now():
    nxt = next_doses(date_of_birth=DOB, on=DOB + timedelta(days=45), doses_received=BIRTH)
    assert codes(nxt) == ["PENTA1", "VPO1", "PCV1", "ROTA1"]
    assert {v.status for v in nxt} == {"due"}


def test_next_doses_fall_back_to_the_next_date_when_nothing_is_due():
    received = BIRTH + [(c, DOB + timedelta(days=42)) for c in ("PENTA1", "VPO1", "PCV1", "ROTA1")]
    nxt = next_doses(date_of_birth=DOB, on=DOB + timedelta(days=50), doses_received=received)
    assert codes(nxt) == ["PENTA2", "VPO2", "PCV2", "ROTA2"]
    assert {v.status for v in nxt} == {"upcoming"}
    assert {v.due_date for v in nxt} == {DOB + timedelta(days=70)}


def test_no_next_dose_past_five_years():
    assert next_doses(date_of_birth=DOB, on=date(2030, 2, 1)) == []


def test_tablet_vectors_are_strict_json_and_cover_both_functions():
    from keneya.clinical.vectors import vaccination_card as vectors_vaccination_card

    document = vectors_vaccination_card.generate()
    json.dumps(document, allow_nan=False)
    names = [case["name"] for case in document["cases"]]
    assert len(names) == len(set(names))
    assert {case["function"] for case in document["cases"]} == {"card_doses", "next_doses"}
    assert sum("random_" in name for name in names) >= 200
