"""Alert rules, routing, triage and escalation, as the clinician would notice them."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from keneya.alerts import services
from keneya.alerts.models import Alert, AlertStatus
from keneya.notifications.models import OutboxMessage
from keneya.visits.services import record_home_visit

pytestmark = pytest.mark.django_db


def visit(users, child, days_ago=0, **kwargs):
    kwargs.setdefault("kind", "child_followup")
    return record_home_visit(
        by=users.chw1, person=child, visit_date=timezone.localdate() - timedelta(days=days_ago), **kwargs
    )


def test_alert_goes_to_the_cscom_of_the_health_area(users, district, toddler):
    v = visit(users, toddler, kind="sick_child", findings={"vomits_everything": True})
    alert = Alert.objects.get(visit=v)
    assert alert.facility == district.cscom1
    assert alert.priority == "urgent" and alert.status == "open"
    assert alert.findings == ["vomits_everything"]


def test_severe_acute_malnutrition_is_urgent_and_moderate_is_routine(users, toddler):
    sam = visit(users, toddler, measurements={"muac_mm": 110})
    assert Alert.objects.get(visit=sam).priority == "urgent"
    mam = visit(users, toddler, days_ago=1, measurements={"muac_mm": 120})
    alert = Alert.objects.get(visit=mam)
    assert alert.priority == "routine" and alert.rule == "moderate_acute_malnutrition"


def test_one_alert_per_visit_carries_every_finding(users, toddler):
    v = visit(users, toddler, kind="sick_child", findings={"convulsions": True, "bilateral_oedema": True})
    alerts = list(Alert.objects.filter(visit=v))
    assert len(alerts) == 1
    assert alerts[0].rule == "danger_sign"
    assert {"convulsions", "bilateral_oedema"} <= set(alerts[0].findings)


def test_flat_weight_over_two_monthly_visits_is_growth_faltering(users, toddler):
    visit(users, toddler, days_ago=60, measurements={"weight_kg": 10.0})
    visit(users, toddler, days_ago=30, measurements={"weight_kg": 9.9})
    last = visit(users, toddler, measurements={"weight_kg": 9.9})
    alert = Alert.objects.get(visit=last)
    assert alert.rule == "growth_faltering" and alert.priority == "routine"


def test_growing_child_raises_no_alert(users, toddler):
    visit(users, toddler, days_ago=60, measurements={"weight_kg": 10.0})
    visit(users, toddler, days_ago=30, measurements={"weight_kg": 10.3})
    last = visit(users, toddler, measurements={"weight_kg": 10.6})
    assert not Alert.objects.filter(visit=last).exists()


def test_urgent_alert_queues_an_sms_for_clinicians_with_a_phone(users, toddler):
    users.clinician1.phone = "+22376000001"
    users.clinician1.save()
    visit(users, toddler, kind="sick_child", findings={"convulsions": True})
    sms = OutboxMessage.objects.get()
    assert sms.recipient == "+22376000001" and "URGENT" in sms.body


def test_triage_flow_and_timeline(users, toddler):
    v = visit(users, toddler, kind="sick_child", findings={"convulsions": True})
    alert = v.alerts.get()
    services.acknowledge_alert(by=users.clinician1, alert=alert)
    services.acknowledge_alert(by=users.clinician1, alert=alert)  # twice changes nothing
    tomorrow = timezone.localdate() + timedelta(days=1)
    services.convoke_family(by=users.clinician1, alert=alert, appointment_date=tomorrow)
    assert alert.status == AlertStatus.CONVOKED and alert.appointment_date == tomorrow
    with pytest.raises(ValidationError):
        services.close_alert(by=users.clinician1, alert=alert, reason="bored")
    services.close_alert(by=users.clinician1, alert=alert, reason="false_alarm")
    kinds = list(alert.events.values_list("kind", flat=True))
    assert kinds == ["raised", "acknowledged", "convoked", "closed"]
    assert all(e.by == users.clinician1 for e in alert.events.exclude(kind="raised"))


def test_convocation_in_the_past_is_refused(users, toddler):
    alert = visit(users, toddler, kind="sick_child", findings={"convulsions": True}).alerts.get()
    with pytest.raises(ValidationError):
        services.convoke_family(
            by=users.clinician1, alert=alert, appointment_date=timezone.localdate() - timedelta(days=1)
        )


def test_clinician_of_another_cscom_cannot_triage(users, toddler):
    alert = visit(users, toddler, kind="sick_child", findings={"convulsions": True}).alerts.get()
    with pytest.raises(PermissionDenied):
        services.acknowledge_alert(by=users.clinician2, alert=alert)
    with pytest.raises(PermissionDenied):
        services.acknowledge_alert(by=users.chw1, alert=alert)


def test_unacknowledged_urgent_alert_escalates_once_after_the_delay(users, toddler, settings):
    users.manager1.phone = "+22366000002"
    users.manager1.save()
    alert = visit(users, toddler, kind="sick_child", findings={"convulsions": True}).alerts.get()
    later = alert.raised_at + timedelta(minutes=settings.KENEYA_ALERT_ESCALATION_MINUTES - 1)
    assert services.escalate_unacknowledged(now=later) == 0
    later = alert.raised_at + timedelta(minutes=settings.KENEYA_ALERT_ESCALATION_MINUTES + 1)
    assert services.escalate_unacknowledged(now=later) == 1
    assert services.escalate_unacknowledged(now=later) == 0
    alert.refresh_from_db()
    assert alert.escalated_at == later
    assert OutboxMessage.objects.filter(recipient="+22366000002").count() == 1


def test_acknowledged_alert_does_not_escalate(users, toddler):
    alert = visit(users, toddler, kind="sick_child", findings={"convulsions": True}).alerts.get()
    services.acknowledge_alert(by=users.clinician1, alert=alert)
    assert services.escalate_unacknowledged(now=timezone.now() + timedelta(hours=5)) == 0
