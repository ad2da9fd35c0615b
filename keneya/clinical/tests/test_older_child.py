"""Child 5-17 years at home (clinical-rules.md 7): boundaries, table by table."""

from __future__ import annotations

import hashlib
import json
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from keneya.clinical import growth2007, older_child
from keneya.clinical.ages import date_at_age_months
from keneya.clinical.older_child import OlderChildConfig, assess_older_child_visit
from keneya.clinical.vectors.older_child import _y_for_z

DOB = date(2013, 6, 20)


def at(months: int) -> date:
    return date_at_age_months(DOB, months)


def assess(months: int = 120, sex: str = "F", config=None, measurements=None, **findings: object):
    return assess_older_child_visit(
        sex=sex, date_of_birth=DOB, visit_date=at(months), findings=findings, measurements=measurements,
        config=config,
    )  # fmt: skip


# --- ages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("months", "ok"), [(59, False), (60, True), (215, True), (216, False)])
def test_the_visit_is_for_5_to_17_years(months, ok):
    if ok:
        assert assess(months)["age_months"] == months
    else:
        with pytest.raises(ValueError, match="date_of_birth"):
            assess(months)


def test_the_day_before_the_18th_birthday_is_still_17():
    day = date.fromordinal(at(216).toordinal() - 1)
    result = assess_older_child_visit(sex="M", date_of_birth=DOB, visit_date=day)
    assert result["age_months"] == 215


@pytest.mark.parametrize(
    ("months", "has_z", "has_wfa"),
    [(60, False, False), (61, True, True), (120, True, True), (121, True, False)],
)
def test_who_2007_zscores_run_from_61_months_and_weight_for_age_to_120(months, has_z, has_wfa):
    r = assess(months, measurements={"weight_kg": 25.0, "length_or_height_cm": 125.0})
    assert (r["zscores"]["bmi"]["z"] is not None) is has_z
    assert (r["zscores"]["lhfa"]["z"] is not None) is has_z
    assert (r["zscores"]["wfa"]["z"] is not None) is has_wfa
    if not has_z:
        assert "OLDER.NOTE.NO_ZSCORE_AGE" in [x["rule"] for x in r["reasons"]]
        assert r["follow_up_days"] is None


# --- urgent signs (7.2) ---------------------------------------------------------------------------


@pytest.mark.parametrize("sign", [s for s in older_child.DANGER_SIGNS if s != "fever_7_days_or_more"])
def test_each_urgent_sign_alone_refers_urgently(sign):
    r = assess(120, "F", None, None, **{sign: True})
    assert r["danger_signs"] == [sign]
    assert r["action"] == "urgent_referral" and r["urgent_referral"] is True
    assert r["follow_up_days"] is None
    assert "danger_sign" in r["classifications"]
    assert "protocole" in r["reasons"][-1]["text_fr"]  # says plainly the CSCom protocol applies


@pytest.mark.parametrize(("days", "urgent"), [(6, False), (7, True), (10, True)])
def test_fever_for_7_days_or_more_is_urgent(days, urgent):
    r = assess(fever=True, fever_days=days, rdt_result="negative")
    assert (r["action"] == "urgent_referral") is urgent


@pytest.mark.parametrize(
    ("findings", "config", "classes", "action", "follow_up"),
    [
        ({"fever": True, "rdt_result": "positive"}, None, ["malaria"], "treat_at_home", 3),
        ({"fever": True, "rdt_result": "positive"}, OlderChildConfig(chw_may_treat_at_home=False),
         ["malaria"], "non_urgent_referral", 30),
        ({"fever": True, "rdt_result": "negative"}, None, ["fever_rdt_negative"], "advise_only", 30),
        ({"fever": True}, None, ["fever_no_rdt"], "non_urgent_referral", 30),
        ({"cough": True, "cough_days": 13}, None, ["no_finding"], "advise_only", None),
        ({"cough": True, "cough_days": 14}, None, ["tb_screening"], "non_urgent_referral", 30),
        ({"weight_loss": True}, None, ["tb_screening"], "non_urgent_referral", 30),
        ({"fever": True, "rdt_result": "positive", "weight_loss": True}, None, ["malaria", "tb_screening"],
         "non_urgent_referral", 30),
        ({"in_school": True, "school_level": "primary", "sleeps_under_net": True}, None, ["no_finding"],
         "advise_only", None),
        ({"in_school": False}, None, ["no_finding"], "advise_only", 30),
    ],
)  # fmt: skip
def test_fever_cough_and_school_without_danger_sign(findings, config, classes, action, follow_up):
    r = assess(config=config, **findings)
    assert r["classifications"] == classes
    assert (r["action"], r["follow_up_days"]) == (action, follow_up)


# --- growth (7.1): cut-offs on the 2-decimal z ---------------------------------------------------


def _bmi(sex: str, months: int, z: float, height: float = 140.0) -> dict[str, float]:
    weight = _y_for_z("bmi", sex, months, z) * (height / 100) ** 2
    return {"weight_kg": weight, "length_or_height_cm": height}


@pytest.mark.parametrize(
    ("z", "cls", "action"),
    [
        (-4.9, "severe_thinness", "non_urgent_referral"),
        (-3.006, "severe_thinness", "non_urgent_referral"),
        (-3.004, "thinness", "advise_only"),  # rounds to -3.00: not < -3
        (-2.006, "thinness", "advise_only"),
        (-2.004, None, "advise_only"),
        (1.004, None, "advise_only"),  # rounds to +1.00: not > +1
        (1.006, "overweight", "advise_only"),
        (2.004, "overweight", "advise_only"),
        (2.006, "obesity", "advise_only"),
    ],
)
@pytest.mark.parametrize("sex", ["M", "F"])
def test_bmi_for_age_classes(sex, z, cls, action):
    r = assess(150, sex, measurements=_bmi(sex, 150, z))
    assert r["growth_classes"]["bmi"] == cls
    assert r["action"] == action
    assert r["zscores"]["bmi"]["z"] == pytest.approx(z, abs=1e-6)


