"""The point-of-care laboratory's test catalogue and the interpretation of a result.

Data: ``data/lab_tests.json`` (each test's code, LOINC code and whether it was verified, unit,
result type, reference ranges by age, sex and pregnancy, critical limits, each with its source).
Pure: no Django, no clock; the age is given in completed months (``ages.age_months``).

Result types:

- ``number``: a decimal in the test's unit, within ``min``..``max`` (a value outside is a typing
  error, refused); interpreted ``critical_low`` / ``critical_high`` first (strictly beyond the
  critical limits), then ``low`` / ``high`` against the reference range of the age, sex and
  pregnancy (strictly beyond; the limits themselves are ``normal``).
- ``posneg``: ``positive`` or ``negative`` (French spellings and "réactif" accepted).
- ``ordinal``: one of the test's levels (urine strip, thick smear, sputum smear grading, Xpert);
  each level carries its interpretation (``negative``, ``positive``, ``invalid``).
- ``text``: free text (stool examination), interpreted ``recorded``.

The HIV rapid tests follow the national algorithm as sequential tests (WHO 2019 three-test
strategy): ``hiv_next_test`` says which test comes next, ``hiv_status`` the conclusion.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

_DATA: dict[str, Any] = json.loads((Path(__file__).parent / "data" / "lab_tests.json").read_text("utf-8"))
CATALOGUE_VERSION: str = _DATA["version"]
SOURCES: dict[str, str] = _DATA["sources"]

NUMBER, POSNEG, ORDINAL, TEXT = "number", "posneg", "ordinal", "text"
RESULT_TYPES = (NUMBER, POSNEG, ORDINAL, TEXT)

NORMAL, LOW, HIGH = "normal", "low", "high"
CRITICAL_LOW, CRITICAL_HIGH = "critical_low", "critical_high"
POSITIVE, NEGATIVE, INVALID, RECORDED = "positive", "negative", "invalid", "recorded"
INTERPRETATIONS: dict[str, str] = {
    NORMAL: "Normal",
    LOW: "Bas",
    HIGH: "Élevé",
    CRITICAL_LOW: "Critique (bas)",
    CRITICAL_HIGH: "Critique (élevé)",
    POSITIVE: "Positif",
    NEGATIVE: "Négatif",
    INVALID: "Invalide",
    RECORDED: "Noté",
}
CRITICAL = frozenset({CRITICAL_LOW, CRITICAL_HIGH})

_POS_WORDS = {"positive", "positif", "pos", "+", "reactive", "réactif", "reactif", "1", "true"}
_NEG_WORDS = {
    "negative",
    "négatif",
    "negatif",
    "neg",
    "-",
    "non reactive",
    "non réactif",
    "non-réactif",
    "0",
    "false",
}


class LabValueError(ValueError):
    """A value the test cannot take; the message is French, for the person typing it."""


@dataclass(frozen=True)
class Range:
    age_min_months: int | None
    age_max_months: int | None
    sex: str | None
    pregnant: bool
    low: Decimal | None
    high: Decimal | None
    source: str

    def applies(self, age_months: int | None, sex: str | None, pregnant: bool) -> bool:
        if self.pregnant and not pregnant:
            return False
        if self.sex is not None and sex != self.sex:
            return False
        if age_months is None:
            return self.age_min_months is None and self.age_max_months is None
        if self.age_min_months is not None and age_months < self.age_min_months:
            return False
        return not (self.age_max_months is not None and age_months >= self.age_max_months)

    def text(self, unit: str) -> str:
        """ "12,0 – 15,5 g/dL", "≥ 11,0 g/dL"."""
        low = _fr(self.low) if self.low is not None else None
        high = _fr(self.high) if self.high is not None else None
        if low and high:
            return f"{low} – {high} {unit}".strip()
        if low:
            return f"≥ {low} {unit}".strip()
        return f"≤ {high} {unit}".strip() if high else ""


@dataclass(frozen=True)
class Critical:
    low: Decimal | None
    high: Decimal | None
    low_source: str
    high_source: str

    @property
    def source(self) -> str:
        return "; ".join(s for s in (self.low_source, self.high_source) if s)


@dataclass(frozen=True)
class Level:
    code: str
    label_fr: str
    interpretation: str


@dataclass(frozen=True)
class LabTest:
    code: str
    label_fr: str
    short_fr: str
    specimen_fr: str
    loinc: str
    loinc_name: str
    loinc_verified: bool
    unit: str
    result_type: str
    source: str
    decimals: int = 0
    min: Decimal | None = None
    max: Decimal | None = None
    ranges: tuple[Range, ...] = ()
    critical: Critical | None = None
    levels: tuple[Level, ...] = ()
    flag_positive: bool = True
    hiv_step: int | None = None
    max_length: int = 500

    def level(self, code: str) -> Level | None:
        return next((lv for lv in self.levels if lv.code == code), None)


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _fr(value: Decimal) -> str:
    return format(value, "f").replace(".", ",")


def _load(raw: dict[str, Any]) -> LabTest:
    result_type = raw["result_type"]
    assert result_type in RESULT_TYPES, raw["code"]
    sources = [r["source"] for r in raw.get("ranges", [])]
    crit = raw.get("critical")
    return LabTest(
        code=raw["code"],
        label_fr=raw["label_fr"],
        short_fr=raw.get("short_fr", raw["label_fr"]),
        specimen_fr=raw.get("specimen_fr", ""),
        loinc=raw.get("loinc", ""),
        loinc_name=raw.get("loinc_name", ""),
        loinc_verified=bool(raw.get("loinc_verified")),
        unit=raw.get("unit", ""),
        result_type=result_type,
        source=raw.get("source") or "; ".join(dict.fromkeys(sources)),
        decimals=raw.get("decimals", 0),
        min=_dec(raw.get("min")),
        max=_dec(raw.get("max")),
        ranges=tuple(
            Range(
                age_min_months=r["age_min_months"],
                age_max_months=r["age_max_months"],
                sex=r["sex"],
                pregnant=bool(r.get("pregnant")),
                low=_dec(r["low"]),
                high=_dec(r["high"]),
                source=r["source"],
            )
            for r in raw.get("ranges", [])
        ),
        critical=Critical(
            _dec(crit.get("low")),
            _dec(crit.get("high")),
            crit.get("low_source", ""),
            crit.get("high_source", ""),
        )
        if crit
        else None,
        levels=tuple(Level(lv["code"], lv["label_fr"], lv["interpretation"]) for lv in raw.get("levels", [])),
        flag_positive=raw.get("flag_positive", True),
        hiv_step=raw.get("hiv_step"),
        max_length=raw.get("max_length", 500),
    )


TESTS: dict[str, LabTest] = {t["code"]: _load(t) for t in _DATA["tests"]}


def get(code: str) -> LabTest:
    """The test of ``code`` (KeyError when unknown)."""
    return TESTS[code]


def reference_range(
    test: LabTest, age_months: int | None, sex: str | None, *, pregnant: bool = False
) -> Range | None:
    """The first range of the test that applies (pregnancy first: listed before the others)."""
    return next((r for r in test.ranges if r.applies(age_months, sex, pregnant)), None)


def parse_value(test: LabTest, raw: Any) -> str:
    """The canonical stored text of a typed value ("6.2", "positive", "2+"), or LabValueError."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise LabValueError("Saisissez un résultat.")
    if isinstance(raw, bool):
        if test.result_type == POSNEG:
            return POSITIVE if raw else NEGATIVE
        raise LabValueError("Résultat invalide.")
    if test.result_type == NUMBER:
        text = str(raw).strip().replace(",", ".").replace(" ", "")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise LabValueError("Saisissez un nombre (par ex. 11,5).") from None
        if not value.is_finite():
            raise LabValueError("Saisissez un nombre (par ex. 11,5).")
        if (test.min is not None and value < test.min) or (test.max is not None and value > test.max):
            raise LabValueError(
                f"Valeur hors des limites de mesure ({_fr(test.min or Decimal(0))} à "
                f"{_fr(test.max or Decimal(0))} {test.unit}) : vérifiez la saisie."
            )
        quantum = Decimal(1).scaleb(-test.decimals)
        return format(value.quantize(quantum, rounding=ROUND_HALF_UP), "f")
    text = str(raw).strip()
    if test.result_type == POSNEG:
        word = text.lower()
        if word in _POS_WORDS:
            return POSITIVE
        if word in _NEG_WORDS:
            return NEGATIVE
        raise LabValueError("Répondez « positif » ou « négatif ».")
    if test.result_type == ORDINAL:
        level = test.level(text) or next(
            (lv for lv in test.levels if lv.label_fr.lower() == text.lower()), None
        )
        if level is None:
            choices = ", ".join(lv.code for lv in test.levels)
            raise LabValueError(f"Résultat inconnu pour ce test ; valeurs possibles : {choices}.")
        return level.code
    if len(text) > test.max_length:
        raise LabValueError(f"Au plus {test.max_length} caractères.")
    return text


