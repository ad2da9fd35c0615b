"""One home visit, assessed: the function the server runs on every visit and the tablet mirrors.

``assess_home_visit`` combines the modules of the engine for the four kinds of visit:

- ``sick_child``: iCCM/IMCI classification (``iccm``), plus z-scores and nutrition when
  measured;
- ``child_followup``: z-scores and nutrition (``growth``, ``nutrition``), plus the iCCM danger
  signs when any sign was looked for;
- ``pregnancy``: danger signs in pregnancy and the gestational age (``pregnancy``);
- ``postnatal``: the newborn's danger signs (0-59 days) or the mother's postpartum signs;
- ``older_child_followup``: a child of 5-17 years (``older_child``: urgent signs, fever, long
  cough, WHO 2007 BMI- and height-for-age, schooling, catch-up doses).

It returns JSON-ready data (what the API stores and returns, and what the tablet shows): the
action with its urgency, follow-up days, danger signs, classifications, z-scores, nutrition
class and the reasons. Pure: the visit date is a parameter, nothing is read from a clock.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from keneya.clinical import ENGINE_VERSION, growth, iccm, nutrition, older_child, pregnancy
from keneya.clinical.ages import YOUNG_INFANT_MAX_DAYS, age_days, age_months

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")  # strict: fromisoformat alone accepts 20250301
KINDS = ("child_followup", "sick_child", "pregnancy", "postnatal", "older_child_followup")
OLDER_CHILD_KIND = "older_child_followup"  # 5-17 years, clinical-rules.md 7 (older_child)
MEASUREMENT_KEYS = (
    "weight_kg",
    "length_or_height_cm",
    "measured_position",
    "muac_mm",
    "head_circumference_cm",
    "lmp",
    "edd",
)

# How serious an action is; the visit's action is the most serious one found.
ACTION_RANK = {
    "urgent_referral": 0,
    "non_urgent_referral": 1,
    "same_day_visit": 2,
    "outpatient_rutf": 3,
    "treat_at_home": 4,
    "supplementary_feeding": 5,
    "advise_only": 6,
    "routine_care": 7,
}
# Under-5 growth standards and the nutrition rules stop at 60 months (WHO 2006; spec 1.8).
UNDER_FIVE_MONTHS = 60
# Acute malnutrition classes of spec 1.8 mapped to the iCCM vocabulary of spec 1.7.
ACUTE_TO_CLASSIFICATION = {
    "complicated_sam": "severe_acute_malnutrition",
    "uncomplicated_sam": "severe_acute_malnutrition",
    "sam": "severe_acute_malnutrition",
    "mam": "moderate_acute_malnutrition",
}


def _age(date_of_birth: date, visit_date: date) -> tuple[int, int]:
    if isinstance(visit_date, date) and isinstance(date_of_birth, date) and visit_date < date_of_birth:
        raise ValueError(
            f"visit_date: {visit_date.isoformat()} is before date_of_birth {date_of_birth.isoformat()}"
        )
    return age_days(date_of_birth, visit_date), age_months(date_of_birth, visit_date)


def _date(value: object, field: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"{field}: expected a date YYYY-MM-DD, got {value!r}")


def _number(measurements: Mapping[str, object], key: str) -> float | None:
    value = measurements.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{key}: expected a number, got {value!r}")
    return float(value)


def _growth_part(
    *,
    sex: str,
    age_days: int,
    age_months: int,
    measurements: Mapping[str, object],
    oedema: bool,
    danger: bool,
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    weight = _number(measurements, "weight_kg")
    height = _number(measurements, "length_or_height_cm")
    muac = _number(measurements, "muac_mm")
    head = _number(measurements, "head_circumference_cm")
    position = measurements.get("measured_position")
    if position is not None and position not in ("L", "H"):
        raise ValueError(f"measured_position: expected 'L' or 'H', got {position!r}")
    if weight is None and height is None and muac is None and head is None:
        return {}, None
    zs = growth.zscores(
        sex=sex,
        age_days=age_days,
        weight_kg=weight,
        length_or_height_cm=height,
        measured_position=position,  # type: ignore[arg-type]
        muac_mm=muac,
        head_circumference_cm=head,
        oedema=oedema,
    )
    zscores = {k: {"z": v.z, "flagged": v.flagged, "reason": v.reason} for k, v in zs.items()}
    if age_months >= UNDER_FIVE_MONTHS:
        return zscores, None

    def usable(key: str) -> float | None:
        z = zs[key]
        return z.z if z.z is not None and not z.flagged else None

    nut = nutrition.assess_nutrition(
        age_months=age_months,
        whz=usable("wflh"),
        muac_mm=muac,
        bilateral_oedema=oedema,
        general_danger_sign=danger,
        haz=usable("lhfa"),
        waz=usable("wfa"),
    )
    return zscores, nut.as_dict()


def _most_serious(actions: list[str]) -> str:
    return min(actions, key=lambda a: ACTION_RANK.get(a, len(ACTION_RANK)))


def assess_home_visit(
    *,
    kind: str,
    sex: str,
    date_of_birth: date,
    visit_date: date,
    findings: Mapping[str, object] | None = None,
    measurements: Mapping[str, object] | None = None,
    iccm_config: iccm.IccmConfig | None = None,
) -> dict[str, Any]:
    """Assess one visit. Invalid input raises ValueError naming the field."""
    if kind not in KINDS:
        raise ValueError(f"kind: expected one of {KINDS}, got {kind!r}")
    if sex not in ("M", "F"):
        raise ValueError(f"sex: expected 'M' or 'F', got {sex!r}")
    findings = dict(findings or {})
    measurements = dict(measurements or {})
    unknown = set(measurements) - set(MEASUREMENT_KEYS)
    if unknown:
        raise ValueError(f"measurements: unknown key {sorted(unknown)[0]!r} (expected {MEASUREMENT_KEYS})")
    age_days, age_months = _age(date_of_birth, visit_date)
    if kind == OLDER_CHILD_KIND:
        older = older_child.assess_older_child_visit(
            sex=sex,
            date_of_birth=date_of_birth,
            visit_date=visit_date,
            findings=findings,
            measurements=measurements,
        )
        older.pop("rules_version")
        done: dict[str, Any] = {"kind": kind, **older, "nutrition": None}
        done["summary_fr"] = summary_fr(done)
        return done
    result: dict[str, Any] = {
        "kind": kind,
        "engine_version": ENGINE_VERSION,
        "age_days": age_days,
        "age_months": age_months,
        "urgent_referral": False,
        "danger_signs": [],
        "classifications": [],
        "zscores": {},
        "nutrition": None,
        "follow_up_days": None,
        "pre_referral": [],  # sick child: the pre-referral treatment named (iccm)
    }
    actions: list[str] = []
    reasons: list[dict[str, Any]] = []
    follow_ups: list[int] = []

    if kind in ("sick_child", "child_followup"):
        sick = None
        iccm_findings = dict(findings)
        measured_muac = measurements.get("muac_mm")
        if measured_muac not in (None, "") and iccm_findings.get("muac_mm") is None:
            # A MUAC finding wins; a null finding must not hide the measured MUAC.
            iccm_findings["muac_mm"] = measured_muac
        if kind == "sick_child" or findings:
            sick = iccm.classify_sick_child(
                date_of_birth=date_of_birth, visit_date=visit_date, findings=iccm_findings, config=iccm_config
            )
            data = iccm.assessment_as_dict(sick)
            result.update(
                age_band=data["age_band"], fast_breathing_threshold=data["fast_breathing_threshold"]
            )
            result["danger_signs"] = data["danger_signs"]
            result["pre_referral"] = data["pre_referral"]
            result["classifications"] = [
                c for c in data["classifications"] if c != "age_out_of_scope" or kind == "sick_child"
            ]
            if data["action"]:
                actions.append(data["action"])
            if data["follow_up_days"]:
                follow_ups.append(data["follow_up_days"])
            reasons += data["reasons"]
        oedema = findings.get("bilateral_oedema") is True
        zscores, nut = _growth_part(
            sex=sex,
            age_days=age_days,
            age_months=age_months,
            measurements=measurements,
            oedema=oedema,
            danger=bool(sick and sick.urgent_referral),
        )
        result["zscores"], result["nutrition"] = zscores, nut
        if nut is not None:
            extra = ACUTE_TO_CLASSIFICATION.get(nut["acute"])
            if extra and extra not in result["classifications"]:
                result["classifications"] = sorted({*result["classifications"], extra} - {"no_finding"})
            if nut["action"]:
                actions.append(nut["action"])
            if nut["follow_up_days"]:
                follow_ups.append(nut["follow_up_days"])
            reasons += [r for r in nut["reasons"] if r not in reasons]
        if not actions:
            actions.append("advise_only")
    elif kind == "pregnancy":
        signs = pregnancy.assess_pregnancy(findings)
        data = signs.as_dict()
        result["danger_signs"] = data["danger_signs"]
        actions.append(data["action"])
        reasons += data["reasons"]
        lmp = _date(measurements.get("lmp"), "lmp")
        edd = _date(measurements.get("edd"), "edd")
        if lmp or edd:
            result["gestational_age"] = pregnancy.gestational_age(on=visit_date, lmp=lmp, edd=edd).as_dict()
    else:  # postnatal: the newborn (0-59 days) or the mother
        if age_days <= YOUNG_INFANT_MAX_DAYS:
            signs = pregnancy.assess_newborn(
                date_of_birth=date_of_birth, visit_date=visit_date, findings=findings, config=iccm_config
            )
        else:
            signs = pregnancy.assess_postpartum(findings)
        data = signs.as_dict()
        result["danger_signs"] = data["danger_signs"]
        actions.append(data["action"])
        reasons += data["reasons"]

    action = _most_serious(actions)
    result["action"] = action
    result["urgent_referral"] = action == "urgent_referral"
    result["follow_up_days"] = min(follow_ups) if follow_ups and not result["urgent_referral"] else None
    result["reasons"] = reasons
    result["summary_fr"] = summary_fr(result)
    return result


ACTION_TEXT_FR = {
    "urgent_referral": "Référer d'urgence au CSCom",
    "non_urgent_referral": "Référer au CSCom (aujourd'hui ou demain)",
    "same_day_visit": "Faire voir au CSCom aujourd'hui",
    "outpatient_rutf": "Référer à l'URENAS (prise en charge ambulatoire)",
    "treat_at_home": "Traiter à domicile",
    "supplementary_feeding": "Référer à l'URENAM (supplémentation)",
    "advise_only": "Conseiller la famille",
    "routine_care": "Soins habituels et conseils",
}


def summary_fr(result: Mapping[str, Any]) -> str:
    text = ACTION_TEXT_FR.get(result["action"], result["action"])
    if result.get("follow_up_days"):
        text += f" ; revoir dans {result['follow_up_days']} jours"
    return text + "."
