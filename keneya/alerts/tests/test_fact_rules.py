"""Fact rules: an app above alerts reports a fact (a lab result...) and a registered rule raises
the alert, without alerts knowing that app."""

from __future__ import annotations

import pytest

from keneya.alerts import rules, services
from keneya.alerts.models import Alert, Priority
from keneya.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def fact_rules():
    saved = dict(rules.FACT_RULES)
    rules.FACT_RULES.clear()
    rules.register_fact_rule(
        rules.FactRule(
            code="test_low_value",
            kind="measure",
            priority=Priority.URGENT,
            source="Test source",
            title_fr="Valeur critique",
            predicate=lambda f: [f"valeur {f.data['value']}"] if f.data["value"] < 7 else None,
        )
    )
    rules.register_fact_rule(
        rules.FactRule(
            code="test_any_value",
            kind="measure",
            priority=Priority.ROUTINE,
            source="Test source",
            title_fr="Valeur notée",
            predicate=lambda f: ["notée"],
        )
    )
    yield
    rules.FACT_RULES.clear()
    rules.FACT_RULES.update(saved)


def test_the_most_serious_fact_rule_raises_one_alert_with_every_finding(fact_rules, users, district, toddler):
    users.clinician1.phone = "+22376000001"
    users.clinician1.save()
    fact = rules.Fact(kind="measure", data={"value": 6})
    alert = services.raise_alert_for_fact(fact=fact, person=toddler, facility=district.cscom1, subject="m:1")
    assert alert is not None
    assert alert.rule == "test_low_value" and alert.priority == "urgent" and alert.facility == district.cscom1
    assert alert.findings == ["valeur 6", "notée"] and alert.title == "Valeur critique"
    assert alert.events.get().kind == "raised"
    sms = OutboxMessage.objects.filter(template="urgent_alert", dedup_key__startswith=f"alert:{alert.pk}:")
    assert sms.exists()


def test_the_same_fact_reported_twice_raises_one_alert(fact_rules, toddler, district):
    fact = rules.Fact(kind="measure", data={"value": 5})
    first = services.raise_alert_for_fact(fact=fact, person=toddler, facility=district.cscom1, subject="m:2")
    again = services.raise_alert_for_fact(fact=fact, person=toddler, facility=district.cscom1, subject="m:2")
    assert first == again and Alert.objects.filter(subject="m:2").count() == 1


def test_a_fact_of_another_kind_raises_nothing(fact_rules, toddler, district):
    fact = rules.Fact(kind="other", data={"value": 1})
    assert (
        services.raise_alert_for_fact(fact=fact, person=toddler, facility=district.cscom1, subject="o:1")
        is None
    )


def test_a_fact_rule_cannot_take_a_visit_rule_code():
    with pytest.raises(ValueError):
        rules.register_fact_rule(
            rules.FactRule("danger_sign", "measure", Priority.URGENT, "", "", lambda f: None)
        )