def interpret(
    test: LabTest, value: str, age_months: int | None, sex: str | None, *, pregnant: bool = False
) -> str:
    """The interpretation of a canonical value (``parse_value``'s) for a person of that age and sex."""
    if test.result_type == NUMBER:
        number = Decimal(value)
        crit = test.critical
        if crit is not None and crit.low is not None and number < crit.low:
            return CRITICAL_LOW
        if crit is not None and crit.high is not None and number > crit.high:
            return CRITICAL_HIGH
        ref = reference_range(test, age_months, sex, pregnant=pregnant)
        if ref is not None and ref.low is not None and number < ref.low:
            return LOW
        if ref is not None and ref.high is not None and number > ref.high:
            return HIGH
        return NORMAL
    if test.result_type == POSNEG:
        return POSITIVE if value == POSITIVE else NEGATIVE
    if test.result_type == ORDINAL:
        level = test.level(value)
        return level.interpretation if level else INVALID
    return RECORDED


def is_abnormal(test: LabTest, interpretation: str) -> bool:
    """Flagged in the record: out of range, critical, a positive (except a pregnancy test), invalid."""
    if interpretation in (LOW, HIGH, INVALID) or interpretation in CRITICAL:
        return True
    return interpretation == POSITIVE and test.flag_positive


def is_critical(interpretation: str) -> bool:
    return interpretation in CRITICAL


