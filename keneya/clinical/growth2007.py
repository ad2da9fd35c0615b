"""WHO 2007 growth reference for 5-19 years: BMI-for-age, height-for-age, weight-for-age z-scores.

Source: de Onis M. et al., "Development of a WHO growth reference for school-aged children and
adolescents", Bull WHO 2007;85:660-7; WHO AnthroPlus software and manual (2009)
(clinical-rules.md 7.1). Tables: ``data/growth2007/who2007_{bmi,hfa,wfa}_{M,F}.csv`` (LMS by
completed month, 61-228; weight-for-age 61-120), provenance in ``data/README.md``.

As AnthroPlus: age in completed months, no interpolation; the LMS z-score and, for BMI- and
weight-for-age, the WHO restricted adjustment beyond +/-3 SD (the kernel of ``growth``, same
order of operations), never for height-for-age; rounded to 2 decimals for flags and classes.
Flags (AnthroPlus): BMI z < -5 or > +5, height z < -6 or > +6, weight z < -6 or > +5.
Bilateral oedema: weight-based indicators are not computed (as in the 2006 standards).
"""

from __future__ import annotations

import csv
import json
import math
from functools import cache
from pathlib import Path
from typing import Any

from keneya.clinical.growth import RESTRICTED_SD, Z_DECIMALS

TABLE_DIR = Path(__file__).resolve().parent / "data" / "growth2007"
_RULES: dict[str, Any] = json.loads(
    (Path(__file__).parent / "data" / "older_child_rules.json").read_text("utf-8")
)
FIRST_MONTH: int = _RULES["zscore_age_months"]["min"]  # 61
LAST_MONTH: int = _RULES["zscore_age_months"]["max"]  # 228
WFA_LAST_MONTH: int = _RULES["zscore_age_months"]["wfa_max"]  # 120
FLAG_LIMITS: dict[str, tuple[float, float]] = {
    "bmi": tuple(_RULES["flag_limits"]["bmi"]),  # type: ignore[dict-item]
    "lhfa": tuple(_RULES["flag_limits"]["hfa"]),  # type: ignore[dict-item]
    "wfa": tuple(_RULES["flag_limits"]["wfa"]),  # type: ignore[dict-item]
}
RESTRICTED = frozenset({"bmi", "wfa"})
INDICATORS = ("wfa", "lhfa", "bmi")
_FILES = {"wfa": "wfa", "lhfa": "hfa", "bmi": "bmi"}

AGE_OUT_OF_RANGE = "AGE_OUT_OF_RANGE"
MISSING_WEIGHT = "MISSING_WEIGHT"
MISSING_HEIGHT = "MISSING_HEIGHT"
OEDEMA = "OEDEMA"


@cache
def table(indicator: str, sex: str) -> dict[int, tuple[float, float, float]]:
    """month -> (L, M, S)."""
    path = TABLE_DIR / f"who2007_{_FILES[indicator]}_{sex}.csv"
    with path.open(encoding="utf-8") as fh:
        return {int(r["month"]): (float(r["l"]), float(r["m"]), float(r["s"])) for r in csv.DictReader(fh)}


def lms_z(y: float, lam: float, mu: float, sigma: float, restricted: bool) -> float:
    """LMS z (clinical-rules 2.2.4) with the restricted adjustment (2.2.5), as growth._lms_kernel."""
    z = ((y / mu) ** lam - 1.0) / (sigma * lam)
    if not restricted or not (z > RESTRICTED_SD or z < -RESTRICTED_SD):
        return z
    inv_l = 1.0 / lam
    ls = lam * sigma
    if z > RESTRICTED_SD:
        sd3 = mu * (1.0 + ls * RESTRICTED_SD) ** inv_l
        sd2 = mu * (1.0 + ls * (RESTRICTED_SD - 1.0)) ** inv_l
        return RESTRICTED_SD + (y - sd3) / (sd3 - sd2)
    sdm2 = mu * (1.0 + ls * -(RESTRICTED_SD - 1.0)) ** inv_l
    sdm3 = mu * (1.0 + ls * -RESTRICTED_SD) ** inv_l
    return -RESTRICTED_SD + (y - sdm3) / (sdm2 - sdm3)


def _score(indicator: str, sex: str, months: int, y: float | None, missing: str) -> dict[str, Any]:
    last = WFA_LAST_MONTH if indicator == "wfa" else LAST_MONTH
    if not FIRST_MONTH <= months <= last:
        return {"z": None, "flagged": False, "reason": AGE_OUT_OF_RANGE}
    if y is None:
        return {"z": None, "flagged": False, "reason": missing}
    lam, mu, sigma = table(indicator, sex)[months]
    z = lms_z(y, lam, mu, sigma, indicator in RESTRICTED)
    if not math.isfinite(z):
        return {"z": None, "flagged": False, "reason": "Z_NOT_FINITE"}
    low, high = FLAG_LIMITS[indicator]
    z2 = round(z, Z_DECIMALS)
    return {"z": z, "flagged": z2 < low or z2 > high, "reason": None}


def zscores(
    *, sex: str, age_months: int, weight_kg: float | None, height_cm: float | None, oedema: bool = False
) -> dict[str, dict[str, Any]]:
    """{wfa, lhfa, bmi: {z (unrounded), flagged, reason}}; ``reason`` says why z is None."""
    if sex not in ("M", "F"):
        raise ValueError(f"sex: expected 'M' or 'F', got {sex!r}")
    if isinstance(age_months, bool) or not isinstance(age_months, int) or age_months < 0:
        raise ValueError(f"age_months: expected a whole number of months, got {age_months!r}")
    for name, value in (("weight_kg", weight_kg), ("length_or_height_cm", height_cm)):
        if value is not None and (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or value <= 0
        ):
            raise ValueError(f"{name}: expected a positive number, got {value!r}")
    bmi = None
    if weight_kg is not None and height_cm is not None:
        bmi = weight_kg / ((height_cm / 100.0) ** 2)
    out = {
        "wfa": _score("wfa", sex, age_months, weight_kg, MISSING_WEIGHT),
        "lhfa": _score("lhfa", sex, age_months, height_cm, MISSING_HEIGHT),
        "bmi": _score("bmi", sex, age_months, bmi, MISSING_WEIGHT if weight_kg is None else MISSING_HEIGHT),
    }
    if oedema:
        for key in ("wfa", "bmi"):
            if out[key]["reason"] != AGE_OUT_OF_RANGE:
                out[key] = {"z": None, "flagged": False, "reason": OEDEMA}
    return out
