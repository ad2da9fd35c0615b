"""Alert titles and reasons shown in the reader's language, reasons as a list (issue 11)."""

from __future__ import annotations

import pytest
from django.utils import timezone, translation

from keneya.alerts.models import Alert, Priority
from keneya.alerts.rules import REFERRAL_NOT_ARRIVED, RULES
from keneya.alerts.templatetags.alert_tags import RULE_TITLES, alert_title, reasons, triggers


def test_every_rule_title_is_a_catalog_msgid():
    titles = {rule.title_fr for rule in (*RULES, REFERRAL_NOT_ARRIVED)}
    assert titles <= set(RULE_TITLES), titles - set(RULE_TITLES)


@pytest.mark.parametrize("title", RULE_TITLES)
def test_rule_titles_read_in_english(title):
    alert = Alert(title=title)
    with translation.override("en"):
        english = alert_title(alert)
    with translation.override("fr"):
        french = alert_title(alert)
    assert french == title
    assert english and english != title


@pytest.mark.django_db
def test_not_arrived_alert_lists_each_reason_once_without_double_punctuation(users, toddler, district):
    alert = Alert.objects.create(
        person=toddler,
        facility=district.cscom1,
        rule=REFERRAL_NOT_ARRIVED.code,
        priority=Priority.FOLLOW_UP,
        title=REFERRAL_NOT_ARRIVED.title_fr,
        findings=["Convulsions.; Tirage sous-costal."],
        raised_at=timezone.now(),  # a reason stored before the fix
    )
    with translation.override("fr"):
        assert triggers(alert) == ["Convulsions", "Tirage sous-costal"]
    assert reasons(alert.findings) == "Convulsions ; tirage sous-costal"


@pytest.mark.django_db
def test_the_inbox_shows_the_not_arrived_reasons_as_items(client, users, toddler, district):
    Alert.objects.create(
        person=toddler,
        facility=district.cscom1,
        rule=REFERRAL_NOT_ARRIVED.code,
        priority=Priority.FOLLOW_UP,
        title=REFERRAL_NOT_ARRIVED.title_fr,
        findings=["Convulsions.; Tirage sous-costal."],
        raised_at=timezone.now(),
    )
    client.force_login(users.clinician1)
    html = client.get("/alertes/").content.decode()
    assert "Référé·e non arrivé·e après 24 h" in html
    assert "<li>Convulsions</li><li>Tirage sous-costal</li>" in html
    assert ".;" not in html


@pytest.mark.django_db
def test_the_inbox_in_english_shows_the_title_in_english(client, users, toddler, district, settings):
    Alert.objects.create(
        person=toddler,
        facility=district.cscom1,
        rule=REFERRAL_NOT_ARRIVED.code,
        priority=Priority.FOLLOW_UP,
        title=REFERRAL_NOT_ARRIVED.title_fr,
        findings=["Convulsions."],
        raised_at=timezone.now(),
    )
    client.force_login(users.clinician1)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/alertes/").content.decode()
    assert "Referred, not arrived after 24 h" in html
    assert "Référé·e non arrivé·e après 24 h" not in html
