"""The completeness and timeliness check before the monthly report is submitted.

Two parts: the improbable cells, computed here from the rollups (an indicator of a health area
that is empty this month when it was not last month, or that dropped by more than half), and
the checks the apps above register (``register_check``): ``keneya.people`` lists the CHWs whose
tablet has not synced this month (it reads ``keneya.sync``, which this app may not import).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from keneya.indicators import queries, registry
from keneya.indicators.registry import HEALTH_AREA, Period, Unit

DROP = 0.5  # a drop of more than half from last month is improbable


@dataclass(frozen=True)
class Check:
    code: str
    title: str  # French
    columns: tuple[str, ...]
    rows: Callable[[Period, queries.Viewer], list[dict[str, Any]]]  # each row: column -> value


CHECKS: dict[str, Check] = {}


def register_check(check: Check) -> None:
    CHECKS[check.code] = check


def improbable_cells(*, user: Any, period: Period) -> list[dict[str, Any]]:
    """Cells (indicator x health area) empty this month or down by more than half."""
    areas = (
        queries.labels(registry.indicators()[0], [HEALTH_AREA])[HEALTH_AREA] if registry.INDICATORS else {}
    )
    out = []
    previous = period.previous()
    for indicator in registry.indicators():
        if indicator.unit != Unit.COUNT or period.type not in indicator.period_types:
            continue
        now = {
            r["cell"][HEALTH_AREA]: r["value"] or 0
            for r in queries.values(user=user, indicator=indicator, period=period, by=[HEALTH_AREA])
        }
        before = {
            r["cell"][HEALTH_AREA]: r["value"] or 0
            for r in queries.values(user=user, indicator=indicator, period=previous, by=[HEALTH_AREA])
        }
        for area, last in sorted(before.items()):
            current = now.get(area, 0)
            if last <= 0:
                continue
            if current == 0:
                problem = "vide"
            elif current < (1 - DROP) * last:
                problem = "baisse de plus de moitié"
            else:
                continue
            out.append(
                {
                    "indicator": indicator.code,
                    "name": indicator.name,
                    "health_area": area,
                    "area_name": areas.get(area, area),
                    "value": current,
                    "previous": last,
                    "problem": problem,
                }
            )
    return out


def registered_checks(*, user: Any, period: Period) -> list[dict[str, Any]]:
    view = queries.viewer(user)
    return [
        {"code": c.code, "title": c.title, "columns": c.columns, "rows": c.rows(period, view)}
        for c in sorted(CHECKS.values(), key=lambda c: c.code)
    ]
