"""One phone format: E.164 kept and sent, "+223 XX XX XX XX" shown (issue 11 §4)."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from keneya.core.phones import format_phone, to_e164
from keneya.notifications.messages import render
from keneya.people.validation import normalise_phone


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("+22376123456", "+223 76 12 34 56"),
        ("76 12 34 56", "+223 76 12 34 56"),
        ("0022376123456", "+223 76 12 34 56"),
        ("+223 76-12-34-56", "+223 76 12 34 56"),
        ("", ""),
        (None, ""),
        ("+2250701020304", "+225 07 01 02 0304"),  # a relative in Côte d'Ivoire
        ("pas de numéro", "pas de numéro"),  # unreadable: shown as given, never dropped
    ],
)
def test_one_display_format(given, shown):
    assert format_phone(given) == shown


@pytest.mark.parametrize("given", ["76 12 34 56", "+223 76123456", "0022376123456", "76.12.34.56"])
def test_storage_and_display_agree(given):
    stored = normalise_phone(given)
    assert stored == to_e164(given) == "+22376123456"
    assert format_phone(stored) == "+223 76 12 34 56"


def test_template_filter_uses_the_formatter():
    html = Template("{% load people_tags %}{{ n|phone }}").render(Context({"n": "+22366001122"}))
    assert html == "+223 66 00 11 22"


def test_sms_show_the_relais_phone_in_the_display_format():
    text = render(
        "urgent_alert",
        {
            "child": "Awa Traoré",
            "age": "12 mois",
            "reason": "convulsions",
            "chw": "Fatoumata",
            "chw_phone": "+22376123456",
        },
    )
    assert text.endswith("Relais Fatoumata +223 76 12 34 56.")
