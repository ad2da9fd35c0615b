"""ICD-10 (CIM-10, French titles) diagnosis codes for the CSCom consultation form.

Pure module (no Django): the curated code list lives in ``data/icd10_fr.csv`` (see
``data/README.md`` for provenance) and is read once per process.

Public API:

- ``Icd10Entry``: one code with its French title and chapter (roman numeral).
- ``normalize_code(code)``: ``" b509 "`` -> ``"B50.9"``; ``None`` if it is not shaped like an ICD-10 code.
- ``lookup(code)``: the entry for a code (any spacing, case, with or without the dot), or ``None``.
- ``search(query, limit=20)``: entries matching a code prefix and/or French words, accents and case
  folded, every word of the query having to match.
- ``all_entries()``: every entry, ordered by code.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = [
    "CSV_PATH",
    "REGISTER_CONDITIONS",
    "SEARCH_TERMS",
    "Icd10Entry",
    "all_entries",
    "lookup",
    "normalize_code",
    "search",
]

CSV_PATH = Path(__file__).resolve().parent / "data" / "icd10_fr.csv"

CODE_RE = re.compile(r"^[A-Z][0-9]{2}(\.[0-9A-Z]{1,2})?$")

# Extra words that find an entry in ``search`` without being shown: the terms CSCom staff type
# (abbreviations from the national registers, lay names). They are Kènèya's own search aids,
# NOT part of the CIM-10 titles, and never replace the label.
SEARCH_TERMS: dict[str, str] = {
    "A01.0": "typhoïde",
    "A03": "dysenterie bacillaire",
    "A08.0": "diarrhée",
    "A09": "diarrhée",
    "A09.0": "diarrhée infectieuse",
    "A09.9": "diarrhée",
    "A15": "TB",
    "A15.0": "TB",
    "A16": "TB",
    "A16.2": "TB",
    "A39.0": "méningite cérébro-spinale",
    "A41.9": "septicémie",
    "A98.4": "Ebola",
    "B20": "sida",
    "B21": "sida",
    "B22": "sida",
    "B23": "sida",
    "B24": "sida",
    "B50.0": "paludisme grave neuropaludisme",
    "B50.8": "paludisme grave",
    "B50.9": "paludisme simple",
    "B54": "paludisme simple",
    "B65": "bilharziose",
    "B65.0": "bilharziose urinaire",
    "B65.1": "bilharziose intestinale",
    "B72": "ver de Guinée",
    "B77": "vers intestinaux",
    "B82.0": "vers intestinaux",
    "B86": "scabiose",
    "D50": "anémie ferriprive",
    "D50.9": "anémie ferriprive",
    "D57": "drépanocytose",
    "D57.0": "drépanocytose crise",
    "D57.1": "drépanocytose",
    "D57.2": "drépanocytose SC",
    "D57.3": "drépanocytose trait AS",
    "E10": "diabète DT1 insulinodépendant",
    "E10.9": "diabète DT1",
    "E11": "diabète DT2",
    "E11.9": "diabète DT2",
    "E14": "diabète",
    "E40": "malnutrition aiguë sévère MAS",
    "E41": "malnutrition aiguë sévère MAS",
    "E42": "malnutrition aiguë sévère MAS",
    "E43": "malnutrition aiguë sévère MAS",
    "E44": "malnutrition aiguë modérée MAM",
    "E44.0": "malnutrition aiguë modérée MAM",
    "E50": "xérophtalmie",
    "E86": "déshydratation",
    "F10.2": "alcoolisme",
    "F20": "psychose",
    "F23": "psychose bouffée délirante",
    "F29": "psychose",
    "F32": "dépression",
    "F32.9": "dépression",
    "F33": "dépression",
    "G40": "crises convulsives comitialité",
    "G40.9": "crises convulsives comitialité",
    "I10": "HTA",
    "I11": "HTA",
    "J06.9": "IRA",
    "J12": "pneumonie",
    "J15": "pneumonie",
    "J18": "pneumonie",
    "J18.0": "pneumonie",
    "J18.9": "pneumonie",
    "J22": "IRA",
    "J45.0": "asthme allergique",
    "L03": "cellulite",
    "N39.0": "infection urinaire",
    "O14": "pré-éclampsie",
    "O14.0": "pré-éclampsie",
    "O14.1": "pré-éclampsie",
    "O14.9": "pré-éclampsie",
    "O72": "HPP",
    "O72.0": "HPP",
    "O72.1": "HPP",
    "O72.2": "HPP",
    "O80": "accouchement normal eutocique",
    "O80.0": "accouchement normal eutocique",
    "O85": "fièvre puerpérale",
    "P07.1": "petit poids de naissance",
    "P07.3": "prématurité prématuré",
    "P36": "sepsis néonatal",
    "P36.9": "sepsis néonatal",
    "P38": "infection ombilicale",
    "P59.9": "jaunisse",
    "Q90.9": "trisomie 21",
    "R17": "jaunisse",
    "R50.9": "hyperthermie",
    "T63.0": "morsure de serpent envenimation",
    "T63.2": "piqûre de scorpion",
    "U07.1": "COVID",
    "W54": "rage",
    "Z00.1": "suivi croissance enfant sain pesée",
    "Z23": "vaccination",
    "Z23.5": "vaccination VAT",
    "Z24": "vaccination",
    "Z24.4": "vaccination VAR",
    "Z27": "vaccination",
    "Z27.1": "vaccination DTC",
    "Z29.2": "TPI",
    "Z30": "planification familiale PF",
    "Z30.0": "planification familiale PF",
    "Z30.1": "planification familiale PF DIU",
    "Z30.4": "planification familiale PF",
    "Z30.5": "planification familiale PF DIU",
    "Z30.9": "planification familiale PF",
    "Z34": "CPN consultation prénatale",
    "Z34.0": "CPN consultation prénatale",
    "Z34.8": "CPN consultation prénatale",
    "Z34.9": "CPN consultation prénatale",
    "Z35": "CPN consultation prénatale",
    "Z35.9": "CPN consultation prénatale",
    "Z39.2": "consultation postnatale",
}

# The conditions of the CSComs' registers that go on a problem list, with the code the problem
# list offers first (the chronic ones of Simple.org's minimal dataset and the national
# programmes: HTA, diabetes, epilepsy, asthma, sickle-cell disease, HIV, TB, malnutrition, mental
# health). Kènèya's choice of the usual code, not a coding rule: any code of the list can be used.
REGISTER_CONDITIONS: tuple[tuple[str, str], ...] = (
    ("I10", "Hypertension artérielle (HTA)"),
    ("E11", "Diabète de type 2"),
    ("E10", "Diabète de type 1"),
    ("G40", "Épilepsie"),
    ("J45", "Asthme"),
    ("D57.1", "Drépanocytose"),
    ("B24", "Infection à VIH"),
    ("A15", "Tuberculose respiratoire confirmée"),
    ("E43", "Malnutrition aiguë sévère"),
    ("E44.0", "Malnutrition aiguë modérée"),
    ("F32", "Dépression"),
    ("F29", "Psychose"),
    ("I50", "Insuffisance cardiaque"),
    ("N18", "Insuffisance rénale chronique"),
    ("B18.1", "Hépatite B chronique"),
)

# Ranking tiers (lower first); ties are broken by code.
_EXACT_CODE, _CODE_PREFIX, _WORD_START, _SUBSTRING = range(4)

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})
_WORD_RE = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Icd10Entry:
    code: str
    label: str
    chapter: str


@dataclass(frozen=True)
class _Row:
    entry: Icd10Entry
    compact: str  # code without the dot: "B509"
    words: tuple[str, ...]  # folded words of label + search terms
    text: str  # the same words joined by single spaces


@dataclass(frozen=True)
class _Index:
    entries: tuple[Icd10Entry, ...]
    by_code: dict[str, Icd10Entry]
    rows: tuple[_Row, ...]


def _fold(text: str) -> str:
    """Lower-case, strip accents and ligatures: "Diarrhée, Œdème" -> "diarrhee, oedeme"."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def _words(text: str) -> list[str]:
    return _WORD_RE.findall(_fold(text))


