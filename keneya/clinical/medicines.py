"""The medicine catalogue and the checks made when a medicine is prescribed (pure: no Django).

Data: ``data/medicines.json`` (``CATALOGUE_VERSION``), a curated subset of Mali's Liste Nationale
des Médicaments Essentiels (DCI, form, strength, the level of the health pyramid, CSCom or CSRef),
brand names that map to their DCI, pharmacological classes, and usual daily dose ranges by age
and weight, each range with its source (``SOURCES``) and ``uncertain`` where it must be checked
against the text. See ``data/README.md``, "Medicines".

- ``get``, ``search``, ``generic_of``: look-ups; a brand (``generic`` False) names its generic.
- ``parse_frequency``, ``FREQUENCIES``: the frequency vocabulary ("2/j" = matin et soir).
- ``check_dose``: a daily dose outside the usual range for the age or weight (``dose_range``).
- ``allergy_match``: does an allergy (a catalogue code or free text) concern a medicine (same
  substance, same class: blocking; penicillin/cephalosporin cross-reactivity: a warning).
- ``plain_words``: "1 comprimé matin et soir pendant 5 jours".
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

_DATA: dict[str, Any] = json.loads((Path(__file__).parent / "data" / "medicines.json").read_text("utf-8"))
CATALOGUE_VERSION: str = _DATA["version"]
CATALOGUE_SOURCE: str = _DATA["source"]
SOURCES: dict[str, str] = _DATA["sources"]
CLASSES: dict[str, str] = _DATA["classes"]
_NOT_FOR_ALLERGY = frozenset(_DATA["allergy_rules"]["not_for_allergy"])
_CROSS_REACTIVE = frozenset(_DATA["allergy_rules"]["cross_reactive"])
_SYNONYMS: dict[str, str] = _DATA["allergy_synonyms"]
DOSE_TOLERANCE = Decimal("0.10")  # doses rounded to the tablet (dose_note in the data)

# CSCom and CSRef levels of the health pyramid, as marked in the catalogue.
LEVEL_CSCOM, LEVEL_CSREF = "cscom", "csref"


@dataclass(frozen=True)
class DoseBand:
    min_age_months: int | None
    max_age_months: int | None
    min_weight_kg: Decimal | None
    max_weight_kg: Decimal | None
    kind: str  # "mg_per_kg_day" | "mg_per_day" | "units_per_day"
    low: Decimal
    high: Decimal
    source: str
    uncertain: bool

    def applies(self, age_months: int | None, weight_kg: Decimal | None) -> bool:
        if self.min_age_months is not None or self.max_age_months is not None:
            if age_months is None:
                return False
            if self.min_age_months is not None and age_months < self.min_age_months:
                return False
            if self.max_age_months is not None and age_months > self.max_age_months:
                return False
        if self.min_weight_kg is not None or self.max_weight_kg is not None or self.kind == "mg_per_kg_day":
            if weight_kg is None:
                return False
            if self.min_weight_kg is not None and weight_kg < self.min_weight_kg:
                return False
            if self.max_weight_kg is not None and weight_kg > self.max_weight_kg:
                return False
        return True


@dataclass(frozen=True)
class Medicine:
    code: str
    dci: str
    form: str
    strength: str
    dose_unit: str
    mg_per_unit: Decimal | None
    route: str
    classes: tuple[str, ...]
    level: str
    generic: bool
    generic_code: str  # its own code for a generic; the DCI product's for a brand
    brand: str = ""
    holder: str = ""
    note_fr: str = ""
    doses: tuple[DoseBand, ...] = field(default=(), repr=False)

    @property
    def ingredients(self) -> frozenset[str]:
        """The substances, normalised ("amoxicilline + acide clavulanique" -> two)."""
        return frozenset(_norm(re.sub(r"\(.*?\)", "", part)) for part in self.dci.split("+"))

    @property
    def label(self) -> str:
        """ "Amoxicilline 500 mg, gélule" or "Doliprane (paracétamol) 500 mg, comprimé"."""
        name = f"{self.brand} ({self.dci})" if self.brand else self.dci[:1].upper() + self.dci[1:]
        return f"{name} {self.strength}, {self.form}"


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _band(raw: dict[str, Any]) -> DoseBand:
    kind = next(k for k in ("mg_per_kg_day", "mg_per_day", "units_per_day") if k in raw)
    low, high = raw[kind]
    return DoseBand(
        min_age_months=raw.get("min_age_months"),
        max_age_months=raw.get("max_age_months"),
        min_weight_kg=_dec(raw.get("min_weight_kg")),
        max_weight_kg=_dec(raw.get("max_weight_kg")),
        kind=kind,
        low=Decimal(str(low)),
        high=Decimal(str(high)),
        source=raw["source"],
        uncertain=bool(raw.get("uncertain", False)),
    )


def _load() -> dict[str, Medicine]:
    catalogue: dict[str, Medicine] = {}
    for raw in _DATA["medicines"]:
        catalogue[raw["code"]] = Medicine(
            code=raw["code"],
            dci=raw["dci"],
            form=raw["form"],
            strength=raw["strength"],
            dose_unit=raw["dose_unit"],
            mg_per_unit=_dec(raw["mg_per_unit"]),
            route=raw["route"],
            classes=tuple(raw["classes"]),
            level=raw["level"],
            generic=True,
            generic_code=raw["code"],
            note_fr=raw.get("note_fr", ""),
            doses=tuple(_band(b) for b in raw["doses"]),
        )
    for raw in _DATA["brands"]:
        base = catalogue[raw["generic_code"]]
        catalogue[raw["code"]] = Medicine(
            code=raw["code"],
            dci=base.dci,
            form=base.form,
            strength=base.strength,
            dose_unit=base.dose_unit,
            mg_per_unit=base.mg_per_unit,
            route=base.route,
            classes=base.classes,
            level=base.level,
            generic=False,
            generic_code=base.code,
            brand=raw["brand"],
            holder=raw.get("holder", ""),
            note_fr=base.note_fr,
            doses=base.doses,
        )
    return catalogue


def _norm(text: str) -> str:
    """Lower case, no accents, single spaces: "Pénicillines " -> "penicillines"."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.lower().split())


