"""Alert writes: raise from a visit, triage (acknowledge, convoke, close), escalate.

Every change writes an ``AlertEvent`` (who, when). Notifications leave through the outbox in
the same transaction (``keneya.notifications``), so a rolled-back visit sends nothing.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keneya.accounts.models import Role, User
from keneya.accounts.permissions import Capability, has_capability
from keneya.alerts.models import PRIORITY_RANK, Alert, AlertEvent, AlertStatus, CloseReason
from keneya.alerts.rules import REFERRAL_NOT_ARRIVED, AlertRule, VisitFacts, matching_rules
from keneya.core.models import Facility, FacilityKind
from keneya.people.models import Person
from keneya.visits.models import Visit

logger = logging.getLogger(__name__)

# An urgent alert nobody acknowledged within this delay goes to the facility manager.
DEFAULT_ESCALATION_DELAY = timedelta(hours=2)
# An optional argument not given: look it up.
_LOOK_UP: Any = object()


def escalation_delay() -> timedelta:
    minutes = getattr(settings, "KENEYA_ALERT_ESCALATION_MINUTES", 120)
    return timedelta(minutes=minutes)


def cscom_for(person: Person) -> Facility | None:
    """The CSCom of the person's health area: where their alerts and referrals go."""
    health_area_id = person.household.quartier.parent_id
    return (Facility.objects.filter(kind=FacilityKind.CSCOM, health_area_id=health_area_id)
            .order_by("code").first())


def _event(alert: Alert, kind: str, by: Any = None, at: datetime | None = None, *,
           chw_id: Any = _LOOK_UP, **data: Any) -> None:
    """Every change of an alert writes its event here, and tells the CHW's tablet.

    ``chw_id``: the CHW of the alert's person, when the caller knows it.
    """
    from keneya.sync.changelog import chw_of_person, record_change

    AlertEvent.objects.create(alert=alert, kind=kind, by=by if by and by.pk else None,
                              at=at or timezone.now(), data=data)
    if chw_id is _LOOK_UP:
        chw_id = chw_of_person(alert.person_id)
    record_change(type="alert", obj_id=alert.pk, chw_id=chw_id)


