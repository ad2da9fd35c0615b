"""The lab catalogue: reference ranges and critical limits at their boundaries, table-driven."""

from __future__ import annotations

import pytest

from keneya.clinical import lab

M, F = "M", "F"
Y = 12  # months in a year

# test, value, age in months, sex, pregnant, expected interpretation
CASES = [
    # Haemoglobin (g/dL): critical < 7.0 at every age (WHO 2011 severe anaemia, issue #14)
    ("hb", "6.9", 30 * Y, M, False, "critical_low"),
    ("hb", "7.0", 30 * Y, M, False, "low"),
    ("hb", "6.2", 30 * Y, F, False, "critical_low"),
    ("hb", "6.9", 3, F, False, "critical_low"),
    ("hb", "20.0", 30 * Y, M, False, "high"),
    ("hb", "20.1", 30 * Y, M, False, "critical_high"),
    # men >= 15 y: anaemia below 13.0 (WHO 2024); upper limit 17.5
    ("hb", "12.9", 15 * Y, M, False, "low"),
    ("hb", "13.0", 15 * Y, M, False, "normal"),
    ("hb", "17.5", 40 * Y, M, False, "normal"),
    ("hb", "17.6", 40 * Y, M, False, "high"),
    # non-pregnant women >= 15 y: below 12.0; pregnant: below 11.0
    ("hb", "11.9", 25 * Y, F, False, "low"),
    ("hb", "12.0", 25 * Y, F, False, "normal"),
    ("hb", "15.6", 25 * Y, F, False, "high"),
    ("hb", "11.5", 25 * Y, F, True, "normal"),
    ("hb", "10.9", 25 * Y, F, True, "low"),
    ("hb", "11.0", 25 * Y, F, True, "normal"),
    # pregnant is ignored for a man
    ("hb", "12.5", 25 * Y, M, True, "low"),
    # 12-14 y: below 12.0 for both sexes; the band ends at 180 months
    ("hb", "11.9", 179, M, False, "low"),
    ("hb", "12.0", 179, M, False, "normal"),
    ("hb", "12.5", 180, M, False, "low"),
    ("hb", "12.5", 180, F, False, "normal"),
    # 5-11 y: below 11.5
    ("hb", "11.4", 60, F, False, "low"),
    ("hb", "11.5", 143, F, False, "normal"),
    ("hb", "11.9", 144, F, False, "low"),
    # 24-59 months: below 11.0; 6-23 months: below 10.5 (WHO 2024)
    ("hb", "10.9", 24, M, False, "low"),
    ("hb", "11.0", 59, M, False, "normal"),
    ("hb", "10.9", 59, M, False, "low"),
    ("hb", "10.6", 23, M, False, "normal"),
    ("hb", "10.4", 6, M, False, "low"),
    ("hb", "10.5", 6, M, False, "normal"),
    # 2-5 months: below 9.5; under 2 months: no range (critical limits only)
    ("hb", "9.4", 2, F, False, "low"),
    ("hb", "9.5", 5, F, False, "normal"),
    ("hb", "8.0", 1, F, False, "normal"),
    # Capillary glycaemia (g/L): critical < 0.54 and > 3.0 (ADA level 2; issue #14); low < 0.70, high > 2.00
    ("glycemia", "0.53", 40 * Y, F, False, "critical_low"),
    ("glycemia", "0.54", 40 * Y, F, False, "low"),
    ("glycemia", "0.69", 40 * Y, F, False, "low"),
    ("glycemia", "0.70", 40 * Y, F, False, "normal"),
    ("glycemia", "2.00", 40 * Y, F, False, "normal"),
    ("glycemia", "2.01", 40 * Y, F, False, "high"),
    ("glycemia", "3.00", 40 * Y, F, False, "high"),
    ("glycemia", "3.01", 40 * Y, F, False, "critical_high"),
    ("glycemia", "1.00", None, None, False, "normal"),
    # Fasting: diabetes range from 1.26 g/L (WHO 2006)
    ("glycemia_fasting", "1.25", 50 * Y, M, False, "normal"),
    ("glycemia_fasting", "1.26", 50 * Y, M, False, "high"),
    ("glycemia_fasting", "0.50", 50 * Y, M, False, "critical_low"),
    # Qualitative tests
    ("malaria_rdt", "positive", 3 * Y, F, False, "positive"),
    ("malaria_rdt", "negative", 3 * Y, F, False, "negative"),
    ("malaria_smear", "3+", 3 * Y, F, False, "positive"),
    ("malaria_smear", "negative", 3 * Y, F, False, "negative"),
    ("urine_protein", "trace", 25 * Y, F, True, "negative"),
    ("urine_protein", "1+", 25 * Y, F, True, "positive"),
    ("urine_glucose", "trace", 25 * Y, F, False, "positive"),
    ("pregnancy", "positive", 25 * Y, F, False, "positive"),
    ("tb_smear", "scanty", 40 * Y, M, False, "positive"),
    ("tb_xpert", "not_detected", 40 * Y, M, False, "negative"),
    ("tb_xpert", "rif_resistant", 40 * Y, M, False, "positive"),
    ("tb_xpert", "invalid", 40 * Y, M, False, "invalid"),
    ("stool", "Kystes d'Entamoeba histolytica", 8 * Y, M, False, "recorded"),
]