CATALOGUE: dict[str, Medicine] = _load()


def get(code: str) -> Medicine | None:
    return CATALOGUE.get(code)


def all_medicines() -> list[Medicine]:
    """Generics first (by DCI), then brands (by name)."""
    return sorted(CATALOGUE.values(), key=lambda m: (not m.generic, _norm(m.brand or m.dci), m.code))


def generic_of(code: str) -> Medicine | None:
    """The DCI product of a brand (a generic is its own)."""
    medicine = get(code)
    return None if medicine is None else CATALOGUE[medicine.generic_code]


def search(text: str, *, limit: int = 50) -> list[Medicine]:
    """Medicines whose DCI, brand, form or code contain every word of ``text`` (accents and
    case ignored); DCI or brand starting with the text first."""
    words = _norm(text).split()
    if not words:
        return all_medicines()[:limit]
    found = []
    for medicine in all_medicines():
        haystack = _norm(
            f"{medicine.dci} {medicine.brand} {medicine.form} {medicine.strength} {medicine.code}"
        )
        if all(w in haystack for w in words):
            found.append(medicine)
    first = words[0]
    found.sort(key=lambda m: not (_norm(m.dci).startswith(first) or _norm(m.brand).startswith(first)))
    return found[:limit]


# Frequencies: code -> (administrations per day, French words). An integer N means "N/j".
FREQUENCIES: dict[str, tuple[Decimal, str]] = {
    "1/j": (Decimal(1), "une fois par jour"),
    "matin": (Decimal(1), "le matin"),
    "soir": (Decimal(1), "le soir"),
    "2/j": (Decimal(2), "matin et soir"),
    "3/j": (Decimal(3), "matin, midi et soir"),
    "4/j": (Decimal(4), "4 fois par jour"),
    "5/j": (Decimal(5), "5 fois par jour"),
    "6/j": (Decimal(6), "toutes les 4 heures"),
    "si_besoin": (Decimal(4), "si besoin, 4 fois par jour au plus"),
    "unique": (Decimal(1), "en une prise unique"),
    "1/sem": (Decimal(1) / Decimal(7), "une fois par semaine"),
}


_FREQUENCY_WORDS = {
    "une fois par jour": "1/j",
    "1 fois par jour": "1/j",
    "od": "1/j",
    "qd": "1/j",
    "le matin": "matin",
    "le soir": "soir",
    "matin et soir": "2/j",
    "bid": "2/j",
    "matin midi et soir": "3/j",
    "tid": "3/j",
    "qid": "4/j",
    "prise unique": "unique",
    "dose unique": "unique",
    "en une prise unique": "unique",
    "si besoin": "si_besoin",
    "prn": "si_besoin",
    "une fois par semaine": "1/sem",
    "1 fois par semaine": "1/sem",
}
_TIMES_A_DAY = re.compile(r"^(\d+)\s*(?:x|fois)?\s*(?:/|par)?\s*(?:j|jour|jours|24\s*h)?$")
_EVERY_HOURS = re.compile(r"^(?:toutes?\s*les\s*|q\s*)(\d+)\s*h(?:eures?)?$")


