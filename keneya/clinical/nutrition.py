"""Clinician nutrition classification for alerts (clinical-rules.md v1, sections 1.4, 1.8, 2.4).

Sources: WHO IMCI chart booklet 2014 (S2); WHO/UNICEF 2009 joint statement on SAM (S3); WHO
Child Growth Standards 2006 cut-offs; MUAC colours from the WHO/UNICEF 2011 iCCM booklet (S1).
Values and sources: ``data/nutrition_rules.json`` (``NUTRITION_RULES_VERSION``).

Inputs are plain numbers: z-scores already computed (``keneya.clinical.growth``, 2 decimals)
and MUAC in millimetres. Nothing here computes a z-score.

Acute malnutrition (child 6-59 months; under 6 months MUAC is not used, section 1.4):

- ``complicated_sam``: (bilateral oedema or WFL/H z < -3 or MUAC < 115 mm) and (a general
  danger sign, a medical complication or a failed appetite test) -> urgent referral.
- ``uncomplicated_sam``: same anthropometry, no complication -> outpatient RUTF (URENAS), 7 days.
- ``mam``: -3 <= WFL/H z < -2 or 115 <= MUAC < 125 mm -> feeding counselling / URENAM, 30 days.
- ``no_acute_malnutrition``: what is measured is normal (z >= -2, MUAC >= 125 mm).
- ``not_assessed``: no WFL/H z, no usable MUAC and no oedema.
- ``age_out_of_scope``: age_months >= 60.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from keneya.clinical.reasons import Reason

_RULES = json.loads((Path(__file__).parent / "data" / "nutrition_rules.json").read_text("utf-8"))
NUTRITION_RULES_VERSION: str = _RULES["version"]

_MUAC = _RULES["muac_mm"]
# MUAC red (severe) below 115 mm, exclusive (S1, S3) [H].
MUAC_RED_BELOW_MM: int = _MUAC["red_below"]["value"]
# MUAC yellow (moderate) 115 <= MUAC < 125 mm; green from 125 mm (S1, S3) [H].
MUAC_YELLOW_BELOW_MM: int = _MUAC["yellow_below"]["value"]
# MUAC colours apply from 6 completed months only (S1, S3) [H].
MUAC_MIN_AGE_MONTHS: int = _MUAC["min_age_months"]["value"]
# Typing-error guard (design choice, not WHO): outside 50-300 mm is refused.
MUAC_PLAUSIBLE_MIN_MM: int = _RULES["muac_plausible_mm"]["min"]
MUAC_PLAUSIBLE_MAX_MM: int = _RULES["muac_plausible_mm"]["max"]
# Under-5 standards end at 59 completed months (S3, WHO 2006).
MAX_AGE_MONTHS: int = _RULES["max_age_months"]["value"]
# z is rounded to 2 decimals before any cut-off (spec 1.8, 2.2 step 9).
Z_DECIMALS: int = _RULES["z_decimals"]["value"]

# WHO 2006 z-score cut-offs (spec 2.4), the one copy: growth.classify uses them too.
WFH_Z_CUTOFFS: dict[str, float] = {k: v["value"] for k, v in _RULES["wfh_z"].items()}
HFA_Z_CUTOFFS: dict[str, float] = {k: v["value"] for k, v in _RULES["hfa_z"].items()}
WFA_Z_CUTOFFS: dict[str, float] = {k: v["value"] for k, v in _RULES["wfa_z"].items()}
_WFH, _HFA, _WFA = WFH_Z_CUTOFFS, HFA_Z_CUTOFFS, WFA_Z_CUTOFFS
# Follow-up: uncomplicated SAM 7 days, MAM 30 days (IMCI 2014) [M].
SAM_FOLLOW_UP_DAYS: int = _RULES["follow_up_days"]["uncomplicated_sam"]["value"]
MAM_FOLLOW_UP_DAYS: int = _RULES["follow_up_days"]["mam"]["value"]

ACUTE_CLASSES: tuple[str, ...] = tuple(_RULES["acute_classes"])
_TEXT = _RULES["class_text_fr"]
_SOURCE = "WHO IMCI 2014 (S2); WHO/UNICEF 2009 SAM statement (S3)"
_GROWTH_SOURCE = "WHO Child Growth Standards 2006 (cut-offs as in WHO anthro)"


@dataclass(frozen=True, slots=True)
class NutritionAssessment:
    acute: str  # one of ACUTE_CLASSES
    urgent_referral: bool
    action: str | None  # urgent_referral | outpatient_rutf | supplementary_feeding | None
    follow_up_days: int | None
    wasting: str | None  # from WFL/H z (classify_wasting), None if not given
    stunting: str | None  # from L/H-for-age z (classify_stunting)
    underweight: str | None  # from weight-for-age z (classify_underweight)
    reasons: tuple[Reason, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "acute": self.acute,
            "urgent_referral": self.urgent_referral,
            "action": self.action,
            "follow_up_days": self.follow_up_days,
            "wasting": self.wasting,
            "stunting": self.stunting,
            "underweight": self.underweight,
            "reasons": [r.as_dict() for r in self.reasons],
            "rules_version": NUTRITION_RULES_VERSION,
        }


def _z(value: object, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{field}: expected a finite number (z-score), got {value!r}")
    return round(float(value), Z_DECIMALS)


def _flag(value: object, field: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{field}: expected True or False, got {value!r}")
    return value


def check_muac_mm(value: object, field: str = "muac_mm") -> float:
    """MUAC in millimetres: a finite number within the plausible range, else ValueError."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{field}: expected a number of millimetres, got {value!r}")
    if not MUAC_PLAUSIBLE_MIN_MM <= value <= MUAC_PLAUSIBLE_MAX_MM:
        raise ValueError(
            f"{field}: {value} mm is outside {MUAC_PLAUSIBLE_MIN_MM}-{MUAC_PLAUSIBLE_MAX_MM} mm"
            " (millimetres expected)"
        )
    return value


