"""Sick child 0-59 months (clinical-rules.md 1.2-1.7): the guideline, table by table."""

import json
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keneya.clinical import iccm
from keneya.clinical.iccm import (
    ACTION_URGENCY,
    CLASSIFICATIONS,
    IccmConfig,
    assessment_as_dict,
    classify_sick_child,
)
from keneya.clinical.reasons import Reason

DOB = date(2024, 1, 15)
AT_8_MONTHS = date(2024, 9, 20)
AT_11_MONTHS = date(2025, 1, 14)
AT_12_MONTHS = date(2025, 1, 15)
AT_30_MONTHS = date(2026, 7, 20)
AT_59_MONTHS = date(2029, 1, 14)
AT_60_MONTHS = date(2029, 1, 15)


def assess(visit=AT_30_MONTHS, config=None, dob=DOB, **findings):
    return classify_sick_child(date_of_birth=dob, visit_date=visit, findings=findings, config=config)


def at_day(days, config=None, **findings):
    return assess(DOB + timedelta(days=days), config, **findings)


# --- 0: age bands and the out-of-scope rule ---------------------------------------------------


@pytest.mark.parametrize(
    ("visit", "band", "threshold"),
    [
        (DOB, "young_infant_0_59d", 60),
        (DOB + timedelta(days=59), "young_infant_0_59d", 60),
        (DOB + timedelta(days=60), "child_2_11m", 50),
        (AT_11_MONTHS, "child_2_11m", 50),
        (AT_12_MONTHS, "child_12_59m", 40),
        (AT_59_MONTHS, "child_12_59m", 40),
        (AT_60_MONTHS, "out_of_scope_60m_plus", None),
    ],
)
def test_age_band_and_fast_breathing_threshold(visit, band, threshold):
    a = assess(visit)
    assert a.age_band == band
    assert a.fast_breathing_threshold == threshold


def test_60_months_is_out_of_scope_even_with_a_danger_sign():
    a = assess(AT_60_MONTHS, convulsions=True)
    assert a.classifications == {"age_out_of_scope"}
    assert a.urgent_referral is False
    assert a.danger_signs == frozenset()
    # Spec 1.5 (corrected): action is always one of 1.7's, never empty.
    assert a.action == "advise_only" and a.follow_up_days is None
    assert a.reasons[-1].rule == "ICCM.ACTION.ADVISE_ONLY"
    assert a.ignored_findings == {"convulsions"}
    assert [r.rule for r in a.reasons] == [
        "ICCM.CLASS.AGE_OUT_OF_SCOPE",
        "ICCM.AGE.NOT_APPLIED",
        "ICCM.ACTION.ADVISE_ONLY",
    ]


# --- 1.2: fast breathing, inclusive thresholds ---------------------------------------------


@pytest.mark.parametrize(
    ("visit", "rr", "fast"),
    [
        (DOB + timedelta(days=60), 49, False),
        (DOB + timedelta(days=60), 50, True),
        (AT_11_MONTHS, 49, False),
        (AT_11_MONTHS, 50, True),  # "At 11 months, RR 50 is fast"
        (AT_11_MONTHS, 51, True),
        (AT_12_MONTHS, 39, False),  # "RR 39 is not"
        (AT_12_MONTHS, 40, True),  # "At 12 months, RR 40 is fast"
        (AT_12_MONTHS, 41, True),
        (AT_59_MONTHS, 39, False),
        (AT_59_MONTHS, 40, True),
    ],
)
def test_cough_with_rr_at_or_above_the_threshold_is_fast_breathing(visit, rr, fast):
    a = assess(visit, cough=True, respiratory_rate=rr)
    assert ("fast_breathing" in a.classifications) is fast
    assert a.action == ("treat_at_home" if fast else "advise_only")
    assert a.follow_up_days == (3 if fast else None)


@pytest.mark.parametrize(("rr", "urgent"), [(59, False), (60, True), (61, True)])
def test_young_infant_rr_60_or_more_is_a_danger_sign(rr, urgent):
    a = at_day(30, respiratory_rate=rr)
    assert a.urgent_referral is urgent
    assert ("fast_breathing_60" in a.danger_signs) is urgent


