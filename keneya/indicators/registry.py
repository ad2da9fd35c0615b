"""The indicators: what the domain apps declare, and all that ``keneya.indicators`` knows of them.

``keneya.indicators`` is a mechanism (rollup tables, values, drill-down, dashboards, reports); it
imports no domain app. Each app declares its indicators in ``keneya/<app>/indicators.py`` with
``register(Indicator(...))`` and imports that module in its ``AppConfig.ready``. An indicator says
*what* is counted, over which facts, by period, and how the facts reach the standard
disaggregations (the person, the household, the health area, the CHW); the engine
(``keneya.indicators.engine``) does the grouping, the storage and the drill-down the same way
for all of them. docs/indicators.md is the M&E officer's page (how figures are computed).

A declaration:

- ``numerator(period)``: a queryset over the app's facts in the period, one row per counted
  thing (a visit, a child, a referral); ``denominator(period)`` likewise for a percent;
- ``paths``: how a row reaches its person, household and health area (``Paths``);
- ``dims``: the indicator's own disaggregations (``Dim``: kind of visit, classification...);
- ``unit``: count, percent, median (of ``median_of``, in hours) or rate (per 1,000);
- ``records`` is the numerator's queryset itself: the records behind a cell are its rows
  filtered on the cell (``engine.records_for``).
"""

from __future__ import annotations

import calendar
import enum
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Case, CharField, Q, QuerySet, Value, When
from django.utils import timezone


class Unit(enum.StrEnum):
    COUNT = "count"
    PERCENT = "percent"
    MEDIAN = "median"
    RATE = "rate"  # per 1,000 of the denominator


UNIT_LABELS = {
    Unit.COUNT: "nombre",
    Unit.PERCENT: "%",
    Unit.MEDIAN: "médiane (heures)",
    Unit.RATE: "pour 1 000",
}

MONTH = "month"
QUARTER = "quarter"
YEAR = "year"
PERIOD_TYPES = (MONTH, QUARTER, YEAR)

# The standard disaggregations every fact reaches through its ``Paths``.
HEALTH_AREA = "health_area"
CSCOM = "cscom"
CHW = "chw"
SEX = "sex"
AGE_BAND = "age_band"
STANDARD_DIMS = (HEALTH_AREA, CSCOM, CHW, SEX, AGE_BAND)

DIM_LABELS = {
    HEALTH_AREA: "Aire de santé",
    CSCOM: "CSCom",
    CHW: "Relais",
    SEX: "Sexe",
    AGE_BAND: "Tranche d'âge",
    "kind": "Type",
    "classification": "Classification",
    "priority": "Priorité",
    "scheme": "Régime",
    "status": "Étape",
    "chapter": "Chapitre CIM-10",
    "nutrition": "État nutritionnel",
}

# Age bands at the end of the period (Simple.org and DHIS2 disaggregate by age at the report
# date; the programme's targets are children 0-59 months and 5-17 years): (code, label, lower
# bound in months, upper bound in months, exclusive).
AGE_BANDS: tuple[tuple[str, str, int, int], ...] = (
    ("0-11m", "0-11 mois", 0, 12),
    ("12-59m", "12-59 mois", 12, 60),
    ("5-17", "5-17 ans", 60, 216),
    ("18-49", "18-49 ans", 216, 600),
    ("50+", "50 ans et plus", 600, 2400),
)
AGE_BAND_LABELS = {code: label for code, label, _lo, _hi in AGE_BANDS}
SEX_LABELS = {"F": "Féminin", "M": "Masculin"}


