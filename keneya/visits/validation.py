"""Field rules for a home visit, shared by the visit form, the API and the tablet's sync.

``services.record_home_visits`` calls ``clean_visit_input`` for every visit, whatever path it
came by, so a value is refused the same way everywhere: a Django ValidationError keyed by the
field (``weight_kg``, ``lmp``, ``findings``...) with a French message that never echoes the
value. The clinical engine (``keneya.clinical``) then sees only plausible input.

The ranges are typing-error guards, not clinical thresholds. Where the engine has one it is
reused (MUAC: ``clinical.nutrition``; temperature and respiratory rate: ``iccm_rules.json``
"plausibility", checked by the engine itself on the findings); the others are ours and say why.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from keneya.clinical.nutrition import MUAC_PLAUSIBLE_MAX_MM, MUAC_PLAUSIBLE_MIN_MM
from keneya.clinical.pregnancy import MAX_GESTATIONAL_AGE_DAYS, PREGNANCY_LENGTH_DAYS
from keneya.clinical.visit import ISO_DATE, MEASUREMENT_KEYS

# Design choices (typing-error guards): from a premature newborn to a heavy adult; the WHO
# growth tables stop well inside (WFL 45-110 cm, WFH 65-120 cm).
WEIGHT_KG_RANGE = (0.5, 150.0)
LENGTH_CM_RANGE = (30.0, 200.0)
# Head circumference: the WHO head-circumference-for-age table (0-5 years) runs from about 30
# to 55 cm at +/-5 SD (its implausibility flags); an adult head measures 52-62 cm. 20-70 cm
# takes every real head and refuses a misplaced decimal point.
HEAD_CIRCUMFERENCE_CM_RANGE = (20.0, 70.0)
MUAC_MM_RANGE = (MUAC_PLAUSIBLE_MIN_MM, MUAC_PLAUSIBLE_MAX_MM)  # clinical.nutrition
# A symptom's duration (cough_days...): the engine bounds it below only; a year at most.
MAX_SYMPTOM_DAYS = 365
DURATION_FINDINGS = ("cough_days", "diarrhoea_days", "fever_days")

MEASUREMENT_RANGES: dict[str, tuple[float, float]] = {
    "weight_kg": WEIGHT_KG_RANGE,
    "length_or_height_cm": LENGTH_CM_RANGE,
    "head_circumference_cm": HEAD_CIRCUMFERENCE_CM_RANGE,
    "muac_mm": MUAC_MM_RANGE,
}
MEASUREMENT_LABELS = {
    "weight_kg": ("Poids", "kg"),
    "length_or_height_cm": ("Longueur ou taille", "cm"),
    "head_circumference_cm": ("Périmètre crânien", "cm"),
    "muac_mm": ("Périmètre brachial", "mm"),
}
# Pregnancy dating: only on a pregnancy visit.
DATING_KEYS = ("lmp", "edd")
DATING_KINDS = frozenset({"pregnancy"})


def _number(value: Any) -> float | None:
    """A finite number, or None (a string, a boolean, an integer too large for a float...)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def check_measurement(key: str, value: Any) -> float:
    """One numeric measurement within its range (``MEASUREMENT_RANGES``), else ValidationError."""
    low, high = MEASUREMENT_RANGES[key]
    label, unit = MEASUREMENT_LABELS[key]
    number = _number(value)
    if number is None:
        raise ValidationError({key: [_("%(label)s : nombre attendu.") % {"label": _(label)}]})
    if not low <= number <= high:
        raise ValidationError(
            {
                key: [
                    _("%(label)s invraisemblable : attendu entre %(low)s et %(high)s %(unit)s.")
                    % {"label": _(label), "low": f"{low:g}", "high": f"{high:g}", "unit": unit}
                ]
            }
        )
    return value  # type: ignore[no-any-return]


