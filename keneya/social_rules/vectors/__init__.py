"""Vectors shared with the tablet's scoring (``keneya/pwa/static/pwa/engine/scorecard.js``).

``python -m keneya.social_rules.vectors`` rewrites ``scorecard.json`` from the Python scoring;
``tests/js/scorecard.test.mjs`` runs every case through the JavaScript twin, and
``keneya/social_rules/tests`` checks the file is what the Python gives today.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from keneya.social_rules import scorecard

VECTORS_FILE = Path(__file__).resolve().parent / "scorecard.json"


def _case(definition: dict[str, Any], answers: Any, admis: str | None = None) -> dict[str, Any]:
    arguments: dict[str, Any] = {"answers": answers}
    if admis is not None:
        arguments["admis_de_droit"] = admis
    try:
        expected: dict[str, Any] = scorecard.score_answers(definition, answers, admis).as_dict()
    except scorecard.ScoringError as error:
        expected = {"error": "ScoringError", "fields": sorted(error.errors)}
    return {"input": arguments, "expected": expected}


def generate() -> dict[str, Any]:
    definition = scorecard.load_demo_grid()
    indicators = definition["indicators"]
    rng = random.Random(20261207)  # noqa: S311 (deterministic test data)
    cases = []
    lowest = {i["code"]: min(i["options"], key=lambda o: o["points"])["code"] for i in indicators}
    highest = {i["code"]: max(i["options"], key=lambda o: o["points"])["code"] for i in indicators}
    cases += [_case(definition, lowest), _case(definition, highest)]
    # Every band boundary: walk the answers up one option at a time from the lowest.
    answers = dict(lowest)
    for indicator in indicators:
        for option in sorted(indicator["options"], key=lambda o: o["points"]):
            answers[indicator["code"]] = option["code"]
            cases.append(_case(definition, dict(answers)))
    for _ in range(60):
        cases.append(_case(definition, {i["code"]: rng.choice(i["options"])["code"] for i in indicators}))
    # Admis de droit: qualifies whatever the score.
    cases.append(_case(definition, lowest, "social_institution"))
    cases.append(_case(definition, lowest, "unknown_category"))
    # Refusals: a missing answer, an unknown option, an unknown indicator, not an object.
    partial = dict(lowest)
    partial.pop(indicators[0]["code"])
    cases.append(_case(definition, partial))
    cases.append(_case(definition, {**lowest, indicators[1]["code"]: "palace"}))
    cases.append(_case(definition, {**lowest, "camels": "many"}))
    cases.append(_case(definition, {**lowest, indicators[2]["code"]: ""}))
    return {"function": "score_answers", "scorecard": definition, "cases": cases}


def render() -> str:
    return json.dumps(generate(), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
