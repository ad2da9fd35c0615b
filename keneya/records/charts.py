"""The growth chart of the patient page: the child's measures over the WHO -3..+3 SD lines.

The lines come from ``keneya.clinical.growth_curves`` (WHO LMS tables) for the child's sex and
age range; the points from the home visits' and consultations' measures. The page reads it as
JSON (``json_script``) and Chart.js draws it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from keneya.clinical.growth import DAYS_PER_MONTH, LENHEI_CORRECTION_CM, LENHEI_SWITCH_DAYS
from keneya.clinical.growth_curves import sd_curves
from keneya.people.models import Person
from keneya.records.models import Consultation
from keneya.visits.models import Visit

# The WHO standards end at 5 years (1856 days is the last row of the tables).
LAST_TABLE_DAY = 1856
# The x axis runs a little past today, and covers at least the first 6 months.
AXIS_MARGIN_DAYS = 61
AXIS_MIN_DAYS = 183

LINE_LABELS = {"-3": "−3", "-2": "−2", "-1": "", "0": _("médiane"), "1": "", "2": "+2", "3": "+3"}


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if number > 0 else None


def _as_charted(height: float, day: int, position: str | None) -> float:
    """WHO convention: length lying before 731 days, height standing after (0.7 cm apart)."""
    if position == "H" and day < LENHEI_SWITCH_DAYS:
        return height + LENHEI_CORRECTION_CM
    if position == "L" and day >= LENHEI_SWITCH_DAYS:
        return height - LENHEI_CORRECTION_CM
    return height


def _point(day: int, value: float, on: date) -> dict[str, Any]:
    return {"x": round(day / DAYS_PER_MONTH, 2), "y": round(value, 2), "date": on.strftime("%d/%m/%Y")}


def growth_points(
    person: Person, visits: Iterable[Visit], consultations: Iterable[Consultation]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(weights, lengths/heights), oldest first, within the WHO tables' age range."""
    weights, heights = [], []
    for visit in visits:
        day = (visit.visit_date - person.date_of_birth).days
        if not 0 <= day <= LAST_TABLE_DAY:
            continue
        measures = visit.measurements or {}
        if (weight := _number(measures.get("weight_kg"))) is not None:
            weights.append(_point(day, weight, visit.visit_date))
        if (height := _number(measures.get("length_or_height_cm"))) is not None:
            heights.append(
                _point(day, _as_charted(height, day, measures.get("measured_position")), visit.visit_date)
            )
    for consultation in consultations:
        on = timezone.localtime(consultation.consulted_at).date()
        day = (on - person.date_of_birth).days
        if not 0 <= day <= LAST_TABLE_DAY:
            continue
        if consultation.weight_kg is not None:
            weights.append(_point(day, float(consultation.weight_kg), on))
        if consultation.height_cm is not None:
            heights.append(_point(day, float(consultation.height_cm), on))
    return sorted(weights, key=lambda p: p["x"]), sorted(heights, key=lambda p: p["x"])


def growth_chart(
    *, person: Person, visits: Iterable[Visit], consultations: Iterable[Consultation], today: date
) -> dict[str, Any] | None:
    """Chart data for a child under 5 (None for anyone older)."""
    age_days = (today - person.date_of_birth).days
    if not 0 <= age_days <= LAST_TABLE_DAY:
        return None
    weights, heights = growth_points(person, visits, consultations)
    last = max([age_days] + [round(p["x"] * DAYS_PER_MONTH) for p in weights + heights])
    to_day = min(LAST_TABLE_DAY, max(AXIS_MIN_DAYS, last + AXIS_MARGIN_DAYS))
    return {
        "x_label": _("Âge (mois)"),
        "points_label": person.given_names or person.full_name,
        "line_labels": LINE_LABELS,
        "charts": [
            {
                "id": "chart-wfa",
                "title": _("Poids pour l'âge"),
                "y_label": _("Poids (kg)"),
                "curves": sd_curves("wfa", person.sex, to_day=to_day),
                "points": weights,
            },
            {
                "id": "chart-lhfa",
                "title": _("Taille pour l'âge"),
                "y_label": _("Longueur / taille (cm)"),
                "curves": sd_curves("lhfa", person.sex, to_day=to_day),
                "points": heights,
            },
        ],
    }


# --- Weight and blood pressure over time (any age) --------------------------------------------------

TREND_MIN_POINTS = 2


