"""``keneya clinical zscores --in survey.csv --out scored.csv``."""

from __future__ import annotations

import csv
import io
import random
from typing import Any

import pytest

from keneya.clinical import cli, growth

HEADER = [
    "id", "sex", "age_days", "date_of_birth", "visit_date", "weight_kg", "length_or_height_cm",
    "measured_position", "muac_mm", "head_circumference_cm", "oedema",
]  # fmt: skip


def write_csv(path, rows, delimiter=","):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(HEADER)
        writer.writerows(rows)


def read_csv(path, delimiter=","):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def run(tmp_path, rows, *extra, delimiter=","):
    src, out = tmp_path / "survey.csv", tmp_path / "scored.csv"
    write_csv(src, rows, delimiter)
    code = cli.main(["zscores", "--in", str(src), "--out", str(out), *extra])
    assert code == 0
    return read_csv(out, delimiter)


def test_scores_a_survey_and_keeps_the_input_columns(tmp_path):
    rows = [
        [1, "F", 400, "", "", "8.1", "72.5", "L", "132", "44.5", "n"],
        [2, "M", 1000, "", "", "11.9", "88.0", "H", "", "", "y"],
    ]
    out = run(tmp_path, rows)
    assert list(out[0])[: len(HEADER)] == HEADER
    expected_rows: list[dict[str, Any]] = [
        dict(
            sex="F",
            age_days=400,
            weight_kg=8.1,
            length_or_height_cm=72.5,
            measured_position="L",
            muac_mm=132.0,
            head_circumference_cm=44.5,
        ),
        dict(
            sex="M",
            age_days=1000,
            weight_kg=11.9,
            length_or_height_cm=88.0,
            measured_position="H",
            oedema=True,
        ),
    ]
    for row, expected_kwargs in zip(out, expected_rows, strict=True):
        expected = growth.zscores(**expected_kwargs)
        assert row["error"] == ""
        for k in growth.INDICATORS:
            score = expected[k]
            if score.z is None:
                assert row[f"z_{k}"] == "" and row[f"flag_{k}"] == ""
                assert row[f"reason_{k}"] == score.reason
            else:
                assert float(row[f"z_{k}"]) == score.z_rounded
                assert row[f"flag_{k}"] == ("1" if score.flagged else "0")
                assert row[f"reason_{k}"] == ""
    assert out[1]["reason_wfa"] == "OEDEMA"
    assert out[1]["reason_hcfa"] == "MISSING_HEAD_CIRCUMFERENCE"


def test_bad_rows_get_an_error_and_do_not_stop_the_run(tmp_path):
    rows = [
        [1, "X", 100, "", "", "5", "60", "L", "", "", "n"],
        [2, "M", 100, "", "", "-5", "60", "L", "", "", "n"],
        [3, "M", "ten", "", "", "5", "60", "L", "", "", "n"],
        [4, "M", 100, "", "", "5", "60", "lying", "", "", "n"],
        [5, "M", 100, "", "", "5", "60", "L", "", "", "maybe"],
        [6, "M", "", "2024-13-01", "2025-01-01", "5", "60", "L", "", "", "n"],
        [7, "M", "", "2025-02-01", "2025-01-01", "5", "60", "L", "", "", "n"],
        [8, "M", 100, "", "", "five", "60", "L", "", "", "n"],
        [9, "F", 100, "", "", "5,2", "60", "l", "", "", ""],
        [10, "F", "100.5", "", "", "5", "60", "L", "", "", ""],
        [11, "F", "100.0", "", "", "5", "60", "L", "", "", ""],
    ]
    out = run(tmp_path, rows)
    errors = [row["error"] for row in out]
    assert "sex" in errors[0]
    assert "weight_kg" in errors[1]
    assert "age_days" in errors[2]
    assert "measured_position" in errors[3]
    assert "oedema" in errors[4]
    assert "date_of_birth" in errors[5]
    assert "visit_date" in errors[6]
    assert "weight_kg" in errors[7]
    assert errors[8] == ""  # decimal comma and lower-case position are read
    assert out[8]["z_wfa"] == f"{growth.zscores(sex='F', age_days=100, weight_kg=5.2)['wfa'].z:.2f}"
    assert "age_days" in errors[9]
    assert errors[10] == ""  # a spreadsheet's 100.0 is a whole number of days
    for row in out[:8]:
        assert all(row[f"z_{k}"] == "" for k in growth.INDICATORS)