def test_fast_rr_without_cough_or_difficult_breathing_is_not_classified():
    assert assess(AT_8_MONTHS, respiratory_rate=60).classifications == {"no_finding"}
    a = assess(AT_8_MONTHS, difficult_breathing=True, respiratory_rate=50)
    assert a.classifications == {"fast_breathing"}


# --- 1.3: danger signs of the child 2-59 months ---------------------------------------------

YES_NO_SIGNS = [
    "blood_in_stool",
    "convulsions",
    "not_able_to_drink_or_feed",
    "vomits_everything",
    "chest_indrawing",
    "unusually_sleepy_or_unconscious",
    "bilateral_oedema",
]


@pytest.mark.parametrize("visit", [DOB + timedelta(days=60), AT_8_MONTHS, AT_30_MONTHS, AT_59_MONTHS])
@pytest.mark.parametrize("sign", YES_NO_SIGNS)
def test_any_one_danger_sign_means_urgent_referral(sign, visit):
    a = assess(visit, **{sign: True})
    assert a.danger_signs == {sign}
    assert a.urgent_referral is True
    assert a.action == "urgent_referral"
    assert "danger_sign" in a.classifications
    assert a.follow_up_days is None


@pytest.mark.parametrize(
    ("name", "days", "danger"),
    [
        ("cough", 13, False),
        ("cough", 14, True),
        ("cough", 15, True),
        ("diarrhoea", 13, False),
        ("diarrhoea", 14, True),
        ("fever", 6, False),
        ("fever", 7, True),
        ("fever", 8, True),
    ],
)
def test_duration_danger_signs_are_inclusive(name, days, danger):
    code = {
        "cough": "cough_14_days_or_more",
        "diarrhoea": "diarrhoea_14_days_or_more",
        "fever": "fever_7_days_or_more",
    }[name]
    a = assess(**{name: True, f"{name}_days": days})
    assert (code in a.danger_signs) is danger
    assert a.urgent_referral is danger


@pytest.mark.parametrize(
    "code", ["cough_14_days_or_more", "diarrhoea_14_days_or_more", "fever_7_days_or_more", "muac_red"]
)
def test_danger_sign_codes_are_accepted_as_ticked_boxes(code):
    assert assess(**{code: True}).danger_signs == {code}


@pytest.mark.parametrize(
    ("visit", "muac", "danger", "classification"),
    [
        (date(2024, 7, 15), 114, True, "severe_acute_malnutrition"),  # 6 months: red < 115
        (date(2024, 7, 15), 115, False, "moderate_acute_malnutrition"),  # yellow 115-124
        (date(2024, 7, 15), 124, False, "moderate_acute_malnutrition"),
        (date(2024, 7, 15), 125, False, "no_finding"),  # green >= 125
        (date(2024, 7, 14), 114, False, "no_finding"),  # 5 months: MUAC not used
        (date(2024, 7, 14), 120, False, "no_finding"),
        (AT_59_MONTHS, 114, True, "severe_acute_malnutrition"),
        (AT_59_MONTHS, 114.9, True, "severe_acute_malnutrition"),
        (AT_59_MONTHS, 124.9, False, "moderate_acute_malnutrition"),
    ],
)
def test_muac_colours_from_6_months(visit, muac, danger, classification):
    a = assess(visit, muac_mm=muac)
    assert ("muac_red" in a.danger_signs) is danger
    assert classification in a.classifications


def test_muac_under_6_months_is_reported_as_ignored():
    assert assess(date(2024, 7, 14), muac_mm=110).ignored_findings == {"muac_mm"}


def test_oedema_is_severe_acute_malnutrition_at_any_age_and_wins_over_yellow_muac():
    assert assess(date(2024, 4, 20), bilateral_oedema=True).classifications == {
        "danger_sign",
        "severe_acute_malnutrition",
    }
    a = assess(AT_8_MONTHS, bilateral_oedema=True, muac_mm=120)
    assert "moderate_acute_malnutrition" not in a.classifications