def muac_colour(muac_mm: float) -> str:
    """``red`` (< 115 mm), ``yellow`` (115 <= MUAC < 125 mm) or ``green`` (>= 125 mm)."""
    if muac_mm < MUAC_RED_BELOW_MM:
        return "red"
    if muac_mm < MUAC_YELLOW_BELOW_MM:
        return "yellow"
    return "green"


def classify_wasting(whz: float) -> str:
    """WFL/H (or BMI-for-age) z: severe_wasting | wasting | normal | possible_risk_of_overweight
    | overweight | obese (spec 2.4)."""
    z = _z(whz, "whz")
    if z < _WFH["severe_below"]:
        return "severe_wasting"
    if z < _WFH["moderate_below"]:
        return "wasting"
    if z > _WFH["obese_above"]:
        return "obese"
    if z > _WFH["overweight_above"]:
        return "overweight"
    if z > _WFH["possible_risk_of_overweight_above"]:
        return "possible_risk_of_overweight"
    return "normal"


def classify_stunting(haz: float) -> str:
    """Length/height-for-age z: severely_stunted | stunted | normal | very_tall (spec 2.4)."""
    z = _z(haz, "haz")
    if z < _HFA["severe_below"]:
        return "severely_stunted"
    if z < _HFA["moderate_below"]:
        return "stunted"
    if z > _HFA["very_tall_above"]:
        return "very_tall"
    return "normal"


def classify_underweight(waz: float) -> str:
    """Weight-for-age z: severely_underweight | underweight | normal | possible_growth_problem."""
    z = _z(waz, "waz")
    if z < _WFA["severe_below"]:
        return "severely_underweight"
    if z < _WFA["moderate_below"]:
        return "underweight"
    if z > _WFA["possible_growth_problem_above"]:
        return "possible_growth_problem"
    return "normal"


def _reason(rule: str, finding: str, threshold: str | None, text_fr: str, source: str = _SOURCE):
    return Reason(rule=rule, finding=finding, threshold=threshold, source=source, text_fr=text_fr)


