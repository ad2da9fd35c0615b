"""Demo vaccination cards: coverage near the declared rates, doses in schedule order, copied once."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from keneya.clinical.immunization import DOSES, SERIES_MIN_INTERVAL_DAYS
from keneya.demo import vaccines

TODAY = date(2026, 3, 10)


def test_coverage_of_two_year_olds_is_close_to_the_declared_rates() -> None:
    rng = random.Random("coverage")
    cards = [
        vaccines.doses_given(rng, date_of_birth=TODAY - timedelta(days=730 + i % 60), until=TODAY)
        for i in range(3000)
    ]
    for code in ("BCG", "PENTA1", "PENTA3", "RR1", "RR2"):
        share = sum(code in card for card in cards) / len(cards)
        assert abs(share - vaccines.COVERAGE[code]) < 0.04, code
    # Drop-out: whoever has the third dose has the first.
    assert all("PENTA1" in card for card in cards if "PENTA3" in card)


def test_doses_follow_the_schedule_and_the_series_interval() -> None:
    rng = random.Random("intervals")
    for i in range(500):
        born = TODAY - timedelta(days=200 + 3 * i)
        card = vaccines.doses_given(rng, date_of_birth=born, until=TODAY)
        by_series: dict[str, list[tuple[int, date]]] = {}
        for code, given in card.items():
            assert born <= given <= TODAY
            assert given >= DOSES[code].due_from_birth(born)
            by_series.setdefault(DOSES[code].series, []).append((DOSES[code].dose, given))
        for doses in by_series.values():
            doses.sort()
            for (_, a), (_, b) in zip(doses, doses[1:], strict=False):
                assert (b - a).days >= SERIES_MIN_INTERVAL_DAYS


@dataclass
class _Visit:
    kind: str
    visit_date: date
    findings: dict[str, Any] = field(default_factory=dict)


def test_each_dose_is_copied_once_at_the_first_card_visit_after_it() -> None:
    given = {"BCG": date(2025, 1, 3), "PENTA1": date(2025, 2, 20), "PENTA2": date(2025, 3, 25)}
    visits = [
        _Visit("child_followup", date(2025, 3, 1)),
        _Visit("pregnancy", date(2025, 3, 2)),
        _Visit("sick_child", date(2025, 4, 1)),
        _Visit("child_followup", date(2025, 5, 1)),
    ]
    vaccines.copy_cards(visits, given)

    assert visits[0].findings["vaccines"] == {"BCG": "2025-01-03", "PENTA1": "2025-02-20"}
    assert "vaccines" not in visits[1].findings
    assert visits[2].findings["vaccines"] == {"PENTA2": "2025-03-25"}
    assert "vaccines" not in visits[3].findings
