"""French SMS templates: one registry, one SMS each, GSM alphabet only."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from keneya.notifications.messages import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    SMS_SINGLE_LENGTH,
    TEMPLATES,
    gsm7_length,
    render,
    to_gsm7,
)

# Realistic, long-ish values: a Malian name, a CSCom name, a relais with a full number.
SAMPLES: dict[str, dict[str, Any]] = {
    "urgent_alert": {
        "child": "Aminata Coulibaly",
        "age": "14 mois",
        "reason": "convulsions, ne peut pas boire",
        "chw": "Fatoumata Diarra",
        "chw_phone": "+22376123456",
    },
    "convocation": {"name": "Aminata Coulibaly", "facility": "CSCom ASACOLA I", "date": date(2026, 3, 12)},
    "referral_outcome": {
        "name": "Aminata Coulibaly",
        "facility": "CSRef Commune IV",
        "note": "Pneumonie traitée. Amoxicilline 5 jours, revoir au CSCom à J3.",
    },
    "escalation": {"child": "Aminata Coulibaly", "reason": "convulsions, ne peut pas boire", "hours": 2},
    # Social protection: the longest reference, a family name cut at 20 characters, the
    # documents cut at 60 (keneya.social_protection.services).
    "social_documents_missing": {
        "scheme": "Mutuelle",
        "reference": "MUTUELLE-2026-ABCDEF",
        "documents": "Certificat de résidence, Extrait d'acte de naissance, Ph...",
    },
    "social_card_ready": {
        "scheme": "Mutuelle",
        "family": "Diarra-Coulibaly-Kei",
        "reference": "MUTUELLE-2026-ABCDEF",
    },
    "social_renewal_due": {
        "scheme": "Mutuelle",
        "family": "Diarra-Coulibaly-Kei",
        "reference": "MUTUELLE-2026-ABCDEF",
        "date": date(2029, 3, 12),
    },
    # Savings groups (keneya.financing): the longest demo group name.
    "financing_receipt": {
        "group": "Tontine Musow ka Jama de Hamdallaye",
        "date": date(2026, 3, 12),
        "paid": "1 250 F CFA",
        "savings": "125 000 F CFA",
        "loans": "15 000 F CFA",
    },
    "financing_loan_late": {
        "group": "Tontine Musow ka Jama de Hamdallaye",
        "name": "Fatoumata",
        "due": "15 000 F CFA",
        "date": date(2026, 3, 12),
    },
}


def test_every_template_has_a_sample():
    assert set(SAMPLES) == set(TEMPLATES)


@pytest.mark.parametrize("code", sorted(TEMPLATES))
def test_each_template_fits_one_sms_in_the_gsm_alphabet(code):
    text = render(code, SAMPLES[code])

    assert text.startswith("Kènèya")
    assert all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)
    assert gsm7_length(text) <= SMS_SINGLE_LENGTH, text


def test_convocation_reads_as_specified_with_a_french_date():
    assert render("convocation", SAMPLES["convocation"]) == (
        "Kènèya : Aminata Coulibaly est convoqué(e) au CSCom ASACOLA I le 12/03/2026."
    )


def test_an_empty_value_leaves_no_stray_spaces():
    text = render("urgent_alert", {**SAMPLES["urgent_alert"], "chw": "", "chw_phone": ""})

    assert text.endswith("ne peut pas boire. Relais.")


def test_unknown_template_code_is_a_value_error():
    with pytest.raises(ValueError, match="Unknown SMS template code"):
        render("alert.unknown", {})


def test_characters_outside_the_gsm_alphabet_are_transliterated():
    assert to_gsm7("Keïta – Françoise’s «œuvre» 漢") == 'Keita - Francoise\'s "oeuvre" ?'
    assert to_gsm7("Kènèya é à ù Ç") == "Kènèya é à ù Ç"  # these are GSM characters


def test_extra_context_is_ignored_and_whitespace_is_collapsed():
    text = render(
        "convocation", {"name": " Awa\n Sidibé ", "facility": "CSCom X", "date": "lundi", "unused": "secret"}
    )

    assert text == "Kènèya : Awa Sidibé est convoqué(e) au CSCom X le lundi."
