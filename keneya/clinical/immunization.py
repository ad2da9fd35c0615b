"""Mali routine immunisation schedule (PEV): which doses are due, overdue, upcoming.

Source: clinical-rules.md v1, section 3 (Mali PEV as reported by the national press, WUENIC
data of May 2024, WHO position papers). The schedule is data, one entry per dose with its
source and confidence: ``data/pev_mali.json`` (``PEV_SCHEDULE_VERSION``). Doses marked [U] in
the spec (VPI2, the R21 malaria vaccine outside the 19 priority districts) are in the file but
disabled by default; ``ImmunizationConfig`` switches doses on or off.

Reminder logic (spec 3, "design proposal; make it configurable"):

- ``due_date = max(DOB + age of the dose, previous dose of the series + 28 days)``. An age in
  months means completed months as in section 0 (``ages.date_at_age_months``).
- When the previous dose of the series has not been given, it is assumed given at
  ``max(its due date, on)``, so a later dose stays ``upcoming`` until the earlier one is given.
- ``due`` from ``due_date`` to ``due_date + grace_days`` inclusive (grace 28 days [U]);
  ``overdue`` after that; ``upcoming`` before ``due_date``; ``not_eligible`` when ``on`` (or
  the earliest valid date) is past the catch-up limit (last day with ``age <= catch_up_until``).

``due_vaccines`` returns one ``VaccineDue`` per enabled dose not yet received, sorted by
``due_date`` then schedule order::

    VaccineDue(code="PENTA2", antigen="DTC-HepB-Hib", series="PENTA", dose=2,
               label_fr="Penta 2 (DTC-HepB-Hib)", status="due",  # due|overdue|upcoming|not_eligible
               due_date=date(...), overdue_after=date(...),  # overdue from the day after
               last_date=date(...),                          # last day of the catch-up window
               source="PEV, WUENIC")
    .as_dict() -> the same with ISO dates (JSON-ready)
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from keneya.clinical.ages import check_date, date_at_age_months

_DATA: dict[str, Any] = json.loads((Path(__file__).parent / "data" / "pev_mali.json").read_text("utf-8"))
PEV_SCHEDULE_VERSION: str = _DATA["version"]
# Overdue when on > due_date + 28 days: a programme choice, not a WHO constant [U].
DEFAULT_GRACE_DAYS: int = _DATA["grace_days"]["default"]
# Minimum interval between two doses of the same series: 28 days (spec 3) [H].
SERIES_MIN_INTERVAL_DAYS: int = _DATA["series_min_interval_days"]["value"]
ALIASES: dict[str, str] = {k: v for k, v in _DATA["aliases"].items() if k != "note"}
FULLY_VACCINATED_CODES: frozenset[str] = frozenset(_DATA["fully_vaccinated"]["codes"])
STATUSES = ("due", "overdue", "upcoming", "not_eligible")


@dataclass(frozen=True, slots=True)
class Dose:
    """One dose of the schedule, as in pev_mali.json."""

    code: str
    antigen: str
    series: str
    dose: int
    age: tuple[str, int]  # ("days", 42) or ("months", 9)
    catch_up_until: tuple[str, int]  # inclusive age: ("days", 14) or ("months", 59)
    enabled: bool
    label_fr: str
    source: str
    confidence: str

    def due_from_birth(self, date_of_birth: date) -> date:
        unit, value = self.age
        if unit == "days":
            return date_of_birth + timedelta(days=value)
        return date_at_age_months(date_of_birth, value)

    def last_date(self, date_of_birth: date) -> date:
        unit, value = self.catch_up_until
        if unit == "days":
            return date_of_birth + timedelta(days=value)
        return date_at_age_months(date_of_birth, value + 1) - timedelta(days=1)


def _age(spec: dict[str, int]) -> tuple[str, int]:
    ((unit, value),) = spec.items()
    return unit, value


SCHEDULE: tuple[Dose, ...] = tuple(
    Dose(
        code=d["code"],
        antigen=d["antigen"],
        series=d["series"],
        dose=d["dose"],
        age=_age(d["age"]),
        catch_up_until=_age(d["catch_up_until"]),
        enabled=d["enabled"],
        label_fr=d["label_fr"],
        source=d["source"],
        confidence=d["confidence"],
    )
    for d in _DATA["doses"]
)
DOSES: dict[str, Dose] = {d.code: d for d in SCHEDULE}
_ORDER = {d.code: i for i, d in enumerate(SCHEDULE)}


@dataclass(frozen=True, slots=True)
class ImmunizationConfig:
    """Programme settings: grace before "overdue" [U], doses switched on or off."""

    grace_days: int = DEFAULT_GRACE_DAYS
    enable: frozenset[str] = frozenset()  # e.g. {"R21_1", "R21_2", "R21_3"} in a pilot district
    disable: frozenset[str] = frozenset()  # e.g. {"ROTA3"} with a 2-dose rotavirus product

    def __post_init__(self) -> None:
        g = self.grace_days
        if isinstance(g, bool) or not isinstance(g, int) or g < 0:
            raise ValueError(f"grace_days: expected an integer >= 0, got {g!r}")
        for name in ("enable", "disable"):
            unknown = set(getattr(self, name)) - DOSES.keys()
            if unknown:
                raise ValueError(f"{name}: unknown dose codes {sorted(unknown)}")

    def enabled(self, dose: Dose) -> bool:
        if dose.code in self.disable:
            return False
        return dose.enabled or dose.code in self.enable


DEFAULT_CONFIG = ImmunizationConfig()


@dataclass(frozen=True, slots=True)
class VaccineDue:
    code: str
    antigen: str
    series: str
    dose: int
    label_fr: str
    status: str  # one of STATUSES
    due_date: date  # earliest valid date (age and interval)
    overdue_after: date  # due until this day inclusive, overdue from the next day
    last_date: date  # last day of the catch-up window
    source: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "antigen": self.antigen,
            "series": self.series,
            "dose": self.dose,
            "label_fr": self.label_fr,
            "status": self.status,
            "due_date": self.due_date.isoformat(),
            "overdue_after": self.overdue_after.isoformat(),
            "last_date": self.last_date.isoformat(),
            "source": self.source,
        }


def canonical_code(code: object) -> str:
    """A dose code of the schedule (older names such as VAR1 accepted); ValueError otherwise."""
    if not isinstance(code, str):
        raise ValueError(f"doses_received: dose code must be a string, got {code!r}")
    code = ALIASES.get(code, code)
    if code not in DOSES:
        raise ValueError(f"doses_received: unknown dose code {code!r} (see immunization.DOSES)")
    return code


def _received(
    doses_received: Iterable[tuple[str, date]], date_of_birth: date, on: date | None
) -> dict[str, date]:
    """code -> date given (the earliest when a dose is recorded twice)."""
    out: dict[str, date] = {}
    for item in doses_received:
        try:
            raw_code, given = item
        except (TypeError, ValueError):
            raise ValueError(f"doses_received: expected (code, date) pairs, got {item!r}") from None
        code = canonical_code(raw_code)
        check_date(given, f"doses_received[{code}]")
        if given < date_of_birth:
            raise ValueError(f"doses_received[{code}]: {given.isoformat()} is before birth")
        if on is not None and given > on:
            raise ValueError(f"doses_received[{code}]: {given.isoformat()} is after on")
        if code not in out or given < out[code]:
            out[code] = given
    return out


def due_vaccines(
    *,
    date_of_birth: date,
    on: date,
    doses_received: Iterable[tuple[str, date]] = (),
    config: ImmunizationConfig | None = None,
) -> list[VaccineDue]:
    """Every enabled dose not yet received, with its status on ``on`` (see module docstring)."""
    check_date(date_of_birth, "date_of_birth")
    check_date(on, "on")
    if on < date_of_birth:
        raise ValueError(f"on: {on.isoformat()} is before date_of_birth")
    cfg = DEFAULT_CONFIG if config is None else config
    if not isinstance(cfg, ImmunizationConfig):
        raise ValueError(f"config: expected an ImmunizationConfig, got {type(cfg).__name__}")
    received = _received(doses_received, date_of_birth, on)
    interval = timedelta(days=SERIES_MIN_INTERVAL_DAYS)
    grace = timedelta(days=cfg.grace_days)
    previous: dict[str, date] = {}  # series -> date the last dose was (or is assumed) given
    out: list[VaccineDue] = []
    for dose in SCHEDULE:
        given = received.get(dose.code)
        if given is not None:
            previous[dose.series] = given
            continue
        if not cfg.enabled(dose):
            continue
        due = dose.due_from_birth(date_of_birth)
        before = previous.get(dose.series)
        if before is not None:
            due = max(due, before + interval)
        last = dose.last_date(date_of_birth)
        if on > last or due > last:
            status = "not_eligible"
        elif on < due:
            status = "upcoming"
        elif on > due + grace:
            status = "overdue"
        else:
            status = "due"
        # Not given yet: the next dose of the series counts from when this one can be given.
        previous[dose.series] = max(due, on)
        out.append(
            VaccineDue(
                code=dose.code,
                antigen=dose.antigen,
                series=dose.series,
                dose=dose.dose,
                label_fr=dose.label_fr,
                status=status,
                due_date=due,
                overdue_after=due + grace,
                last_date=last,
                source=dose.source,
            )
        )
    out.sort(key=lambda v: (v.due_date, _ORDER[v.code]))
    return out


def fully_vaccinated(doses_received: Iterable[tuple[str, date]]) -> bool:
    """DHS/EDS "completely vaccinated": BCG, 3 Penta, 3 polio (VPO1-3) and RR1 (or VAR1)."""
    codes = set()
    for item in doses_received:
        try:
            code, given = item
        except (TypeError, ValueError):
            raise ValueError(f"doses_received: expected (code, date) pairs, got {item!r}") from None
        code = canonical_code(code)
        check_date(given, f"doses_received[{code}]")
        codes.add(code)
    return FULLY_VACCINATED_CODES <= codes