@pytest.mark.parametrize(("code", "value", "age", "sex", "pregnant", "expected"), CASES)
def test_interpretation_at_the_boundaries(code, value, age, sex, pregnant, expected):
    test = lab.get(code)
    assert lab.interpret(test, lab.parse_value(test, value), age, sex, pregnant=pregnant) == expected


# typed value → stored value
PARSES = [
    ("hb", "6,2", "6.2"),
    ("hb", 6.2, "6.2"),
    ("hb", " 11.45 ", "11.5"),
    ("glycemia", "0,8", "0.80"),
    ("malaria_rdt", "Positif", "positive"),
    ("malaria_rdt", "négatif", "negative"),
    ("hiv_rdt1", "réactif", "positive"),
    ("hiv_rdt1", True, "positive"),
    ("urine_protein", "2+", "2+"),
    ("urine_protein", "Traces", "trace"),
]


@pytest.mark.parametrize(("code", "raw", "stored"), PARSES)
def test_values_are_stored_in_one_canonical_form(code, raw, stored):
    assert lab.parse_value(lab.get(code), raw) == stored


REFUSED = [
    ("hb", ""),
    ("hb", None),
    ("hb", "abc"),
    ("hb", "NaN"),
    ("hb", "0.5"),
    ("hb", "62"),
    ("glycemia", "7"),
    ("malaria_rdt", "peut-être"),
    ("urine_protein", "5+"),
    ("stool", "x" * 501),
    ("hb", True),
]


@pytest.mark.parametrize(("code", "raw"), REFUSED)
def test_impossible_values_are_refused_in_french(code, raw):
    with pytest.raises(lab.LabValueError) as error:
        lab.parse_value(lab.get(code), raw)
    assert str(error.value)[0].isupper()


def test_every_test_has_a_source_a_unit_rule_and_a_loinc_status():
    for test in lab.TESTS.values():
        assert test.source, test.code
        assert test.result_type in lab.RESULT_TYPES
        assert test.loinc, test.code
        if test.result_type == lab.NUMBER:
            assert test.unit and test.critical and test.critical.source
            assert all(r.source for r in test.ranges)
        if test.result_type == lab.ORDINAL:
            assert test.levels
            assert {lv.interpretation for lv in test.levels} <= set(lab.INTERPRETATIONS)
    # the catalogue covers the list
    expected = {"malaria_rdt", "malaria_smear", "hb", "glycemia", "hiv_rdt1", "syphilis_rdt"}
    expected |= {"urine_protein", "urine_glucose", "pregnancy", "stool", "tb_smear", "tb_xpert"}
    assert expected <= set(lab.TESTS)


def test_every_source_key_cited_is_defined():
    import re

    for test in lab.TESTS.values():
        cited = [test.source] + [r.source for r in test.ranges]
        cited += [test.critical.source] if test.critical else []
        for text in cited:
            for key in re.findall(r"\b[A-Z][A-Z0-9_]{3,}\b", text):
                assert key in lab.SOURCES, (test.code, key)


@pytest.mark.parametrize(
    ("a1", "a2", "a3", "status"),
    [
        (None, None, None, "pending"),
        ("negative", None, None, "negative"),
        ("positive", None, None, "pending"),
        ("positive", "negative", None, "inconclusive"),
        ("positive", "positive", None, "pending"),
        ("positive", "positive", "positive", "positive"),
        ("positive", "positive", "negative", "inconclusive"),
    ],
)
def test_hiv_three_test_strategy(a1, a2, a3, status):
    assert lab.hiv_status(a1, a2, a3) == status


def test_a_reactive_hiv_test_calls_for_the_next_one():
    assert lab.hiv_next_test("hiv_rdt1", "positive") == "hiv_rdt2"
    assert lab.hiv_next_test("hiv_rdt2", "positive") == "hiv_rdt3"
    assert lab.hiv_next_test("hiv_rdt3", "positive") is None
    assert lab.hiv_next_test("hiv_rdt1", "negative") is None
    assert lab.hiv_next_test("hb", "positive") is None


def test_abnormal_and_critical_flags():
    hb, preg = lab.get("hb"), lab.get("pregnancy")
    assert lab.is_abnormal(hb, "low") and lab.is_abnormal(hb, "critical_low")
    assert not lab.is_abnormal(hb, "normal")
    assert not lab.is_abnormal(preg, "positive")
    assert lab.is_abnormal(lab.get("malaria_rdt"), "positive")
    assert lab.is_critical("critical_high") and not lab.is_critical("low")


def test_labels_and_limits_in_french():
    hb = lab.get("hb")
    assert lab.value_label(hb, "6.2") == "6,2 g/dL"
    assert lab.value_label(lab.get("malaria_rdt"), "positive") == "Positif"
    assert lab.critical_text(hb) == "Hb critique si < 7,0 g/dL ou > 20,0 g/dL"
    used = lab.critical_limit_used(hb, "critical_low")
    assert used.startswith("Seuil critique : Hb < 7,0 g/dL (WHO_HB_2011") and ";" not in used
    assert lab.critical_limit_used(lab.get("glycemia"), "critical_high").startswith(
        "Seuil critique : Glycémie > 3,0 g/L (CRIT_GLUCOSE_HIGH"
    )
    assert lab.critical_limit_used(hb, "low") == ""
    ref = lab.reference_range(hb, 25 * Y, "F")
    assert ref is not None and ref.text("g/dL") == "12,0 – 15,5 g/dL"