# --- Section 0 fever, 1.4 classifications ---------------------------------------------------


@pytest.mark.parametrize(
    ("temperature", "rdt", "expected"),
    [
        (37.4, "positive", {"no_finding"}),  # 37.4 C is not fever
        (37.5, "positive", {"malaria"}),
        (37.6, "positive", {"malaria"}),
        (37.4, "negative", {"no_finding"}),
        (37.5, "negative", {"fever_rdt_negative"}),
        (37.5, None, {"no_finding"}),
    ],
)
def test_fever_is_axillary_37_5_or_more(temperature, rdt, expected):
    findings = {"temperature_c": temperature, "rdt_result": rdt}
    assert assess(**findings).classifications == expected


def test_reported_fever_counts_without_a_thermometer():
    a = assess(fever=True, rdt_result="positive")
    assert a.classifications == {"malaria"}
    assert a.action == "treat_at_home" and a.follow_up_days == 3


def test_fever_without_rdt_asks_for_one():
    a = assess(fever=True)
    assert "ICCM.FEVER.RDT_REQUIRED" in [r.rule for r in a.reasons]


@pytest.mark.parametrize(
    ("findings", "classifications", "action"),
    [
        ({"diarrhoea": True, "diarrhoea_days": 3}, {"diarrhoea"}, "treat_at_home"),
        ({"diarrhoea": True}, {"diarrhoea"}, "treat_at_home"),
        (
            {"diarrhoea": True, "diarrhoea_days": 14},
            {"danger_sign", "persistent_diarrhoea"},
            "urgent_referral",
        ),
        ({"diarrhoea": True, "blood_in_stool": True}, {"danger_sign", "dysentery"}, "urgent_referral"),
        ({"cough": True, "respiratory_rate": 30}, {"no_finding"}, "advise_only"),
        ({"muac_mm": 118}, {"moderate_acute_malnutrition"}, "advise_only"),
        ({"fever": True, "rdt_result": "negative"}, {"fever_rdt_negative"}, "advise_only"),
        ({}, {"no_finding"}, "advise_only"),
    ],
)
def test_classifications_and_actions_without_danger_signs(findings, classifications, action):
    a = assess(**findings)
    assert a.classifications == classifications
    assert a.action == action


def test_spec_1_5_worked_example_keeps_every_classification():
    # Cough, RR 45, chest indrawing, RDT-positive fever and MUAC 120 mm (clinical-rules.md 1.5,
    # corrected): no fast_breathing, because chest indrawing is itself the danger sign.
    a = assess(
        AT_30_MONTHS,
        cough=True,
        respiratory_rate=45,
        chest_indrawing=True,
        fever=True,
        rdt_result="positive",
        muac_mm=120,
    )
    assert a.classifications == {"danger_sign", "malaria", "moderate_acute_malnutrition"}
    assert a.danger_signs == {"chest_indrawing"}
    assert a.action == "urgent_referral" and a.urgent_referral is True
    assert a.follow_up_days is None


def test_the_same_child_without_chest_indrawing_has_fast_breathing():
    a = assess(AT_30_MONTHS, cough=True, respiratory_rate=45, fever=True, rdt_result="positive", muac_mm=120)
    assert a.classifications == {"fast_breathing", "malaria", "moderate_acute_malnutrition"}
    assert a.action == "treat_at_home"


@pytest.mark.parametrize("wording", ["chest_indrawing", "severe_chest_indrawing"])
@pytest.mark.parametrize("rr", [None, 39, 40, 60])
def test_chest_indrawing_is_a_danger_sign_never_fast_breathing(wording, rr):
    a = assess(AT_30_MONTHS, cough=True, respiratory_rate=rr, **{wording: True})
    assert a.danger_signs == {"chest_indrawing"}
    assert "fast_breathing" not in a.classifications
    assert a.action == "urgent_referral"


# --- pre-referral treatment (S1 "If danger sign, refer urgently: begin treatment") -------------


