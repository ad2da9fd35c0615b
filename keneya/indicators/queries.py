"""Reads of the rollups: the values of an indicator by period and disaggregation, the records
behind a cell, the labels of the cells. All start from the viewer's scope:

- M&E officer, administrator: the whole programme, counts only for the M&E officer (no names);
- facility manager: the cells of their facility's health area, and the names behind them;
- CHW: their own cells (the chw grain), for their targets.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404

from keneya.accounts.models import Role, User
from keneya.accounts.permissions import Capability, has_capability
from keneya.accounts.scope import household_filter
from keneya.core.models import Area, Facility
from keneya.indicators import engine, registry
from keneya.indicators.models import GRAIN_CHW, GRAIN_MAIN, IndicatorCell, IndicatorMonth
from keneya.indicators.registry import CHW, CSCOM, HEALTH_AREA, Indicator, Period


@dataclass(frozen=True)
class Viewer:
    """What a user may see of the aggregates."""

    health_area: str | None  # None: every area
    chw: str | None  # a CHW sees their own cells only
    names: bool  # may see the persons behind a cell

    @property
    def programme(self) -> bool:
        return self.health_area is None and self.chw is None


def viewer(user: Any) -> Viewer:
    """The user's aggregate scope; PermissionDenied for a role without it."""
    if has_capability(user, Capability.AGGREGATES_VIEW):
        if user.role == Role.FACILITY_MANAGER:
            area = user.facility.health_area.code if user.facility_id and user.facility.health_area_id else ""
            return Viewer(health_area=area, chw=None, names=True)
        return Viewer(health_area=None, chw=None, names=user.sees_names)
    if getattr(user, "is_authenticated", False) and user.role == Role.CHW and user.is_active:
        return Viewer(health_area=None, chw=user.username, names=False)
    raise PermissionDenied


def indicator_or_404(code: str) -> Indicator:
    indicator = registry.get(code)
    if indicator is None:
        raise Http404
    return indicator


def parse_period(code: str | None, indicator: Indicator | None = None) -> Period:
    try:
        period = registry.parse_period(code or "")
    except ValueError:
        raise ValidationError(
            {"period": "Période invalide : AAAA-MM (mois), AAAA-Q1 (trimestre) ou AAAA (année)."}
        ) from None
    if indicator is not None and period.type not in indicator.period_types:
        raise ValidationError({"period": "Cet indicateur n'est calculé que par mois."})
    return period


def parse_by(text: str | None, indicator: Indicator) -> list[str]:
    by = [b.strip() for b in (text or "").split(",") if b.strip()]
    unknown = [b for b in by if b not in indicator.disaggregations]
    if unknown:
        raise ValidationError(
            {
                "by": f"Désagrégation inconnue pour cet indicateur : {', '.join(unknown)} "
                f"(possibles : {', '.join(indicator.disaggregations)})."
            }
        )
    if CHW in by and any(b not in (CHW, HEALTH_AREA, CSCOM) for b in by):
        raise ValidationError({"by": "Par relais, seules l'aire de santé et le CSCom s'ajoutent."})
    return list(dict.fromkeys(by))


def _cells(indicator: Indicator, period: Period, grain: str, view: Viewer) -> QuerySet[IndicatorCell]:
    qs = IndicatorCell.objects.filter(
        indicator=indicator.code, grain=grain, period__in=[m.code for m in period.months()]
    )
    if view.health_area is not None:
        qs = qs.filter(health_area=view.health_area)
    if view.chw is not None:
        qs = qs.filter(chw=view.chw)
    return qs


