"""Malian name normalisation for duplicate detection and search. Pure Python.

Spelling of Mande names varies between French-colonial and Bambara orthographies:
Traoré/Traore, Coulibaly/Kulibali, Keïta/Keita, Diarra/Jara, Sissoko/Cissoko, Diallo/Jallo,
Camara/Kamara. Folding accents is not enough for the last four, so after folding we apply
orthographic rules (tested on a synthetic Malian-name set, shared/spec/stack.md §10) and a short
curated table of surname (jamu) equivalences.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rapidfuzz import fuzz

# Curated jamu equivalences that the spelling rules do not reach. Keys and values are already
# normalised by ``_spelling_rules``.
JAMU_EQUIVALENCES = {
    "trauor": "traor",  # Trawore -> Traoré
    "dumbia": "dunbia",  # Doumbia -> Dunbia (Bambara orthography)
}

_NON_LETTERS = re.compile(r"[^a-z0-9 ]+")
_SPACES = re.compile(r"\s+")
_DOUBLES = re.compile(r"(.)\1+")


def fold(text: str) -> str:
    """Lower-case, strip accents (é→e, ï→i, ɛ→e, ɔ→o, ɲ→ny, ŋ→ng) and punctuation."""
    text = (text or "").strip().lower()
    text = text.replace("ɛ", "e").replace("ɔ", "o").replace("ɲ", "ny").replace("ŋ", "ng").replace("œ", "oe")
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    ascii_only = _NON_LETTERS.sub(" ", ascii_only.replace("-", " ").replace("'", " "))
    return _SPACES.sub(" ", ascii_only).strip()


def _spelling_rules(word: str) -> str:
    if word.startswith("dj"):
        word = "j" + word[2:]
    elif len(word) > 2 and word.startswith("di") and word[2] in "aeou":
        word = "j" + word[2:]
    word = word.replace("ou", "u")
    word = re.sub(r"c(?=[aou])", "k", word)
    if word[:2] in {"ci", "ce"}:
        word = "s" + word[1:]
    word = word.replace("y", "i").replace("w", "u").replace("ph", "f")
    word = _DOUBLES.sub(r"\1", word)
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return JAMU_EQUIVALENCES.get(word, word)


@lru_cache(maxsize=65536)
def normalise_name(text: str) -> str:
    """Folded and Mande-normalised form: equal for Traoré/Traore, Diarra/Jara, Sissoko/Cissoko."""
    return " ".join(_spelling_rules(w) for w in fold(text).split())


def name_key(family_name: str, given_names: str) -> str:
    return f"{normalise_name(family_name)}|{normalise_name(given_names)}"


# Similarity thresholds (0-100, rapidfuzz). Chosen on the synthetic set of stack.md §10 to catch
# one-letter typos of a normalised name while keeping "Moussa" and "Moussa Kalifa" apart.
FAMILY_NAME_MIN_SIMILARITY = 88
GIVEN_NAMES_MIN_SIMILARITY = 85


def names_resemble(key_a: str, key_b: str) -> bool:
    """Two ``name_key`` values resemble when both family and given names are close."""
    family_a, _, given_a = key_a.partition("|")
    family_b, _, given_b = key_b.partition("|")
    if fuzz.ratio(family_a, family_b) < FAMILY_NAME_MIN_SIMILARITY:
        return False
    return fuzz.token_set_ratio(given_a, given_b) >= GIVEN_NAMES_MIN_SIMILARITY


def name_similarity(key_a: str, key_b: str) -> float:
    family_a, _, given_a = key_a.partition("|")
    family_b, _, given_b = key_b.partition("|")
    return (fuzz.ratio(family_a, family_b) + fuzz.token_set_ratio(given_a, given_b)) / 2.0