def parse_date(value: Any, key: str) -> date:
    """An ISO date (AAAA-MM-JJ) as sent in JSON or by a form, else ValidationError."""
    if isinstance(value, date):
        return value
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValidationError({key: [_("Date invalide : utilisez le format AAAA-MM-JJ.")]})


def check_dating(key: str, value: date, *, visit_date: date) -> date:
    """Last menstrual period (``lmp``) or expected delivery (``edd``): it must place the last
    period before the visit and the pregnancy within ``MAX_GESTATIONAL_AGE_DAYS``."""
    lmp = value - timedelta(days=PREGNANCY_LENGTH_DAYS) if key == "edd" else value
    if lmp > visit_date:
        raise ValidationError(
            {key: [_("Date impossible : elle place les dernières règles après la visite.")]}
        )
    if (visit_date - lmp).days > MAX_GESTATIONAL_AGE_DAYS:
        raise ValidationError(
            {
                key: [
                    _(
                        "Plus de %(weeks)s semaines de grossesse : la grossesse est terminée, "
                        "vérifiez la date."
                    )
                    % {"weeks": MAX_GESTATIONAL_AGE_DAYS // 7}
                ]
            }
        )
    return value


def clean_measurements(kind: str, measurements: Any, *, visit_date: date) -> dict[str, Any]:
    """A visit's measurements, checked field by field: numbers within their range, the
    position ``L`` or ``H``, pregnancy dates real and plausible and only on a pregnancy visit.
    Returns them JSON-ready (dates as ISO text); raises one ValidationError naming every bad
    field."""
    if not isinstance(measurements, Mapping):
        raise ValidationError({"measurements": [_("Les mesures doivent être un objet JSON.")]})
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for key, value in measurements.items():
        if key not in MEASUREMENT_KEYS:
            errors.setdefault("measurements", []).append(
                _("Mesure inconnue : %(key)s.") % {"key": str(key)[:40]}
            )
            continue
        if value is None or value == "":
            continue
        try:
            if key in MEASUREMENT_RANGES:
                cleaned[key] = check_measurement(key, value)
            elif key == "measured_position":
                if value not in ("L", "H"):
                    raise ValidationError({key: [_("Position : « L » (couché) ou « H » (debout).")]})
                cleaned[key] = value
            else:  # lmp, edd
                if kind not in DATING_KINDS:
                    raise ValidationError({key: [_("Cette date ne se note qu'au suivi de grossesse.")]})
                day = check_dating(key, parse_date(value, key), visit_date=visit_date)
                cleaned[key] = day.isoformat()
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return cleaned


def check_findings(findings: Any) -> dict[str, Any]:
    """What the engine does not bound in the findings: an object, and symptom durations of a
    year at most. (Each finding's type and the temperature and breathing ranges are the
    engine's checks, ``clinical.iccm``.)"""
    if not isinstance(findings, Mapping):
        raise ValidationError({"findings": [_("Les constats doivent être un objet JSON.")]})
    errors: dict[str, list[str]] = {}
    for key in DURATION_FINDINGS:
        value = findings.get(key)
        if value is None:
            continue
        number = _number(value)
        if number is None or not 0 <= number <= MAX_SYMPTOM_DAYS:
            errors[key] = [_("Durée invraisemblable : de 0 à %(max)s jours.") % {"max": MAX_SYMPTOM_DAYS}]
    if errors:
        raise ValidationError(errors)
    return dict(findings)


def clean_visit_input(
    *, kind: str, findings: Any, measurements: Any, visit_date: date
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(findings, measurements) of one visit, checked: what ``record_home_visits`` stores."""
    errors: dict[str, list[str]] = {}
    cleaned_findings: dict[str, Any] = {}
    cleaned_measurements: dict[str, Any] = {}
    try:
        cleaned_findings = check_findings(findings)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        cleaned_measurements = clean_measurements(kind, measurements, visit_date=visit_date)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return cleaned_findings, cleaned_measurements
