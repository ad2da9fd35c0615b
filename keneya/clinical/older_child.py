"""Home follow-up of a child of 5-17 years (clinical-rules.md section 7).

``assess_older_child_visit`` is pure (the visit date is a parameter) and JSON-ready; the tablet's
twin is ``pwa/static/pwa/engine/older_child.js`` (vectors ``vectors/older_child.json``). It looks
at:

- the signs that need an urgent referral at any age (7.2: WHO ETAT 2016 emergency signs and
  IMAI/IMCI general danger signs, adapted to a CHW at home [M]), fever for 7 days or more
  included: any one -> ``urgent_referral``;
- fever without a danger sign (7.2): RDT positive -> ``malaria``, treated at home with ACT when
  the cadre may (``OlderChildConfig.chw_may_treat_at_home``, the switch of 1.4), else a
  non-urgent referral; RDT negative -> advice; no RDT -> non-urgent referral for the test;
- cough for 14 days or more, or weight loss -> ``tb_screening``, non-urgent referral (WHO TB
  guidelines, module 2, 2021) [M];
- weight and height: BMI-for-age, height-for-age and (to 120 months) weight-for-age z-scores of
  the WHO 2007 reference (``growth2007``), classified on the 2-decimal z (7.1): severe thinness
  (BMI z < -3: non-urgent referral), thinness, overweight, obesity, stunting, severe stunting;
  flagged values ask for a new measurement and are not classified;
- schooling (in school, level), sleeping under a net, and the catch-up doses the immunization
  engine (``immunization.due_vaccines``) finds due or overdue for the age.

``action`` is the most serious of ``urgent_referral``, ``non_urgent_referral``,
``treat_at_home``, ``advise_only``. Follow-up: none after an urgent referral, 3 days after home
treatment, else 30 days when anything was found (7.3: monthly after a problem), else none
(the quarterly visit). Invalid input raises ValueError naming the field.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from keneya.clinical import ENGINE_VERSION, growth2007, immunization
from keneya.clinical.ages import check_date, completed_months

_RULES: dict[str, Any] = json.loads(
    (Path(__file__).parent / "data" / "older_child_rules.json").read_text("utf-8")
)
RULES_VERSION: str = _RULES["version"]
_CITATIONS: dict[str, str] = _RULES["citations"]
MIN_AGE_MONTHS: int = _RULES["age_months"]["min"]  # 5th birthday
MAX_AGE_MONTHS: int = _RULES["age_months"]["max"]  # the day before the 18th birthday
FEVER_DANGER_DAYS: int = _RULES["fever_danger_days"]["value"]
COUGH_TB_DAYS: int = _RULES["cough_tb_days"]["value"]
BMI_CUTOFFS: dict[str, float] = {k: v for k, v in _RULES["bmi_cutoffs"].items() if isinstance(v, int | float)}
HFA_CUTOFFS: dict[str, float] = {k: v for k, v in _RULES["hfa_cutoffs"].items() if isinstance(v, int | float)}
DANGER_SIGNS: tuple[str, ...] = tuple(_RULES["danger_signs"])
FINDINGS: tuple[str, ...] = tuple(_RULES["findings"])
CLASSIFICATIONS: tuple[str, ...] = tuple(_RULES["classifications"])
SCHOOL_LEVELS: dict[str, str] = _RULES["school_levels"]
ACTION_ORDER = ("urgent_referral", "non_urgent_referral", "treat_at_home", "advise_only")
_CONF = _RULES["configurable"]


@dataclass(frozen=True, slots=True)
class OlderChildConfig:
    """Settings per CHW cadre (defaults in older_child_rules.json "configurable")."""

    chw_may_treat_at_home: bool = _CONF["chw_may_treat_at_home"]["default"]
    treat_at_home_follow_up_days: int = _CONF["treat_at_home_follow_up_days"]["default"]
    problem_follow_up_days: int = _CONF["problem_follow_up_days"]["default"]

    def __post_init__(self) -> None:
        if not isinstance(self.chw_may_treat_at_home, bool):
            raise ValueError("chw_may_treat_at_home: expected True or False")
        for name in ("treat_at_home_follow_up_days", "problem_follow_up_days"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"{name}: expected an integer >= 1, got {v!r}")


DEFAULT_CONFIG = OlderChildConfig()


def _cite(source: str) -> str:
    parts = [p.strip() for p in source.split(",")]
    if all(p in _CITATIONS for p in parts):
        return "; ".join(_CITATIONS[p] for p in parts)
    return source


def _reason(rule: str, finding: str, threshold: str | None, spec: Mapping[str, str]) -> dict[str, Any]:
    return {
        "rule": rule,
        "finding": finding,
        "threshold": threshold,
        "source": _cite(spec["source"]),
        "text_fr": spec["text_fr"],
    }


def _normalise(findings: Mapping[str, object]) -> dict[str, Any]:
    if not isinstance(findings, Mapping):
        raise ValueError(f"findings: expected a mapping, got {type(findings).__name__}")
    out: dict[str, Any] = {}
    for key, value in findings.items():
        spec = _RULES["findings"].get(key)
        if spec is None:
            raise ValueError(f"findings: unknown finding {key!r} (see older_child.FINDINGS)")
        if value is None:
            continue
        kind = spec["type"]
        if kind == "bool":
            if value is not True and value is not False:
                raise ValueError(f"{key}: expected True or False, got {value!r}")
        elif kind == "int":
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{key}: expected a number, got {value!r}")
            if isinstance(value, float):
                if not value.is_integer():
                    raise ValueError(f"{key}: expected a whole number, got {value!r}")
                value = int(value)
            if not spec["min"] <= value <= spec["max"]:
                raise ValueError(f"{key}: {value} is outside the plausible range {spec['min']}-{spec['max']}")
        elif value not in spec["values"]:
            raise ValueError(f"{key}: expected one of {sorted(spec['values'])}, got {value!r}")
        out[key] = value
    for flag, days in (("fever", "fever_days"), ("cough", "cough_days")):
        if out.get(flag) is False and out.get(days):
            raise ValueError(f"{days}: {out[days]!r} contradicts {flag}=False")
    if out.get("in_school") is False and out.get("school_level") is not None:
        raise ValueError(f"school_level: {out['school_level']!r} contradicts in_school=False")
    return out


def _measure(measurements: Mapping[str, object], key: str) -> float | None:
    value = measurements.get(key)
    if value is None or value == "":
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise ValueError(f"{key}: expected a positive number, got {value!r}")
    return float(value)


def _growth_class(indicator: str, z: float) -> str | None:
    """The class of a 2-decimal z (7.1), or None when normal."""
    if indicator == "bmi":
        if z < BMI_CUTOFFS["severe_thinness_below"]:
            return "severe_thinness"
        if z < BMI_CUTOFFS["thinness_below"]:
            return "thinness"
        if z > BMI_CUTOFFS["obesity_above"]:
            return "obesity"
        if z > BMI_CUTOFFS["overweight_above"]:
            return "overweight"
        return None
    if indicator == "lhfa":
        if z < HFA_CUTOFFS["severe_stunting_below"]:
            return "severe_stunting"
        if z < HFA_CUTOFFS["stunting_below"]:
            return "stunting"
    return None


_THRESHOLD = {
    "severe_thinness": "bmi z < -3",
    "thinness": "bmi z < -2",
    "overweight": "bmi z > +1",
    "obesity": "bmi z > +2",
    "severe_stunting": "hfa z < -3",
    "stunting": "hfa z < -2",
}


def assess_older_child_visit(
    *,
    sex: str,
    date_of_birth: date,
    visit_date: date,
    findings: Mapping[str, object] | None = None,
    measurements: Mapping[str, object] | None = None,
    doses_received: Iterable[tuple[str, date]] = (),
    config: OlderChildConfig | None = None,
) -> dict[str, Any]:
    """Assess one home visit of a child of 5-17 years (see the module docstring)."""
    check_date(date_of_birth, "date_of_birth")
    check_date(visit_date, "visit_date")
    if visit_date < date_of_birth:
        raise ValueError(
            f"visit_date: {visit_date.isoformat()} is before date_of_birth {date_of_birth.isoformat()}"
        )
    if sex not in ("M", "F"):
        raise ValueError(f"sex: expected 'M' or 'F', got {sex!r}")
    cfg = DEFAULT_CONFIG if config is None else config
    if not isinstance(cfg, OlderChildConfig):
        raise ValueError(f"config: expected an OlderChildConfig, got {type(cfg).__name__}")
    months = completed_months(date_of_birth, visit_date)
    if not MIN_AGE_MONTHS <= months <= MAX_AGE_MONTHS:
        raise ValueError(
            f"date_of_birth: the child is {months} months old; this visit is for "
            f"{MIN_AGE_MONTHS}-{MAX_AGE_MONTHS} months (5-17 years)"
        )
    f = _normalise(findings or {})
    measurements = measurements or {}
    weight = _measure(measurements, "weight_kg")
    height = _measure(measurements, "length_or_height_cm")

    danger: list[str] = []
    reasons: list[dict[str, Any]] = []
    fever_days = f.get("fever_days")
    for code, spec in _RULES["danger_signs"].items():
        if code == "fever_7_days_or_more":
            if fever_days is not None and fever_days >= FEVER_DANGER_DAYS:
                danger.append(code)
                reasons.append(
                    _reason("OLDER.DANGER." + code.upper(), f"fever_days={fever_days}", ">= 7 days", spec)
                )
        elif f.get(code) is True:
            danger.append(code)
            reasons.append(_reason("OLDER.DANGER." + code.upper(), code, None, spec))

    classes: list[tuple[str, dict[str, Any]]] = []
    notes: list[dict[str, Any]] = []
    actions: list[str] = []

    def classify(code: str, finding: str, threshold: str | None = None) -> None:
        classes.append(
            (
                code,
                _reason("OLDER.CLASS." + code.upper(), finding, threshold, _RULES["classifications"][code]),
            )
        )

    def note(code: str, finding: str) -> None:
        notes.append(_reason("OLDER.NOTE." + code.upper(), finding, None, _RULES["notes"][code]))

    if danger:
        classify("danger_sign", danger[0])
    has_fever = f.get("fever") is True or bool(fever_days)
    if has_fever:
        rdt = f.get("rdt_result")
        if rdt == "positive":
            classify("malaria", "fever+rdt_positive")
            if cfg.chw_may_treat_at_home:
                actions.append("treat_at_home")
            else:
                actions.append("non_urgent_referral")
                note("treat_at_home_disabled", "chw_may_treat_at_home")
        elif rdt == "negative":
            classify("fever_rdt_negative", "fever+rdt_negative")
        else:
            classify("fever_no_rdt", "fever")
            actions.append("non_urgent_referral")
    cough_days = f.get("cough_days")
    long_cough = cough_days is not None and cough_days >= COUGH_TB_DAYS
    if long_cough or f.get("weight_loss") is True:
        finding = f"cough_days={cough_days}" if long_cough else "weight_loss"
        classify("tb_screening", finding, f">= {COUGH_TB_DAYS} days" if long_cough else None)
        actions.append("non_urgent_referral")

    # Growth: WHO 2007 reference (7.1), completed months, no interpolation.
    zscores: dict[str, dict[str, Any]] = {}
    growth_classes: dict[str, str | None] = {}
    if weight is not None or height is not None:
        oedema = f.get("bilateral_oedema") is True
        zscores = growth2007.zscores(
            sex=sex, age_months=months, weight_kg=weight, height_cm=height, oedema=oedema
        )
        for indicator in ("bmi", "lhfa"):
            score = zscores[indicator]
            if score["z"] is None:
                continue
            if score["flagged"]:
                note("remeasure", f"{indicator}_z")
                continue
            code = _growth_class(indicator, round(score["z"], 2))
            growth_classes[indicator] = code
            if code is not None:
                classify(code, f"{indicator}_z", _THRESHOLD[code])
                if code == "severe_thinness":
                    actions.append("non_urgent_referral")
        if months < growth2007.FIRST_MONTH:
            note("no_zscore_age", f"age_months={months}")

    if f.get("in_school") is False:
        note("not_in_school", "in_school=False")
    if f.get("sleeps_under_net") is False:
        note("no_net", "sleeps_under_net=False")
    due = [
        v.code
        for v in immunization.due_vaccines(
            date_of_birth=date_of_birth, on=visit_date, doses_received=doses_received
        )
        if v.status in ("due", "overdue")
    ]
    if due:
        note("vaccine_catch_up", "+".join(due))

    if danger:
        action = "urgent_referral"
    else:
        action = min([*actions, "advise_only"], key=ACTION_ORDER.index)
    problems = [code for code, _ in classes]
    if not problems:
        classify("no_finding", "none")
    follow_up: int | None = None
    if action == "treat_at_home":
        follow_up = cfg.treat_at_home_follow_up_days
    elif action != "urgent_referral" and (problems or any(".NO_ZSCORE_AGE" not in n["rule"] for n in notes)):
        follow_up = cfg.problem_follow_up_days
    reasons += [r for _, r in classes]
    reasons += notes
    reasons.append(_reason("OLDER.ACTION." + action.upper(), action, None, _RULES["actions"][action]))
    return {
        "age_days": (visit_date - date_of_birth).days,
        "age_months": months,
        "urgent_referral": action == "urgent_referral",
        "danger_signs": sorted(danger),
        "classifications": sorted({code for code, _ in classes}),
        "zscores": zscores,
        "growth_classes": growth_classes,
        "schooling": {"in_school": f.get("in_school"), "level": f.get("school_level")},
        "sleeps_under_net": f.get("sleeps_under_net"),
        "vaccines_due": due,
        "action": action,
        "follow_up_days": follow_up,
        "reasons": reasons,
        "rules_version": RULES_VERSION,
        "engine_version": ENGINE_VERSION,
    }
