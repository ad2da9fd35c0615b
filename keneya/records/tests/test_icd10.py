"""ICD-10 (CIM-10 French) code list and search: pure tests, no database."""

from __future__ import annotations

import csv
import re
from collections import Counter

import pytest

from keneya.records import icd10
from keneya.records.icd10 import Icd10Entry, lookup, normalize_code, search

ICD10_CODE = re.compile(r"^[A-Z][0-9]{2}(\.[0-9A-Z]{1,2})?$")
ROMAN_CHAPTERS = {
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI",
    "XII", "XIII", "XIV", "XV", "XVI", "XVII", "XVIII", "XIX", "XX", "XXI", "XXII",
}  # fmt: skip


def _csv_rows() -> list[dict[str, str]]:
    with icd10.CSV_PATH.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == ["code", "label", "chapter"]
        return list(reader)


def _label(code: str) -> str:
    entry = lookup(code)
    assert entry is not None, code
    return entry.label


def _codes(entries: list[Icd10Entry]) -> list[str]:
    return [e.code for e in entries]


# --- the data file ---------------------------------------------------------------------------


def test_file_size_is_in_the_curated_range() -> None:
    assert 250 <= len(_csv_rows()) <= 450


def test_file_has_no_duplicate_codes() -> None:
    counts = Counter(row["code"] for row in _csv_rows())
    assert [code for code, n in counts.items() if n > 1] == []


def test_every_code_matches_the_icd10_pattern() -> None:
    bad = [row["code"] for row in _csv_rows() if not ICD10_CODE.match(row["code"])]
    assert bad == []


def test_labels_are_non_empty_and_trimmed() -> None:
    for row in _csv_rows():
        assert row["label"].strip(), row["code"]
        assert row["label"] == row["label"].strip(), row["code"]
        assert "  " not in row["label"], row["code"]


def test_chapters_are_roman_numerals_consistent_with_the_code() -> None:
    for row in _csv_rows():
        assert row["chapter"] in ROMAN_CHAPTERS, row["code"]
    chapter = {row["code"]: row["chapter"] for row in _csv_rows()}
    assert chapter["B50.9"] == "I"
    assert chapter["D64.9"] == "III"
    assert chapter["H10"] == "VII"
    assert chapter["H66.9"] == "VIII"
    assert chapter["O80"] == "XV"
    assert chapter["T63.0"] == "XIX"
    assert chapter["Z34"] == "XXI"


def test_labels_keep_their_french_accents() -> None:
    assert _label("B50.9") == "Paludisme à Plasmodium falciparum, sans précision"
    assert _label("B54") == "Paludisme, sans précision"
    assert _label("R50.9") == "Fièvre, sans précision"
    assert _label("G40") == "Épilepsie"


def test_core_cscom_codes_are_present() -> None:
    required = [
        "B50", "B50.0", "B50.8", "B50.9", "B54", "A09", "A15", "B20", "B24", "Z21", "B05", "A39.0",
        "A01.0", "B65", "J18.9", "J45", "H66.9", "E43", "E44.0", "E44.1", "E45", "E46", "D50", "D64.9",
        "D57", "P05", "P07", "P21", "P22", "P23", "P36", "P38", "P55", "P59", "P92", "O14", "O15", "O20",
        "O21", "O23", "O24.4", "O44", "O45", "O46", "O60", "O72", "O80", "O85", "O99.0", "B86", "H10",
        "T30", "T63.0", "I10", "E11", "G40", "E86", "R50.9", "R05", "R56", "R17", "Z34", "Z35", "Z23",
        "Z27", "Z00.1", "Z30",
    ]  # fmt: skip
    assert [code for code in required if lookup(code) is None] == []


# --- lookup ----------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["B50.9", "b509", " B50.9 ", "b50.9", "B509", "\tb50.9\n"])
def test_lookup_normalises_the_code(raw: str) -> None:
    entry = lookup(raw)
    assert entry == Icd10Entry("B50.9", "Paludisme à Plasmodium falciparum, sans précision", "I")


def test_lookup_three_character_category() -> None:
    assert lookup("b54") == Icd10Entry("B54", "Paludisme, sans précision", "I")


