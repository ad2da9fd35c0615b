"""Everything the tablet's JavaScript engine needs, as one JSON document (``engine_bundle()``).

The offline tablet downloads this once per ``engine_version`` and caches it; its engine
(``keneya/pwa/static/pwa/engine/``) reads every threshold, table, French text and source from it,
so the server and the tablet apply the same rules. Pure Python, no Django.

Layout::

    {
      "format": 1,
      "engine_version": "1.0.0",                  # keneya.clinical.ENGINE_VERSION
      "rules": {                                  # data/*.json, unchanged
        "age_bands": {...}, "iccm_rules": {...}, "nutrition_rules": {...},
        "pregnancy_rules": {...}, "pev_mali": {...}
      },
      "engine": {                                 # constants that live in the Python modules
        "growth": {...}, "iccm": {...}, "nutrition": {...}, "visit": {...}
      },
      "growth2007_tables": {                      # WHO 2007 (5-19 y), data/growth2007/*.csv
        "bmi": {"first": 61, "rows": 168, "M": {"l": <column>, ...}, "F": {...}}, "lhfa", "wfa"
      },
      "growth_tables": {                          # WHO LMS tables, data/growth/*.csv
        "wfa": {"index": "day", "first": 0, "rows": 1827,
                "M": {"l": <column>, "m": <column>, "s": <column>}, "F": {...}},
        ...
        "wfl": {"index": "tenth_cm", "first": 450, "rows": 651, ...}
      }
    }

A table's row ``i`` is for day ``first + i`` (``index`` "day") or for the length
``(first + i) / 10`` cm (``index`` "tenth_cm"). A column is either one number (every row has
that value, e.g. L = 1 for length-for-age) or ``{"decimals": k, "delta": [n0, d1, d2, ...]}``:
the values are the integers ``n0, n0 + d1, n0 + d1 + d2, ...`` divided by ``10 ** k``. Integer
sums are exact and one correctly rounded division gives back the very double that
``float("13.4779")`` gives, so the compact form is lossless (``_encode_column`` checks it).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from keneya.clinical import ENGINE_VERSION, growth, growth2007, iccm, nutrition, visit

BUNDLE_FORMAT = 1
DATA_DIR = Path(__file__).resolve().parent / "data"
RULE_FILES = (
    "age_bands",
    "iccm_rules",
    "nutrition_rules",
    "pregnancy_rules",
    "pev_mali",
    "older_child_rules",
)
# Catalogues the server alone reads (the CSCom's prescriptions and laboratory, issue #14): the
# tablet's engine does not prescribe nor interpret lab results, so they stay out of its bundle.
SERVER_ONLY_FILES = ("lab_tests", "medicines")
# Index of each growth table's rows (growth._Table.first: a day, or a length in tenths of a cm).
TABLE_INDEX = {
    "wfa": "day",
    "lhfa": "day",
    "bmi": "day",
    "acfa": "day",
    "hcfa": "day",
    "wfl": "tenth_cm",
    "wfh": "tenth_cm",
}


def _decimals(value: float) -> int:
    """Digits after the decimal point of the shortest repr of ``value`` (0 for an integer)."""
    exponent = Decimal(repr(value)).as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


def _encode_column(values: list[float]) -> float | dict[str, Any]:
    """One number when constant, else scaled integers, delta-encoded (see the module docstring)."""
    if len(set(values)) == 1:
        return values[0]
    k = max(_decimals(v) for v in values)
    scale = 10**k
    ints = [int(Decimal(repr(v)).scaleb(k)) for v in values]
    for n, v in zip(ints, values, strict=True):  # lossless: the tablet gets the same doubles
        if n / scale != v or abs(n) >= 2**53:
            raise ValueError(f"growth column value {v!r} cannot be encoded exactly with {k} decimals")
    return {"decimals": k, "delta": [ints[0]] + [b - a for a, b in zip(ints, ints[1:], strict=False)]}


def decode_column(column: float | dict[str, Any], rows: int) -> list[float]:
    """Inverse of ``_encode_column`` (what the JavaScript engine does), for tests."""
    if not isinstance(column, dict):
        return [float(column)] * rows
    scale = 10 ** column["decimals"]
    out, n = [], 0
    for d in column["delta"]:
        n += d
        out.append(n / scale)
    return out


def growth_tables() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, table in growth.tables().items():
        entry: dict[str, Any] = {"index": TABLE_INDEX[name], "first": table.first, "rows": len(table.rows[0])}
        for sex_index, sex in enumerate(growth._SEXES):
            rows = table.rows[sex_index]
            entry[sex] = {
                key: _encode_column([row[i] for row in rows]) for i, key in enumerate(("l", "m", "s"))
            }
        out[name] = entry
    return out


def growth2007_tables() -> dict[str, Any]:
    """WHO 2007 (5-19 years) LMS tables by completed month: {indicator: {first, rows, M, F}}."""
    out: dict[str, Any] = {}
    for name in growth2007.INDICATORS:
        entry: dict[str, Any] = {}
        for sex in growth._SEXES:
            rows = growth2007.table(name, sex)
            months = sorted(rows)
            entry.update(first=months[0], rows=len(months))
            entry[sex] = {
                key: _encode_column([rows[m][i] for m in months]) for i, key in enumerate(("l", "m", "s"))
            }
        out[name] = entry
    return out


def rules() -> dict[str, Any]:
    return {name: json.loads((DATA_DIR / f"{name}.json").read_text("utf-8")) for name in RULE_FILES}


def engine_constants() -> dict[str, Any]:
    """The constants that are written in the Python modules rather than in data/*.json."""
    return {
        "growth": {
            "days_per_month": growth.DAYS_PER_MONTH,
            "max_age_months": growth.MAX_AGE_MONTHS,
            "lenhei_switch_days": growth.LENHEI_SWITCH_DAYS,
            "lenhei_correction_cm": growth.LENHEI_CORRECTION_CM,
            "standing_min_age_months": growth.STANDING_MIN_AGE_MONTHS,
            "acfa_min_age_days": growth.ACFA_MIN_AGE_DAYS,
            "wfl_range_cm": list(growth.WFL_RANGE_CM),
            "wfh_range_cm": list(growth.WFH_RANGE_CM),
            "unknown_age_wfh_from_cm": growth.UNKNOWN_AGE_WFH_FROM_CM,
            "restricted_sd": growth.RESTRICTED_SD,
            "z_decimals": growth.Z_DECIMALS,
            "flag_limits": {k: list(v) for k, v in growth.FLAG_LIMITS.items()},
            "cutoffs": {
                "severe_below": growth.SEVERE_BELOW,
                "moderate_below": growth.MODERATE_BELOW,
                "possible_risk_above": growth.POSSIBLE_RISK_ABOVE,
                "overweight_above": growth.OVERWEIGHT_ABOVE,
                "obese_above": growth.OBESE_ABOVE,
                "very_tall_above": growth.VERY_TALL_ABOVE,
            },
            "indicators": list(growth.INDICATORS),
            "restricted": sorted(growth.RESTRICTED),
            "weight_based": sorted(growth.WEIGHT_BASED),
            "precedence": {k: list(v) for k, v in growth._PRECEDENCE.items()},
            "names_fr": growth.NAMES_FR,
            "reason_text_fr": growth.REASON_TEXT_FR,
            "class_labels_fr": growth.CLASS_LABELS_FR,
            "sources": {
                "algorithm": growth.SOURCE_ALGORITHM,
                "flags": growth.SOURCE_FLAGS,
                "cutoffs": growth.SOURCE_CUTOFFS,
            },
        },
        "iccm": {
            "home_treated": sorted(iccm._HOME_TREATED),
            "action_urgency": [a for a, _ in sorted(iccm.ACTION_URGENCY.items(), key=lambda x: x[1])],
        },
        "nutrition": {"source": nutrition._SOURCE, "growth_source": nutrition._GROWTH_SOURCE},
        "visit": {
            "kinds": list(visit.KINDS),
            "measurement_keys": list(visit.MEASUREMENT_KEYS),
            "action_rank": visit.ACTION_RANK,
            "under_five_months": visit.UNDER_FIVE_MONTHS,
            "acute_to_classification": visit.ACUTE_TO_CLASSIFICATION,
            "action_text_fr": visit.ACTION_TEXT_FR,
            "older_child_kind": visit.OLDER_CHILD_KIND,
        },
        "growth2007": {
            "first_month": growth2007.FIRST_MONTH,
            "last_month": growth2007.LAST_MONTH,
            "wfa_last_month": growth2007.WFA_LAST_MONTH,
            "restricted": sorted(growth2007.RESTRICTED),
            "indicators": list(growth2007.INDICATORS),
        },
    }


def engine_bundle() -> dict[str, Any]:
    """The whole bundle (JSON-serialisable, no NaN): see the module docstring."""
    return {
        "format": BUNDLE_FORMAT,
        "engine_version": ENGINE_VERSION,
        "rules": rules(),
        "engine": engine_constants(),
        "growth_tables": growth_tables(),
        "growth2007_tables": growth2007_tables(),
    }


def render() -> str:
    """The bundle as compact UTF-8 JSON text (what the server sends to the tablet)."""
    return json.dumps(engine_bundle(), ensure_ascii=False, separators=(",", ":"), allow_nan=False)


if __name__ == "__main__":
    import sys

    sys.stdout.write(render())