def _compact(code: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", code.upper())


def normalize_code(code: str) -> str | None:
    """Canonical form of an ICD-10 code ("b509", "B50.9", " B50.9 " -> "B50.9"), else ``None``."""
    if not isinstance(code, str):
        return None
    compact = _compact(code.strip())
    if len(compact) > 3:
        compact = f"{compact[:3]}.{compact[3:]}"
    return compact if CODE_RE.match(compact) else None


@lru_cache(maxsize=1)
def _index() -> _Index:
    with CSV_PATH.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames != ["code", "label", "chapter"]:
            raise ValueError(f"{CSV_PATH}: header must be code,label,chapter, got {reader.fieldnames}")
        entries = [
            Icd10Entry(code=row["code"].strip(), label=row["label"].strip(), chapter=row["chapter"].strip())
            for row in reader
        ]
    entries.sort(key=lambda e: e.code)
    by_code: dict[str, Icd10Entry] = {}
    rows = []
    for entry in entries:
        if entry.code in by_code:
            raise ValueError(f"{CSV_PATH}: duplicate code {entry.code}")
        by_code[entry.code] = entry
        words = tuple(_words(f"{entry.label} {SEARCH_TERMS.get(entry.code, '')}"))
        rows.append(_Row(entry=entry, compact=_compact(entry.code), words=words, text=" ".join(words)))
    return _Index(entries=tuple(entries), by_code=by_code, rows=tuple(rows))


def all_entries() -> tuple[Icd10Entry, ...]:
    """Every entry of the list, ordered by code."""
    return _index().entries


def lookup(code: str) -> Icd10Entry | None:
    """The entry for ``code`` (case, spaces and the dot are ignored), or ``None`` if unknown."""
    normalized = normalize_code(code)
    if normalized is None:
        return None
    return _index().by_code.get(normalized)


def _token_strength(row: _Row, code_form: str, parts: list[str]) -> int | None:
    """How one query token matches a row: _WORD_START (code prefix or word start), _SUBSTRING, or None."""
    if code_form and row.compact.startswith(code_form):
        return _WORD_START
    if not parts:
        return None
    strength = _WORD_START
    for part in parts:
        if any(word.startswith(part) for word in row.words):
            continue
        if part in row.text:
            strength = _SUBSTRING
            continue
        return None
    return strength


def search(query: str, limit: int = 20) -> list[Icd10Entry]:
    """Entries matching every word of ``query``, best first, at most ``limit``.

    A query word matches an entry when it is a prefix of the entry's code ("b50", "B50.9") or when
    all its letters/digits occur in the French label (or Kènèya's extra search terms) with accents
    and case folded ("diarrhee" finds "diarrhée"). Order: exact code, then code prefix, then entries
    whose words all match at a word start, then the rest (substring matches); ties by code.
    """
    if not isinstance(query, str) or limit <= 0:
        return []
    raw_tokens = query.split()
    if not raw_tokens:
        return []
    tokens = [(_compact(_fold(tok)), _words(tok)) for tok in raw_tokens]
    whole_code = _compact(_fold(query)) if len(raw_tokens) == 1 else ""

    ranked: list[tuple[int, str, Icd10Entry]] = []
    for row in _index().rows:
        worst = _WORD_START
        for code_form, parts in tokens:
            strength = _token_strength(row, code_form, parts)
            if strength is None:
                break
            worst = max(worst, strength)
        else:
            if whole_code and row.compact == whole_code:
                tier = _EXACT_CODE
            elif whole_code and row.compact.startswith(whole_code):
                tier = _CODE_PREFIX
            else:
                tier = worst
            ranked.append((tier, row.entry.code, row.entry))
    ranked.sort(key=lambda item: (item[0], item[1]))
    return [entry for _, _, entry in ranked[:limit]]