@pytest.mark.parametrize(
    ("findings", "pre"),
    [
        ({"chest_indrawing": True}, ("amoxicillin_first_dose",)),
        ({"cough": True, "respiratory_rate": 45, "cough_days": 15}, ("amoxicillin_first_dose",)),
        ({"diarrhoea": True, "blood_in_stool": True}, ("ors",)),
        (
            {"diarrhoea": True, "diarrhoea_days": 14, "chest_indrawing": True},
            ("ors", "amoxicillin_first_dose"),
        ),
        ({"fever": True, "fever_days": 7, "rdt_result": "positive"}, ("act_first_dose",)),
        ({"fever": True, "rdt_result": "positive", "convulsions": True}, ("rectal_artesunate",)),
        ({"temperature_c": 38.5, "vomits_everything": True, "diarrhoea": True}, ("rectal_artesunate",)),
        ({"chest_indrawing": True, "not_able_to_drink_or_feed": True}, ("none",)),
        ({"convulsions": True}, ("none",)),
        ({"muac_mm": 110}, ("none",)),
        ({"cough": True, "respiratory_rate": 45}, ()),  # no danger sign: treat at home
    ],
)
def test_the_pre_referral_treatment_is_named(findings, pre):
    a = assess(AT_30_MONTHS, **findings)
    assert a.pre_referral == pre
    named = [r for r in a.reasons if r.rule.startswith("ICCM.PRE_REFERRAL.")]
    assert [r.rule for r in named] == ["ICCM.PRE_REFERRAL." + code.upper() for code in pre]
    assert all(r.source and r.text_fr for r in named)


def test_pre_referral_texts_name_the_medicine_or_the_cscom_protocol():
    texts = {code: spec["text_fr"] for code, spec in iccm._RULES["pre_referral"]["treatments"].items()}
    assert "amoxicilline" in texts["amoxicillin_first_dose"]
    assert "SRO" in texts["ors"]
    assert "CTA" in texts["act_first_dose"]
    assert "artésunate rectal" in texts["rectal_artesunate"]
    assert "protocole" in texts["none"]
    action = next(r for r in assess(AT_30_MONTHS, convulsions=True).reasons if ".ACTION." in r.rule)
    assert "traitement pré-transfert indiqué." not in action.text_fr


def test_a_cadre_that_does_not_dispense_gets_no_medicine_but_still_ors():
    a = assess(
        AT_30_MONTHS,
        config=IccmConfig(chw_may_treat_at_home=False),
        chest_indrawing=True,
        diarrhoea=True,
        fever=True,
        rdt_result="positive",
    )
    assert a.pre_referral == ("ors", "not_dispensing")


def test_a_young_infant_gets_no_medicine_from_the_chw():
    a = at_day(20, convulsions=True)
    assert a.pre_referral == ("young_infant",)
    assert "au chaud" in a.reasons[-1].text_fr


def test_all_three_home_treatments_at_once():
    a = assess(
        cough=True,
        cough_days=3,
        respiratory_rate=44,
        fever=True,
        fever_days=2,
        rdt_result="positive",
        diarrhoea=True,
        diarrhoea_days=2,
        muac_mm=130,
    )
    assert a.classifications == {"fast_breathing", "malaria", "diarrhoea"}
    assert (a.action, a.follow_up_days) == ("treat_at_home", 3)


# --- settings per cadre and [U] rules -------------------------------------------------------

NO_HOME = IccmConfig(chw_may_treat_at_home=False)


def test_a_cadre_that_may_not_treat_refers_non_urgently():
    a = assess(config=NO_HOME, fever=True, rdt_result="positive")
    assert a.action == "non_urgent_referral"
    assert a.follow_up_days is None
    assert "ICCM.CONFIG.TREAT_AT_HOME_DISABLED" in [r.rule for r in a.reasons]


def test_a_cadre_that_may_not_treat_still_refers_danger_signs_urgently():
    assert assess(config=NO_HOME, convulsions=True).action == "urgent_referral"
    assert assess(config=NO_HOME, muac_mm=118).action == "advise_only"