def _age_text(assessment: dict[str, Any]) -> str:
    months = assessment.get("age_months")
    if months is None:
        return ""
    if months < 2:
        return _("%(d)s j") % {"d": assessment.get("age_days")}
    if months < 60:
        return _("%(m)s mois") % {"m": months}
    return _("%(y)s ans") % {"y": months // 12}


def _notify_clinicians(alert: Alert) -> None:
    from keneya.notifications.services import enqueue_sms

    person = alert.person
    chw = alert.visit.chw if alert.visit_id and alert.visit else None
    clinicians = User.objects.filter(facility=alert.facility, role=Role.CLINICIAN,
                                     is_active=True).exclude(phone="")
    for clinician in clinicians:
        enqueue_sms(
            to=clinician.phone, template="urgent_alert",
            context={"child": person.full_name,
                     "age": _age_text(alert.visit.assessment if alert.visit else {}),
                     "reason": alert.title,
                     "chw": chw.get_full_name() if chw else "",
                     "chw_phone": chw.phone if chw else ""},
            dedup_key=f"alert:{alert.pk}:clinician:{clinician.pk}",
        )


def _create_alert(*, rule: AlertRule, person: Person, facility: Facility, findings: list[str],
                  visit: Visit | None = None, referral: Any = None,
                  at: datetime | None = None, chw_id: Any = _LOOK_UP) -> Alert:
    alert = Alert.objects.create(
        person=person, facility=facility, visit=visit, referral=referral, rule=rule.code,
        priority=rule.priority, priority_rank=PRIORITY_RANK[rule.priority],  # type: ignore[index]
        title=rule.title_fr, findings=findings, source=rule.source, raised_at=at or timezone.now(),
    )
    _event(alert, "raised", at=alert.raised_at, chw_id=chw_id, rule=rule.code)
    return alert


def _weights(visit: Visit) -> list[tuple[date, float]]:
    rows = (Visit.objects.filter(person_id=visit.person_id, visit_date__lte=visit.visit_date)
            .exclude(measurements__weight_kg=None).order_by("-visit_date", "-recorded_at")
            .values_list("visit_date", "measurements")[:6])
    seen: dict[date, float] = {}
    for day, measurements in rows:
        weight = (measurements or {}).get("weight_kg")
        if isinstance(weight, int | float) and day not in seen:
            seen[day] = float(weight)
    return sorted(seen.items())


def raise_alerts_for_visit(visit: Visit, *, facility: Facility | None = _LOOK_UP
                           ) -> Alert | None:
    """Raise at most one alert per visit: the most serious matching rule, with every finding.

    An urgent visit also issues its referral to the CSCom. Called inside the visit's transaction.
    ``facility``: the person's CSCom (``cscom_for``) when the caller already has it.
    """
    facts = VisitFacts(kind=visit.kind, visit_date=visit.visit_date,
                       assessment=visit.assessment,
                       weights=_weights(visit) if visit.measurements.get("weight_kg") else [])
    matches = matching_rules(facts)
    person = visit.person
    if facility is _LOOK_UP:
        facility = cscom_for(person)
    if facility is None:
        if matches or visit.urgent:
            logger.warning("no CSCom for the health area of person %s: alert not routed",
                           person.pk)
        return None
    alert = None
    if matches:
        matches.sort(key=lambda m: PRIORITY_RANK[m[0].priority])  # type: ignore[index]
        rule = matches[0][0]
        findings = [f for _rule, found in matches for f in found]
        alert = _create_alert(rule=rule, person=person, facility=facility,
                              findings=list(dict.fromkeys(findings)), visit=visit,
                              chw_id=person.household.chw_id)
    if visit.urgent:
        from keneya.referrals.services import refer_from_visit

        referral = refer_from_visit(visit=visit, to_facility=facility,
                                    chw_id=person.household.chw_id)
        if alert is not None:
            alert.referral = referral
            alert.save(update_fields=["referral"])
    if alert is not None and alert.priority == "urgent":
        _notify_clinicians(alert)
    return alert


def raise_referral_not_arrived(referral: Any, *, now: datetime | None = None) -> Alert | None:
    if Alert.objects.filter(referral=referral, rule=REFERRAL_NOT_ARRIVED.code).exists():
        return None
    facility = referral.to_facility
    if facility.kind != FacilityKind.CSCOM:
        facility = referral.from_facility or facility
    return _create_alert(rule=REFERRAL_NOT_ARRIVED, person=referral.person, facility=facility,
                         findings=[referral.reason], referral=referral, at=now)


def _check_triage(by: Any, alert: Alert) -> None:
    from keneya.alerts.queries import alerts_visible_to

    if not has_capability(by, Capability.ALERTS_TRIAGE):
        raise PermissionDenied
    if not alerts_visible_to(by).filter(pk=alert.pk).exists():
        raise PermissionDenied


@transaction.atomic
def acknowledge_alert(*, by: Any, alert: Alert) -> Alert:
    _check_triage(by, alert)
    if alert.status != AlertStatus.OPEN:
        return alert  # acknowledging twice changes nothing
    alert.status = AlertStatus.ACKNOWLEDGED
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = by
    alert.save(update_fields=["status", "acknowledged_at", "acknowledged_by"])
    _event(alert, "acknowledged", by)
    return alert


@transaction.atomic
def convoke_family(*, by: Any, alert: Alert, appointment_date: date) -> Alert:
    """Record an appointment at the CSCom and tell the CHW (SMS through the outbox)."""
    _check_triage(by, alert)
    if alert.status == AlertStatus.CLOSED:
        raise ValidationError({"alert": _("Cette alerte est déjà clôturée.")})
    if appointment_date < timezone.localdate():
        raise ValidationError({"appointment_date": _("La date de convocation est passée.")})
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = timezone.now(), by
    alert.status = AlertStatus.CONVOKED
    alert.appointment_date = appointment_date
    alert.save(update_fields=["status", "appointment_date", "acknowledged_at", "acknowledged_by"])
    _event(alert, "convoked", by, appointment_date=appointment_date.isoformat())
    household = alert.person.household
    chw = household.chw
    from keneya.notifications.services import enqueue_sms

    context = {"name": alert.person.full_name, "facility": alert.facility.name,
               "date": appointment_date.strftime("%d/%m/%Y")}
    for phone, who in ((chw.phone if chw else "", "chw"), (household.phone, "family")):
        if phone:
            enqueue_sms(to=phone, template="convocation", context=context,
                        dedup_key=f"alert:{alert.pk}:convocation:{appointment_date}:{who}")
    return alert


@transaction.atomic
def close_alert(*, by: Any, alert: Alert, reason: str) -> Alert:
    _check_triage(by, alert)
    if reason not in CloseReason.values:
        raise ValidationError({"reason": _("Motif de clôture inconnu.")})
    return _close(alert, reason=reason, by=by)


def _close(alert: Alert, *, reason: str, by: Any = None) -> Alert:
    if alert.status == AlertStatus.CLOSED:
        return alert
    alert.status = AlertStatus.CLOSED
    alert.closed_at = timezone.now()
    alert.close_reason = reason
    alert.save(update_fields=["status", "closed_at", "close_reason"])
    _event(alert, "closed", by, reason=reason)
    return alert


def close_alerts_for_person_seen(*, person: Person, by: Any) -> int:
    """A consultation closes the person's open alerts as "seen"."""
    count = 0
    for alert in Alert.objects.filter(person=person).exclude(status=AlertStatus.CLOSED):
        _close(alert, reason=CloseReason.SEEN, by=by)
        count += 1
    return count


def escalate_unacknowledged(*, now: datetime | None = None) -> int:
    """Send urgent alerts still open after the delay to the facility manager. Idempotent."""
    from keneya.notifications.services import enqueue_sms

    now = now or timezone.now()
    due = Alert.objects.filter(priority="urgent", status=AlertStatus.OPEN,
                               escalated_at__isnull=True,
                               raised_at__lte=now - escalation_delay())
    count = 0
    for alert in due.select_related("facility", "person"):
        with transaction.atomic():
            alert.escalated_at = now
            alert.save(update_fields=["escalated_at"])
            _event(alert, "escalated", at=now)
            managers = User.objects.filter(facility=alert.facility,
                                           role=Role.FACILITY_MANAGER, is_active=True)
            for manager in managers.exclude(phone=""):
                enqueue_sms(to=manager.phone, template="escalation",
                            context={"child": alert.person.full_name, "reason": alert.title,
                                     "hours": int(escalation_delay().total_seconds() // 3600)},
                            dedup_key=f"alert:{alert.pk}:escalation:{manager.pk}")
        count += 1
    return count