def parse_frequency(value: Any) -> str:
    """A frequency code from a code ("2/j"), an integer of times a day, or common words ("3 fois
    par jour", "2x/j", "matin et soir", "toutes les 8 heures", "BID"); ValueError otherwise."""
    if isinstance(value, bool) or value is None:
        raise ValueError("fréquence inconnue")
    text = str(value).strip()
    if text in FREQUENCIES:
        return text
    key = _norm(text).replace(",", " ").replace("  ", " ")
    key = " ".join(key.split())
    if key in FREQUENCIES:
        return key
    if key in _FREQUENCY_WORDS:
        return _FREQUENCY_WORDS[key]
    code = ""
    if match := _TIMES_A_DAY.match(key):
        code = f"{int(match[1])}/j"
    elif (match := _EVERY_HOURS.match(key)) and int(match[1]) and 24 % int(match[1]) == 0:
        code = f"{24 // int(match[1])}/j"
    if code not in FREQUENCIES:
        raise ValueError("fréquence inconnue")
    return code


_DOSE = re.compile(r"^(\d+\s*/\s*\d+|\d+(?:[.,]\d+)?)\s*([a-zµ]*)")


def parse_dose(value: Any, medicine: Medicine) -> Decimal:
    """The dose in the medicine's dosing unit (``dose_unit``): a number (1, "0,5", "1/2"), or a
    number with a unit: its own ("2 comprimés", "5 ml") or a mass converted by the strength
    ("500 mg" of a 500 mg capsule is 1 capsule, "1 g" of a 1 g vial in mg is 1000). ValueError
    when the text is not a dose of this medicine."""
    if isinstance(value, bool) or value is None:
        raise ValueError("dose manquante")
    if isinstance(value, int | float | Decimal):
        amount = Decimal(str(value))
    else:
        match = _DOSE.match(_norm(str(value)))
        if match is None or match.end() != len(_norm(str(value))):
            raise ValueError("dose invalide")
        number, unit = match[1].replace(",", "."), match[2]
        if "/" in number:
            top, bottom = (Decimal(p.strip()) for p in number.split("/"))
            if bottom == 0:
                raise ValueError("dose invalide")
            amount = top / bottom
        else:
            amount = Decimal(number)
        own = _norm(medicine.dose_unit)
        if unit in ("g", "mg", "µg", "mcg") and own not in ("mg",):
            if medicine.mg_per_unit is None:
                raise ValueError("dose en unités du médicament attendue")
            mg = (
                amount
                * {"g": Decimal(1000), "mg": Decimal(1), "µg": Decimal("0.001"), "mcg": Decimal("0.001")}[
                    unit
                ]
            )
            amount = mg / medicine.mg_per_unit
        elif unit == "g" and own == "mg":
            amount *= 1000
        elif (
            unit
            and unit not in ("mg",)
            and not (own.startswith(unit) or unit.startswith(own) or unit in ("cp", "comp"))
        ):
            raise ValueError("unité de dose inconnue pour ce médicament")
    if not amount.is_finite() or not Decimal(0) < amount <= Decimal(10000):
        raise ValueError("dose invalide")
    return amount


def per_day(frequency: str) -> Decimal:
    return FREQUENCIES[frequency][0]


def number_fr(value: Decimal | float | int) -> str:
    """1 -> "1", 0.5 -> "1/2", 2.5 -> "2,5", 1250 -> "1 250"."""
    number = Decimal(str(value))
    fractions = {Decimal("0.5"): "1/2", Decimal("0.25"): "1/4", Decimal("0.75"): "3/4"}
    if number in fractions:
        return fractions[number]
    if number == number.to_integral_value():
        return f"{int(number):,}".replace(",", "\u202f")
    return f"{number.normalize():f}".replace(".", ",")


_INVARIABLE_UNITS = {"ml", "mg", "ui", "kit"}


def unit_words(unit: str, quantity: Decimal | float | int) -> str:
    if unit.lower() in _INVARIABLE_UNITS or Decimal(str(quantity)) <= 1:
        return unit
    return unit + "s"