def test_undecided_follow_ups_are_settings():
    assert assess(muac_mm=118).follow_up_days is None
    assert assess(config=IccmConfig(mam_follow_up_days=30), muac_mm=118).follow_up_days == 30
    both = assess(config=IccmConfig(mam_follow_up_days=30), muac_mm=118, fever=True, rdt_result="positive")
    assert both.follow_up_days == 3  # the earliest visit wins
    rdt_neg = IccmConfig(fever_rdt_negative_follow_up_days=2)
    assert assess(config=rdt_neg, fever=True, rdt_result="negative").follow_up_days == 2


@pytest.mark.parametrize(
    "kwargs",
    [
        {"chw_may_treat_at_home": "no"},
        {"young_infant_fever_c": 3.75},
        {"mam_follow_up_days": 0},
        {"fever_rdt_negative_follow_up_days": 2.5},
    ],
)
def test_bad_settings_are_refused(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        IccmConfig(**kwargs)


# --- 1.6: young infant 0-59 days ------------------------------------------------------------


@pytest.mark.parametrize(
    ("temperature", "sign"),
    [
        (35.4, "low_temperature_35_5"),
        (35.5, None),  # 35.5 itself is not low
        (37.4, None),
        (37.5, "fever_37_5"),
        (38.5, "fever_37_5"),
    ],
)
def test_young_infant_temperature(temperature, sign):
    a = at_day(10, temperature_c=temperature)
    assert a.danger_signs == ({sign} if sign else set())
    assert a.action == ("urgent_referral" if sign else "advise_only")


def test_young_infant_fever_threshold_is_a_setting():
    cfg = IccmConfig(young_infant_fever_c=38.0)
    assert at_day(10, cfg, temperature_c=37.9).danger_signs == frozenset()
    assert at_day(10, cfg, temperature_c=38.0).danger_signs == {"fever_37_5"}


@pytest.mark.parametrize("sign", iccm.YOUNG_INFANT_DANGER_SIGNS)
def test_every_young_infant_sign_means_urgent_referral(sign):
    a = at_day(20, **{sign: True})
    assert a.danger_signs == {sign}
    assert a.classifications == {"danger_sign"}
    assert a.action == "urgent_referral"


@pytest.mark.parametrize(
    ("days", "findings", "sign"),
    [
        (0, {"jaundice_first_24h": True}, "jaundice_severe"),
        (40, {"yellow_palms_or_soles": True}, "jaundice_severe"),
        (20, {"not_able_to_drink_or_feed": True}, "not_feeding_well"),
        (20, {"unusually_sleepy_or_unconscious": True}, "movement_only_when_stimulated_or_none"),
    ],
)
def test_young_infant_signs_recorded_in_other_words(days, findings, sign):
    assert at_day(days, **findings).danger_signs == {sign}


def test_mild_chest_indrawing_is_normal_below_2_months():
    a = at_day(20, chest_indrawing=True)
    assert a.urgent_referral is False
    assert a.ignored_findings == {"chest_indrawing"}


def test_local_bacterial_infection_is_a_non_urgent_referral():
    a = at_day(5, umbilicus_red_or_draining_pus=True)
    assert a.classifications == {"local_bacterial_infection"}
    assert a.action == "non_urgent_referral" and a.urgent_referral is False


def test_a_child_sign_in_young_infant_words_is_not_dropped():
    assert assess(AT_8_MONTHS, severe_chest_indrawing=True).danger_signs == {"chest_indrawing"}


# --- reasons and the JSON form --------------------------------------------------------------


def test_every_reason_names_rule_finding_threshold_source_and_french_text():
    a = assess(AT_11_MONTHS, cough=True, respiratory_rate=52, muac_mm=110)
    assert all(isinstance(r, Reason) and r.rule and r.finding and r.source and r.text_fr for r in a.reasons)
    fast = next(r for r in a.reasons if r.rule == "ICCM.CLASS.FAST_BREATHING")
    assert (fast.finding, fast.threshold) == ("respiratory_rate=52", ">= 50 /min")
    assert [r.rule for r in a.reasons][-2:] == [
        "ICCM.ACTION.URGENT_REFERRAL",
        "ICCM.PRE_REFERRAL.AMOXICILLIN_FIRST_DOSE",
    ]


def test_assessment_as_dict_is_json_ready():
    d = assessment_as_dict(assess(chest_indrawing=True, fever=True, rdt_result="positive"))
    assert json.loads(json.dumps(d)) == d
    assert d["classifications"] == ["danger_sign", "malaria"]
    assert d["pre_referral"] == ["amoxicillin_first_dose", "act_first_dose"]
    assert d["rules_version"] == iccm.ICCM_RULES_VERSION


# --- invalid input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("findings", "field"),
    [
        ({"chest_indrawnig": True}, "chest_indrawnig"),  # a typo must not drop a sign
        ({"respiratory_rate": -5}, "respiratory_rate"),
        ({"respiratory_rate": 0}, "respiratory_rate"),
        ({"respiratory_rate": 40.5}, "respiratory_rate"),
        ({"respiratory_rate": True}, "respiratory_rate"),
        ({"respiratory_rate": "52"}, "respiratory_rate"),
        ({"temperature_c": 375}, "temperature_c"),
        ({"temperature_c": float("nan")}, "temperature_c"),
        ({"muac_mm": 12.5}, "muac_mm"),  # centimetres typed
        ({"convulsions": "yes"}, "convulsions"),
        ({"convulsions": 1}, "convulsions"),
        ({"cough_days": -1}, "cough_days"),
        ({"rdt_result": "maybe"}, "rdt_result"),
        ({"cough": False, "cough_days": 3}, "cough_days"),
        ({"cough_days": 3, "cough_14_days_or_more": True}, "cough_14_days_or_more"),
        ({"muac_mm": 130, "muac_red": True}, "muac_red"),
        ({"temperature_c": 37.0, "axillary_temperature_c": 38.0}, "axillary_temperature_c"),
    ],
)
def test_invalid_findings_raise_value_error_naming_the_field(findings, field):
    with pytest.raises(ValueError, match=field):
        classify_sick_child(date_of_birth=DOB, visit_date=AT_30_MONTHS, findings=findings)