def value_label(test: LabTest, value: str) -> str:
    """How a value reads in French: "6,2 g/dL", "Positif", "++ (11 à 100 parasites / 100 champs)"."""
    if test.result_type == NUMBER:
        return f"{value.replace('.', ',')} {test.unit}".strip()
    if test.result_type == POSNEG:
        return INTERPRETATIONS.get(value, value)
    if test.result_type == ORDINAL:
        level = test.level(value)
        return level.label_fr if level else value
    return value


def critical_text(test: LabTest) -> str:
    """The critical limits in French ("Hb critique si < 7,0 g/dL ou > 20,0 g/dL")."""
    crit = test.critical
    if crit is None:
        return ""
    parts = []
    if crit.low is not None:
        parts.append(f"< {_fr(crit.low)} {test.unit}")
    if crit.high is not None:
        parts.append(f"> {_fr(crit.high)} {test.unit}")
    return f"{test.short_fr} critique si {' ou '.join(parts)}"


def critical_limit_used(test: LabTest, interpretation: str) -> str:
    """The one limit a critical value crossed, with its source, in French (for the alert):
    "Seuil critique : Hb < 7,0 g/dL (WHO_HB_2011 ..., issue #14)"; "" when not critical."""
    crit = test.critical
    if crit is None or interpretation not in CRITICAL:
        return ""
    if interpretation == CRITICAL_LOW and crit.low is not None:
        limit, source = f"< {_fr(crit.low)}", crit.low_source
    elif crit.high is not None:
        limit, source = f"> {_fr(crit.high)}", crit.high_source
    else:
        return ""
    return f"Seuil critique : {test.short_fr} {limit} {test.unit} ({source})"


# --- HIV: the national algorithm as sequential rapid tests (WHO_HTS_2019, MALI_HIV_ALGO) --------
HIV_TESTS = ("hiv_rdt1", "hiv_rdt2", "hiv_rdt3")
HIV_NEGATIVE, HIV_POSITIVE, HIV_INCONCLUSIVE, HIV_PENDING = "negative", "positive", "inconclusive", "pending"
HIV_STATUS_FR = {
    HIV_NEGATIVE: "VIH négatif",
    HIV_POSITIVE: "VIH positif (3 tests réactifs)",
    HIV_INCONCLUSIVE: "VIH indéterminé : refaire le dépistage dans 14 jours",
    HIV_PENDING: "VIH : test suivant à faire",
}


def hiv_status(a1: str | None, a2: str | None = None, a3: str | None = None) -> str:
    """The conclusion of the three-test strategy from the tests done so far (``positive`` /
    ``negative`` / None): A1- negative; A1+ A2- inconclusive; A1+ A2+ A3+ positive; A1+ A2+ A3-
    inconclusive; otherwise pending (the next test is due)."""
    if a1 is None:
        return HIV_PENDING
    if a1 == NEGATIVE:
        return HIV_NEGATIVE
    if a2 is None:
        return HIV_PENDING
    if a2 == NEGATIVE:
        return HIV_INCONCLUSIVE
    if a3 is None:
        return HIV_PENDING
    return HIV_POSITIVE if a3 == POSITIVE else HIV_INCONCLUSIVE


def hiv_next_test(code: str, interpretation: str) -> str | None:
    """The test to add after a reactive HIV test (A1 → A2 → A3), None after a non-reactive one."""
    if code not in HIV_TESTS or interpretation != POSITIVE:
        return None
    index = HIV_TESTS.index(code)
    return HIV_TESTS[index + 1] if index + 1 < len(HIV_TESTS) else None
