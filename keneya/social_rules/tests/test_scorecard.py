"""The vulnerability scorecard: bands, boundaries, refusals, version checks (table-driven)."""

from __future__ import annotations

import copy
import json

import pytest

from keneya.social_rules import scorecard
from keneya.social_rules.vectors import VECTORS_FILE, render

GRID = scorecard.load_demo_grid()
LOWEST = {i["code"]: min(i["options"], key=lambda o: o["points"])["code"] for i in GRID["indicators"]}


def answers_scoring(total: int) -> dict[str, str]:
    """Answers whose points add up to ``total`` (a search over the demo grid's options)."""

    def search(index: int, remaining: int) -> dict[str, str] | None:
        if index == len(GRID["indicators"]):
            return {} if remaining == 0 else None
        indicator = GRID["indicators"][index]
        for option in indicator["options"]:
            if option["points"] <= remaining:
                rest = search(index + 1, remaining - option["points"])
                if rest is not None:
                    return {indicator["code"]: option["code"], **rest}
        return None

    found = search(0, total)
    assert found is not None, total
    return found


def test_the_demo_grid_is_labelled_illustrative_and_can_be_activated():
    assert GRID["illustrative"] is True
    assert "DÉMONSTRATION" in GRID["title_fr"]
    assert len(GRID["indicators"]) == 10
    assert scorecard.check_definition(GRID) == []


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "not_priority"),
        (9, "not_priority"),
        (10, "vulnerable"),
        (17, "vulnerable"),
        (18, "likely_indigent"),
        (33, "likely_indigent"),
    ],
)
def test_each_boundary_falls_in_one_band(total, band):
    result = scorecard.score_answers(GRID, answers_scoring(total))
    assert (result.score, result.band) == (total, band)


def test_the_score_is_the_sum_of_the_chosen_points_with_a_line_per_indicator():
    answers = {**LOWEST, "housing": "banco", "income": "none", "orphans": "one"}
    result = scorecard.score_answers(GRID, answers)
    assert result.score == 2 + 4 + 2
    assert len(result.breakdown) == 10
    assert {line["indicator"]: line["points"] for line in result.breakdown}["income"] == 4


def test_admis_de_droit_qualify_whatever_the_score():
    result = scorecard.score_answers(GRID, LOWEST, "social_institution")
    assert (result.score, result.band, result.admis_de_droit) == (0, "likely_indigent", "social_institution")


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({k: v for k, v in LOWEST.items() if k != "housing"}, "answers.housing"),
        ({**LOWEST, "assets": "palace"}, "answers.assets"),
        ({**LOWEST, "camels": "many"}, "answers.camels"),
    ],
)
def test_bad_answers_are_refused_with_the_field(answers, field):
    with pytest.raises(scorecard.ScoringError) as refused:
        scorecard.score_answers(GRID, answers)
    assert field in refused.value.errors


def test_a_grid_with_a_gap_between_bands_cannot_be_activated():
    grid = copy.deepcopy(GRID)
    grid["bands"][1]["min"] = 11
    assert any("trou" in e and "10" in e for e in scorecard.check_definition(grid))


def test_a_grid_with_overlapping_bands_cannot_be_activated():
    grid = copy.deepcopy(GRID)
    grid["bands"][1]["max"] = 18
    assert any("chevauchement" in e for e in scorecard.check_definition(grid))


def test_a_grid_whose_bands_stop_short_of_the_highest_score_cannot_be_activated():
    grid = copy.deepcopy(GRID)
    grid["bands"][2]["max"] = 30
    assert any("31" in e for e in scorecard.check_definition(grid))


def test_the_tablet_vectors_are_what_the_scoring_gives_today():
    assert json.loads(VECTORS_FILE.read_text(encoding="utf-8")) == json.loads(render()), (
        "run python -m keneya.social_rules.vectors"
    )
