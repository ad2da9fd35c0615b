"""The exported tablet vectors must be what the engine computes today.

The files are compared as parsed JSON, not as text: floating point differs in the last bits
across processors and maths libraries (z-scores use pow()), so a float is compared within the
file's declared ``tolerance`` (exactly when the file declares none), and everything else
(keys, strings, booleans, integers, list lengths and order) exactly.
"""

import json
import math

import pytest

from keneya.clinical.vectors.export import VECTORS_DIR, render, vector_modules


def differences(actual, expected, tolerance, path="", out=None):
    """Paths where ``actual`` and ``expected`` (parsed JSON) differ; [] when they match."""
    out = [] if out is None else out
    if isinstance(expected, float) or isinstance(actual, float):
        numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (actual, expected))
        if not numbers or not math.isclose(actual, expected, rel_tol=0.0, abs_tol=tolerance):
            out.append(f"{path or '.'}: expected {expected!r}, got {actual!r}")
    elif isinstance(expected, dict):
        if not isinstance(actual, dict):
            out.append(f"{path or '.'}: expected an object, got {actual!r}")
        else:
            for key in sorted(set(expected) | set(actual)):
                if key not in actual:
                    out.append(f"{path}.{key}: missing")
                elif key not in expected:
                    out.append(f"{path}.{key}: unexpected")
                else:
                    differences(actual[key], expected[key], tolerance, f"{path}.{key}", out)
    elif isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            out.append(f"{path or '.'}: expected {len(expected)} items, got {actual!r:.200}")
        else:
            for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
                differences(a, e, tolerance, f"{path}[{i}]", out)
    elif type(actual) is not type(expected) or actual != expected:
        out.append(f"{path or '.'}: expected {expected!r}, got {actual!r}")
    return out


@pytest.mark.parametrize("name", vector_modules())
def test_exported_vectors_match_the_engine(name):
    path = VECTORS_DIR / f"{name}.json"
    assert path.exists(), f"run python -m keneya.clinical.vectors.export ({path} missing)"
    committed = json.loads(path.read_text(encoding="utf-8"))
    fresh = json.loads(render(name))
    tolerance = float(committed.get("tolerance") or 0.0)
    problems = differences(fresh, committed, tolerance)
    assert not problems, (
        f"{path.name} is stale ({len(problems)} differences, first: {problems[:5]}): "
        "run python -m keneya.clinical.vectors.export"
    )


def test_a_float_within_the_tolerance_matches_and_beyond_it_does_not():
    doc = {"tolerance": 1e-9, "cases": [{"z": -2.123456789, "n": 3, "s": "a", "b": True}]}
    close = {"tolerance": 1e-9, "cases": [{"z": -2.123456789 + 7.3e-13, "n": 3, "s": "a", "b": True}]}
    far = {"tolerance": 1e-9, "cases": [{"z": -2.123456789 + 2e-9, "n": 3, "s": "a", "b": True}]}
    assert differences(close, doc, 1e-9) == []
    [problem] = differences(far, doc, 1e-9)
    assert problem.startswith(".cases[0].z: expected -2.123456789")


def test_everything_but_floats_is_compared_exactly():
    doc = {"cases": [{"n": 3, "s": "a", "b": True, "l": [1, 2]}]}
    assert differences({"cases": [{"n": 4, "s": "a", "b": True, "l": [1, 2]}]}, doc, 1.0)
    assert differences({"cases": [{"n": 3, "s": "b", "b": True, "l": [1, 2]}]}, doc, 1.0)
    assert differences({"cases": [{"n": 3, "s": "a", "b": 1, "l": [1, 2]}]}, doc, 1.0)
    assert differences({"cases": [{"n": 3, "s": "a", "b": True, "l": [2, 1]}]}, doc, 1.0)
    assert differences({"cases": [{"n": 3, "s": "a", "b": True, "l": [1, 2], "x": 0}]}, doc, 1.0)
    assert differences({"cases": [{"n": 3, "s": "a", "b": True, "l": [1, 2]}]}, doc, 0.0) == []