def assess_nutrition(
    *,
    age_months: int,
    whz: float | None = None,
    muac_mm: float | None = None,
    bilateral_oedema: bool = False,
    general_danger_sign: bool = False,
    medical_complication: bool = False,
    appetite_test_failed: bool = False,
    haz: float | None = None,
    waz: float | None = None,
) -> NutritionAssessment:
    """Classify acute malnutrition (spec 1.8) and the growth indicators (spec 2.4).

    ``whz`` is the weight-for-length/height z (None when not measured, or when oedema made WHO
    anthro leave it empty); ``muac_mm`` in millimetres, ignored under 6 months. Invalid input
    raises ValueError naming the field.
    """
    if isinstance(age_months, bool) or not isinstance(age_months, int) or age_months < 0:
        raise ValueError(f"age_months: expected an integer >= 0, got {age_months!r}")
    oedema = _flag(bilateral_oedema, "bilateral_oedema")
    complication_flags = {
        "general_danger_sign": _flag(general_danger_sign, "general_danger_sign"),
        "medical_complication": _flag(medical_complication, "medical_complication"),
        "appetite_test_failed": _flag(appetite_test_failed, "appetite_test_failed"),
    }
    zw = None if whz is None else _z(whz, "whz")
    zh = None if haz is None else _z(haz, "haz")
    za = None if waz is None else _z(waz, "waz")
    muac = None if muac_mm is None else check_muac_mm(muac_mm)

    if age_months > MAX_AGE_MONTHS:
        text = _RULES["acute_classes"]["age_out_of_scope"]["text_fr"]
        reason = _reason(
            "NUTRITION.AGE_OUT_OF_SCOPE", f"age_months={age_months}", f"<= {MAX_AGE_MONTHS} months", text
        )
        return NutritionAssessment("age_out_of_scope", False, None, None, None, None, None, (reason,))

    reasons: list[Reason] = []
    if muac is not None and age_months < MUAC_MIN_AGE_MONTHS:
        reasons.append(
            _reason(
                "NUTRITION.MUAC.UNDER_6_MONTHS",
                f"muac_mm={muac_mm}",
                f">= {MUAC_MIN_AGE_MONTHS} months",
                _TEXT["muac_under_6_months"],
            )
        )
        muac = None

    severe: list[Reason] = []
    moderate: list[Reason] = []
    if oedema:
        severe.append(_reason("NUTRITION.SAM.OEDEMA", "bilateral_oedema", None, _TEXT["bilateral_oedema"]))
    if zw is not None:
        if zw < _WFH["severe_below"]:
            severe.append(
                _reason(
                    "NUTRITION.SAM.WHZ", f"whz={zw:.2f}", f"< {_WFH['severe_below']}", _TEXT["severe_wasting"]
                )
            )
        elif zw < _WFH["moderate_below"]:
            moderate.append(
                _reason(
                    "NUTRITION.MAM.WHZ",
                    f"whz={zw:.2f}",
                    f">= {_WFH['severe_below']} and < {_WFH['moderate_below']}",
                    _TEXT["wasting"],
                )
            )
    if muac is not None:
        colour = muac_colour(muac)
        if colour == "red":
            severe.append(
                _reason(
                    "NUTRITION.SAM.MUAC", f"muac_mm={muac_mm}", f"< {MUAC_RED_BELOW_MM} mm", _TEXT["muac_red"]
                )
            )
        elif colour == "yellow":
            moderate.append(
                _reason(
                    "NUTRITION.MAM.MUAC",
                    f"muac_mm={muac_mm}",
                    f">= {MUAC_RED_BELOW_MM} and < {MUAC_YELLOW_BELOW_MM} mm",
                    _TEXT["muac_yellow"],
                )
            )

    follow_up = None
    if severe:
        complications = [name for name, on in complication_flags.items() if on]
        acute = "complicated_sam" if complications else "uncomplicated_sam"
        reasons += severe
        if complications:
            reasons.append(
                _reason("NUTRITION.SAM.COMPLICATED", "+".join(complications), None, _TEXT["complication"])
            )
        else:
            follow_up = SAM_FOLLOW_UP_DAYS
    elif moderate:
        acute = "mam"
        reasons += moderate
        follow_up = MAM_FOLLOW_UP_DAYS
    elif zw is None and muac is None:
        acute = "not_assessed"
    else:
        acute = "no_acute_malnutrition"
        if age_months >= MUAC_MIN_AGE_MONTHS and (zw is None or muac is None):
            reasons.append(
                _reason("NUTRITION.INCOMPLETE", "whz" if zw is None else "muac_mm", None, _TEXT["incomplete"])
            )
    spec = _RULES["acute_classes"][acute]
    reasons.append(_reason(f"NUTRITION.{acute.upper()}", acute, None, spec["text_fr"], spec["source"]))

    wasting = None if zw is None else classify_wasting(zw)
    stunting = None if zh is None else classify_stunting(zh)
    underweight = None if za is None else classify_underweight(za)
    for prefix, value, z in (
        ("WASTING", wasting, zw),
        ("STUNTING", stunting, zh),
        ("UNDERWEIGHT", underweight, za),
    ):
        if value is not None and value != "normal":
            reasons.append(
                _reason(
                    f"NUTRITION.{prefix}.{value.upper()}", f"z={z:.2f}", None, _TEXT[value], _GROWTH_SOURCE
                )
            )
    return NutritionAssessment(
        acute=acute,
        urgent_referral=acute == "complicated_sam",
        action=spec["action"],
        follow_up_days=follow_up,
        wasting=wasting,
        stunting=stunting,
        underweight=underweight,
        reasons=tuple(reasons),
    )
