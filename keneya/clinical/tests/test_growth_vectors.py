"""The exported growth vectors cover every boundary of clinical-rules §2 and replay exactly."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import pytest

from keneya.clinical import growth
from keneya.clinical.vectors import growth as vectors_growth
from keneya.clinical.vectors.export import VECTORS_DIR

DOCUMENT = json.loads((VECTORS_DIR / "growth.json").read_text(encoding="utf-8"))


def test_document_header():
    assert DOCUMENT["function"] == "keneya.clinical.growth.zscores"
    assert DOCUMENT["tolerance"] == 1e-9
    assert DOCUMENT["indicators"] == list(growth.INDICATORS)
    assert set(DOCUMENT["reason_text_fr"]) == set(growth.REASON_TEXT_FR)


def test_random_and_boundary_cases_are_present():
    names = [case["name"] for case in DOCUMENT["cases"]]
    assert len(names) == len(set(names))
    assert sum(name.startswith("random ") for name in names) == 300
    for prefix in (
        "correction age=730", "correction age=731", "standing under 9 months", "table switch",
        "age unknown", "interpolation", "wfl range", "wfh range", "range after correction",
        "age limit age=1826", "age limit age=1827", "age limit age=90", "age limit age=91",
        "oedema=True", "restricted wfa", "restricted bmi", "restricted acfa", "restricted wflh",
        "flag wfa", "flag lhfa", "flag wflh", "flag bmi", "flag acfa", "flag hcfa", "z not finite",
    ):  # fmt: skip
        assert any(name.startswith(prefix) for name in names), prefix
    reasons = {value["reason"] for case in DOCUMENT["cases"] for value in case["expected"].values()}
    assert reasons - {None} == set(growth.REASON_TEXT_FR)


def test_every_case_replays_within_tolerance_and_flags_both_ways():
    flagged = set()
    for case in DOCUMENT["cases"]:
        result = growth.zscores(**case["input"])
        assert growth.classify(result) == case["expected_classes"], case["name"]
        for key, expected in case["expected"].items():
            got = result[key]
            assert got.reason == expected["reason"] and got.flagged == expected["flagged"]
            if expected["z"] is None or got.z is None:
                assert got.z is None and expected["z"] is None
            else:
                assert math.isclose(got.z, expected["z"], rel_tol=0, abs_tol=DOCUMENT["tolerance"])
                flagged.add((key, expected["flagged"]))
    assert flagged == {(k, f) for k in growth.INDICATORS for f in (True, False)}


def test_no_case_is_ambiguous_at_two_decimals():
    for case in DOCUMENT["cases"]:
        for value in case["expected"].values():
            if value["z"] is not None:
                assert not vectors_growth._near_rounding_tie(value["z"]), case["name"]


def test_benchmark_runs_on_a_small_sample():
    path = Path(__file__).resolve().parents[3] / "bench" / "bench_growth.py"
    if not path.exists():
        pytest.skip("bench/ not present")
    spec = importlib.util.spec_from_file_location("bench_growth", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    markdown = module.run(2_000)
    assert markdown.startswith("## WHO growth z-scores")
    assert "| wflh |" in markdown
