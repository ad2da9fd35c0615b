"""The month's figures for the DHIS2 push (``keneya.interop.dhis2.hooks.month_values``).

For every indicator with a DHIS2 mapping hint, one row per CSCom and per cell of the hint's
disaggregation (or the CSCom's total), read from the rollups: the push never scans the facts.
Programme-wide (the push is the district's), so it reads the rollups without a viewer's scope.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from keneya.indicators import engine, registry
from keneya.indicators.models import GRAIN_MAIN, IndicatorCell
from keneya.indicators.registry import HEALTH_AREA


def month_values(period: str) -> list[dict[str, Any]]:
    month = registry.parse_period(period)
    if month.type != registry.MONTH:
        raise ValueError(period)
    cscoms = engine.cscom_of_areas()
    out: list[dict[str, Any]] = []
    for indicator in registry.indicators():
        if indicator.dhis2 is None:
            continue
        dim = indicator.dhis2.disaggregation
        sums: dict[tuple[str, str], list[Any]] = defaultdict(lambda: [0.0, None, {}])
        for row in IndicatorCell.objects.filter(
            indicator=indicator.code, grain=GRAIN_MAIN, period=month.code
        ):
            facility = cscoms.get(row.cell.get(HEALTH_AREA, ""))
            if facility is None:
                continue
            acc = sums[(facility, row.cell.get(dim, "") if dim else "")]
            acc[0] += row.numerator
            if row.denominator is not None:
                acc[1] = (acc[1] or 0.0) + row.denominator
            for minutes, n in (row.samples or {}).items():
                acc[2][minutes] = acc[2].get(minutes, 0) + n
        for (facility, value), (num, den, samples) in sorted(sums.items()):
            figure = engine.value_of(indicator, num, den, samples)
            if figure is None:
                continue
            out.append(
                {
                    "indicator": indicator.code,
                    "indicator_name": indicator.name,
                    "period": month.code,
                    "facility": facility,
                    "cell": {dim: value} if dim else {},
                    "value": figure,
                }
            )
    return out
