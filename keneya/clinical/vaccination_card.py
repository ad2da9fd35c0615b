"""The vaccination card during a home visit: which doses to copy, and which ones come next.

Source: the Mali PEV schedule of ``immunization`` (``data/pev_mali.json``,
``PEV_SCHEDULE_VERSION``; clinical-rules.md v1, section 3). This module adds no clinical rule:
it chooses, from that schedule, what the CHW is asked and told.

``card_doses`` lists the lines of the card, in schedule order (which is also the order of the
ages of the doses, as on the paper card):

- every dose already received, with its date, enabled in the programme or not (a malaria
  vaccine dose given in a pilot district stays on the card);
- every enabled dose not yet received whose age is reached on ``on`` (``Dose.due_from_birth``),
  whatever the interval since the previous dose of the series and the catch-up window: the card
  records what was given, and a dose given at the right age may be copied years later.

``next_doses`` says what the family should do next: the doses ``due`` or ``overdue`` on ``on``
(``immunization.due_vaccines``), or, when there are none, the ``upcoming`` doses of the earliest
due date. Doses past their catch-up window (``not_eligible``) are not proposed.

Each line: ``CardDose(code="PENTA1", label_fr="Penta 1 (DTC-HepB-Hib)", series="PENTA", dose=1,
age_label_fr="6 semaines", from_date=date(...), given=date(...) | None)``; ``as_dict()`` gives ISO
dates (JSON-ready).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from keneya.clinical.ages import check_date
from keneya.clinical.immunization import (
    DEFAULT_CONFIG,
    SCHEDULE,
    Dose,
    ImmunizationConfig,
    VaccineDue,
    _received,
    due_vaccines,
)

DAYS_PER_WEEK = 7


def age_label_fr(dose: Dose) -> str:
    """The age of a dose as the card says it: "Naissance", "6 semaines", "9 mois"."""
    unit, value = dose.age
    if unit == "months":
        return f"{value} mois"
    if value == 0:
        return "Naissance"
    if value % DAYS_PER_WEEK == 0:
        return f"{value // DAYS_PER_WEEK} semaines"
    return f"{value} jours"


@dataclass(frozen=True, slots=True)
class CardDose:
    code: str
    label_fr: str
    series: str
    dose: int
    age_label_fr: str
    from_date: date  # the day the child reaches the age of the dose
    given: date | None  # None: not on the card yet

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label_fr": self.label_fr,
            "series": self.series,
            "dose": self.dose,
            "age_label_fr": self.age_label_fr,
            "from_date": self.from_date.isoformat(),
            "given": self.given.isoformat() if self.given else None,
        }


def _config(config: ImmunizationConfig | None) -> ImmunizationConfig:
    cfg = DEFAULT_CONFIG if config is None else config
    if not isinstance(cfg, ImmunizationConfig):
        raise ValueError(f"config: expected an ImmunizationConfig, got {type(cfg).__name__}")
    return cfg


def card_doses(
    *,
    date_of_birth: date,
    on: date,
    doses_received: Iterable[tuple[str, date]] = (),
    config: ImmunizationConfig | None = None,
) -> list[CardDose]:
    """The lines of the card on ``on``: doses received, and doses whose age is reached."""
    check_date(date_of_birth, "date_of_birth")
    check_date(on, "on")
    if on < date_of_birth:
        raise ValueError(f"on: {on.isoformat()} is before date_of_birth")
    cfg = _config(config)
    received = _received(doses_received, date_of_birth, on)
    out = []
    for dose in SCHEDULE:
        given = received.get(dose.code)
        from_date = dose.due_from_birth(date_of_birth)
        if given is None and (not cfg.enabled(dose) or from_date > on):
            continue
        out.append(
            CardDose(
                code=dose.code,
                label_fr=dose.label_fr,
                series=dose.series,
                dose=dose.dose,
                age_label_fr=age_label_fr(dose),
                from_date=from_date,
                given=given,
            )
        )
    return out


def next_doses(
    *,
    date_of_birth: date,
    on: date,
    doses_received: Iterable[tuple[str, date]] = (),
    config: ImmunizationConfig | None = None,
) -> list[VaccineDue]:
    """The doses due or overdue on ``on``; if none, the upcoming doses of the earliest date."""
    schedule = due_vaccines(date_of_birth=date_of_birth, on=on, doses_received=doses_received, config=config)
    now = [v for v in schedule if v.status in ("due", "overdue")]
    if now:
        return now
    upcoming = [v for v in schedule if v.status == "upcoming"]
    first = min((v.due_date for v in upcoming), default=None)
    return [v for v in upcoming if v.due_date == first]
