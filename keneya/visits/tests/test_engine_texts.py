"""The engine's French sentences have English twins, shown when the UI is English (#11 §3)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.utils import translation

from keneya.alerts.rules import REFERRAL_NOT_ARRIVED, RULES
from keneya.clinical.visit import assess_home_visit
from keneya.visits import display
from keneya.visits.engine_texts import ENGINE_TEXTS, collect, engine_text
from keneya.visits.templatetags.visit_tags import engine_text as engine_text_filter

KENEYA = Path(__file__).resolve().parents[2]
CATALOG = KENEYA / "locale" / "en" / "LC_MESSAGES" / "django.po"


def _english() -> dict[str, str]:
    with CATALOG.open("rb") as fh:
        return {str(m.id): str(m.string) for m in read_po(fh) if m.id}


def test_one_catalog_per_language():
    """Every string, the engine's included, is in ``keneya/locale``: an app's own catalog
    would take its app's strings away from it when ``make messages`` runs."""
    catalogs = {str(p.relative_to(KENEYA)) for p in KENEYA.glob("**/locale/*/LC_MESSAGES/*.po")}
    assert catalogs <= {"locale/en/LC_MESSAGES/django.po", "locale/fr/LC_MESSAGES/django.po"}


def test_every_rule_sentence_is_a_message_id():
    missing = [t for t in collect() if t not in ENGINE_TEXTS]
    stale = [t for t in ENGINE_TEXTS if t not in collect()]
    assert not missing, f"add to keneya/visits/engine_texts.py ENGINE_TEXTS (and its English): {missing[:5]}"
    assert not stale, f"no longer in the rule files: {stale[:5]}"


def test_every_engine_sentence_and_alert_title_has_an_english_twin():
    english = _english()
    wanted = [*collect(), *(rule.title_fr for rule in (*RULES, REFERRAL_NOT_ARRIVED))]
    untranslated = [t for t in wanted if not english.get(t)]
    assert not untranslated, untranslated[:5]
    same = [t for t in wanted if english[t] == t and any(c in t for c in "éèàçôùœ")]
    assert not same, same[:5]


@pytest.fixture
def english_catalog(tmp_path, settings):
    """The English catalog compiled to a temporary locale dir (the .mo files are not committed)."""
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("msgfmt (gettext) is not installed")
    target = tmp_path / "en" / "LC_MESSAGES"
    target.mkdir(parents=True)
    subprocess.run([msgfmt, "-o", str(target / "django.mo"), str(CATALOG)], check=True)
    # Django's setting_changed handler resets the translation caches (both ways).
    settings.LOCALE_PATHS = [tmp_path, *settings.LOCALE_PATHS]


def test_the_result_of_a_visit_reads_in_english_and_stays_french_in_french(english_catalog):
    from datetime import date

    assessment = assess_home_visit(
        kind="sick_child",
        sex="M",
        date_of_birth=date(2024, 1, 10),
        visit_date=date(2025, 6, 1),
        findings={"cough": True, "chest_indrawing": True, "respiratory_rate": 45},
    )
    with translation.override("en"):
        shown = display.present(assessment, "sick_child")
        assert "Chest indrawing: refer urgently." in shown["reasons"]
        assert shown["danger_signs"] == ["Chest indrawing"]
        assert shown["pre_referral"] == [
            "Before leaving: give the first dose of oral amoxicillin (chest indrawing or fast breathing)."
        ]
        assert shown["summary"] == "Refer urgently to the CSCom."
        assert engine_text_filter(RULES[0].title_fr) == "Danger sign: refer urgently"
    with translation.override("fr"):
        shown = display.present(assessment, "sick_child")
        assert "Tirage sous-costal : référer d'urgence." in shown["reasons"]
        assert shown["danger_signs"] == ["Tirage sous-costal"]
        assert shown["summary"] == assessment["summary_fr"]
        assert engine_text(RULES[0].title_fr) == "Signe de danger : référer d'urgence"


def test_a_follow_up_summary_is_recomposed_identically_in_french(english_catalog):
    assessment = {
        "action": "advise_only",
        "follow_up_days": 30,
        "summary_fr": "Conseiller la famille ; revoir dans 30 jours.",
    }
    with translation.override("fr"):
        assert display.summary_text(assessment) == assessment["summary_fr"]
    with translation.override("en"):
        assert display.summary_text(assessment) == "Advise the family; see again in 30 days."
