"""Compute the rollups: an indicator's month from its facts, stored as base cells.

``compute_month`` groups the declared querysets by the disaggregations in the database (one
``GROUP BY`` per grain and per numerator/denominator); ``recompute_month`` compares the result
with what is stored and rewrites the month only when it changed, marking it revised when the
month had already ended and had been computed before (a late visit). ``rebuild`` recomputes every
month of every indicator; ``refresh`` (the periodic job) only the months marked by the changes
(``keneya.indicators.changes``). Both go through ``recompute_month``, so the incremental result is
the full rebuild's by construction; a test checks it on random changes.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from keneya.core.models import Facility, FacilityKind
from keneya.indicators import registry
from keneya.indicators.models import GRAIN_CHW, GRAIN_MAIN, IndicatorCell, IndicatorMonth
from keneya.indicators.registry import (
    AGE_BAND,
    CHW,
    HEALTH_AREA,
    SEX,
    Indicator,
    Period,
    Unit,
    age_band_expression,
    age_band_q,
)


@dataclass
class Cell:
    grain: str
    cell: dict[str, str]
    numerator: float = 0.0
    denominator: float | None = None
    samples: dict[str, int] | None = None

    @property
    def health_area(self) -> str:
        return self.cell.get(HEALTH_AREA, "")

    @property
    def chw(self) -> str:
        return self.cell.get(CHW, "")

    def as_tuple(self) -> tuple[Any, ...]:
        samples = tuple(sorted((self.samples or {}).items()))
        den = None if self.denominator is None else round(self.denominator, 6)
        return (round(self.numerator, 6), den, samples)


def grain_dims(indicator: Indicator, grain: str) -> list[str]:
    if grain == GRAIN_CHW:
        return [HEALTH_AREA, CHW]
    dims = [HEALTH_AREA]
    if indicator.paths.sex:
        dims += [SEX, AGE_BAND]
    return dims + [d.name for d in indicator.dims]


def grains(indicator: Indicator) -> list[str]:
    return [GRAIN_MAIN, GRAIN_CHW] if indicator.paths.chw_username else [GRAIN_MAIN]


def _annotations(indicator: Indicator, period: Period, dims: list[str]) -> dict[str, Any]:
    paths = indicator.paths
    out: dict[str, Any] = {}
    for name in dims:
        if name == HEALTH_AREA:
            out[f"d_{name}"] = F(paths.area_code)  # type: ignore[arg-type]
        elif name == CHW:
            out[f"d_{name}"] = F(paths.chw_username)  # type: ignore[arg-type]
        elif name == SEX:
            out[f"d_{name}"] = F(paths.sex)  # type: ignore[arg-type]
        elif name == AGE_BAND:
            out[f"d_{name}"] = age_band_expression(paths.dob, period.last_day)  # type: ignore[arg-type]
        else:
            dim = indicator.dim(name)
            assert dim is not None
            out[f"d_{name}"] = dim.annotate if dim.annotate is not None else F(dim.lookup)
    return out


def _cells_of(indicator: Indicator, row: dict[str, Any], dims: list[str]) -> list[dict[str, str]]:
    """The cells a grouped row counts in (several when a dimension explodes a list)."""
    cells: list[dict[str, str]] = [{}]
    for name in dims:
        value = row[f"d_{name}"]
        dim = indicator.dim(name)
        values = dim.explode(value) if dim is not None and dim.explode is not None else [value]
        values = ["" if v is None else str(v) for v in values]
        cells = [{**c, name: v} for c in cells for v in values]
    return cells


def _group(
    indicator: Indicator, qs: QuerySet[Any], period: Period, dims: list[str]
) -> dict[str, tuple[dict[str, str], float]]:
    annotations = _annotations(indicator, period, dims)
    rows = qs.order_by().annotate(**annotations).values(*annotations).annotate(n=Count("pk", distinct=True))
    out: dict[str, tuple[dict[str, str], float]] = {}
    for row in rows:
        for cell in _cells_of(indicator, row, dims):
            key = registry.cell_key(cell)
            previous = out.get(key, (cell, 0.0))[1]
            out[key] = (cell, previous + row["n"])
    return out


def _samples(
    indicator: Indicator, qs: QuerySet[Any], period: Period, dims: list[str]
) -> dict[str, tuple[dict[str, str], dict[str, int]]]:
    annotations = _annotations(indicator, period, dims)
    out: dict[str, tuple[dict[str, str], dict[str, int]]] = {}
    rows = qs.order_by().annotate(**annotations).values(*annotations, indicator.median_field)
    for row in rows:
        value = indicator.median_of(row[indicator.median_field]) if indicator.median_of else None
        if value is None:
            continue
        minutes = str(round(value * 60))
        for cell in _cells_of(indicator, row, dims):
            key = registry.cell_key(cell)
            hist = out.setdefault(key, (cell, {}))[1]
            hist[minutes] = hist.get(minutes, 0) + 1
    return out


def compute_month(indicator: Indicator, period: Period) -> dict[tuple[str, str], Cell]:
    """The base cells of one month of ``indicator``, computed from its facts."""
    cells: dict[tuple[str, str], Cell] = {}
    for grain in grains(indicator):
        dims = grain_dims(indicator, grain)
        numerator = _group(indicator, indicator.numerator(period), period, dims)
        for key, (cell, n) in numerator.items():
            cells[(grain, key)] = Cell(grain, cell, numerator=n)
        if indicator.denominator is not None:
            for key, (cell, n) in _group(indicator, indicator.denominator(period), period, dims).items():
                cells.setdefault((grain, key), Cell(grain, cell)).denominator = n
            for c in cells.values():
                if c.grain == grain and c.denominator is None:
                    c.denominator = 0.0
        if indicator.unit == Unit.MEDIAN:
            for key, (cell, hist) in _samples(indicator, indicator.numerator(period), period, dims).items():
                cells.setdefault((grain, key), Cell(grain, cell)).samples = hist
    return cells


def _stored(indicator: str, period: str) -> dict[tuple[str, str], Cell]:
    out = {}
    for row in IndicatorCell.objects.filter(indicator=indicator, period=period):
        cell = Cell(row.grain, row.cell, row.numerator, row.denominator, row.samples)
        out[(row.grain, registry.cell_key(row.cell))] = cell
    return out


def same(a: dict[tuple[str, str], Cell], b: dict[tuple[str, str], Cell]) -> bool:
    return a.keys() == b.keys() and all(a[k].as_tuple() == b[k].as_tuple() for k in a)


@transaction.atomic
def recompute_month(indicator: Indicator, period: Period, *, now: datetime | None = None) -> bool:
    """Recompute and store one month; True when its figures changed."""
    now = now or timezone.now()
    fresh = compute_month(indicator, period)
    state = (
        IndicatorMonth.objects.select_for_update()
        .filter(indicator=indicator.code, period=period.code)
        .first()
    )
    changed = not same(fresh, _stored(indicator.code, period.code))
    if changed:
        IndicatorCell.objects.filter(indicator=indicator.code, period=period.code).delete()
        IndicatorCell.objects.bulk_create(
            IndicatorCell(
                indicator=indicator.code,
                period=period.code,
                grain=c.grain,
                cell=c.cell,
                health_area=c.health_area,
                chw=c.chw,
                numerator=c.numerator,
                denominator=c.denominator,
                samples=c.samples,
            )
            for c in fresh.values()
        )
    if state is None:
        IndicatorMonth.objects.create(indicator=indicator.code, period=period.code, computed_at=now)
    else:
        state.computed_at = now
        fields = ["computed_at"]
        if changed and timezone.localdate(now) >= period.end:
            state.revised_at = now
            state.revisions += 1
            fields += ["revised_at", "revisions"]
        state.save(update_fields=fields)
    return changed


def months_between(first: date, last: date) -> list[Period]:
    out, period = [], registry.month_of(first)
    while period.start <= last:
        out.append(period)
        period = registry.month_of(period.end)
    return out


@dataclass
class RebuildReport:
    months: int = 0
    changed: int = 0
    cells: int = 0
    by_indicator: dict[str, int] = field(default_factory=dict)


def rebuild(
    *, first: date, last: date | None = None, codes: Iterable[str] | None = None, now: datetime | None = None
) -> RebuildReport:
    """Recompute every month from ``first`` to ``last`` (today) of the indicators (all)."""
    now = now or timezone.now()
    last = last or timezone.localdate(now)
    wanted = set(codes) if codes is not None else None
    report = RebuildReport()
    for indicator in registry.indicators():
        if wanted is not None and indicator.code not in wanted:
            continue
        for period in months_between(first, last):
            report.months += 1
            if recompute_month(indicator, period, now=now):
                report.changed += 1
                report.by_indicator[indicator.code] = report.by_indicator.get(indicator.code, 0) + 1
    report.cells = IndicatorCell.objects.count()
    return report


# --- reading the rollups ----------------------------------------------------------------------------


def cscom_of_areas() -> dict[str, str]:
    """Health area code -> the code of its CSCom."""
    return dict(
        Facility.objects.filter(kind=FacilityKind.CSCOM, health_area__isnull=False).values_list(
            "health_area__code", "code"
        )
    )


def median_of_hist(hist: dict[str, int]) -> float | None:
    """The median (hours) of a histogram of minutes."""
    total = sum(hist.values())
    if not total:
        return None
    points = sorted((int(k), v) for k, v in hist.items())
    values: list[int] = []
    for minutes, count in points:
        values += [minutes] * count
    mid = total // 2
    m = values[mid] if total % 2 else (values[mid - 1] + values[mid]) / 2
    return round(m / 60, 2)


def value_of(
    indicator: Indicator, numerator: float, denominator: float | None, samples: dict[str, int] | None
) -> float | None:
    if indicator.unit == Unit.PERCENT:
        return None if not denominator else round(100 * numerator / denominator, 1)
    if indicator.unit == Unit.RATE:
        return None if not denominator else round(1000 * numerator / denominator, 1)
    if indicator.unit == Unit.MEDIAN:
        return median_of_hist(samples or {})
    return numerator


def cell_q(indicator: Indicator, period: Period, cell: dict[str, str]) -> Q:
    """The facts of a cell: a filter over the numerator's (or denominator's) queryset."""
    paths = indicator.paths
    q = Q()
    for name, value in cell.items():
        if name == HEALTH_AREA:
            q &= Q(**{str(paths.area_code): value})
        elif name == registry.CSCOM:
            areas = [a for a, f in cscom_of_areas().items() if f == value]
            q &= Q(**{f"{paths.area_code}__in": areas})
        elif name == CHW:
            q &= Q(**{str(paths.chw_username): value})
        elif name == SEX:
            q &= Q(**{str(paths.sex): value})
        elif name == AGE_BAND:
            q &= age_band_q(paths.dob, period.last_day, value)  # type: ignore[arg-type]
        else:
            dim = indicator.dim(name)
            if dim is None:
                raise ValueError(name)
            q &= dim.q(value)
    return q


def records_for(
    indicator: Indicator, period: Period, cell: dict[str, str], *, part: str = "numerator"
) -> QuerySet[Any]:
    """The facts behind a cell, unscoped (the caller applies the viewer's scope)."""
    facts = indicator.denominator if part == "denominator" and indicator.denominator else indicator.numerator
    qs = facts(period)
    for name in cell:
        dim = indicator.dim(name)
        if dim is not None and dim.annotate is not None:
            qs = qs.annotate(**{dim.lookup: dim.annotate})
    return qs.filter(cell_q(indicator, period, cell))


def dumps(cells: dict[tuple[str, str], Cell]) -> str:
    """A stable text of cells (tests compare incremental and rebuilt rollups with it)."""
    return json.dumps(
        sorted([k[0], k[1], *c.as_tuple()] for k, c in cells.items()), default=str, ensure_ascii=False
    )


def snapshot() -> dict[str, list[Any]]:
    """Every stored cell, by indicator and month: what a rebuild must reproduce."""
    out: dict[str, list[Any]] = defaultdict(list)
    for row in IndicatorCell.objects.order_by("indicator", "period", "grain", "id"):
        c = Cell(row.grain, row.cell, row.numerator, row.denominator, row.samples)
        out[f"{row.indicator} {row.period}"].append([row.grain, registry.cell_key(row.cell), *c.as_tuple()])
    return {k: sorted(v) for k, v in out.items()}
