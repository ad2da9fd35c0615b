"""The WHO growth chart lines (-3 to +3 SD) for weight-for-age and length/height-for-age.

Source: WHO Child Growth Standards (2006), the same day-indexed LMS tables as ``growth``
(``data/growth/wfa_*.csv``, ``lhfa_*.csv``). The value at z is the LMS curve
``M * (1 + L*S*z) ** (1/L)`` (``M * exp(S*z)`` when L = 0), which is how WHO draws its
charts; the restricted adjustment of ``growth`` concerns reading a z beyond +/-3 from a
measure, not the curves themselves. The length/height-for-age table is lying length before
731 days and standing height from 731 days, as on the WHO charts.

Pure: no Django, no clock.
"""

from __future__ import annotations

import math
from typing import Any

from keneya.clinical.growth import DAYS_PER_MONTH, tables

CHART_INDICATORS = ("wfa", "lhfa")
SD_LINES = (-3, -2, -1, 0, 1, 2, 3)
# About this many points per line is smooth on a phone and keeps the page small.
TARGET_POINTS = 120


def value_at_z(lms: tuple[float, float, float], z: float) -> float:
    lam, mu, sigma = lms
    if lam == 0:
        return mu * math.exp(sigma * z)
    return mu * (1 + lam * sigma * z) ** (1 / lam)


def sd_curves(indicator: str, sex: str, *, to_day: int, from_day: int = 0) -> dict[str, Any]:
    """The SD lines from ``from_day`` to ``to_day`` (age in days, clipped to the table).

    Returns ``{"ages_months": [...], "lines": {"-3": [...], ..., "3": [...]}}``, x in months
    (WHO anthro: 30.4375 days per month), values rounded to 2 decimals.
    """
    if indicator not in CHART_INDICATORS:
        raise ValueError(f"indicator: expected one of {CHART_INDICATORS}, got {indicator!r}")
    if sex not in ("M", "F"):
        raise ValueError(f"sex: expected 'M' or 'F', got {sex!r}")
    table = tables()[indicator]
    last = table.first + len(table.rows[0]) - 1
    start, end = max(from_day, table.first), min(to_day, last)
    if end < start:
        raise ValueError(f"to_day: {to_day} is before {from_day}")
    step = max(1, (end - start) // TARGET_POINTS)
    days = list(range(start, end + 1, step))
    if days[-1] != end:
        days.append(end)
    row = 0 if sex == "M" else 1
    lines = {str(z): [round(value_at_z(table.row(row, d), z), 2) for d in days] for z in SD_LINES}
    return {"ages_months": [round(d / DAYS_PER_MONTH, 2) for d in days], "lines": lines}
