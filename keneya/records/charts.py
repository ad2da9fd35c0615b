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