def trend_chart(*, visits: Iterable[Visit], consultations: Iterable[Consultation]) -> dict[str, Any] | None:
    """Weight (consultations and home visits) and blood pressure (consultations) over time,
    oldest first, for the patient page's small trend charts. None when no series has two points."""
    weights: list[tuple[date, float]] = []
    pressures: list[tuple[date, int, int | None]] = []
    for consultation in consultations:
        on = timezone.localtime(consultation.consulted_at).date()
        if consultation.weight_kg is not None:
            weights.append((on, float(consultation.weight_kg)))
        if consultation.systolic_bp is not None:
            pressures.append((on, consultation.systolic_bp, consultation.diastolic_bp))
    for visit in visits:
        if (weight := _number((visit.measurements or {}).get("weight_kg"))) is not None:
            weights.append((visit.visit_date, weight))
    weights.sort(key=lambda p: p[0])
    pressures.sort(key=lambda p: p[0])
    charts = []
    if len(weights) >= TREND_MIN_POINTS:
        charts.append(
            {
                "id": "trend-weight",
                "title": _("Poids"),
                "unit": "kg",
                "labels": [d.strftime("%d/%m/%Y") for d, _w in weights],
                "series": [{"label": _("Poids (kg)"), "data": [round(w, 2) for _d, w in weights]}],
            }
        )
    if len(pressures) >= TREND_MIN_POINTS:
        charts.append(
            {
                "id": "trend-bp",
                "title": _("Tension artérielle"),
                "unit": "mmHg",
                "labels": [d.strftime("%d/%m/%Y") for d, _s, _di in pressures],
                "series": [
                    {"label": _("Systolique"), "data": [s for _d, s, _di in pressures]},
                    {"label": _("Diastolique"), "data": [di for _d, _s, di in pressures]},
                ],
                # The usual HTA thresholds drawn as guides (WHO 2021 hypertension guideline: 140/90).
                "guides": [140, 90],
            }
        )
    return {"charts": charts} if charts else None


# --- The growth chart printed in the carnet (a static SVG drawn here) ----------------------------

_SVG_W, _SVG_H, _PAD_L, _PAD_B, _PAD_T, _PAD_R = 560, 260, 40, 28, 10, 10
_SVG_LINES = {"-3": "#b3261e", "-2": "#d98200", "0": "#0b6e4f", "2": "#d98200", "3": "#b3261e"}


def growth_svg(
    *, person: Person, visits: Iterable[Visit], consultations: Iterable[Consultation], today: date
) -> str | None:
    """Weight-for-age of a child under 5 as an inline SVG (WHO -3, -2, median, +2, +3 lines and
    the child's points), for the printed carnet (no JavaScript in a PDF). None for anyone older."""
    age_days = (today - person.date_of_birth).days
    if not 0 <= age_days <= LAST_TABLE_DAY:
        return None
    weights, _heights = growth_points(person, visits, consultations)
    to_day = min(LAST_TABLE_DAY, max(AXIS_MIN_DAYS, age_days + AXIS_MARGIN_DAYS))
    curves = sd_curves("wfa", person.sex, to_day=to_day)
    ages = curves["ages_months"]
    x_max = ages[-1] or 1
    y_values = [v for z in _SVG_LINES for v in curves["lines"][z]] + [p["y"] for p in weights]
    y_min, y_max = 0.0, max(y_values) * 1.05
    plot_w, plot_h = _SVG_W - _PAD_L - _PAD_R, _SVG_H - _PAD_T - _PAD_B

    def x(month: float) -> float:
        return round(_PAD_L + month / x_max * plot_w, 1)

    def y(kg: float) -> float:
        return round(_PAD_T + plot_h - (kg - y_min) / (y_max - y_min) * plot_h, 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_SVG_W} {_SVG_H}" '
        f'width="{_SVG_W / 4:.0f}mm" height="{_SVG_H / 4:.0f}mm" font-family="DejaVu Sans" font-size="10">',
        f'<rect x="{_PAD_L}" y="{_PAD_T}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#888"/>',
    ]
    step = 6 if x_max > 24 else 3
    for month in range(0, int(x_max) + 1, step):
        parts.append(f'<text x="{x(month)}" y="{_SVG_H - 10}" text-anchor="middle">{month}</text>')
    kg_step = 5 if y_max > 15 else 2
    for kg in range(0, int(y_max) + 1, kg_step):
        parts.append(f'<text x="{_PAD_L - 4}" y="{y(kg) + 3}" text-anchor="end">{kg}</text>')
        parts.append(f'<line x1="{_PAD_L}" x2="{_SVG_W - _PAD_R}" y1="{y(kg)}" y2="{y(kg)}" stroke="#eee"/>')
    for z, colour in _SVG_LINES.items():
        points = " ".join(f"{x(a)},{y(v)}" for a, v in zip(ages, curves["lines"][z], strict=True))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
    if weights:
        points = " ".join(f"{x(p['x'])},{y(p['y'])}" for p in weights)
        parts.append(f'<polyline points="{points}" fill="none" stroke="#1a4fd6" stroke-width="2"/>')
        parts += [f'<circle cx="{x(p["x"])}" cy="{y(p["y"])}" r="3.5" fill="#1a4fd6"/>' for p in weights]
    caption = escape(str(_("Âge (mois)")))
    parts.append(f'<text x="{_PAD_L + plot_w / 2}" y="{_SVG_H}" text-anchor="middle">{caption}</text>')
    parts.append("</svg>")
    return "".join(parts)
