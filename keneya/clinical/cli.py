"""``keneya clinical ...`` commands (the project CLI dispatches here with the remaining argv).

``keneya clinical zscores --in survey.csv --out scored.csv`` scores a survey with the WHO
Child Growth Standards (:mod:`keneya.clinical.growth`).

Input columns (header names; any other column is copied through unchanged): ``sex`` (M/F, also
m/f, 1/2 as in WHO anthro, male/female), ``age_days`` or ``date_of_birth`` + ``visit_date``
(YYYY-MM-DD), ``weight_kg``, ``length_or_height_cm``, ``measured_position`` (L/H), ``muac_mm``,
``head_circumference_cm``, ``oedema`` (y/n, oui/non, 1/0, WHO's 1/2, true/false). Empty cells are
missing values; a decimal comma is accepted. The output adds, per indicator, ``z_<indicator>``
(rounded to 2 decimals as WHO publishes it), ``flag_<indicator>`` (1 = biologically implausible)
and ``reason_<indicator>`` (why there is no z), plus ``error`` for a row that could not be read:
such a row is kept, with its error, and never stops the run.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import io
import math
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from tqdm import tqdm

from keneya.clinical import growth

SEX_CODES = {"m": "M", "1": "M", "male": "M", "f": "F", "2": "F", "female": "F"}
TRUE_WORDS = frozenset({"y", "yes", "o", "oui", "1", "true", "t"})
FALSE_WORDS = frozenset({"", "n", "no", "non", "0", "2", "false"})  # WHO anthro: 2 = no oedema
MEASURES = ("weight_kg", "length_or_height_cm", "muac_mm", "head_circumference_cm")


class RowError(ValueError):
    """A cell that cannot be read; the message names the column."""


def _cell(row: dict[str, Any], name: str) -> str:
    value = row.get(name)
    return "" if value is None else str(value).strip()


def _number(row: dict[str, Any], name: str) -> float | None:
    text = _cell(row, name).replace(",", ".")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise RowError(f"{name}: not a number: {text!r}") from None


def _date(row: dict[str, Any], name: str) -> dt.date | None:
    text = _cell(row, name)
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise RowError(f"{name}: not a date YYYY-MM-DD: {text!r}") from None


def parse_row(row: dict[str, Any]) -> dict[str, Any]:
    """One CSV row -> keyword arguments of :func:`growth.zscores`, validated (RowError)."""
    sex_text = _cell(row, "sex")
    sex = SEX_CODES.get(sex_text.lower())
    if sex is None:
        raise RowError(f"sex: expected M or F, got {sex_text!r}")
    age_text = _cell(row, "age_days")
    age: int | None
    if age_text:
        try:
            number = float(age_text.replace(",", "."))
        except ValueError:
            number = math.nan
        if not number.is_integer():  # NaN and inf are not integers either
            raise RowError(f"age_days: not a whole number of days: {age_text!r}")
        age = int(number)
    else:
        dob, visit = _date(row, "date_of_birth"), _date(row, "visit_date")
        age = None
        if dob is not None and visit is not None:
            try:
                age = growth.age_days_between(dob, visit)
            except ValueError as exc:
                raise RowError(f"date_of_birth/visit_date: {exc}") from None
    position = _cell(row, "measured_position").upper() or None
    oedema_text = _cell(row, "oedema").lower()
    if oedema_text in TRUE_WORDS:
        oedema = True
    elif oedema_text in FALSE_WORDS:
        oedema = False
    else:
        raise RowError(f"oedema: expected y or n, got {oedema_text!r}")
    kwargs: dict[str, Any] = {
        "sex": sex,
        "age_days": age,
        "measured_position": position,
        "oedema": oedema,
    }
    kwargs.update({name: _number(row, name) for name in MEASURES})
    try:
        return growth.check_inputs(**kwargs)
    except ValueError as exc:
        raise RowError(str(exc)) from None


def output_columns(fieldnames: list[str]) -> list[str]:
    added = [f"{prefix}_{k}" for k in growth.INDICATORS for prefix in ("z", "flag", "reason")]
    added.append("error")
    return [f for f in fieldnames if f not in added] + added


def score_rows(rows: list[dict[str, Any]], decimals: int = 2, progress: bool = False) -> None:
    """Add the z, flag, reason and error columns to ``rows`` in place (one batch call)."""
    parsed: list[dict[str, Any]] = []
    good: list[int] = []
    for i, row in enumerate(tqdm(rows, desc="lecture", unit="ligne", disable=not progress)):
        try:
            parsed.append(parse_row(row))
            good.append(i)
            row["error"] = ""
        except RowError as exc:
            row["error"] = str(exc)
            for k in growth.INDICATORS:
                row[f"z_{k}"] = row[f"flag_{k}"] = row[f"reason_{k}"] = ""
    if not parsed:
        return
    columns = {name: [p[name] for p in parsed] for name in parsed[0]}
    result = growth.zscores_batch(**columns)
    for k in growth.INDICATORS:
        scores = result[k]
        z_values = scores.z.tolist()
        flags = scores.flagged.tolist()
        reasons = scores.reason.tolist()
        for j, i in enumerate(good):
            z = z_values[j]
            row = rows[i]
            if z != z:  # NaN: WHO gives no z-score
                row[f"z_{k}"] = row[f"flag_{k}"] = ""
                row[f"reason_{k}"] = reasons[j] or ""
            else:
                text = f"{z:.{decimals}f}"
                row[f"z_{k}"] = "0." + "0" * decimals if float(text) == 0 else text
                row[f"flag_{k}"] = "1" if flags[j] else "0"
                row[f"reason_{k}"] = ""


@contextlib.contextmanager
def _open(path: str, mode: str) -> Iterator[IO[str]]:
    if path == "-":
        yield sys.stdin if mode == "r" else sys.stdout
        return
    encoding = "utf-8-sig" if mode == "r" else "utf-8"
    with Path(path).open(mode, encoding=encoding, newline="") as handle:
        yield handle


def zscores_command(args: argparse.Namespace) -> int:
    try:
        with _open(args.input, "r") as handle:
            text = handle.read()
    except OSError as exc:
        sys.stderr.write(f"keneya clinical zscores: cannot read {args.input}: {exc}\n")
        return 2
    delimiter = args.delimiter
    if delimiter is None:
        first_line = text.split("\n", 1)[0]
        delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    fieldnames = list(reader.fieldnames or [])
    if "sex" not in fieldnames:
        sys.stderr.write("keneya clinical zscores: the input has no 'sex' column\n")
        return 2
    rows = list(reader)
    score_rows(rows, decimals=args.decimals, progress=sys.stderr.isatty())
    try:
        with _open(args.output, "w") as handle:
            writer = csv.DictWriter(
                handle,
                fieldnames=output_columns(fieldnames),
                delimiter=delimiter,
                extrasaction="ignore",
                lineterminator="\n",
            )
            writer.writeheader()
            writer.writerows(rows)
    except OSError as exc:
        sys.stderr.write(f"keneya clinical zscores: cannot write {args.output}: {exc}\n")
        return 2
    errors = sum(1 for row in rows if row["error"])
    sys.stderr.write(f"{len(rows)} lignes, {errors} en erreur (colonne error)\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="keneya clinical", description="Clinical engine tools.")
    commands = parser.add_subparsers(dest="command", required=True)
    z = commands.add_parser(
        "zscores",
        help="score a CSV survey with the WHO Child Growth Standards",
        description=__doc__.split("\n\n", 2)[2] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    z.add_argument("--in", dest="input", required=True, help="input CSV ('-' for stdin)")
    z.add_argument("--out", dest="output", required=True, help="output CSV ('-' for stdout)")
    z.add_argument("--delimiter", default=None, help="field separator (default: guessed , ; tab)")
    z.add_argument("--decimals", type=int, default=2, help="z-score decimals (WHO: 2)")
    z.set_defaults(handler=zscores_command)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "decimals", 0) < 0:
        parser.error("--decimals must be >= 0")
    handler = args.handler
    result: int = handler(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