def months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier (the month's last day when it has fewer days)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True, order=True)
class Period:
    """A month, a quarter or a year: ``code`` is ``2026-03``, ``2026-Q1`` or ``2026``."""

    start: date
    end: date  # exclusive
    type: str = MONTH

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def code(self) -> str:
        if self.type == MONTH:
            return f"{self.start:%Y-%m}"
        if self.type == QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return str(self.start.year)

    @property
    def label(self) -> str:
        if self.type == MONTH:
            return f"{FRENCH_MONTHS[self.start.month - 1]} {self.start.year}"
        if self.type == QUARTER:
            return f"{(self.start.month - 1) // 3 + 1}e trimestre {self.start.year}"
        return f"Année {self.start.year}"

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """The period as instants in the project's time zone: [start, end)."""
        tz = timezone.get_current_timezone()
        return datetime.combine(self.start, time.min, tzinfo=tz), datetime.combine(
            self.end, time.min, tzinfo=tz
        )

    def months(self) -> list[Period]:
        out, day = [], self.start
        while day < self.end:
            out.append(month_of(day))
            day = out[-1].end
        return out

    def previous(self) -> Period:
        return parse_period(self.type_code_before())

    def type_code_before(self) -> str:
        before = self.start - timedelta(days=1)
        if self.type == MONTH:
            return f"{before:%Y-%m}"
        if self.type == QUARTER:
            return f"{before.year}-Q{(before.month - 1) // 3 + 1}"
        return str(before.year)


FRENCH_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def month_of(day: date) -> Period:
    start = day.replace(day=1)
    end = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return Period(start, end, MONTH)


_MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR_RE = re.compile(r"^(\d{4})$")


def parse_period(code: str) -> Period:
    """``2026-03``, ``2026-Q1`` or ``2026``; ValueError otherwise."""
    code = (code or "").strip()
    if m := _MONTH_RE.match(code):
        return month_of(date(int(m[1]), int(m[2]), 1))
    if m := _QUARTER_RE.match(code):
        year, q = int(m[1]), int(m[2])
        start = date(year, 3 * q - 2, 1)
        return Period(start, months_before(start, -3), QUARTER)
    if m := _YEAR_RE.match(code):
        year = int(m[1])
        if year < 1900:
            raise ValueError(code)
        return Period(date(year, 1, 1), date(year + 1, 1, 1), YEAR)
    raise ValueError(code)


def age_band_expression(dob_path: str, at: date) -> Case:
    """The age band (``AGE_BANDS``) of the person whose birth date is at ``dob_path``, on ``at``."""
    whens = [
        When(
            **{f"{dob_path}__gt": months_before(at, hi), f"{dob_path}__lte": months_before(at, lo)},
            then=Value(code),
        )
        for code, _label, lo, hi in AGE_BANDS
    ]
    return Case(*whens, default=Value("?"), output_field=CharField())


def age_band_q(dob_path: str, at: date, band: str) -> Q:
    for code, _label, lo, hi in AGE_BANDS:
        if code == band:
            return Q(**{f"{dob_path}__gt": months_before(at, hi), f"{dob_path}__lte": months_before(at, lo)})
    return Q(pk__in=[])


@dataclass(frozen=True)
class Paths:
    """How a fact reaches the standard disaggregations (Django lookups from the fact's model).

    ``person`` (sex, age band), ``household`` (the CHW, and the health area through its
    quartier), ``area``: a lookup to the health area itself when the fact has one of its own (a
    consultation's facility); ``chw``: to the CHW user when it is not the household's."""

    person: str | None = "person"
    household: str | None = "household"
    area: str | None = None
    chw: str | None = None

    @property
    def area_code(self) -> str | None:
        if self.area:
            return f"{self.area}__code"
        return f"{self._prefix(self.household)}quartier__parent__code" if self.household is not None else None

    @property
    def chw_username(self) -> str | None:
        if self.chw:
            return f"{self.chw}__username"
        return f"{self._prefix(self.household)}chw__username" if self.household is not None else None

    @property
    def sex(self) -> str | None:
        return f"{self._prefix(self.person)}sex" if self.person is not None else None

    @property
    def dob(self) -> str | None:
        return f"{self._prefix(self.person)}date_of_birth" if self.person is not None else None

    @property
    def person_id(self) -> str | None:
        return f"{self._prefix(self.person)}id" if self.person is not None else None

    @staticmethod
    def _prefix(path: str | None) -> str:
        return f"{path}__" if path else ""


@dataclass(frozen=True)
class Dim:
    """An indicator's own disaggregation.

    ``lookup``: the field grouped on; ``explode``: when the field holds several values (a JSON
    list of classifications), a function from the grouped value to the cell values it counts in
    (a row then counts once in each); ``filter``: the records of a cell value (default: the
    lookup equals it); ``labels``: French labels of the values."""

    name: str
    lookup: str
    labels: dict[str, str] = field(default_factory=dict)
    explode: Callable[[Any], list[str]] | None = None
    filter: Callable[[str], Q] | None = None
    annotate: Any = None  # an expression to annotate as ``lookup`` before grouping

    def q(self, value: str) -> Q:
        if self.filter is not None:
            return self.filter(value)
        return Q(**{self.lookup: value})


@dataclass(frozen=True)
class Dhis2Hint:
    """Where the indicator goes in DHIS2: a data element (code or uid) of a data set, and a
    category option combo per cell of ``disaggregation`` (``"default"`` without one)."""

    data_element: str
    data_set: str = ""
    disaggregation: str | None = None
    category_option_combos: dict[str, str] = field(default_factory=dict)


Facts = Callable[[Period], QuerySet[Any]]


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str  # French
    name_en: str
    definition: str  # in words, French
    source: str  # where the definition comes from
    numerator: Facts
    unit: Unit = Unit.COUNT
    denominator: Facts | None = None
    paths: Paths = Paths()
    dims: tuple[Dim, ...] = ()
    median_of: Callable[[Any], float | None] | None = None  # a fact row -> its value (hours)
    median_field: str = ""
    period_types: tuple[str, ...] = PERIOD_TYPES
    dhis2: Dhis2Hint | None = None
    section: str = "Autres"  # the report section
    sources: tuple[str, ...] = ()  # the change sources that touch it (``changes.mark_changed``)
    record_label: str = "enregistrements"  # what a record of the drill-down is (visites, enfants)
    record_row: Callable[[Any], dict[str, Any]] | None = None  # a record -> its French columns
    record_related: tuple[str, ...] = ()  # select_related for record_row
    app: str = ""
    order: int = 50

    @property
    def standard_dims(self) -> tuple[str, ...]:
        out = []
        if self.paths.area_code:
            out += [HEALTH_AREA, CSCOM]
        if self.paths.chw_username:
            out.append(CHW)
        if self.paths.sex:
            out += [SEX, AGE_BAND]
        return tuple(out)

    @property
    def disaggregations(self) -> tuple[str, ...]:
        return self.standard_dims + tuple(d.name for d in self.dims)

    def dim(self, name: str) -> Dim | None:
        return next((d for d in self.dims if d.name == name), None)

    @property
    def additive(self) -> bool:
        """Months add up to quarters and years (flows); stocks and distinct counts do not."""
        return QUARTER in self.period_types


INDICATORS: dict[str, Indicator] = {}


def register(indicator: Indicator) -> Indicator:
    """Declare an indicator (from an app's ``indicators.py``). Registering a code again replaces it."""
    if not re.fullmatch(r"[a-z0-9_]+", indicator.code):
        raise ValueError(f"indicator code {indicator.code!r}: lowercase letters, digits and _")
    if indicator.unit in (Unit.PERCENT, Unit.RATE) and indicator.denominator is None:
        raise ValueError(f"indicator {indicator.code}: a {indicator.unit} needs a denominator")
    if indicator.unit == Unit.MEDIAN and indicator.median_of is None:
        raise ValueError(f"indicator {indicator.code}: a median needs median_of")
    if not indicator.paths.area_code:
        raise ValueError(f"indicator {indicator.code}: every fact must reach a health area (scope)")
    INDICATORS[indicator.code] = indicator
    return indicator


def indicators() -> list[Indicator]:
    return sorted(INDICATORS.values(), key=lambda i: (i.order, i.code))


def get(code: str) -> Indicator | None:
    return INDICATORS.get(code)


def cell_key(cell: dict[str, Any]) -> str:
    """The canonical text of a cell (sorted keys): the rollup's key."""
    return json.dumps({k: str(v) for k, v in cell.items()}, sort_keys=True, ensure_ascii=False)


def parse_cell(text: str) -> dict[str, str]:
    """A cell in a URL: ``health_area=HA-1;sex=F`` (``_`` or empty: the total)."""
    text = (text or "").strip()
    if text in ("", "_", "total"):
        return {}
    out = {}
    for part in text.split(";"):
        name, sep, value = part.partition("=")
        if not sep or not name.strip():
            raise ValueError(part)
        out[name.strip()] = value.strip()
    return out


def format_cell(cell: dict[str, Any]) -> str:
    return ";".join(f"{k}={v}" for k, v in sorted(cell.items())) or "_"


def labels_from_choices(choices: Iterable[tuple[str, Any]]) -> dict[str, str]:
    return {str(value): str(label) for value, label in choices}
