"""Extract the WHO 2007 growth reference (5-19 years) LMS tables into ``who2007_*.csv``.

Dev-only: reads ``rcpchgrowth``'s ``data_tables/who/who_2007_children.json`` (installed in the dev
virtualenv; runtime never needs the package) and writes, per indicator and sex, the rows of the
WHO 2007 reference proper: completed months 61-228 for BMI- and height-for-age, 61-120 for
weight-for-age (rcpchgrowth also carries a 60-month joining row from the 2006 standards, which is
not part of WHO 2007 and is left out). Numbers are written as the JSON literals read.

Cross-checks done here (any failure stops the script):
- months contiguous, 61..228 (weight 61..120), L of height-for-age = 1, no L = 0;
- row counts equal those of the ``pedgrowth-data-who2007`` manifest (``SOURCES.json``: 168 rows
  for BMI and height, 60 for weight), which pins WHO's own xlsx files by SHA-256;
- published WHO 2007 values at 61 and 228 months (``SPOT_CHECKS``).

    .venv/bin/python keneya/clinical/data/growth2007/extract_who2007.py [--check]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from importlib import resources
from pathlib import Path

HERE = Path(__file__).resolve().parent
INDICATORS = {"bmi": ("bmi", 61, 228), "hfa": ("height", 61, 228), "wfa": ("weight", 61, 120)}
SEXES = {"M": "male", "F": "female"}
# (indicator, sex, month) -> (L, M, S) as WHO publishes them (WHO 2007 tables, bmi/hfa/wfa-*-z-who-2007-exp).
SPOT_CHECKS = {
    ("bmi", "M", 61): (-0.7387, 15.2641, 0.0839),
    ("bmi", "F", 61): (-0.8886, 15.2441, 0.09692),
    ("hfa", "M", 61): (1.0, 110.2647, 0.04164),
    ("hfa", "F", 61): (1.0, 109.6016, 0.04355),
    ("hfa", "M", 228): (1.0, 176.5432, 0.04134),
    ("hfa", "F", 228): (1.0, 163.1548, 0.04009),
    ("wfa", "M", 61): (-0.2026, 18.5057, 0.12988),
}


def _source() -> tuple[dict, str]:
    path = resources.files("rcpchgrowth") / "data_tables" / "who" / "who_2007_children.json"
    raw = path.read_bytes()
    return json.loads(raw)["measurement"], hashlib.sha256(raw).hexdigest()


def _manifest_rows() -> dict[str, int] | None:
    try:
        path = resources.files("pedgrowth.data.who2007") / "data" / "SOURCES.json"
    except ModuleNotFoundError:
        return None
    tables = json.loads(path.read_text("utf-8"))["tables"]
    return {name: spec["rows"] for name, spec in tables.items()}


def render() -> dict[str, str]:
    data, digest = _source()
    manifest = _manifest_rows()
    out: dict[str, str] = {}
    for name, (key, first, last) in INDICATORS.items():
        for sex, word in SEXES.items():
            rows = []
            for row in data[key][word]:
                month = round(row["decimal_age"] * 12)
                if abs(row["decimal_age"] * 12 - month) > 1e-6:
                    raise SystemExit(f"{name} {sex}: age {row['decimal_age']} is not a whole month")
                if first <= month <= last:
                    rows.append((month, row["L"], row["M"], row["S"]))
            months = [r[0] for r in rows]
            if months != list(range(first, last + 1)):
                raise SystemExit(f"{name} {sex}: months are not {first}..{last}")
            if any(r[1] == 0 for r in rows) or (name == "hfa" and any(r[1] != 1 for r in rows)):
                raise SystemExit(f"{name} {sex}: unexpected L")
            if manifest is not None:
                label = {"bmi": "bmi", "hfa": "height", "wfa": "weight"}[name]
                expected = manifest[f"who2007_{label}_for_age_{'boys' if sex == 'M' else 'girls'}"]
                if expected != len(rows):
                    raise SystemExit(f"{name} {sex}: {len(rows)} rows, pedgrowth manifest says {expected}")
            by_month = {r[0]: r[1:] for r in rows}
            for (ind, s, m), lms in SPOT_CHECKS.items():
                if (ind, s) == (name, sex) and tuple(float(v) for v in by_month[m]) != lms:
                    raise SystemExit(f"{name} {sex} month {m}: {by_month[m]} != WHO {lms}")
            text = "month,l,m,s\n" + "".join(f"{m},{lam!r},{mu!r},{s_!r}\n" for m, lam, mu, s_ in rows)
            out[f"who2007_{name}_{sex}.csv"] = text
    sys.stderr.write(f"source who_2007_children.json sha256 {digest}\n")
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true", help="compare with the shipped files")
    args = parser.parse_args()
    files = render()
    sums = "".join(f"{hashlib.sha256(t.encode()).hexdigest()}  {n}\n" for n, t in sorted(files.items()))
    files["SHA256SUMS"] = sums
    stale = [n for n, t in files.items() if not (HERE / n).exists() or (HERE / n).read_text() != t]
    if args.check:
        if stale:
            sys.stderr.write(f"differ: {stale}\n")
            return 1
        return 0
    for name, text in files.items():
        (HERE / name).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
