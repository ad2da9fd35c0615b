"""The tablet offers the child 5-17 visit to the same people, with the same questions, as the web."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from typing import Any

import pytest

from keneya.people.models import Person
from keneya.pwa.tests.test_vaccination_card import run_forms_js
from keneya.visits.forms import available_kinds, sections_for

ON = date(2026, 3, 2)
AGES_DAYS = (4 * 365, 5 * 365 + 1, 5 * 365 + 2, 9 * 365, 15 * 365, 18 * 365 + 3, 18 * 365 + 5, 30 * 365)
needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")


def _person(born: date, sex: str) -> Person:
    return Person(family_name="Traoré", given_names="Awa", sex=sex, date_of_birth=born)


@needs_node
def test_the_tablet_offers_the_same_kinds_as_the_web_around_5_and_18_years():
    people = [((ON - timedelta(days=d)).isoformat(), sex) for d in AGES_DAYS for sex in ("M", "F")]
    got = run_forms_js(
        "console.log(JSON.stringify(payload.map(([born, sex]) => "
        f"forms.availableKinds({{date_of_birth: born, sex}}, '{ON.isoformat()}'))));",
        people,
    )
    expected = [
        [str(k) for k in available_kinds(_person(date.fromisoformat(born), sex), ON)] for born, sex in people
    ]
    assert got == expected
    assert any("older_child_followup" in kinds for kinds in got)


@needs_node
def test_the_tablet_asks_the_same_questions_and_checks_school_like_the_web():
    born = (ON - timedelta(days=9 * 365)).isoformat()
    got: Any = run_forms_js(
        "const person = {date_of_birth: payload.born, sex: 'F'};"
        "const sections = forms.sectionsFor('older_child_followup', person, payload.on);"
        "const read = forms.readAnswers('older_child_followup', sections, "
        "{convulsions: 'yes', in_school: 'no', school_level: 'primary', weight_kg: '27,5', "
        "length_or_height_cm: '131'}, {dateOfBirth: payload.born, on: payload.on});"
        "const spec = forms.fieldSpec('school_level', "
        "{kind: 'older_child_followup', dateOfBirth: payload.born, on: payload.on});"
        "console.log(JSON.stringify({keys: sections.map((s) => s.keys), read, spec}));",
        {"born": born, "on": ON.isoformat()},
    )
    web = sections_for("older_child_followup", _person(date.fromisoformat(born), "F"), ON)
    assert got["keys"] == [list(keys) for _title, keys in web]
    assert got["read"]["errors"] == {
        "school_level": ["Vous avez répondu « Non » à l'école : laissez le niveau vide ou corrigez."]
    }
    assert got["read"]["measurements"] == {"weight_kg": 27.5, "length_or_height_cm": 131}
    assert got["read"]["findings"]["convulsions"] is True
    assert (
        got["spec"]["type"] == "choice"
        and ["primary", "Primaire (fondamental 1er cycle)"] in got["spec"]["choices"]
    )