@pytest.mark.parametrize("raw", ["Z99.9", "B50.7", "", "   ", "paludisme", "B5", "123", "B50.999"])
def test_unknown_or_malformed_code_is_none(raw: str) -> None:
    assert lookup(raw) is None


def test_normalize_code() -> None:
    assert normalize_code("b509") == "B50.9"
    assert normalize_code(" e44.0 ") == "E44.0"
    assert normalize_code("i10") == "I10"
    assert normalize_code("not a code") is None


def test_entries_are_frozen() -> None:
    entry = lookup("I10")
    assert entry is not None
    with pytest.raises(AttributeError):
        entry.label = "x"  # type: ignore[misc]


# --- search ----------------------------------------------------------------------------------


def test_search_by_code_prefix() -> None:
    assert _codes(search("b50")) == ["B50", "B50.0", "B50.8", "B50.9"]
    assert {e.code for e in search("E4")} >= {"E40", "E41", "E42", "E43", "E44", "E44.0", "E45", "E46"}
    assert all(e.code.startswith("Z3") for e in search("z3", limit=100))


def test_search_exact_code_comes_first() -> None:
    results = search("B50")
    assert results[0].code == "B50"
    assert _codes(search("b50.9")) == ["B50.9"]
    assert search("B54")[0].code == "B54"


def test_search_code_prefix_ranks_before_label_matches() -> None:
    # "a" is both the prefix of every A-code and the start of many French words ("aiguë", "à" ...):
    # the code-prefix matches come first, then the label matches.
    codes = _codes(search("a", limit=1000))
    a_codes = [c for c in codes if c.startswith("A")]
    assert codes[: len(a_codes)] == a_codes
    assert len(codes) > len(a_codes)
    assert "J00" in codes  # "Rhinopharyngite aiguë" via its word "aiguë"


def test_search_french_words_without_accents() -> None:
    assert "A09" in _codes(search("diarrhee"))
    assert "A09" in _codes(search("DIARRHÉE"))
    assert "R50.9" in _codes(search("fievre"))
    assert "B50.9" in _codes(search("precision paludisme falciparum"))
    assert "P05" in _codes(search("foetus malnutrition"))  # label has the ligature "fœtus"
    assert _codes(search("drepanocytose"))[:1] == ["D57"]


def test_search_multi_word_is_an_and() -> None:
    severe = _codes(search("palu grave"))
    assert severe == ["B50.0", "B50.8"]
    assert "B50.9" not in severe
    assert "E43" not in severe  # "grave" alone is not enough
    assert _codes(search("grossesse haut risque")) == ["Z35", "Z35.9"]
    assert search("paludisme fracture") == []


def test_search_mixes_code_prefix_and_words() -> None:
    assert _codes(search("b50 cerebrales")) == ["B50.0"]


def test_search_ranks_word_start_before_substring() -> None:
    # "enterite" starts a word in "Entérite à rotavirus" but is inside "Gastroentérite".
    codes = _codes(search("enterite"))
    assert codes.index("A08.0") < codes.index("A09")
    assert codes.index("K52.9") < codes.index("A09")


def test_search_ties_are_ordered_by_code() -> None:
    codes = _codes(search("paludisme", limit=50))
    assert codes == sorted(codes)
    assert codes[0] == "B50"


def test_search_respects_limit_and_empty_queries() -> None:
    assert len(search("a", limit=5)) == 5
    assert search("paludisme", limit=0) == []
    assert search("") == []
    assert search("   ") == []
    assert search("zzzzqqq") == []


def test_search_returns_entries_from_the_file() -> None:
    for entry in search("paludisme", limit=50):
        assert lookup(entry.code) == entry


def test_search_terms_only_name_listed_codes() -> None:
    known = {e.code for e in icd10.all_entries()}
    assert set(icd10.SEARCH_TERMS) <= known


def test_all_entries_sorted_and_complete() -> None:
    entries = icd10.all_entries()
    assert len(entries) == len(_csv_rows())
    assert [e.code for e in entries] == sorted(e.code for e in entries)