def plain_words(
    medicine: Medicine, dose: Decimal | float | int, frequency: str, duration_days: int | None
) -> str:
    """The item as a patient reads it: "1 comprimé matin et soir pendant 5 jours"."""
    text = f"{number_fr(dose)} {unit_words(medicine.dose_unit, dose)} {FREQUENCIES[frequency][1]}"
    if frequency != "unique" and duration_days:
        text += f" pendant {duration_days} jour{'s' if duration_days > 1 else ''}"
    return text


def quantity_for(dose: Decimal | float | int, frequency: str, duration_days: int | None) -> Decimal:
    """The units to dispense for the whole treatment (rounded up to a whole unit)."""
    days = 1 if frequency == "unique" or not duration_days else duration_days
    total = Decimal(str(dose)) * per_day(frequency) * days
    return total.to_integral_value(rounding="ROUND_CEILING")


def short_source(key: str) -> str:
    """ "WHO Model Formulary 2008 (posologies adultes)" for a message; the full text in SOURCES."""
    text = SOURCES[key]
    for cut in (" ; ", " : "):
        text = text.split(cut)[0]
    return text.rstrip(".")


@dataclass(frozen=True)
class DoseWarning:
    code: str
    value: Decimal
    low: Decimal
    high: Decimal
    unit: str  # "mg/kg/jour", "mg/jour", "comprimés/jour"
    source: str
    uncertain: bool
    message_fr: str


def check_dose(
    medicine: Medicine,
    *,
    dose: Decimal | float | int | str,
    frequency: str,
    age_months: int | None,
    weight_kg: Decimal | float | None,
) -> DoseWarning | None:
    """A daily dose outside the usual range of the first band that applies to this age and
    weight (10 % tolerance); None when within it or when no band can be evaluated."""
    try:
        amount = Decimal(str(dose))
    except InvalidOperation as exc:
        raise ValueError("dose invalide") from exc
    weight = _dec(weight_kg)
    daily_units = amount * per_day(frequency)
    for band in medicine.doses:
        if not band.applies(age_months, weight):
            continue
        if band.kind == "units_per_day":
            value, unit = daily_units, f"{unit_words(medicine.dose_unit, 2)}/jour"
        elif medicine.mg_per_unit is None:
            continue
        elif band.kind == "mg_per_day":
            value, unit = daily_units * medicine.mg_per_unit, "mg/jour"
        else:
            assert weight is not None and weight > 0
            value, unit = daily_units * medicine.mg_per_unit / weight, "mg/kg/jour"
        if band.low * (1 - DOSE_TOLERANCE) <= value <= band.high * (1 + DOSE_TOLERANCE):
            return None
        shown = value.quantize(Decimal("0.1"))
        if shown == shown.to_integral_value():
            shown = shown.quantize(Decimal(1))
        usual = (
            number_fr(band.low)
            if band.low == band.high
            else f"{number_fr(band.low)} à {number_fr(band.high)}"
        )
        message = (
            f"{medicine.dci[:1].upper()}{medicine.dci[1:]} : {number_fr(shown)} {unit}, hors de la plage "
            f"usuelle ({usual} {unit} ; {short_source(band.source)})"
            f"{' [plage à vérifier]' if band.uncertain else ''}."
        )
        return DoseWarning(
            "dose_range", shown, band.low, band.high, unit, band.source, band.uncertain, message
        )
    return None


@dataclass(frozen=True)
class Substance:
    """What an allergy is to: a catalogue medicine, a class, or unresolved free text."""

    code: str = ""  # a catalogue code (its generic)
    class_code: str = ""
    text: str = ""

    @property
    def label(self) -> str:
        if self.code:
            medicine = CATALOGUE[self.code]
            return medicine.dci[:1].upper() + medicine.dci[1:]
        if self.class_code:
            label = CLASSES[self.class_code]
            return label[:1].upper() + label[1:]
        return self.text


def resolve_substance(value: str) -> Substance:
    """A catalogue code (a brand resolves to its generic), a class or one of its French names
    ("pénicilline", "sulfamides", "AINS"), a DCI typed out ("Amoxicilline"), else free text."""
    value = (value or "").strip()
    if value in CATALOGUE:
        return Substance(code=CATALOGUE[value].generic_code)
    key = _norm(value)
    if value in CLASSES:
        return Substance(class_code=value)
    if key in _SYNONYMS:
        target = _SYNONYMS[key]
        return Substance(class_code=target.removeprefix("class:"))
    for class_code, label in CLASSES.items():
        if key and key == _norm(label):
            return Substance(class_code=class_code)
    for medicine in all_medicines():
        if key and (key == _norm(medicine.dci) or key == _norm(medicine.brand)):
            return Substance(code=medicine.generic_code)
    return Substance(text=value)


