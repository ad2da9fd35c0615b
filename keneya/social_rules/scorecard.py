"""The vulnerability scorecard: a grid is data, scoring is a pure function.

A grid (``definition``, a JSON-able dict; the demonstration grid is ``data/scorecard_demo.json``)
has indicators, each with answer options and their points; score bands over the total; and the
"admis de droit" categories that qualify whatever the score (RAMED: people in social
institutions, Loi n°09-030; the programme adds its own). A points-table grid scores the sum of
the chosen options' points; the band is the one whose [min, max] holds the score, or the
``admis_de_droit_band`` when a category applies. Activating a grid refuses gaps or overlaps
between bands over every score the grid can give (``check_definition``).

Messages are French (``text_fr``), as in ``keneya.clinical``: the pure package has no gettext.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
DEMO_GRID = DATA_DIR / "scorecard_demo.json"


class DefinitionError(ValueError):
    """A grid that cannot be activated: ``errors`` lists what is wrong, in French."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


class ScoringError(ValueError):
    """Answers that cannot be scored: ``errors`` maps a field (``answers.<indicator>``,
    ``admis_de_droit``) to a French message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in sorted(errors.items())))
        self.errors = errors


@dataclass(frozen=True)
class Result:
    score: int
    band: str
    band_label_fr: str
    breakdown: list[dict[str, Any]] = field(default_factory=list)
    admis_de_droit: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "band": self.band,
            "band_label_fr": self.band_label_fr,
            "breakdown": self.breakdown,
            "admis_de_droit": self.admis_de_droit,
        }


def load_demo_grid() -> dict[str, Any]:
    return json.loads(DEMO_GRID.read_text(encoding="utf-8"))


def score_range(definition: dict[str, Any]) -> tuple[int, int]:
    """The lowest and the highest total the grid can give."""
    low = sum(min(o["points"] for o in i["options"]) for i in definition["indicators"])
    high = sum(max(o["points"] for o in i["options"]) for i in definition["indicators"])
    return low, high


def check_definition(definition: dict[str, Any]) -> list[str]:
    """What stops this grid from being activated (empty when it can be)."""
    errors: list[str] = []
    for key in ("code", "version", "effective_date", "source", "indicators", "bands"):
        if not definition.get(key):
            errors.append(f"champ obligatoire manquant : {key}")
    if errors:
        return errors
    codes = [i.get("code") for i in definition["indicators"]]
    if len(set(codes)) != len(codes):
        errors.append("deux indicateurs portent le même code")
    for indicator in definition["indicators"]:
        options = indicator.get("options") or []
        if not options:
            errors.append(f"l'indicateur {indicator.get('code')} n'a aucune option")
            continue
        option_codes = [o.get("code") for o in options]
        if len(set(option_codes)) != len(option_codes):
            errors.append(f"l'indicateur {indicator['code']} a deux options de même code")
        for option in options:
            if not isinstance(option.get("points"), int) or isinstance(option.get("points"), bool):
                errors.append(f"{indicator['code']}.{option.get('code')} : les points doivent être entiers")
    if errors:
        return errors
    errors.extend(_check_bands(definition))
    band_codes = {b["code"] for b in definition["bands"]}
    if definition.get("admis_de_droit") and definition.get("admis_de_droit_band") not in band_codes:
        errors.append("la tranche des admis de droit doit être une des tranches de la grille")
    return errors


def _check_bands(definition: dict[str, Any]) -> list[str]:
    low, high = score_range(definition)
    bands = sorted(definition["bands"], key=lambda b: (b["min"], b["max"]))
    errors = []
    for band in bands:
        if band["min"] > band["max"]:
            errors.append(f"tranche {band['code']} : minimum au-dessus du maximum")
    if errors:
        return errors
    expected = low
    for band in bands:
        if band["min"] > expected:
            errors.append(f"trou entre les tranches : aucun score de {expected} à {band['min'] - 1}")
        elif band["min"] < expected:
            errors.append(f"chevauchement : le score {band['min']} tombe dans deux tranches ({band['code']})")
        expected = max(expected, band["max"] + 1)
    if expected <= high:
        errors.append(f"trou entre les tranches : aucun score de {expected} à {high}")
    if bands and bands[0]["min"] > low:
        pass  # reported above as a gap from the lowest score
    return errors


def score_answers(
    definition: dict[str, Any], answers: dict[str, Any], admis_de_droit: str | None = None
) -> Result:
    """Score one screening: every indicator answered with one of its options."""
    indicators = {i["code"]: i for i in definition["indicators"]}
    errors: dict[str, str] = {}
    if not isinstance(answers, dict):
        raise ScoringError({"answers": "réponses attendues sous la forme {indicateur: option}"})
    for code in answers:
        if code not in indicators:
            errors[f"answers.{code}"] = "indicateur inconnu de cette grille"
    breakdown = []
    total = 0
    for code, indicator in indicators.items():
        chosen = answers.get(code)
        if chosen is None or chosen == "":
            errors[f"answers.{code}"] = "réponse manquante"
            continue
        option = next((o for o in indicator["options"] if o["code"] == chosen), None)
        if option is None:
            errors[f"answers.{code}"] = f"option inconnue : {str(chosen)[:40]}"
            continue
        total += option["points"]
        breakdown.append(
            {
                "indicator": code,
                "label_fr": indicator.get("label_fr", code),
                "option": option["code"],
                "option_label_fr": option.get("label_fr", option["code"]),
                "points": option["points"],
            }
        )
    categories = {c["code"] for c in definition.get("admis_de_droit") or []}
    if admis_de_droit not in (None, "") and admis_de_droit not in categories:
        errors["admis_de_droit"] = "catégorie d'admis de droit inconnue"
    if errors:
        raise ScoringError(errors)
    if admis_de_droit:
        band_code = definition["admis_de_droit_band"]
        band = next(b for b in definition["bands"] if b["code"] == band_code)
    else:
        band = next(b for b in definition["bands"] if b["min"] <= total <= b["max"])
    return Result(
        score=total,
        band=band["code"],
        band_label_fr=band["label_fr"],
        breakdown=breakdown,
        admis_de_droit=admis_de_droit or None,
    )
