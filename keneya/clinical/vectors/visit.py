"""Tablet-parity vectors for ``visit.assess_home_visit`` (see export.py).

Input: the keyword arguments of ``assess_home_visit`` as JSON: ``{"kind", "sex",
"date_of_birth": ISO, "visit_date": ISO, "findings"?: {...}, "measurements"?: {...},
"iccm_config"?: {the IccmConfig fields that differ}}``. Expected: the whole result (what the
server stores and the tablet shows: z-scores unrounded, nutrition, reasons with their French
texts, ``summary_fr``), or ``{"error": "ValueError"}``.

Covered: every kind (child_followup, sick_child, pregnancy, postnatal for the newborn and for the
mother); the age bands (59/60 days, 11/12 and 59/60 months, 1826 days at 60 months); MUAC
114/115/124/125 mm at 5 and 6 months, from the measurements and from the findings; each danger
sign of each kind; nutrition classes driven by the z-scores (weight-for-length/height around -3
and -2, stunting, underweight, implausible z left out, oedema); the cadre settings; inputs the
server tolerates (empty strings, an unused LMP); invalid inputs; then seeded random visits.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from typing import Any

from keneya.clinical import ENGINE_VERSION, growth, iccm, pregnancy
from keneya.clinical.iccm import IccmConfig
from keneya.clinical.visit import assess_home_visit

SEED = 20260105
RANDOM_CASES = 300
TOLERANCE = 1e-9
_DOB = date(2024, 1, 15)

NOTES = (
    "Compare numbers with an absolute tolerance of 1e-9 (z-scores use pow(): last-bit differences "
    "between libms are expected; every other number is exact). No z in these vectors is within "
    "1e-9 of a 2-decimal rounding tie, so flags and nutrition classes (on round(z, 2), half-even "
    "on the exact binary value) cannot differ. Reasons are compared whole: their finding and "
    "threshold strings print numbers as Python does: a measurement goes through float() in "
    "visit.py (muac_mm=115.0 in the nutrition reasons), a finding keeps its JSON type "
    "(muac_mm=115 in the iCCM reasons). The inputs hold no integral float (37.0 is written 37), "
    "so an integral JSON number is a Python int. Lists are in the engine's order (sets are "
    "sorted lists)."
)


def _clean(value: Any) -> Any:
    """JSON input with every integral float written as an int (see NOTES)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _near_rounding_tie(z: float) -> bool:
    """True when z is within the tolerance of a 2-decimal rounding boundary (x.xx5)."""
    return abs(abs(z) * 100 % 1 - 0.5) / 100 <= 10 * TOLERANCE


def _ambiguous(expected: dict[str, Any]) -> bool:
    zscores = expected.get("zscores") or {}
    return any(v["z"] is not None and _near_rounding_tie(v["z"]) for v in zscores.values())


def expected_for(case_input: dict[str, Any]) -> dict[str, Any]:
    """Run the engine on one JSON input (as the tablet reads it) and give the JSON expectation."""
    kwargs = json.loads(json.dumps(case_input))
    try:
        kwargs["date_of_birth"] = date.fromisoformat(kwargs["date_of_birth"])
        kwargs["visit_date"] = date.fromisoformat(kwargs["visit_date"])
        if "iccm_config" in kwargs:
            kwargs["iccm_config"] = IccmConfig(**kwargs["iccm_config"])
        result = assess_home_visit(**kwargs)
    except ValueError:
        return {"error": "ValueError"}
    return json.loads(json.dumps(result, allow_nan=False))


