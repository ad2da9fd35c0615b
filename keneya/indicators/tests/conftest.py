"""A small hand-built cast for the indicators: two health areas, households registered in
February 2026, visits around the end of March, "now" on 10 April 2026 (March is closed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

BAMAKO = ZoneInfo("Africa/Bamako")
REGISTERED = datetime(2026, 2, 10, 9, 0, tzinfo=BAMAKO)
NOW = datetime(2026, 4, 10, 10, 0, tzinfo=BAMAKO)


@dataclass
class Cast:
    child1: Any  # 2 years 10 months on 31 March, AS-LAF, relais01
    adult1: Any
    older2: Any  # 10 years, AS-HAM, relais02
    infant2: Any  # 6 months, AS-HAM


@pytest.fixture
def cast(users: Any, district: Any, household_factory: Any, time_machine: Any) -> Cast:
    from keneya.people.tests.factories import person

    time_machine.move_to(REGISTERED, tick=False)
    h1 = household_factory(
        users.chw1,
        members=[
            person("Traoré", "Moussa", "M", date(1985, 3, 2), "head"),
            person("Traoré", "Aminata", "F", date(2023, 6, 1), "child"),
        ],
    )
    h2 = household_factory(
        users.chw2,
        quartier=district.q2a,
        members=[
            person("Diarra", "Oumou", "F", date(1990, 1, 5), "head"),
            person("Diarra", "Seydou", "M", date(2015, 11, 20), "child"),
            person("Diarra", "Awa", "F", date(2025, 9, 30), "child"),
        ],
    )
    m1 = {p.given_names: p for p in h1.members.all()}
    m2 = {p.given_names: p for p in h2.members.all()}
    time_machine.move_to(NOW, tick=False)
    return Cast(child1=m1["Aminata"], adult1=m1["Moussa"], older2=m2["Seydou"], infant2=m2["Awa"])