def test_age_from_dates_and_who_codes(tmp_path):
    rows = [
        [1, "2", "", "2025-01-04", "2026-01-05", "8.0", "", "", "", "", "2"],
        [2, "1", "", "2025-01-04", "2026-01-05", "8.0", "", "", "", "", "1"],
    ]
    out = run(tmp_path, rows)
    expected_f = growth.zscores(sex="F", age_days=366, weight_kg=8.0)["wfa"]
    assert float(out[0]["z_wfa"]) == expected_f.z_rounded
    assert out[1]["reason_wfa"] == "OEDEMA"  # WHO anthro: oedema 1 = yes, 2 = no


def test_missing_age_scores_weight_for_length_only(tmp_path):
    out = run(tmp_path, [[1, "m", "", "", "", "9", "75", "", "", "", ""]])
    assert out[0]["reason_wfa"] == "MISSING_AGE"
    assert out[0]["z_wflh"] != ""


def test_semicolon_separated_input_is_read_and_written_back(tmp_path):
    out = run(tmp_path, [[1, "F", 400, "", "", "8,1", "72,5", "L", "", "", "n"]], delimiter=";")
    assert out[0]["error"] == "" and out[0]["z_wfa"] != ""


def test_decimals_option(tmp_path):
    out = run(tmp_path, [[1, "F", 400, "", "", "8.1", "", "", "", "", ""]], "--decimals", "4")
    assert len(out[0]["z_wfa"].split(".")[1]) == 4


def test_missing_sex_column_is_a_usage_error(tmp_path, capsys):
    src = tmp_path / "s.csv"
    src.write_text("age_days,weight_kg\n100,5\n", encoding="utf-8")
    assert cli.main(["zscores", "--in", str(src), "--out", str(tmp_path / "o.csv")]) == 2
    assert "sex" in capsys.readouterr().err


def test_unreadable_input_is_a_usage_error(tmp_path, capsys):
    assert cli.main(["zscores", "--in", str(tmp_path / "none.csv"), "--out", str(tmp_path / "o.csv")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_stdin_and_stdout(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("sex,age_days,weight_kg\nM,365,9.6\n"))
    assert cli.main(["zscores", "--in", "-", "--out", "-"]) == 0
    out = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert float(out[0]["z_wfa"]) == growth.zscores(sex="M", age_days=365, weight_kg=9.6)["wfa"].z_rounded


def test_usage_errors_exit_via_argparse():
    with pytest.raises(SystemExit):
        cli.main([])
    with pytest.raises(SystemExit):
        cli.main(["zscores", "--in", "x.csv"])


@pytest.mark.parametrize("tty", [True, False])
def test_progress_bar_only_on_a_terminal(tmp_path, monkeypatch, tty):
    seen = {}

    def fake_tqdm(iterable, **kwargs):
        seen.update(kwargs)
        return iterable

    monkeypatch.setattr(cli, "tqdm", fake_tqdm)
    monkeypatch.setattr("sys.stderr.isatty", lambda: tty)
    run(tmp_path, [[1, "F", 400, "", "", "8.1", "", "", "", "", ""]])
    assert seen["disable"] is (not tty)


def test_ten_thousand_rows_each_get_their_zscores_or_their_error(tmp_path):
    # No time budget here: a verdict must not depend on the machine's speed or load.
    rng = random.Random(3)
    rows = []
    for i in range(10_000):
        rows.append(
            [
                i, rng.choice("MF"), rng.randint(0, 1900), "", "", round(rng.uniform(2, 25), 2),
                round(rng.uniform(45, 115), 1), rng.choice("LH"), rng.randint(90, 200),
                round(rng.uniform(32, 52), 1), rng.choice(["n", "y", ""]),
            ]
        )  # fmt: skip
    rows.append([10_000, "?", 1, "", "", "1", "", "", "", "", ""])
    out = run(tmp_path, rows)
    assert len(out) == 10_001
    assert sum(1 for row in out if row["error"]) == 1
    spot = rng.randrange(10_000)
    row = out[spot]
    expected = growth.zscores(
        sex=row["sex"], age_days=int(row["age_days"]), weight_kg=float(row["weight_kg"]),
        length_or_height_cm=float(row["length_or_height_cm"]), measured_position=row["measured_position"],
        muac_mm=float(row["muac_mm"]), head_circumference_cm=float(row["head_circumference_cm"]),
        oedema=row["oedema"] == "y",
    )  # fmt: skip
    for k in growth.INDICATORS:
        z = expected[k].z
        assert row[f"z_{k}"] == ("" if z is None else f"{z:.2f}".replace("-0.00", "0.00"))