def test_young_infant_flag_contradicting_the_thermometer_is_refused():
    with pytest.raises(ValueError, match="fever_37_5"):
        at_day(10, temperature_c=36.5, fever_37_5=True)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"date_of_birth": DOB, "visit_date": DOB - timedelta(days=1), "findings": {}}, "visit_date"),
        ({"date_of_birth": "2024-01-15", "visit_date": AT_8_MONTHS, "findings": {}}, "date_of_birth"),
        ({"date_of_birth": DOB, "visit_date": AT_8_MONTHS, "findings": [("cough", True)]}, "findings"),
        ({"date_of_birth": DOB, "visit_date": AT_8_MONTHS, "findings": {}, "config": {}}, "config"),
    ],
)
def test_invalid_call_raises_value_error(kwargs, field):
    with pytest.raises(ValueError, match=field):
        classify_sick_child(**kwargs)


# --- properties -----------------------------------------------------------------------------

BOOLEAN_KEYS = [
    k
    for k, s in iccm._RULES["findings"].items()
    if s["type"] == "bool"
    and not k.endswith(
        ("_or_more", "muac_red", "fever_37_5", "low_temperature_35_5", "fast_breathing_60", "jaundice_severe")
    )
]
DANGER_KEYS = [
    "convulsions",
    "not_able_to_drink_or_feed",
    "vomits_everything",
    "chest_indrawing",
    "unusually_sleepy_or_unconscious",
    "bilateral_oedema",
    "blood_in_stool",
    "not_feeding_well",
    "severe_chest_indrawing",
    "movement_only_when_stimulated_or_none",
    "jaundice_severe",
    "yellow_palms_or_soles",
    "jaundice_first_24h",
]