@pytest.mark.parametrize(("z", "cls"), [(-3.006, "severe_stunting"), (-2.994, "stunting"), (-2.004, None)])
def test_height_for_age_classes(z, cls):
    height = _y_for_z("lhfa", "M", 100, z)
    r = assess(100, "M", measurements={"length_or_height_cm": height})
    assert r["growth_classes"]["lhfa"] == cls
    assert r["zscores"]["bmi"]["reason"] == growth2007.MISSING_WEIGHT


@pytest.mark.parametrize(("z", "flagged"), [(-5.004, False), (-5.006, True), (5.004, False), (5.006, True)])
def test_an_implausible_bmi_asks_for_a_new_measurement_and_is_not_classified(z, flagged):
    r = assess(150, "F", measurements=_bmi("F", 150, z))
    assert r["zscores"]["bmi"]["flagged"] is flagged
    assert ("OLDER.NOTE.REMEASURE" in [x["rule"] for x in r["reasons"]]) is flagged
    assert ("bmi" not in r["growth_classes"]) is flagged


def test_restricted_adjustment_applies_to_bmi_not_to_height():
    lam, mu, s = growth2007.table(
        "bmi",
        "M",
    )[150]
    sd = lambda k: mu * (1 + lam * s * k) ** (1 / lam)  # noqa: E731
    y = sd(-3) - 0.5 * (sd(-2) - sd(-3))
    assert growth2007.lms_z(y, lam, mu, s, True) == pytest.approx(-3.5)
    assert growth2007.lms_z(y, lam, mu, s, False) != pytest.approx(-3.5)
    assert "lhfa" not in growth2007.RESTRICTED


def test_oedema_leaves_out_the_weight_based_zscores():
    r = assess(100, measurements={"weight_kg": 25.0, "length_or_height_cm": 130.0}, bilateral_oedema=True)
    assert r["zscores"]["bmi"]["reason"] == growth2007.OEDEMA
    assert r["zscores"]["lhfa"]["z"] is not None
    assert r["action"] == "urgent_referral"


def test_catch_up_doses_come_from_the_immunization_engine():
    # The Mali schedule has no dose with a catch-up window past 59 months (pev_mali.json).
    assert assess(100)["vaccines_due"] == []


# --- invalid input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("findings", "measurements", "field"),
    [
        ({"fever": False, "fever_days": 2}, None, "fever_days"),
        ({"cough": False, "cough_days": 2}, None, "cough_days"),
        ({"in_school": False, "school_level": "primary"}, None, "school_level"),
        ({"chest_indrawing": True}, None, "findings"),
        ({"fever_days": -1}, None, "fever_days"),
        ({"school_level": "university"}, None, "school_level"),
        ({}, {"weight_kg": -3}, "weight_kg"),
        ({}, {"length_or_height_cm": "140"}, "length_or_height_cm"),
    ],
)
def test_invalid_input_names_the_field(findings, measurements, field):
    with pytest.raises(ValueError, match=field):
        assess(measurements=measurements, **findings)


@given(
    months=st.integers(60, 215),
    sex=st.sampled_from("MF"),
    weight=st.floats(10, 120),
    height=st.floats(90, 200),
    signs=st.lists(st.sampled_from(older_child.DANGER_SIGNS[:-1]), max_size=3),
)
def test_any_valid_visit_gives_a_coherent_result(months, sex, weight, height, signs):
    findings = {s: True for s in signs if s != "fever_7_days_or_more"}
    r = assess(months, sex, measurements={"weight_kg": weight, "length_or_height_cm": height}, **findings)
    assert r["action"] in older_child.ACTION_ORDER
    assert r["urgent_referral"] == bool(r["danger_signs"])
    assert r["classifications"] and set(r["classifications"]) <= set(older_child.CLASSIFICATIONS)
    json.dumps(r, allow_nan=False)


# --- the shipped WHO 2007 tables -------------------------------------------------------------------


def test_shipped_tables_match_their_checksums():
    sums = (growth2007.TABLE_DIR / "SHA256SUMS").read_text().split("\n")
    listed = dict(line.split("  ")[::-1] for line in sums if line)
    assert sorted(listed) == sorted(p.name for p in growth2007.TABLE_DIR.glob("who2007_*.csv"))
    for name, digest in listed.items():
        assert hashlib.sha256((growth2007.TABLE_DIR / name).read_bytes()).hexdigest() == digest


@pytest.mark.parametrize(
    ("indicator", "sex", "month", "lms"),
    [
        ("bmi", "M", 61, (-0.7387, 15.2641, 0.0839)),
        ("bmi", "F", 61, (-0.8886, 15.2441, 0.09692)),
        ("lhfa", "M", 61, (1.0, 110.2647, 0.04164)),
        ("lhfa", "F", 228, (1.0, 163.1548, 0.04009)),
        ("wfa", "M", 61, (-0.2026, 18.5057, 0.12988)),
    ],
)
def test_tables_hold_the_published_who_2007_values(indicator, sex, month, lms):
    assert growth2007.table(indicator, sex)[month] == lms


@pytest.mark.parametrize(("indicator", "last"), [("bmi", 228), ("lhfa", 228), ("wfa", 120)])
@pytest.mark.parametrize("sex", ["M", "F"])
def test_tables_cover_every_month_from_61(indicator, last, sex):
    assert sorted(growth2007.table(indicator, sex)) == list(range(61, last + 1))