def values(
    *, user: Any, indicator: Indicator, period: Period, by: list[str], where: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Rows ``{"period", "cell", "value", "numerator", "denominator"}``, one per cell of ``by``
    (one row, ``cell == {}``, without ``by``), in the viewer's scope. ``where`` keeps the cells
    of some disaggregation values (``{"health_area": "AS-LAF"}``)."""
    view = viewer(user)
    where = dict(where or {})
    grain = GRAIN_CHW if CHW in by or CHW in where or view.chw else GRAIN_MAIN
    if grain == GRAIN_CHW and GRAIN_CHW not in engine.grains(indicator):
        raise ValidationError({"by": "Cet indicateur n'est pas ventilé par relais."})
    if grain == GRAIN_CHW and any(k not in (CHW, HEALTH_AREA, CSCOM) for k in [*by, *where]):
        raise ValidationError({"by": "Par relais, seules l'aire de santé et le CSCom s'ajoutent."})
    cscoms = engine.cscom_of_areas() if CSCOM in by or CSCOM in where else {}
    groups: dict[tuple[str, ...], list[Any]] = {}
    for row in _cells(indicator, period, grain, view).iterator():
        cell = dict(row.cell)
        if cscoms:
            cell[CSCOM] = cscoms.get(cell.get(HEALTH_AREA, ""), "")
        if any(cell.get(k, "") != v for k, v in where.items()):
            continue
        key = tuple(cell.get(b, "") for b in by)
        acc = groups.setdefault(key, [0.0, None, {}])
        acc[0] += row.numerator
        if row.denominator is not None:
            acc[1] = (acc[1] or 0.0) + row.denominator
        for minutes, n in (row.samples or {}).items():
            acc[2][minutes] = acc[2].get(minutes, 0) + n
    if not by and not groups:
        groups[()] = [0.0, 0.0 if indicator.denominator else None, {}]
    out = []
    for key, (num, den, samples) in sorted(groups.items()):
        out.append(
            {
                "period": period.code,
                "cell": dict(zip(by, key, strict=True)),
                "value": engine.value_of(indicator, num, den, samples),
                "numerator": num,
                "denominator": den,
            }
        )
    return out


def totals(
    *, user: Any, indicators: list[Indicator], periods: list[Period], where: dict[str, str] | None = None
) -> dict[tuple[str, str], dict[str, Any]]:
    """The totals of several indicators over several periods in one query: ``{(code, period
    code): row}`` (the row of ``values`` without ``by``). For the pages that show many figures."""
    view = viewer(user)
    where = dict(where or {})
    grain = GRAIN_CHW if view.chw else GRAIN_MAIN
    months = sorted({m.code for p in periods for m in p.months()})
    qs = IndicatorCell.objects.filter(
        indicator__in=[i.code for i in indicators], grain=grain, period__in=months
    )
    if view.health_area is not None:
        qs = qs.filter(health_area=view.health_area)
    if view.chw is not None:
        qs = qs.filter(chw=view.chw)
    if HEALTH_AREA in where:
        qs = qs.filter(health_area=where[HEALTH_AREA])
    others = {k: v for k, v in where.items() if k != HEALTH_AREA}
    acc: dict[tuple[str, str], list[Any]] = {}
    for code, month, cell, row_num, row_den, samples in qs.values_list(
        "indicator", "period", "cell", "numerator", "denominator", "samples"
    ).iterator():
        if any(cell.get(k, "") != v for k, v in others.items()):
            continue
        a = acc.setdefault((code, month), [0.0, None, {}])
        a[0] += row_num
        if row_den is not None:
            a[1] = (a[1] or 0.0) + row_den
        for minutes, n in (samples or {}).items():
            a[2][minutes] = a[2].get(minutes, 0) + n
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for indicator in indicators:
        for period in periods:
            num: float = 0.0
            den: float | None = 0.0 if indicator.denominator else None
            hist: dict[str, int] = {}
            for m in period.months():
                found = acc.get((indicator.code, m.code))
                if found is None:
                    continue
                num += found[0]
                if found[1] is not None:
                    den = (den or 0.0) + found[1]
                for minutes, n in found[2].items():
                    hist[minutes] = hist.get(minutes, 0) + n
            out[(indicator.code, period.code)] = {
                "period": period.code,
                "cell": {},
                "value": engine.value_of(indicator, num, den, hist),
                "numerator": num,
                "denominator": den,
            }
    return out


def revised(indicators: list[Indicator], period: Period) -> dict[str, Any]:
    """When each indicator's month was last revised after it ended (None if never)."""
    rows = IndicatorMonth.objects.filter(
        indicator__in=[i.code for i in indicators], period__in=[m.code for m in period.months()]
    ).exclude(revised_at=None)
    out: dict[str, Any] = {}
    for code, at in rows.values_list("indicator", "revised_at"):
        out[code] = max(at, out[code]) if code in out else at
    return out


def total(
    *, user: Any, indicator: Indicator, period: Period, where: dict[str, str] | None = None
) -> dict[str, Any]:
    return values(user=user, indicator=indicator, period=period, by=[], where=where)[0]


def revision(indicator: Indicator, period: Period) -> dict[str, Any]:
    """When the period's figures were computed, and revised after the month had ended."""
    states = list(
        IndicatorMonth.objects.filter(indicator=indicator.code, period__in=[m.code for m in period.months()])
    )
    computed = max((s.computed_at for s in states), default=None)
    revised = max((s.revised_at for s in states if s.revised_at), default=None)
    return {"computed_at": computed, "revised_at": revised, "revisions": sum(s.revisions for s in states)}


# --- the records behind a cell -------------------------------------------------------------------


@dataclass
class CellRecords:
    indicator: Indicator
    period: Period
    cell: dict[str, str]
    part: str
    count: int
    names_shown: bool
    rows: list[dict[str, Any]]
    person_ids: list[str]


def cell_records(
    *,
    user: Any,
    indicator: Indicator,
    period: Period,
    cell: dict[str, str],
    part: str = "numerator",
    limit: int = 200,
) -> CellRecords:
    """The facts behind a cell. The count is the cell's (within the viewer's aggregate scope);
    the rows, with names, only for a viewer who may see names, and only the persons in their
    own scope (``accounts.scope.household_filter``)."""
    view = viewer(user)
    if view.chw is not None:
        raise PermissionDenied
    if part not in ("numerator", "denominator") or (part == "denominator" and indicator.denominator is None):
        raise ValidationError({"part": "« numerator » ou « denominator » (si l'indicateur en a un)."})
    unknown = [k for k in cell if k not in indicator.disaggregations]
    if unknown:
        raise ValidationError({"cell": f"Désagrégation inconnue : {', '.join(unknown)}."})
    scoped = dict(cell)
    if view.health_area is not None:
        if cell.get(HEALTH_AREA, view.health_area) != view.health_area:
            raise PermissionDenied
        scoped[HEALTH_AREA] = view.health_area
    qs = engine.records_for(indicator, period, scoped, part=part)
    count = qs.count()
    rows: list[dict[str, Any]] = []
    person_ids: list[str] = []
    names = view.names and has_capability(user, Capability.REGISTRY_VIEW)
    if names and indicator.paths.household is not None:
        prefix = f"{indicator.paths.household}__" if indicator.paths.household else ""
        visible = qs.filter(household_filter(user, prefix=prefix)).select_related(*indicator.record_related)
        for obj in visible[:limit]:
            row = indicator.record_row(obj) if indicator.record_row else {"id": str(obj.pk)}
            rows.append(row)
            if row.get("person"):
                person_ids.append(row["person"])
    return CellRecords(indicator, period, scoped, part, count, names, rows, person_ids)


# --- labels -------------------------------------------------------------------------------------------


def labels(indicator: Indicator, dims: Iterable[str]) -> dict[str, dict[str, str]]:
    """French labels of the values of each disaggregation (area names, CSCom names, CHWs)."""
    out: dict[str, dict[str, str]] = {}
    for name in dims:
        if name == HEALTH_AREA:
            out[name] = dict(Area.objects.filter(level="health_area").values_list("code", "name"))
        elif name == CSCOM:
            out[name] = dict(Facility.objects.filter(kind="cscom").values_list("code", "name"))
        elif name == CHW:
            out[name] = {
                u.username: (u.get_full_name() or u.username) for u in User.objects.filter(role=Role.CHW)
            }
        elif name == registry.SEX:
            out[name] = dict(registry.SEX_LABELS)
        elif name == registry.AGE_BAND:
            out[name] = dict(registry.AGE_BAND_LABELS)
        else:
            dim = indicator.dim(name)
            out[name] = dict(dim.labels) if dim else {}
    return out


def describe(indicator: Indicator) -> dict[str, Any]:
    return {
        "code": indicator.code,
        "name": indicator.name,
        "name_en": indicator.name_en,
        "definition": indicator.definition,
        "source": indicator.source,
        "unit": str(indicator.unit),
        "section": indicator.section,
        "disaggregations": list(indicator.disaggregations),
        "period_types": list(indicator.period_types),
        "has_denominator": indicator.denominator is not None,
        "dhis2": None
        if indicator.dhis2 is None
        else {
            "data_element": indicator.dhis2.data_element,
            "data_set": indicator.dhis2.data_set,
            "disaggregation": indicator.dhis2.disaggregation,
        },
    }
