"""The tablet's vaccination card asks and checks what the web form does (forms.js vs forms.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import translation

from keneya.clinical.vaccination_card import card_doses
from keneya.people.models import Person
from keneya.pwa.views import static_files
from keneya.pwa.vocabulary import vocabulary
from keneya.visits.forms import VACCINE_FIELD_PREFIX, VisitForm, asks_vaccination_card

REPO = Path(__file__).resolve().parents[3]
ON = date(2026, 3, 2)
KINDS = ("child_followup", "sick_child", "postnatal", "pregnancy")
AGES_DAYS = (0, 5, 59, 60, 130, 400, 1825, 1830, 20 * 365)
needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")


def run_forms_js(body: str, payload: object) -> object:
    """Run ``body`` with ``forms`` (forms.js) loaded on the server's vocabulary; it prints JSON."""
    script = (
        "const [vocabulary, payload] = JSON.parse(process.argv[1]);"
        "globalThis.document = { getElementById: () => ({ textContent: JSON.stringify(vocabulary) }) };"
        "const forms = await import('./keneya/pwa/static/pwa/forms.js');"
        f"{body}"
    )
    with translation.override("fr"):
        argument = json.dumps([vocabulary(), payload])
    result = subprocess.run(
        ["node", "--input-type=module", "-e", script, argument],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def test_the_engine_port_is_precached_for_offline_use():
    assert "pwa/engine/vaccination_card.js" in static_files()


@needs_node
def test_the_tablet_asks_the_card_at_the_same_visits_as_the_web():
    births = [(ON - timedelta(days=d)).isoformat() for d in AGES_DAYS]
    cases = [[kind, {"date_of_birth": born, "sex": "F"}] for kind in KINDS for born in births]
    got = run_forms_js(
        "console.log(JSON.stringify(payload.map(([k, p]) => "
        f"forms.asksVaccinationCard(k, p, '{ON.isoformat()}'))));",
        cases,
    )
    expected = [
        asks_vaccination_card(kind, Person(date_of_birth=date.fromisoformat(born), sex="F"), ON)
        for kind in KINDS
        for born in births
    ]
    assert got == expected
    assert any(expected) and not all(expected)


@needs_node
def test_the_tablet_refuses_the_same_dates_with_the_same_french_messages(db):
    born = ON - timedelta(days=130)
    child = Person(date_of_birth=born, sex="F")
    visit_date = ON - timedelta(days=2)
    answers = {
        "BCG": str(born + timedelta(days=1)),
        "VPO0": str(born - timedelta(days=1)),
        "PENTA1": str(visit_date + timedelta(days=1)),
        "VPO1": "2026-02-31",
        "PCV1": "hier",
        "ROTA1": "",
        "PENTA2": str(visit_date),
    }
    card = [
        d.as_dict()
        for d in card_doses(date_of_birth=born, on=ON, doses_received=[("PENTA3", born + timedelta(days=99))])
    ]
    got = run_forms_js(
        "const [card, answers, dob, visitDate] = payload;"
        "console.log(JSON.stringify(forms.readVaccines(card, answers,"
        " { dateOfBirth: dob, visitDate })));",
        [
            card,
            {VACCINE_FIELD_PREFIX + c: v for c, v in answers.items()},
            born.isoformat(),
            visit_date.isoformat(),
        ],
    )
    assert isinstance(got, dict)

    with translation.override("fr"):
        form = VisitForm(
            {
                "id": "6f1c1f8e-3f0e-5a51-9b9e-6b656e657961",
                "visit_date": visit_date.isoformat(),
                **{VACCINE_FIELD_PREFIX + c: v for c, v in answers.items()},
            },
            person=child,
            kind="child_followup",
            today=ON,
            doses_recorded={"PENTA3": born + timedelta(days=99)},
        )
        assert not form.is_valid()
        errors = {k: [str(m) for m in v] for k, v in form.errors.items()}
    assert got["errors"] == errors
    assert got["vaccines"] == {"BCG": answers["BCG"], "PENTA2": answers["PENTA2"]}
    assert set(got["errors"]) == {f"{VACCINE_FIELD_PREFIX}{c}" for c in ("VPO0", "PENTA1", "VPO1", "PCV1")}
