"""Lists of reasons read as one list: "a ; b ; c", never "a.; b." (issue 11 §4)."""

from __future__ import annotations

from keneya.core.text import join_reasons, reason_items


def test_engine_sentences_are_joined_without_double_punctuation():
    text = join_reasons(["Convulsions.", "Tirage sous-costal.", "Fièvre depuis 7 jours."])
    assert text == "Convulsions ; tirage sous-costal ; fièvre depuis 7 jours"
    assert ".;" not in text and ".." not in text


def test_older_stored_texts_read_back_as_items():
    assert reason_items("Convulsions.; Tirage sous-costal.") == ["Convulsions", "Tirage sous-costal"]
    assert join_reasons("Convulsions.; Tirage sous-costal.") == "Convulsions ; tirage sous-costal"


def test_a_single_reason_and_nothing():
    assert join_reasons("Fièvre.") == "Fièvre"
    assert join_reasons("") == "" and join_reasons(None) == "" and join_reasons([]) == ""


def test_repeated_reasons_once_and_acronyms_kept():
    assert join_reasons(["Fièvre.", "Fièvre.", "MUAC < 115 mm."]) == "Fièvre ; MUAC < 115 mm"


def test_joined_text_splits_back_to_the_same_items():
    items = ["Convulsions", "tirage sous-costal", "PB : 110 mm"]
    assert reason_items(join_reasons(items)) == items
