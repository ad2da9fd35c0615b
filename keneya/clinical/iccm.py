"""Sick child 0-59 months at community level: iCCM with IMCI thresholds.

Sources (clinical-rules.md v1, sections 0, 1.2-1.7): WHO/UNICEF 2011 *Caring for the sick child
in the community* (S1), WHO IMCI chart booklet 2014 (S2), WHO/UNICEF 2009 SAM statement (S3),
WHO PSBI guideline 2015 (S4), WHO postnatal care recommendations 2013 (S5), Mali SEC (S6).
Thresholds, vocabulary, French texts and sources: ``data/iccm_rules.json``
(``ICCM_RULES_VERSION``); MUAC cut-offs come from ``data/nutrition_rules.json``.

``classify_sick_child`` applies the combined rule of spec 1.5:

- age_months >= 60: ``{age_out_of_scope}``, no urgent referral, ``action`` ``advise_only``.
- young infant (age_days <= 59): any sign of table 1.6 -> ``danger_sign`` + urgent referral;
  local bacterial infection only -> ``non_urgent_referral``; else ``advise_only``.
- child 2-59 months: every label of 1.3/1.4 is kept even when a danger sign is present;
  ``urgent_referral`` if any danger sign, else ``treat_at_home`` (fast_breathing, malaria,
  diarrhoea; 3-day follow-up), else ``advise_only``. When the cadre may not treat at home
  (``IccmConfig.chw_may_treat_at_home=False``) ``treat_at_home`` becomes ``non_urgent_referral``.
- ``fast_breathing`` needs the rate at or above the threshold and no chest indrawing (spec
  1.4/1.5 corrected): chest indrawing is the danger sign.
- an urgent referral names the pre-referral treatment of S1 (``pre_referral``: first dose of
  amoxicillin, ORS, first dose of ACT, rectal artesunate) or says the CSCom protocol applies.

Findings are a mapping of the keys in ``FINDINGS`` (a missing key or None means "not
observed"); an unknown key, a wrong type, an implausible value or two findings that contradict
each other raise ValueError naming the field, because a typo must never drop a danger sign.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from keneya.clinical import ENGINE_VERSION
from keneya.clinical.ages import (
    CHILD_2_11M,
    CHILD_12_59M,
    OUT_OF_SCOPE,
    OUT_OF_SCOPE_MIN_MONTHS,
    YOUNG_INFANT,
    band_for,
    check_date,
    completed_months,
)
from keneya.clinical.nutrition import (
    MUAC_MIN_AGE_MONTHS,
    MUAC_PLAUSIBLE_MAX_MM,
    MUAC_PLAUSIBLE_MIN_MM,
    MUAC_RED_BELOW_MM,
    MUAC_YELLOW_BELOW_MM,
)
from keneya.clinical.reasons import Reason

_RULES: dict[str, Any] = json.loads((Path(__file__).parent / "data" / "iccm_rules.json").read_text("utf-8"))
ICCM_RULES_VERSION: str = _RULES["version"]
_CITATIONS: dict[str, str] = _RULES["citations"]  # short form of each source, for reasons

# Fast breathing, inclusive, breaths/min over one full minute (S1, S2, S4, S5) [H].
FAST_BREATHING_PER_MIN: dict[str, int] = {
    band: spec["value"] for band, spec in _RULES["fast_breathing_per_min"].items()
}
# Child 2-59 months: fever = reported, or axillary temperature >= 37.5 C (IMCI 2014) [H].
CHILD_FEVER_C: float = _RULES["child_fever_c"]["value"]
# Danger: cough >= 14 days, diarrhoea >= 14 days, fever >= 7 days, all inclusive (S1) [H].
COUGH_DANGER_DAYS: int = _RULES["cough_danger_days"]["value"]
DIARRHOEA_DANGER_DAYS: int = _RULES["diarrhoea_danger_days"]["value"]
FEVER_DANGER_DAYS: int = _RULES["fever_danger_days"]["value"]
# Young infant low temperature: < 35.5 C, exclusive (S2, S4, S5) [H].
YOUNG_INFANT_LOW_TEMPERATURE_C: float = _RULES["young_infant_low_temperature_below_c"]["value"]
# Follow-up after home treatment: 3 days (S1) [H].
TREAT_AT_HOME_FOLLOW_UP_DAYS: int = _RULES["treat_at_home_follow_up_days"]["value"]
_CONF = _RULES["configurable"]
_PLAUSIBLE = _RULES["plausibility"]

AGE_BANDS = (YOUNG_INFANT, CHILD_2_11M, CHILD_12_59M, OUT_OF_SCOPE)
CHILD_DANGER_SIGNS: tuple[str, ...] = tuple(_RULES["danger_signs"]["child_2_59m"])
YOUNG_INFANT_DANGER_SIGNS: tuple[str, ...] = tuple(_RULES["danger_signs"]["young_infant_0_59d"])
CLASSIFICATIONS: tuple[str, ...] = tuple(_RULES["classifications"])
ACTIONS: tuple[str, ...] = tuple(_RULES["actions"])
FINDINGS: tuple[str, ...] = tuple(_RULES["findings"])
ALIASES: dict[str, str] = {k: v["to"] for k, v in _RULES["aliases"].items() if k != "note"}
# Urgency order, lowest first; a property test checks that a danger sign never lowers it.
ACTION_URGENCY: dict[str | None, int] = {
    None: 0,
    "advise_only": 1,
    "treat_at_home": 2,
    "non_urgent_referral": 3,
    "urgent_referral": 4,
}
_HOME_TREATED = frozenset({"fast_breathing", "malaria", "diarrhoea"})


def _default(name: str) -> Any:
    return _CONF[name]["default"]


@dataclass(frozen=True, slots=True)
class IccmConfig:
    """Settings per CHW cadre and the [U] rules of the spec (defaults in iccm_rules.json)."""

    # Mali SEC: ASCs treat at home; urban relais may not dispense (spec 1.4) [M].
    chw_may_treat_at_home: bool = _default("chw_may_treat_at_home")
    # Young-infant fever: 37.5 C (IMCI 2014, PNC 2013) or 38.0 C (PSBI 2015) [U].
    young_infant_fever_c: float = _default("young_infant_fever_c")
    # Follow-up of MAM and of RDT-negative fever without home treatment [U]; None = no visit.
    mam_follow_up_days: int | None = _default("mam_follow_up_days")
    fever_rdt_negative_follow_up_days: int | None = _default("fever_rdt_negative_follow_up_days")

    def __post_init__(self) -> None:
        if not isinstance(self.chw_may_treat_at_home, bool):
            raise ValueError("chw_may_treat_at_home: expected True or False")
        t = self.young_infant_fever_c
        if isinstance(t, bool) or not isinstance(t, int | float) or not 36.0 <= t <= 40.0:
            raise ValueError(f"young_infant_fever_c: expected 36.0-40.0 C, got {t!r}")
        for name in ("mam_follow_up_days", "fever_rdt_negative_follow_up_days"):
            v = getattr(self, name)
            if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 1):
                raise ValueError(f"{name}: expected None or an integer >= 1, got {v!r}")


DEFAULT_CONFIG = IccmConfig()


@dataclass(frozen=True, slots=True)
class SickChildAssessment:
    age_days: int
    age_months: int
    age_band: str  # one of AGE_BANDS
    fast_breathing_threshold: int | None  # breaths/min, inclusive; None when out of scope
    urgent_referral: bool
    danger_signs: frozenset[str]  # codes of table 1.3 (child) or 1.6 (young infant)
    classifications: frozenset[str]  # codes of CLASSIFICATIONS (never empty)
    action: str  # one of ACTIONS (advise_only when out of scope, spec 1.5 corrected)
    follow_up_days: int | None
    reasons: tuple[Reason, ...]  # danger signs, classifications, notes, then the action
    # Findings given (positive) that the rules for this age band do not use.
    ignored_findings: frozenset[str] = field(default_factory=frozenset)
    # Urgent referral: the pre-referral treatment named (data pre_referral.order), or "none",
    # "not_dispensing", "young_infant"; empty when there is no urgent referral (spec 1.4, S1).
    pre_referral: tuple[str, ...] = ()


def assessment_as_dict(a: SickChildAssessment) -> dict[str, Any]:
    """JSON-ready form for the API and the tablet (sets become sorted lists)."""
    return {
        "age_days": a.age_days,
        "age_months": a.age_months,
        "age_band": a.age_band,
        "fast_breathing_threshold": a.fast_breathing_threshold,
        "urgent_referral": a.urgent_referral,
        "danger_signs": sorted(a.danger_signs),
        "classifications": sorted(a.classifications),
        "action": a.action,
        "follow_up_days": a.follow_up_days,
        "reasons": [r.as_dict() for r in a.reasons],
        "ignored_findings": sorted(a.ignored_findings),
        "pre_referral": list(a.pre_referral),
        "rules_version": ICCM_RULES_VERSION,
        "engine_version": ENGINE_VERSION,
    }


# --- findings: validation and normalisation -------------------------------------------------

_BOOL, _INT, _NUM, _ENUM = "bool", "int", "number", "enum"
_BOUNDS: dict[str, tuple[float, float]] = {
    key: (_PLAUSIBLE[key]["min"], _PLAUSIBLE[key]["max"]) for key in ("respiratory_rate", "temperature_c")
}
_BOUNDS["muac_mm"] = (MUAC_PLAUSIBLE_MIN_MM, MUAC_PLAUSIBLE_MAX_MM)
_DAYS_MIN = _PLAUSIBLE["days"]["min"]

# key -> (canonical key, kind, bounds, allowed values or bool->value map)
_SPECS: dict[str, tuple[str, str, tuple[float, float] | None, Any]] = {}
for _key, _spec in _RULES["findings"].items():
    _bounds = _BOUNDS.get(_key, (_DAYS_MIN, math.inf) if _key.endswith("_days") else None)
    _SPECS[_key] = (_key, _spec["type"], _bounds, frozenset(_spec.get("values", ())))
for _key, _alias in _RULES["aliases"].items():
    if _key == "note":
        continue
    _canonical, _kind, _bounds, _values = _SPECS[_alias["to"]]
    if "true" in _alias:  # a yes/no spelling of an enumerated finding
        _yes_no = {True: _alias["true"], False: _alias["false"]}
        _SPECS[_key] = (_canonical, "bool_enum", None, _yes_no)
    else:
        _SPECS[_key] = (_canonical, _kind, _bounds, _values)

_BAND_KEYS = {
    "child": frozenset(k for k, s in _RULES["findings"].items() if s["band"] in ("child", "both")),
    "young_infant": frozenset(
        k for k, s in _RULES["findings"].items() if s["band"] in ("young_infant", "both")
    ),
}
_SAME_SIGN = _RULES["same_sign_across_bands"]


def _normalise(findings: Mapping[str, object]) -> dict[str, Any]:
    """Canonical key -> checked value; None values are dropped (not observed)."""
    if not isinstance(findings, Mapping):
        raise ValueError(f"findings: expected a mapping, got {type(findings).__name__}")
    out: dict[str, Any] = {}
    for key, value in findings.items():
        spec = _SPECS.get(key)  # type: ignore[arg-type]
        if spec is None:
            raise ValueError(f"findings: unknown finding {key!r} (see iccm.FINDINGS)")
        if value is None:
            continue
        canonical, kind, bounds, extra = spec
        if kind == _BOOL:
            if value is not True and value is not False:
                raise ValueError(f"{key}: expected True or False, got {value!r}")
        elif kind == _INT or kind == _NUM:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{key}: expected a number, got {value!r}")
            if kind == _INT:
                if isinstance(value, float):
                    if not value.is_integer():
                        raise ValueError(f"{key}: expected a whole number, got {value!r}")
                    value = int(value)
            elif not math.isfinite(value):
                raise ValueError(f"{key}: expected a finite number, got {value!r}")
            lo, hi = bounds  # type: ignore[misc]
            if not lo <= value <= hi:
                raise ValueError(f"{key}: {value} is outside the plausible range {lo}-{hi}")
        elif kind == _ENUM:
            if value not in extra:
                raise ValueError(f"{key}: expected one of {sorted(extra)}, got {value!r}")
        else:  # bool_enum
            if value is not True and value is not False:
                raise ValueError(f"{key}: expected True or False, got {value!r}")
            value = extra[value]
        previous = out.get(canonical)
        if previous is not None and previous != value:
            raise ValueError(f"{key}: {value!r} contradicts {canonical}={previous!r}")
        out[canonical] = value
    return out


def _positive(f: dict[str, Any]) -> set[str]:
    return {k for k, v in f.items() if v is not False}


# --- reasons --------------------------------------------------------------------------------


def _cite(source: str) -> str:
    """'S1, S2' -> the short citations of S1 and S2 (a free-text source is kept as it is)."""
    parts = [p.strip() for p in source.split(",")]
    if all(p in _CITATIONS for p in parts):
        return "; ".join(_CITATIONS[p] for p in parts)
    return source


def _reason_from(rule: str, finding: str, threshold: str | None, spec: Mapping[str, str]) -> Reason:
    return Reason(
        rule=rule, finding=finding, threshold=threshold, source=_cite(spec["source"]), text_fr=spec["text_fr"]
    )


_DANGER_SPECS = {
    "child": _RULES["danger_signs"]["child_2_59m"],
    "young_infant": _RULES["danger_signs"]["young_infant_0_59d"],
}
_CLASS_SPECS = _RULES["classifications"]
_PRE = _RULES["pre_referral"]
_ACTION_SPECS = _RULES["actions"]
_CACHE: dict[tuple[str, str, str, str | None], Reason] = {}


def _danger_reason(band: str, code: str, finding: str, threshold: str | None = None) -> Reason:
    key = ("D", band, code + "|" + finding, threshold)
    reason = _CACHE.get(key)
    if reason is None:
        prefix = "ICCM.YI.DANGER." if band == "young_infant" else "ICCM.DANGER."
        reason = _reason_from(prefix + code.upper(), finding, threshold, _DANGER_SPECS[band][code])
        if len(_CACHE) < 4096:  # only yes/no findings repeat; measured values are bounded too
            _CACHE[key] = reason
    return reason


def _static(rule: str, finding: str, threshold: str | None, spec: Mapping[str, str]) -> Reason:
    key = ("S", rule, finding, threshold)
    reason = _CACHE.get(key)
    if reason is None:
        reason = _reason_from(rule, finding, threshold, spec)
        if len(_CACHE) < 4096:
            _CACHE[key] = reason
    return reason


def _class_reason(code: str, finding: str, threshold: str | None = None) -> Reason:
    return _static("ICCM.CLASS." + code.upper(), finding, threshold, _CLASS_SPECS[code])


def _action_reason(action: str) -> Reason:
    return _static("ICCM.ACTION." + action.upper(), action, None, _ACTION_SPECS[action])


# --- the two algorithms ---------------------------------------------------------------------


def _duration(name: str, flag_key: str, f: dict[str, Any], limit: int) -> tuple[bool, bool, str]:
    """(present, long, finding) for cough / diarrhoea / fever, their day counts and the
    danger-sign flag itself; contradictions raise ValueError."""
    days_key = f"{name}_days"
    present, days, flag = f.get(name), f.get(days_key), f.get(flag_key)
    if present is False and (days or flag):
        bad = days_key if days else flag_key
        raise ValueError(f"{bad}: {f[bad]!r} contradicts {name}=False")
    if flag is not None and days is not None and (days >= limit) is not flag:
        raise ValueError(f"{flag_key}: {flag!r} contradicts {days_key}={days}")
    long = flag if flag is not None else (days is not None and days >= limit)
    finding = f"{days_key}={days}" if days is not None else flag_key
    return present is True or bool(days) or long, long, finding


def _sign(f: dict[str, Any], code: str, band: str) -> str | None:
    """The key that records this yes/no sign (its own, or the other band's wording), if any."""
    if f.get(code):
        return code
    for other, same in _SAME_SIGN[band].items():
        if same == code and f.get(other):
            return other
    return None


def _child(f: dict[str, Any], band: str, months: int, cfg: IccmConfig):
    threshold = FAST_BREATHING_PER_MIN[band]
    danger: list[tuple[str, Reason]] = []
    ignored = _positive(f) - _BAND_KEYS["child"]

    has_cough, cough_long, cough_finding = _duration("cough", "cough_14_days_or_more", f, COUGH_DANGER_DAYS)
    has_diarrhoea, diarrhoea_long, diarrhoea_finding = _duration(
        "diarrhoea", "diarrhoea_14_days_or_more", f, DIARRHOEA_DANGER_DAYS
    )
    reported_fever, fever_long, fever_finding = _duration(
        "fever", "fever_7_days_or_more", f, FEVER_DANGER_DAYS
    )
    temperature = f.get("temperature_c")
    hot = temperature is not None and temperature >= CHILD_FEVER_C
    has_fever = reported_fever or hot
    blood = f.get("blood_in_stool") is True
    oedema = f.get("bilateral_oedema") is True

    muac = f.get("muac_mm")
    muac_flag = f.get("muac_red")
    muac_red = False
    if months >= MUAC_MIN_AGE_MONTHS:
        if muac is not None:
            muac_red = muac < MUAC_RED_BELOW_MM
            if muac_flag is not None and muac_flag is not muac_red:
                raise ValueError(f"muac_red: {muac_flag!r} contradicts muac_mm={muac}")
        else:
            muac_red = muac_flag is True
    else:  # MUAC colours apply from 6 months only (S1, S3)
        ignored |= {k for k in ("muac_mm", "muac_red") if k in f and f[k] is not False}
        muac = None

    for code in CHILD_DANGER_SIGNS:
        if code == "cough_14_days_or_more":
            if cough_long:
                danger.append(
                    (code, _danger_reason("child", code, cough_finding, f">= {COUGH_DANGER_DAYS} days"))
                )
        elif code == "diarrhoea_14_days_or_more":
            if diarrhoea_long:
                danger.append(
                    (
                        code,
                        _danger_reason("child", code, diarrhoea_finding, f">= {DIARRHOEA_DANGER_DAYS} days"),
                    )
                )
        elif code == "fever_7_days_or_more":
            if fever_long:
                danger.append(
                    (code, _danger_reason("child", code, fever_finding, f">= {FEVER_DANGER_DAYS} days"))
                )
        elif code == "muac_red":
            if muac_red:
                finding = f"muac_mm={muac}" if muac is not None else "muac_red"
                danger.append((code, _danger_reason("child", code, finding, f"< {MUAC_RED_BELOW_MM} mm")))
        else:
            key = _sign(f, code, "child")
            if key is not None:
                danger.append((code, _danger_reason("child", code, key)))

    classes: list[tuple[str, Reason]] = []
    rr = f.get("respiratory_rate")
    breathing_problem = has_cough or f.get("difficult_breathing") is True
    rr_fast = breathing_problem and rr is not None and rr >= threshold
    indrawing = _sign(f, "chest_indrawing", "child")
    # Spec 1.4/1.5 (corrected): fast_breathing needs the rate at or above the threshold AND no
    # chest indrawing; chest indrawing is itself the danger sign (iCCM "severe pneumonia").
    if rr_fast and indrawing is None:
        classes.append(
            (
                "fast_breathing",
                _class_reason("fast_breathing", f"respiratory_rate={rr}", f">= {threshold} /min"),
            )
        )
    if muac_red or oedema:
        finding = "bilateral_oedema" if oedema else (f"muac_mm={muac}" if muac is not None else "muac_red")
        classes.append(
            (
                "severe_acute_malnutrition",
                _class_reason(
                    "severe_acute_malnutrition", finding, None if oedema else f"< {MUAC_RED_BELOW_MM} mm"
                ),
            )
        )
    elif muac is not None and muac < MUAC_YELLOW_BELOW_MM:
        classes.append(
            (
                "moderate_acute_malnutrition",
                _class_reason(
                    "moderate_acute_malnutrition",
                    f"muac_mm={muac}",
                    f">= {MUAC_RED_BELOW_MM} and < {MUAC_YELLOW_BELOW_MM} mm",
                ),
            )
        )
    notes: list[Reason] = []
    if has_fever:
        rdt = f.get("rdt_result")
        seen = f"temperature_c={temperature}" if hot and not reported_fever else "fever"
        if rdt == "positive":
            classes.append(("malaria", _class_reason("malaria", seen + "+rdt_positive")))
        elif rdt == "negative":
            classes.append(
                ("fever_rdt_negative", _class_reason("fever_rdt_negative", seen + "+rdt_negative"))
            )
        else:
            notes.append(
                _static(
                    "ICCM.FEVER.RDT_REQUIRED",
                    seen,
                    f">= {CHILD_FEVER_C} C or reported",
                    _RULES["fever_needs_rdt"],
                )
            )
    if has_diarrhoea and not diarrhoea_long and not blood:
        finding = diarrhoea_finding if "diarrhoea_days" in f else "diarrhoea"
        classes.append(("diarrhoea", _class_reason("diarrhoea", finding, f"< {DIARRHOEA_DANGER_DAYS} days")))
    if diarrhoea_long:
        classes.append(
            (
                "persistent_diarrhoea",
                _class_reason("persistent_diarrhoea", diarrhoea_finding, f">= {DIARRHOEA_DANGER_DAYS} days"),
            )
        )
    if blood:
        classes.append(("dysentery", _class_reason("dysentery", "blood_in_stool")))

    codes = {code for code, _ in classes}
    if danger:
        action = "urgent_referral"
    elif codes & _HOME_TREATED:
        action = "treat_at_home" if cfg.chw_may_treat_at_home else "non_urgent_referral"
        if not cfg.chw_may_treat_at_home:
            notes.append(
                _static(
                    "ICCM.CONFIG.TREAT_AT_HOME_DISABLED",
                    "chw_may_treat_at_home",
                    None,
                    _RULES["treat_at_home_disabled"],
                )
            )
    else:
        action = "advise_only"
    follow_up = None
    if action != "urgent_referral":
        options = []
        if action == "treat_at_home":
            options.append(TREAT_AT_HOME_FOLLOW_UP_DAYS)
        if "moderate_acute_malnutrition" in codes and cfg.mam_follow_up_days:
            options.append(cfg.mam_follow_up_days)
        if "fever_rdt_negative" in codes and cfg.fever_rdt_negative_follow_up_days:
            options.append(cfg.fever_rdt_negative_follow_up_days)
        follow_up = min(options) if options else None
    pre = (
        _pre_referral(
            f,
            cfg,
            diarrhoea=has_diarrhoea,
            breathing=(indrawing, f"respiratory_rate={rr}" if rr_fast else None),
            fever=(has_fever, "fever" if reported_fever else f"temperature_c={temperature}"),
        )
        if danger
        else []
    )
    return danger, classes, notes, action, follow_up, ignored, pre


def _pre_referral(
    f: dict[str, Any],
    cfg: IccmConfig,
    *,
    diarrhoea: bool,
    breathing: tuple[str | None, str | None],
    fever: tuple[bool, str],
) -> list[tuple[str, Reason]]:
    """The first doses S1 gives before an urgent referral (spec 1.4), named; or "none"."""
    oral_blocked = [k for k in _PRE["cannot_take_oral_if"] if _sign(f, k, "child")]
    indrawing, fast = breathing
    has_fever, fever_finding = fever
    found: dict[str, tuple[str, str | None]] = {}  # code -> (finding, threshold)
    if diarrhoea and not oral_blocked:
        found["ors"] = ("diarrhoea", None)
    if (indrawing or fast) and not oral_blocked:
        found["amoxicillin_first_dose"] = (indrawing or fast or "", None)
    if has_fever and f.get("rdt_result") == "positive" and not oral_blocked:
        found["act_first_dose"] = (fever_finding + "+rdt_positive", None)
    if has_fever and oral_blocked:
        found["rectal_artesunate"] = (fever_finding + "+" + oral_blocked[0], None)
    out: list[tuple[str, Reason]] = []
    withheld = False
    for code in _PRE["order"]:
        if code not in found:
            continue
        if code in _PRE["medicines"] and not cfg.chw_may_treat_at_home:
            withheld = True
            continue
        finding, threshold = found[code]
        out.append((code, _pre_reason(code, finding)))
    if withheld:
        out.append(("not_dispensing", _pre_reason("not_dispensing", "chw_may_treat_at_home")))
    if not out:
        out.append(("none", _pre_reason("none", "none")))
    return out


def _pre_reason(code: str, finding: str) -> Reason:
    return _static("ICCM.PRE_REFERRAL." + code.upper(), finding, None, _PRE["treatments"][code])


def _young_infant(f: dict[str, Any], cfg: IccmConfig):
    danger: list[tuple[str, Reason]] = []
    ignored = _positive(f) - _BAND_KEYS["young_infant"]
    rr = f.get("respiratory_rate")
    temperature = f.get("temperature_c")
    measured = {  # None: not measured
        "fast_breathing_60": None if rr is None else rr >= FAST_BREATHING_PER_MIN[YOUNG_INFANT],
        "fever_37_5": None if temperature is None else temperature >= cfg.young_infant_fever_c,
        "low_temperature_35_5": None if temperature is None else temperature < YOUNG_INFANT_LOW_TEMPERATURE_C,
    }
    thresholds = {
        "fast_breathing_60": (f"respiratory_rate={rr}", f">= {FAST_BREATHING_PER_MIN[YOUNG_INFANT]} /min"),
        "fever_37_5": (f"temperature_c={temperature}", f">= {cfg.young_infant_fever_c} C"),
        "low_temperature_35_5": (f"temperature_c={temperature}", f"< {YOUNG_INFANT_LOW_TEMPERATURE_C} C"),
    }
    for code in YOUNG_INFANT_DANGER_SIGNS:
        if code in measured:
            flag, value = f.get(code), measured[code]
            if flag is not None and value is not None and flag is not value:
                raise ValueError(f"{code}: {flag!r} contradicts {thresholds[code][0]}")
            if value:
                finding, threshold = thresholds[code]
                danger.append((code, _danger_reason("young_infant", code, finding, threshold)))
            elif flag and value is None:
                danger.append((code, _danger_reason("young_infant", code, code)))
        elif code == "jaundice_severe":
            parts = [k for k in ("jaundice_first_24h", "yellow_palms_or_soles") if f.get(k)]
            if parts and f.get(code) is False:
                raise ValueError(f"jaundice_severe: False contradicts {parts[0]}=True")
            if parts or f.get(code):
                danger.append((code, _danger_reason("young_infant", code, parts[0] if parts else code)))
        else:
            key = _sign(f, code, "young_infant")
            if key is not None:
                danger.append((code, _danger_reason("young_infant", code, key)))

    classes: list[tuple[str, Reason]] = []
    if danger:
        classes.append(("danger_sign", _class_reason("danger_sign", danger[0][0])))
    local = [k for k in ("umbilicus_red_or_draining_pus", "skin_pustules") if f.get(k)]
    if local:
        classes.append(
            ("local_bacterial_infection", _class_reason("local_bacterial_infection", "+".join(local)))
        )
    action = "urgent_referral" if danger else "non_urgent_referral" if local else "advise_only"
    pre = [("young_infant", _pre_reason("young_infant", danger[0][0]))] if danger else []
    return danger, classes, [], action, None, ignored, pre


def classify_sick_child(
    *,
    date_of_birth: date,
    visit_date: date,
    findings: Mapping[str, object],
    config: IccmConfig | None = None,
) -> SickChildAssessment:
    """Classify a sick child at a CHW visit (spec 1.5). See the module docstring."""
    check_date(date_of_birth, "date_of_birth")
    check_date(visit_date, "visit_date")
    days = (visit_date - date_of_birth).days
    if days < 0:
        raise ValueError(
            f"visit_date: {visit_date.isoformat()} is before date_of_birth {date_of_birth.isoformat()}"
        )
    months = completed_months(date_of_birth, visit_date)
    cfg = DEFAULT_CONFIG if config is None else config
    if not isinstance(cfg, IccmConfig):
        raise ValueError(f"config: expected an IccmConfig, got {type(cfg).__name__}")
    f = _normalise(findings)
    band = band_for(days, months)

    if band == OUT_OF_SCOPE:
        ignored = frozenset(_positive(f))
        reasons = [
            _class_reason("age_out_of_scope", f"age_months={months}", f">= {OUT_OF_SCOPE_MIN_MONTHS} months")
        ]
        if ignored:
            reasons.append(
                _static(
                    "ICCM.AGE.NOT_APPLIED",
                    "+".join(sorted(ignored)),
                    None,
                    _RULES["not_applied_out_of_scope"],
                )
            )
        # Spec 1.5 (corrected): the action is always one of 1.7's, advise_only here.
        reasons.append(_action_reason("advise_only"))
        return SickChildAssessment(
            days,
            months,
            band,
            None,
            False,
            frozenset(),
            frozenset({"age_out_of_scope"}),
            "advise_only",
            None,
            tuple(reasons),
            ignored,
        )

    if band == YOUNG_INFANT:
        danger, classes, notes, action, follow_up, ignored, pre = _young_infant(f, cfg)
    else:
        danger, classes, notes, action, follow_up, ignored, pre = _child(f, band, months, cfg)
        if danger:
            classes.insert(0, ("danger_sign", _class_reason("danger_sign", danger[0][0])))
    if not classes:
        classes.append(("no_finding", _class_reason("no_finding", "none")))
    reasons = [r for _, r in danger]
    reasons += [r for _, r in classes]
    reasons += notes
    reasons.append(_action_reason(action))
    reasons += [r for _, r in pre]
    return SickChildAssessment(
        age_days=days,
        age_months=months,
        age_band=band,
        fast_breathing_threshold=FAST_BREATHING_PER_MIN[band],
        urgent_referral=bool(danger),
        danger_signs=frozenset(code for code, _ in danger),
        classifications=frozenset(code for code, _ in classes),
        action=action,
        follow_up_days=follow_up,
        reasons=tuple(reasons),
        ignored_findings=frozenset(ignored),
        pre_referral=tuple(code for code, _ in pre),
    )