@st.composite
def valid_findings(draw):
    f = {}
    for key in BOOLEAN_KEYS:
        value = draw(st.sampled_from([None, None, True, False]))
        if value is not None:
            f[key] = value
    for name in ("cough", "diarrhoea", "fever"):
        if f.get(name) is not False and draw(st.booleans()):
            f[f"{name}_days"] = draw(st.integers(0, 60))
    optional = {
        "respiratory_rate": st.integers(1, 200),
        "temperature_c": st.floats(25.0, 45.0),
        "muac_mm": st.integers(50, 300) | st.floats(50.0, 300.0),
        "rdt_result": st.sampled_from(["positive", "negative"]),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            f[key] = draw(strategy)
    return f


dobs = st.dates(min_value=date(2015, 1, 1), max_value=date(2035, 1, 1))


@settings(max_examples=300)
@given(dob=dobs, age=st.integers(0, 2200), findings=valid_findings(), home=st.booleans())
def test_any_valid_input_gives_a_coherent_assessment(dob, age, findings, home):
    a = classify_sick_child(
        date_of_birth=dob,
        visit_date=dob + timedelta(days=age),
        findings=findings,
        config=IccmConfig(chw_may_treat_at_home=home),
    )
    assert a.classifications and a.classifications <= set(CLASSIFICATIONS) | {"local_bacterial_infection"}
    assert ("no_finding" in a.classifications) == (a.classifications == {"no_finding"})
    assert a.urgent_referral == bool(a.danger_signs) == (a.action == "urgent_referral")
    assert ("danger_sign" in a.classifications) == a.urgent_referral
    assert a.follow_up_days == (3 if a.action == "treat_at_home" else None)
    assert a.action in ACTION_URGENCY and a.action is not None
    assert bool(a.pre_referral) == a.urgent_referral
    if "chest_indrawing" in a.danger_signs:
        assert "fast_breathing" not in a.classifications
    if not home:
        assert a.action != "treat_at_home"
    json.dumps(assessment_as_dict(a))


@settings(max_examples=300)
@given(dob=dobs, age=st.integers(0, 1900), findings=valid_findings(), sign=st.sampled_from(DANGER_KEYS))
def test_one_more_danger_sign_never_lowers_urgency(dob, age, findings, sign):
    visit = dob + timedelta(days=age)
    before = classify_sick_child(date_of_birth=dob, visit_date=visit, findings=findings)
    after = classify_sick_child(date_of_birth=dob, visit_date=visit, findings={**findings, sign: True})
    assert ACTION_URGENCY[after.action] >= ACTION_URGENCY[before.action]
    assert after.danger_signs >= before.danger_signs
    assert after.urgent_referral >= before.urgent_referral


@settings(max_examples=200)
@given(findings=valid_findings(), key=st.text(min_size=1, max_size=20))
def test_an_unknown_finding_is_always_refused(findings, key):
    if key in iccm._SPECS:
        return
    with pytest.raises(ValueError, match="unknown finding"):
        classify_sick_child(date_of_birth=DOB, visit_date=AT_30_MONTHS, findings={**findings, key: True})


@settings(max_examples=200)
@given(
    key=st.sampled_from(["respiratory_rate", "temperature_c", "muac_mm", "cough_days"]),
    value=st.one_of(
        st.integers(-1000, -1),
        st.floats(allow_nan=True).filter(lambda x: x != x or x < 0 or (x > 1000 and not x.is_integer())),
        st.text(),
        st.booleans(),
        st.none().map(lambda _: [1]),
    ),
)
def test_a_wrong_measurement_is_always_refused(key, value):
    with pytest.raises(ValueError, match=key):
        classify_sick_child(date_of_birth=DOB, visit_date=AT_30_MONTHS, findings={key: value})


def test_tablet_vectors_are_strict_json_and_cover_the_boundaries():
    from keneya.clinical.vectors import iccm as vectors_iccm

    document = vectors_iccm.generate()
    json.dumps(document, allow_nan=False)  # the tablet parses it with JSON.parse
    names = [case["name"] for case in document["cases"]]
    assert len(names) == len(set(names))
    assert sum(name.startswith("random_") for name in names) >= 150
