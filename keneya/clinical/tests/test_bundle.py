"""The engine bundle the tablet downloads: complete, lossless, small, and in step with the engine."""

from __future__ import annotations

import gzip
import json

import pytest

from keneya.clinical import ENGINE_VERSION, growth, visit
from keneya.clinical.bundle import (
    DATA_DIR,
    RULE_FILES,
    SERVER_ONLY_FILES,
    decode_column,
    engine_bundle,
    render,
)

BUNDLE = engine_bundle()


def test_json_serialisable_strict_and_stable():
    text = render()
    assert json.loads(text) == BUNDLE
    json.dumps(BUNDLE, allow_nan=False)  # the tablet parses it with JSON.parse
    assert render() == text


def test_version_matches_the_engine():
    assert BUNDLE["engine_version"] == ENGINE_VERSION
    assert BUNDLE["format"] == 1


def test_contains_every_rule_file_unchanged():
    assert set(BUNDLE["rules"]) == set(RULE_FILES)
    on_disk = {p.stem for p in DATA_DIR.glob("*.json")}
    assert on_disk == set(RULE_FILES) | set(SERVER_ONLY_FILES), "a new rule file: add it"
    for name in RULE_FILES:
        assert BUNDLE["rules"][name] == json.loads((DATA_DIR / f"{name}.json").read_text("utf-8"))


@pytest.mark.parametrize("name", sorted(growth.tables()))
def test_contains_every_growth_table_losslessly(name):
    table = growth.tables()[name]
    entry = BUNDLE["growth_tables"][name]
    assert entry["first"] == table.first
    assert entry["rows"] == len(table.rows[0]) == len(table.rows[1])
    assert entry["index"] == ("tenth_cm" if name in ("wfl", "wfh") else "day")
    for sex_index, sex in enumerate(("M", "F")):
        rows = table.rows[sex_index]
        for col, key in enumerate(("l", "m", "s")):
            decoded = decode_column(entry[sex][key], entry["rows"])
            assert decoded == [row[col] for row in rows], f"{name} {sex} {key}"  # bit for bit


def test_every_table_is_present():
    assert (
        set(BUNDLE["growth_tables"])
        == set(growth.tables())
        == {"wfa", "lhfa", "bmi", "acfa", "hcfa", "wfl", "wfh"}
    )


def test_engine_constants_are_the_modules_values():
    g = BUNDLE["engine"]["growth"]
    assert g["days_per_month"] == growth.DAYS_PER_MONTH
    assert g["flag_limits"] == {k: list(v) for k, v in growth.FLAG_LIMITS.items()}
    assert g["precedence"] == {k: list(v) for k, v in growth._PRECEDENCE.items()}
    assert g["reason_text_fr"] == growth.REASON_TEXT_FR
    v = BUNDLE["engine"]["visit"]
    assert v["action_rank"] == visit.ACTION_RANK
    assert v["action_text_fr"] == visit.ACTION_TEXT_FR
    assert v["kinds"] == list(visit.KINDS)


def test_small_enough_to_download_once():
    raw = render().encode("utf-8")
    assert len(raw) < 250_000, len(raw)
    assert len(gzip.compress(raw)) < 40_000


# Numbers that the engine prints into reasons ("threshold": ">= 37.5 C"). JavaScript cannot tell
# 38 from 38.0 once parsed, so such a value must be an int or a non-integral float.
_PRINTED = [
    ("iccm_rules", "child_fever_c", "value"),
    ("iccm_rules", "young_infant_low_temperature_below_c", "value"),
    ("iccm_rules", "configurable", "young_infant_fever_c", "default"),
    ("iccm_rules", "cough_danger_days", "value"),
    ("iccm_rules", "diarrhoea_danger_days", "value"),
    ("iccm_rules", "fever_danger_days", "value"),
    *(
        ("iccm_rules", "fast_breathing_per_min", band, "value")
        for band in ("young_infant_0_59d", "child_2_11m", "child_12_59m")
    ),
    ("nutrition_rules", "muac_mm", "red_below", "value"),
    ("nutrition_rules", "muac_mm", "yellow_below", "value"),
    ("nutrition_rules", "muac_mm", "min_age_months", "value"),
    ("nutrition_rules", "max_age_months", "value"),
    ("nutrition_rules", "wfh_z", "severe_below", "value"),
    ("nutrition_rules", "wfh_z", "moderate_below", "value"),
    ("age_bands", "out_of_scope_min_age_months", "value"),
]


@pytest.mark.parametrize("path", _PRINTED, ids=".".join)
def test_numbers_printed_in_reasons_are_unambiguous_in_json(path):
    value = BUNDLE["rules"]
    for key in path:
        value = value[key]
    assert isinstance(value, int | float) and not isinstance(value, bool)
    assert isinstance(value, int) or not value.is_integer(), (
        f"{'.'.join(path)} = {value!r}: write it as an int (Python would print '{value}', "
        "the tablet cannot tell it from an int)"
    )