def _visit(
    kind: str,
    days: int | None = None,
    *,
    on: date | None = None,
    dob: date = _DOB,
    sex: str = "F",
    findings: dict[str, Any] | None = None,
    measurements: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    visit = on if on is not None else dob + timedelta(days=days or 0)
    case: dict[str, Any] = {
        "kind": kind,
        "sex": sex,
        "date_of_birth": dob.isoformat(),
        "visit_date": visit.isoformat(),
    }
    if findings is not None:
        case["findings"] = findings
    if measurements is not None:
        case["measurements"] = measurements
    case.update(extra)
    return _clean(case)


def _y_for_z(table: str, sex: str, index: int, z: float) -> float:
    """The measurement whose (restricted) z-score is ``z`` at one table row (WHO formula inverse)."""
    lam, mu, sigma = growth.tables()[table].row(growth._SEXES.index(sex), index)

    def sd(k: float) -> float:
        return float(mu * (1 + lam * sigma * k) ** (1 / lam))

    if z > 3:
        return sd(3) + (z - 3) * (sd(3) - sd(2))
    if z < -3:
        return sd(-3) + (z + 3) * (sd(-2) - sd(-3))
    return sd(z)


def boundary_cases() -> list[tuple[str, dict[str, Any]]]:  # noqa: C901 - a flat list of cases
    cases: list[tuple[str, dict[str, Any]]] = []
    add = cases.append
    child = {
        "weight_kg": 9.1,
        "length_or_height_cm": 74.5,
        "measured_position": "L",
        "muac_mm": 138,
        "head_circumference_cm": 45.2,
    }

    # Each kind, plainly.
    add(("child_followup_nothing", _visit("child_followup", 300)))
    add(("child_followup_measured", _visit("child_followup", 400, measurements=child)))
    add(("child_followup_empty_findings", _visit("child_followup", 400, findings={}, measurements=child)))
    add(("child_followup_finding_false_runs_iccm", _visit("child_followup", 400, findings={"cough": False})))
    add(("sick_child_nothing", _visit("sick_child", 400)))
    add(
        (
            "sick_child_measured",
            _visit("sick_child", 400, findings={"fever": True, "rdt_result": "positive"}, measurements=child),
        )
    )
    add(("pregnancy_nothing", _visit("pregnancy", on=date(2025, 6, 1), dob=date(1998, 3, 2))))
    add(("postnatal_newborn_nothing", _visit("postnatal", 3)))
    add(("postnatal_mother_nothing", _visit("postnatal", on=date(2025, 6, 4), dob=date(1998, 3, 2))))

    # Age bands (section 0) and the 60-month limits, DOB 2024-01-15.
    for days in (0, 59, 60):
        add(
            (
                f"sick_child_day_{days}",
                _visit("sick_child", days, findings={"respiratory_rate": 55, "cough": True}),
            )
        )
        add(
            (
                f"child_followup_day_{days}",
                _visit(
                    "child_followup",
                    days,
                    measurements={"weight_kg": 3.4 + days / 30, "length_or_height_cm": 50.5 + days / 10},
                ),
            )
        )
    for on, label in (
        (date(2025, 1, 14), "11m"),
        (date(2025, 1, 15), "12m"),
        (date(2029, 1, 14), "59m"),
        (date(2029, 1, 15), "60m"),
    ):
        add(
            (
                f"sick_child_{label}_rr_45",
                _visit("sick_child", on=on, findings={"cough": True, "respiratory_rate": 45}),
            )
        )
        add(
            (
                f"child_followup_{label}_measured",
                _visit(
                    "child_followup",
                    on=on,
                    measurements={
                        "weight_kg": 12.5,
                        "length_or_height_cm": 92.0,
                        "measured_position": "H",
                        "muac_mm": 118,
                    },
                ),
            )
        )
        add(
            (
                f"child_followup_{label}_convulsions",
                _visit("child_followup", on=on, findings={"convulsions": True}),
            )
        )
    # 1826 days but 60 completed months: z-scores computed, nutrition not applied.
    add(
        (
            "age_1826_days_60_months",
            _visit(
                "child_followup",
                on=date(2024, 1, 15),
                dob=date(2019, 1, 15),
                measurements={
                    "weight_kg": 15.0,
                    "length_or_height_cm": 104.0,
                    "measured_position": "H",
                    "muac_mm": 112,
                },
            ),
        )
    )
    add(
        (
            "sick_child_6_years_age_out_of_scope",
            _visit(
                "sick_child", on=date(2030, 2, 1), findings={"fever": True}, measurements={"weight_kg": 19.0}
            ),
        )
    )
    add(
        (
            "child_followup_6_years_findings",
            _visit("child_followup", on=date(2030, 2, 1), findings={"fever": True}),
        )
    )

    # MUAC cut-offs (1.3, 1.4, 1.8): 6 completed months on 2024-07-15, 5 on 2024-07-14.
    for muac in (114, 114.9, 115, 124, 125):
        for on, label in ((date(2024, 7, 15), "6m"), (date(2024, 7, 14), "5m")):
            add(
                (
                    f"muac_{muac}_{label}_measured",
                    _visit("child_followup", on=on, measurements={"muac_mm": muac}),
                )
            )
            add(
                (
                    f"muac_{muac}_{label}_sick_child",
                    _visit("sick_child", on=on, measurements={"muac_mm": muac}),
                )
            )
        add(
            (f"muac_{muac}_as_finding", _visit("sick_child", on=date(2024, 9, 1), findings={"muac_mm": muac}))
        )
    add(
        (
            "muac_finding_and_measurement_disagree",
            _visit(
                "sick_child", on=date(2024, 9, 1), findings={"muac_mm": 110}, measurements={"muac_mm": 130}
            ),
        )
    )
    add(
        (
            "muac_finding_none_measurement_red",
            _visit(
                "sick_child", on=date(2024, 9, 1), findings={"muac_mm": None}, measurements={"muac_mm": 110}
            ),
        )
    )
    add(
        (
            "muac_red_with_danger_is_complicated",
            _visit(
                "sick_child",
                on=date(2024, 9, 1),
                findings={"vomits_everything": True},
                measurements={"muac_mm": 110},
            ),
        )
    )
    add(
        (
            "muac_red_flag_finding_child_followup",
            _visit("child_followup", on=date(2024, 9, 1), findings={"muac_red": True}),
        )
    )

    # Danger signs of each kind.
    for code in iccm.CHILD_DANGER_SIGNS:
        value: Any = True
        key = code
        if code == "cough_14_days_or_more":
            key, value = "cough_days", 14
        elif code == "diarrhoea_14_days_or_more":
            key, value = "diarrhoea_days", 14
        elif code == "fever_7_days_or_more":
            key, value = "fever_days", 7
        elif code == "muac_red":
            key, value = "muac_mm", 112
        add((f"sick_child_danger_{code}", _visit("sick_child", 500, findings={key: value})))
    for code in iccm.YOUNG_INFANT_DANGER_SIGNS:
        add((f"sick_child_young_infant_{code}", _visit("sick_child", 20, findings={code: True})))
        add((f"postnatal_newborn_{code}", _visit("postnatal", 5, findings={code: True})))
    for t in (35.4, 35.5, 37.4, 37.5):
        add((f"postnatal_newborn_temperature_{t}", _visit("postnatal", 2, findings={"temperature_c": t})))
    for rr in (59, 60):
        add((f"postnatal_newborn_rr_{rr}", _visit("postnatal", 2, findings={"respiratory_rate": rr})))
    add(("postnatal_newborn_pustules", _visit("postnatal", 6, findings={"skin_pustules": True})))
    add(
        (
            "postnatal_newborn_umbilicus_with_weight",
            _visit(
                "postnatal",
                6,
                findings={"umbilicus_red_or_draining_pus": True},
                measurements={"weight_kg": 3.1},
            ),
        )
    )
    add(("postnatal_day_59_newborn", _visit("postnatal", 59, findings={"convulsions": True})))
    add(("postnatal_day_60_is_the_mother", _visit("postnatal", 60, findings={"convulsions": True})))
    mother = date(1996, 5, 20)
    for code in pregnancy.PREGNANCY_DANGER_SIGNS:
        add(
            (f"pregnancy_{code}", _visit("pregnancy", on=date(2025, 6, 1), dob=mother, findings={code: True}))
        )
    for code in pregnancy.POSTPARTUM_DANGER_SIGNS + pregnancy.POSTPARTUM_SAME_DAY_SIGNS:
        add(
            (
                f"postnatal_mother_{code}",
                _visit("postnatal", on=date(2025, 6, 4), dob=mother, findings={code: True}),
            )
        )
    add(
        (
            "postnatal_mother_urgent_and_same_day",
            _visit(
                "postnatal",
                on=date(2025, 6, 4),
                dob=mother,
                findings={"convulsions": True, "foul_smelling_lochia": True},
            ),
        )
    )
    add(
        (
            "pregnancy_all_false",
            _visit(
                "pregnancy",
                on=date(2025, 6, 1),
                dob=mother,
                findings={c: False for c in pregnancy.PREGNANCY_DANGER_SIGNS},
            ),
        )
    )

    # Gestational age from the LMP or the EDD (4.1).
    for lmp_days in (0, 83, 84, 280, 308):
        add(
            (
                f"pregnancy_lmp_{lmp_days}_days",
                _visit(
                    "pregnancy",
                    on=date(2025, 6, 1),
                    dob=mother,
                    measurements={"lmp": (date(2025, 6, 1) - timedelta(days=lmp_days)).isoformat()},
                ),
            )
        )
    add(
        (
            "pregnancy_edd",
            _visit("pregnancy", on=date(2025, 6, 1), dob=mother, measurements={"edd": "2025-10-01"}),
        )
    )
    add(
        (
            "pregnancy_edd_wins",
            _visit(
                "pregnancy",
                on=date(2025, 6, 1),
                dob=mother,
                measurements={"lmp": "2025-03-01", "edd": "2025-10-01"},
                findings={"fever": True},
            ),
        )
    )
    add(
        (
            "pregnancy_lmp_basic_iso_format",
            _visit("pregnancy", on=date(2025, 6, 1), dob=mother, measurements={"lmp": "20250301"}),
        )
    )
    add(
        (
            "pregnancy_lmp_iso_week_date",
            _visit("pregnancy", on=date(2025, 6, 1), dob=mother, measurements={"lmp": "2025-W10-1"}),
        )
    )
    add(
        (
            "pregnancy_empty_lmp",
            _visit("pregnancy", on=date(2025, 6, 1), dob=mother, measurements={"lmp": "", "edd": None}),
        )
    )
    add(
        (
            "pregnancy_ignores_weight",
            _visit("pregnancy", on=date(2025, 6, 1), dob=mother, measurements={"weight_kg": "62"}),
        )
    )
    add(
        (
            "child_followup_ignores_lmp",
            _visit("child_followup", 400, measurements={"lmp": "not a date", "weight_kg": 9}),
        )
    )

    # Nutrition classes driven by the z-scores (spec 1.8, 2.4). F, 400 days, length 75.0 cm (L).
    for whz in (-3.6, -3.1, -2.6, -2.1, -1.2, 1.4, 2.6, 3.4):
        weight = round(_y_for_z("wfl", "F", 750, whz), 3)
        add(
            (
                f"whz_about_{whz}",
                _visit(
                    "child_followup",
                    400,
                    measurements={"weight_kg": weight, "length_or_height_cm": 75.0, "measured_position": "L"},
                ),
            )
        )
        add(
            (
                f"whz_about_{whz}_muac_130_sick",
                _visit(
                    "sick_child",
                    400,
                    findings={"cough": True},
                    measurements={"weight_kg": weight, "length_or_height_cm": 75.0, "muac_mm": 130},
                ),
            )
        )
    add(
        (
            "whz_sam_with_danger_sign",
            _visit(
                "sick_child",
                400,
                findings={"convulsions": True},
                measurements={
                    "weight_kg": round(_y_for_z("wfl", "F", 750, -3.4), 2),
                    "length_or_height_cm": 75.0,
                },
            ),
        )
    )
    for haz in (-3.4, -2.5, 3.3):
        length = round(_y_for_z("lhfa", "M", 700, haz), 2)
        add(
            (
                f"haz_about_{haz}",
                _visit(
                    "child_followup",
                    700,
                    sex="M",
                    measurements={"length_or_height_cm": length, "measured_position": "L", "muac_mm": 140},
                ),
            )
        )
    for waz in (-3.4, -2.5, 1.6):
        weight = round(_y_for_z("wfa", "M", 700, waz), 2)
        add((f"waz_about_{waz}", _visit("child_followup", 700, sex="M", measurements={"weight_kg": weight})))
    add(
        (
            "implausible_whz_left_out",
            _visit(
                "child_followup",
                400,
                measurements={"weight_kg": 3.0, "length_or_height_cm": 75.0, "muac_mm": 135},
            ),
        )
    )
    add(
        (
            "implausible_whz_and_red_muac",
            _visit(
                "child_followup",
                400,
                measurements={"weight_kg": 3.0, "length_or_height_cm": 75.0, "muac_mm": 110},
            ),
        )
    )
    add(
        (
            "oedema_child_followup",
            _visit("child_followup", 400, findings={"bilateral_oedema": True}, measurements=child),
        )
    )
    add(
        (
            "oedema_under_6_months",
            _visit("sick_child", 100, findings={"bilateral_oedema": True}, measurements={"weight_kg": 5.2}),
        )
    )
    add(
        (
            "standing_height_under_9_months",
            _visit(
                "child_followup",
                200,
                measurements={"weight_kg": 7.4, "length_or_height_cm": 66.0, "measured_position": "H"},
            ),
        )
    )
    add(
        (
            "length_out_of_wfl_range",
            _visit(
                "child_followup",
                30,
                measurements={"weight_kg": 2.4, "length_or_height_cm": 44.0, "muac_mm": 100},
            ),
        )
    )
    add(
        (
            "head_circumference_only",
            _visit("child_followup", 90, measurements={"head_circumference_cm": 39.5}),
        )
    )
    add(("muac_before_91_days_no_acfa", _visit("child_followup", 90, measurements={"muac_mm": 120})))
    add(
        (
            "empty_strings_are_missing",
            _visit(
                "child_followup",
                400,
                measurements={
                    "weight_kg": "",
                    "length_or_height_cm": "",
                    "muac_mm": None,
                    "head_circumference_cm": 45.0,
                },
            ),
        )
    )

    # Home treatment, follow-up and the cadre settings (1.4, 1.5).
    add(
        (
            "malaria_and_mam_follow_up_3",
            _visit(
                "sick_child",
                500,
                findings={"fever": True, "rdt_result": "positive"},
                measurements={"muac_mm": 120},
            ),
        )
    )
    add(("mam_only_follow_up_30", _visit("child_followup", 500, measurements={"muac_mm": 120})))
    add(("uncomplicated_sam_follow_up_7", _visit("child_followup", 500, measurements={"muac_mm": 111})))
    add(
        (
            "no_home_treatment",
            _visit(
                "sick_child",
                500,
                findings={"fever": True, "rdt_result": "positive"},
                iccm_config={"chw_may_treat_at_home": False},
            ),
        )
    )
    add(
        (
            "mam_follow_up_setting",
            _visit("sick_child", 500, measurements={"muac_mm": 120}, iccm_config={"mam_follow_up_days": 14}),
        )
    )
    add(
        (
            "young_infant_fever_38_setting",
            _visit(
                "postnatal", 4, findings={"temperature_c": 37.8}, iccm_config={"young_infant_fever_c": 38}
            ),
        )
    )
    add(
        (
            "fast_breathing_and_diarrhoea",
            _visit(
                "sick_child",
                500,
                findings={"cough": True, "respiratory_rate": 48, "diarrhoea": True, "diarrhoea_days": 3},
            ),
        )
    )

    # Invalid input: ValueError naming the field.
    add(("invalid_kind", _visit("home", 300)))
    add(("invalid_sex", _visit("child_followup", 300, sex="X")))
    add(("invalid_measurement_key", _visit("child_followup", 300, measurements={"weight": 9.0})))
    add(
        (
            "invalid_position",
            _visit("child_followup", 300, measurements={"weight_kg": 9.0, "measured_position": "standing"}),
        )
    )
    add(("invalid_weight_string", _visit("child_followup", 300, measurements={"weight_kg": "9,5"})))
    add(("invalid_weight_bool", _visit("child_followup", 300, measurements={"weight_kg": True})))
    add(("invalid_weight_negative", _visit("child_followup", 300, measurements={"weight_kg": -9.0})))
    add(("invalid_weight_zero", _visit("sick_child", 300, measurements={"weight_kg": 0})))
    add(("invalid_muac_in_cm", _visit("child_followup", 300, measurements={"muac_mm": 12.5})))
    add(("invalid_muac_in_cm_sick_child", _visit("sick_child", 300, measurements={"muac_mm": 12.5})))
    add(("invalid_muac_empty_string_sick_child", _visit("sick_child", 300, measurements={"muac_mm": ""})))
    add(("invalid_visit_before_birth", _visit("child_followup", on=_DOB - timedelta(days=1))))
    add(("invalid_visit_date_string", {**_visit("sick_child", 10), "visit_date": "2024-02-30"}))
    add(("invalid_unknown_finding", _visit("sick_child", 300, findings={"chest_indrawnig": True})))
    add(("invalid_finding_type", _visit("child_followup", 300, findings={"convulsions": "yes"})))
    add(("invalid_respiratory_rate", _visit("sick_child", 300, findings={"respiratory_rate": 400})))
    add(("invalid_contradiction", _visit("sick_child", 300, findings={"cough": False, "cough_days": 4})))
    add(
        (
            "invalid_lmp",
            _visit("pregnancy", on=date(2025, 6, 1), dob=mother, measurements={"lmp": "01/03/2025"}),
        )
    )
    add(
        (
            "invalid_lmp_after_visit",
            _visit("pregnancy", on=date(2025, 6, 1), dob=mother, measurements={"lmp": "2025-06-02"}),
        )
    )
    add(
        (
            "invalid_pregnancy_over_44_weeks",
            _visit("pregnancy", on=date(2025, 6, 1), dob=mother, measurements={"lmp": "2024-07-01"}),
        )
    )
    add(
        (
            "invalid_pregnancy_sign",
            _visit("pregnancy", on=date(2025, 6, 1), dob=mother, findings={"bleeding": True}),
        )
    )
    add(
        (
            "invalid_pregnancy_sign_value",
            _visit("pregnancy", on=date(2025, 6, 1), dob=mother, findings={"fever": 1}),
        )
    )
    add(
        (
            "invalid_mother_with_newborn_sign",
            _visit("postnatal", on=date(2025, 6, 4), dob=mother, findings={"skin_pustules": True}),
        )
    )
    add(
        (
            "invalid_newborn_with_mother_sign",
            _visit("postnatal", 4, findings={"heavy_vaginal_bleeding": True}),
        )
    )
    add(("invalid_iccm_config", _visit("sick_child", 300, iccm_config={"young_infant_fever_c": 41})))
    add(("invalid_iccm_config_unused", _visit("child_followup", 300, iccm_config={"mam_follow_up_days": 0})))
    # Child 5-17 years (clinical-rules.md 7): the server's form and the tablet's send these.
    older = date(2014, 5, 2)
    on = date(2025, 6, 1)
    grown = {"weight_kg": 30.4, "length_or_height_cm": 140.2, "measured_position": "H"}
    add(("older_child_nothing_found", _visit("older_child_followup", on=on, dob=older, measurements=grown)))
    add(
        (
            "older_child_convulsions",
            _visit(
                "older_child_followup", on=on, dob=older, findings={"convulsions": True}, measurements=grown
            ),
        )
    )
    add(
        (
            "older_child_severe_thinness",
            _visit(
                "older_child_followup",
                on=on,
                dob=older,
                sex="M",
                measurements={"weight_kg": 25.3, "length_or_height_cm": 142.5, "measured_position": "H"},
            ),
        )
    )
    add(
        (
            "older_child_fever_rdt_positive_in_school",
            _visit(
                "older_child_followup",
                on=on,
                dob=older,
                findings={
                    "fever": True,
                    "rdt_result": "positive",
                    "in_school": True,
                    "school_level": "primary",
                },
            ),
        )
    )
    add(("older_child_at_4_years_refused", _visit("older_child_followup", on=on, dob=date(2021, 1, 1))))
    return cases


# --- seeded random visits -----------------------------------------------------------------------

_CHILD_SIGNS = (
    "blood_in_stool",
    "convulsions",
    "not_able_to_drink_or_feed",
    "vomits_everything",
    "chest_indrawing",
    "unusually_sleepy_or_unconscious",
    "bilateral_oedema",
    "difficult_breathing",
    "not_feeding_well",
    "severe_chest_indrawing",
    "movement_only_when_stimulated_or_none",
    "yellow_palms_or_soles",
    "umbilicus_red_or_draining_pus",
    "skin_pustules",
    "jaundice_first_24h",
)


def _random_child_findings(rng: random.Random) -> dict[str, Any]:
    f: dict[str, Any] = {}
    for name, limit in (("cough", 14), ("diarrhoea", 14), ("fever", 7)):
        roll = rng.random()
        if roll < 0.2:
            f[name] = True
            f[f"{name}_days"] = rng.randint(0, 2 * limit)
        elif roll < 0.3:
            f[name] = True
        elif roll < 0.36:
            f[name] = False
    for code in _CHILD_SIGNS:
        roll = rng.random()
        if roll < 0.04:
            f[code] = True
        elif roll < 0.08:
            f[code] = False
    if rng.random() < 0.5:
        f["respiratory_rate"] = rng.randint(22, 75)
    if rng.random() < 0.4:
        f["temperature_c"] = round(rng.uniform(35.0, 40.0), 1)
    if rng.random() < 0.4:
        f["rdt_result"] = rng.choice(["positive", "negative"])
    if rng.random() < 0.05:
        f["muac_mm"] = rng.randint(100, 140)
    return f


def _random_measurements(rng: random.Random, age_days: int) -> dict[str, Any]:
    months = age_days / growth.DAYS_PER_MONTH
    typical_length = 50 + 50 * (min(months, 72) / 60) ** 0.6
    typical_weight = 3.3 + 14 * (min(months, 72) / 60) ** 0.8
    m: dict[str, Any] = {}
    if rng.random() < 0.8:
        m["weight_kg"] = round(typical_weight * rng.uniform(0.6, 1.4), 2)
    if rng.random() < 0.7:
        m["length_or_height_cm"] = round(typical_length * rng.uniform(0.85, 1.15), 1)
        m["measured_position"] = rng.choice(("L", "H", None))
    if rng.random() < 0.6:
        m["muac_mm"] = rng.randint(95, 165)
    if rng.random() < 0.2:
        m["head_circumference_cm"] = round(rng.uniform(33.0, 52.0), 1)
    return m


def _random_visit(rng: random.Random) -> dict[str, Any]:
    roll = rng.random()
    visit = date(2025, 1, 1) + timedelta(days=rng.randint(0, 400))
    sex = rng.choice(("M", "F"))
    if roll < 0.65:  # a child: follow-up or sick child
        kind = "sick_child" if rng.random() < 0.55 else "child_followup"
        age = rng.choice(
            [rng.randint(0, 59), rng.randint(60, 365), rng.randint(366, 1826), rng.randint(1700, 2000)]
        )
        findings = _random_child_findings(rng) if kind == "sick_child" or rng.random() < 0.4 else {}
        extra: dict[str, Any] = {}
        if rng.random() < 0.1:
            extra["iccm_config"] = {"chw_may_treat_at_home": False}
        return _visit(
            kind,
            on=visit,
            dob=visit - timedelta(days=age),
            sex=sex,
            findings=findings,
            measurements=_random_measurements(rng, age),
            **extra,
        )
    if roll < 0.8:  # pregnancy
        signs = rng.sample(pregnancy.PREGNANCY_DANGER_SIGNS, rng.choice((0, 0, 1, 2)))
        measurements: dict[str, Any] = {}
        if rng.random() < 0.7:
            key = "lmp" if rng.random() < 0.8 else "edd"
            offset = rng.randint(0, 300) if key == "lmp" else rng.randint(-20, 280)
            measurements[key] = (
                visit - timedelta(days=offset) if key == "lmp" else visit + timedelta(days=offset)
            ).isoformat()
        return _visit(
            "pregnancy",
            on=visit,
            dob=visit - timedelta(days=rng.randint(15 * 365, 45 * 365)),
            sex="F",
            findings={s: rng.random() < 0.8 for s in signs},
            measurements=measurements,
        )
    if roll < 0.9:  # postnatal, the newborn
        age = rng.randint(0, 59)
        findings = {
            k: v for k, v in _random_child_findings(rng).items() if k in iccm._BAND_KEYS["young_infant"]
        }
        return _visit("postnatal", on=visit, dob=visit - timedelta(days=age), sex=sex, findings=findings)
    signs = rng.sample(
        pregnancy.POSTPARTUM_DANGER_SIGNS + pregnancy.POSTPARTUM_SAME_DAY_SIGNS, rng.choice((0, 1, 1, 2))
    )
    return _visit(
        "postnatal",
        on=visit,
        dob=visit - timedelta(days=rng.randint(15 * 365, 45 * 365)),
        sex="F",
        findings={s: rng.random() < 0.8 for s in signs},
    )


def random_cases(n: int = RANDOM_CASES, seed: int = SEED) -> list[tuple[str, dict[str, Any]]]:
    """``n`` seeded visits; a draw whose z-score sits on a rounding tie is drawn again."""
    rng = random.Random(seed)
    cases: list[tuple[str, dict[str, Any]]] = []
    while len(cases) < n:
        case_input = _random_visit(rng)
        if not _ambiguous(expected_for(case_input)):
            cases.append((f"random_{len(cases):03d}", case_input))
    return cases


def generate() -> dict[str, Any]:
    cases = []
    for name, case_input in boundary_cases() + random_cases():
        expected = expected_for(case_input)
        if _ambiguous(expected):
            raise AssertionError(f"vector {name!r}: a z-score is ambiguous at 2 decimals")
        cases.append({"name": name, "input": case_input, "expected": expected})
    return {
        "function": "keneya.clinical.visit.assess_home_visit",
        "engine_version": ENGINE_VERSION,
        "tolerance": TOLERANCE,
        "notes": NOTES,
        "cases": cases,
    }