@dataclass(frozen=True)
class AllergyMatch:
    code: str  # "allergy" (blocking) or "allergy_cross" (a warning)
    blocking: bool
    reason_fr: str


def allergy_match(medicine_code: str, substance: Substance) -> AllergyMatch | None:
    """Whether an allergy to ``substance`` concerns the medicine ``medicine_code``."""
    medicine = CATALOGUE[medicine_code]
    name = medicine.label
    if substance.code:
        allergen = CATALOGUE[substance.code]
        common = medicine.ingredients & allergen.ingredients
        if common:
            return AllergyMatch(
                "allergy", True, f"{name} contient {', '.join(sorted(common))} (allergie connue)."
            )
        shared = (set(medicine.classes) & set(allergen.classes)) - _NOT_FOR_ALLERGY
        if shared:
            cls = CLASSES[sorted(shared)[0]]
            return AllergyMatch(
                "allergy", True, f"{name} est de la même classe ({cls}) que {allergen.dci} (allergie connue)."
            )
        cross = set(medicine.classes) & set(allergen.classes) & _CROSS_REACTIVE
        if cross:
            cls = CLASSES[sorted(cross)[0]]
            return AllergyMatch(
                "allergy_cross",
                False,
                f"{name} : réactivité croisée possible ({cls}) avec {allergen.dci} (allergie connue).",
            )
        return None
    if substance.class_code:
        if substance.class_code in medicine.classes:
            cls = CLASSES[substance.class_code]
            return AllergyMatch("allergy", True, f"{name} est de la classe des {cls} (allergie connue).")
        return None
    key = _norm(substance.text)
    if key and (key in medicine.ingredients or key == _norm(medicine.brand)):
        return AllergyMatch("allergy", True, f"{name} : allergie connue à « {substance.text} ».")
    return None


COVERAGE_RULES: dict[str, dict[str, Any]] = _DATA["coverage_rules"]


@dataclass(frozen=True)
class CoverageFlag:
    code: str  # "not_generic_for_ramed" | "outside_mutuelle_package"
    scheme: str
    generic_code: str  # the generic to prescribe instead ("" when none)
    message_fr: str


def coverage_flags(medicine: Medicine, schemes: set[str] | frozenset[str]) -> list[CoverageFlag]:
    """What the patient's active schemes do not pay for: RAMED pays generics (DCI) only; a
    mutuelle's ambulatory package covers the CSCom's essential generics (``coverage_rules``)."""
    flags = []
    generic = CATALOGUE[medicine.generic_code]
    if "ramed" in schemes and COVERAGE_RULES["ramed"]["generics_only"] and not medicine.generic:
        flags.append(
            CoverageFlag(
                "not_generic_for_ramed",
                "ramed",
                generic.code,
                f"{medicine.brand} n'est pas pris en charge par le RAMED (génériques seulement) : "
                f"prescrire {generic.label}.",
            )
        )
    rule = COVERAGE_RULES["mutuelle"]
    if "mutuelle" in schemes and (
        (rule["generics_only"] and not medicine.generic) or medicine.level not in rule["levels"]
    ):
        instead = generic.code if generic.level in rule["levels"] else ""
        flags.append(
            CoverageFlag(
                "outside_mutuelle_package",
                "mutuelle",
                instead,
                f"{medicine.label} est hors du paquet de la mutuelle (médicaments essentiels du CSCom)"
                + (f" : prescrire {generic.label}." if instead and instead != medicine.code else "."),
            )
        )
    return flags


__all__ = [
    "COVERAGE_RULES",
    "CoverageFlag",
    "coverage_flags",
    "CATALOGUE",
    "CATALOGUE_SOURCE",
    "CATALOGUE_VERSION",
    "CLASSES",
    "FREQUENCIES",
    "SOURCES",
    "AllergyMatch",
    "DoseWarning",
    "Medicine",
    "Substance",
    "all_medicines",
    "allergy_match",
    "check_dose",
    "generic_of",
    "get",
    "number_fr",
    "parse_dose",
    "parse_frequency",
    "per_day",
    "plain_words",
    "quantity_for",
    "resolve_substance",
    "search",
]
