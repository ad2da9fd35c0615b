"""Vaccination cards of the demo's children: doses given with a coverage like Bamako's.

Each child has a seeded "engagement" draw ``u`` in [0, 1); a dose is on the card when ``u`` is
below the dose's coverage. Coverages fall along the schedule, so a child who misses a dose
misses the later ones of lower coverage too (drop-out, as in the surveys). Doses are given late
by a delay that only grows along the schedule (so two doses of a series stay 28 days apart).
The schedule and the ages are the clinical engine's (``clinical.immunization.SCHEDULE``); only
the doses enabled in the programme are given (no malaria vaccine in Bamako).

Coverage among children 12-23 months, APPROXIMATE figures (orders of magnitude for the demo,
not survey results): Bamako district in the Mali Demographic and Health Survey (EDSM-VI 2018,
INSTAT/DHS Program, 2019: BCG and first doses above 90 %, third doses about 85 %, measles
about 80 %) and the WHO/UNICEF estimates of national immunization coverage (WUENIC) for Mali
(2023 revision: second measles dose about half the children, rotavirus 3 and IPV below the
Penta 3 level). Bamako does better than the national averages.

At each child follow-up or sick-child visit the relais copies the doses given since the last
copy (``findings["vaccines"]``, as the visit form does), so the worklist knows them.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from keneya.clinical.immunization import SCHEDULE, Dose

VACCINES_FINDING = "vaccines"  # visits.services.VACCINES_FINDING
CARD_KINDS = ("child_followup", "sick_child")  # visits.forms.VACCINATION_CARD_KINDS

# Share of children who get each dose (approximate; see the module's sources).
COVERAGE: dict[str, float] = {
    "BCG": 0.96,
    "VPO0": 0.90,
    "PENTA1": 0.94,
    "VPO1": 0.94,
    "PCV1": 0.94,
    "ROTA1": 0.93,
    "PENTA2": 0.90,
    "VPO2": 0.90,
    "PCV2": 0.90,
    "ROTA2": 0.89,
    "PENTA3": 0.85,
    "VPO3": 0.84,
    "PCV3": 0.85,
    "ROTA3": 0.78,
    "VPI1": 0.80,
    "RR1": 0.80,
    "VAA": 0.77,
    "MENA": 0.75,
    "RR2": 0.50,
}
MEAN_FIRST_DELAY_DAYS = 6.0  # birth doses: most within the first week
MEAN_EXTRA_DELAY_DAYS = 4.0  # each later contact adds a little lateness


def doses_given(rng: random.Random, *, date_of_birth: date, until: date) -> dict[str, date]:
    """The doses on a child's card by ``until``: code -> date given."""
    engagement = rng.random()
    delay = rng.expovariate(1 / MEAN_FIRST_DELAY_DAYS)
    given: dict[str, date] = {}
    last_due: date | None = None
    for dose in sorted(_enabled(), key=lambda d: d.due_from_birth(date_of_birth)):
        due = dose.due_from_birth(date_of_birth)
        if last_due is not None and due > last_due:
            delay += rng.expovariate(1 / MEAN_EXTRA_DELAY_DAYS)  # a new contact: a bit later
        last_due = due
        on = due + timedelta(days=round(delay))
        if engagement < COVERAGE.get(dose.code, 0.0) and on <= until:
            given[dose.code] = on
    return given


def _enabled() -> Iterable[Dose]:
    return (d for d in SCHEDULE if d.enabled and d.code in COVERAGE)


def copy_cards(visits: list[Any], given: dict[str, date]) -> None:
    """Each card visit (in date order) copies the doses given since the previous copy."""
    copied: set[str] = set()
    for v in sorted(visits, key=lambda v: v.visit_date):
        if v.kind not in CARD_KINDS:
            continue
        new = {
            code: day.isoformat() for code, day in given.items() if code not in copied and day <= v.visit_date
        }
        if new:
            v.findings[VACCINES_FINDING] = new
            copied |= set(new)
