"""Alert writes: raise from a visit, triage (acknowledge, convoke, close), escalate.

Every change writes an ``AlertEvent`` (who, when). Notifications leave through the outbox in
the same transaction (``keneya.notifications``), so a rolled-back visit sends nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from keneya.accounts.models import Role, User
from keneya.accounts.permissions import Capability, has_capability
from keneya.alerts.models import (
    PRIORITY_RANK,
    Alert,
    AlertEvent,
    AlertStatus,
    CloseReason,
    Priority,
)
from keneya.alerts.queries import alerts_visible_to
from keneya.alerts.rules import REFERRAL_NOT_ARRIVED, Fact, VisitFacts, alert_to_raise, fact_alert_to_raise
from keneya.core.memo import remembered
from keneya.core.models import Area, Facility, FacilityKind
from keneya.notifications.services import Sms, enqueue_sms, enqueue_sms_many
from keneya.people.models import Person
from keneya.referrals.services import refer_from_new_visits
from keneya.sync.changelog import chw_of_person, record_change, record_changes_for
from keneya.visits.hooks import VisitToCheck
from keneya.visits.models import Visit

logger = logging.getLogger(__name__)

# An urgent alert nobody acknowledged within this delay goes to the facility manager.
DEFAULT_ESCALATION_DELAY = timedelta(hours=2)


def escalation_delay() -> timedelta:
    minutes = getattr(settings, "KENEYA_ALERT_ESCALATION_MINUTES", 120)
    return timedelta(minutes=minutes)


def cscom_ids_of_quartiers(quartier_ids: Iterable[Any]) -> dict[Any, Any]:
    """Where alerts and referrals go: for each quartier, the CSCom of its health area (the
    first by code), in one query; quartier id → CSCom id (or None). Remembered inside
    ``core.memo.remembering`` (the demo seed, which creates no facility while it replays)."""
    ids = frozenset(quartier_ids)
    first_cscom = (
        Facility.objects.filter(kind=FacilityKind.CSCOM, health_area_id=OuterRef("parent_id"))
        .order_by("code")
        .values("pk")[:1]
    )
    return remembered(
        "alerts.cscom_of_quartiers",
        ids,
        lambda: dict(
            Area.objects.filter(pk__in=list(ids))
            .annotate(cscom=Subquery(first_cscom))
            .values_list("pk", "cscom")
        ),
    )


def _event(alert: Alert, kind: str, by: Any = None, at: datetime | None = None, **data: Any) -> None:
    """Every change of an alert writes its event here, and tells the CHW's tablet."""
    AlertEvent.objects.create(
        alert=alert, kind=kind, by=by if by and by.pk else None, at=at or timezone.now(), data=data
    )
    record_change(type="alert", obj_id=alert.pk, chw_id=chw_of_person(alert.person_id))


def _age_text(assessment: dict[str, Any]) -> str:
    months = assessment.get("age_months")
    if months is None:
        return ""
    if months < 2:
        return _("%(d)s j") % {"d": assessment.get("age_days")}
    if months < 60:
        return _("%(m)s mois") % {"m": months}
    return _("%(y)s ans") % {"y": months // 12}


def _notify_clinicians(alerts: Sequence[Alert]) -> None:
    """An SMS to each clinician (with a phone) of the CSCom of each urgent alert."""
    urgent = [a for a in alerts if a.priority == Priority.URGENT]
    if not urgent:
        return
    clinicians: dict[Any, list[User]] = {}
    for clinician in (
        User.objects.filter(
            facility_id__in={a.facility_id for a in urgent}, role=Role.CLINICIAN, is_active=True
        )
        .exclude(phone="")
        .order_by("pk")
    ):
        clinicians.setdefault(clinician.facility_id, []).append(clinician)
    messages = []
    for alert in urgent:
        visit = alert.visit if alert.visit_id else None
        chw = visit.chw if visit else None
        context = {
            "child": alert.person.full_name,
            "age": _age_text(visit.assessment if visit else {}),
            "reason": alert.title,
            "chw": chw.get_full_name() if chw else "",
            "chw_phone": chw.phone if chw else "",
        }
        messages += [
            Sms(
                to=clinician.phone,
                template="urgent_alert",
                context=context,
                dedup_key=f"alert:{alert.pk}:clinician:{clinician.pk}",
            )
            for clinician in clinicians.get(alert.facility_id, [])
        ]
    enqueue_sms_many(messages)


def raise_alerts_for_visits(checks: Sequence[VisitToCheck]) -> list[Alert | None]:
    """Raise at most one alert per visit: the most serious matching rule, with every finding.

    Routed to the CSCom of the person's quartier. An urgent visit also issues its referral to
    that CSCom, and an urgent alert queues an SMS for its clinicians. Called inside the
    visits' transaction, for visits just stored; a few statements for the whole set.
    """
    decided = [
        alert_to_raise(
            VisitFacts(
                kind=c.visit.kind,
                visit_date=c.visit.visit_date,
                assessment=c.visit.assessment,
                weights=c.weights,
            )
        )
        for c in checks
    ]
    routed = [i for i, chosen in enumerate(decided) if chosen or checks[i].visit.urgent]
    cscoms = (
        cscom_ids_of_quartiers({checks[i].visit.person.household.quartier_id for i in routed})
        if routed
        else {}
    )
    alerts: list[Alert | None] = [None] * len(checks)
    to_refer: list[tuple[int, Visit, Any, Any]] = []
    now = timezone.now()
    for i in routed:
        visit = checks[i].visit
        household = visit.person.household
        facility_id = cscoms.get(household.quartier_id)
        if facility_id is None:
            logger.warning("no CSCom for the health area of person %s: alert not routed", visit.person_id)
            continue
        chosen = decided[i]
        if chosen is not None:
            rule, findings = chosen
            alerts[i] = Alert(
                person=visit.person,
                facility_id=facility_id,
                visit=visit,
                rule=rule.code,
                priority=rule.priority,
                priority_rank=PRIORITY_RANK[rule.priority],  # type: ignore[index]
                title=rule.title_fr,
                findings=findings,
                source=rule.source,
                raised_at=now,
            )
        if visit.urgent:
            to_refer.append((i, visit, facility_id, household.chw_id))
    referrals = refer_from_new_visits([(v, f, chw) for _i, v, f, chw in to_refer])
    for (i, _visit, _facility, _chw), referral in zip(to_refer, referrals, strict=True):
        alert = alerts[i]
        if alert is not None:
            alert.referral = referral
    raised = [a for a in alerts if a is not None]
    if raised:
        Alert.objects.bulk_create(raised)
        AlertEvent.objects.bulk_create(
            [AlertEvent(alert=a, kind="raised", at=a.raised_at, data={"rule": a.rule}) for a in raised]
        )
        record_changes_for([(a.person.household.chw_id, "alert", a.pk) for a in raised])
        _notify_clinicians(raised)
    return alerts


def raise_referral_not_arrived(referral: Any, *, now: datetime | None = None) -> Alert | None:
    if Alert.objects.filter(referral=referral, rule=REFERRAL_NOT_ARRIVED.code).exists():
        return None
    facility = referral.to_facility
    if facility.kind != FacilityKind.CSCOM:
        facility = referral.from_facility or facility
    rule = REFERRAL_NOT_ARRIVED
    alert = Alert.objects.create(
        person=referral.person,
        facility=facility,
        referral=referral,
        rule=rule.code,
        priority=rule.priority,
        priority_rank=PRIORITY_RANK[rule.priority],  # type: ignore[index]
        title=rule.title_fr,
        findings=[referral.reason],
        source=rule.source,
        raised_at=now or timezone.now(),
    )
    _event(alert, "raised", at=alert.raised_at, rule=rule.code)
    return alert


def raise_alert_for_fact(
    *, fact: Fact, person: Person, facility: Facility, subject: str, at: datetime | None = None
) -> Alert | None:
    """Raise at most one alert for a fact another app recorded (``rules.Fact``): the most
    serious matching fact rule, routed to ``facility`` (the reporting app decides: the lab, the
    requesting clinician's CSCom). ``subject`` ("<kind>:<id>") makes it idempotent: the same
    fact reported again returns the alert already raised. An urgent alert queues an SMS for the
    facility's clinicians. Called inside the reporting app's transaction."""
    chosen = fact_alert_to_raise(fact)
    if chosen is None:
        return None
    rule, findings = chosen
    existing = Alert.objects.filter(subject=subject, rule=rule.code).first()
    if existing is not None:
        return existing
    alert = Alert.objects.create(
        person=person,
        facility=facility,
        subject=subject,
        rule=rule.code,
        priority=rule.priority,
        priority_rank=PRIORITY_RANK[rule.priority],  # type: ignore[index]
        title=rule.title_fr,
        findings=findings,
        source=rule.source[:200],
        raised_at=at or timezone.now(),
    )
    _event(alert, "raised", at=alert.raised_at, rule=rule.code, subject=subject)
    _notify_clinicians([alert])
    return alert


def _check_triage(by: Any, alert: Alert) -> None:
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
    from keneya.people.validation import check_not_too_far_ahead  # a year ahead at most (#10)

    check_not_too_far_ahead(appointment_date, "appointment_date", today=timezone.localdate())
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = timezone.now(), by
    alert.status = AlertStatus.CONVOKED
    alert.appointment_date = appointment_date
    alert.save(update_fields=["status", "appointment_date", "acknowledged_at", "acknowledged_by"])
    _event(alert, "convoked", by, appointment_date=appointment_date.isoformat())
    household = alert.person.household
    chw = household.chw
    context = {
        "name": alert.person.full_name,
        "facility": alert.facility.name,
        "date": appointment_date.strftime("%d/%m/%Y"),
    }
    for phone, who in ((chw.phone if chw else "", "chw"), (household.phone, "family")):
        if phone:
            enqueue_sms(
                to=phone,
                template="convocation",
                context=context,
                dedup_key=f"alert:{alert.pk}:convocation:{appointment_date}:{who}",
            )
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
    now = now or timezone.now()
    due = Alert.objects.filter(
        priority="urgent",
        status=AlertStatus.OPEN,
        escalated_at__isnull=True,
        raised_at__lte=now - escalation_delay(),
    )
    count = 0
    for alert in due.select_related("facility", "person"):
        with transaction.atomic():
            alert.escalated_at = now
            alert.save(update_fields=["escalated_at"])
            _event(alert, "escalated", at=now)
            managers = User.objects.filter(
                facility=alert.facility, role=Role.FACILITY_MANAGER, is_active=True
            )
            for manager in managers.exclude(phone=""):
                enqueue_sms(
                    to=manager.phone,
                    template="escalation",
                    context={
                        "child": alert.person.full_name,
                        "reason": alert.title,
                        "hours": int(escalation_delay().total_seconds() // 3600),
                    },
                    dedup_key=f"alert:{alert.pk}:escalation:{manager.pk}",
                )
        count += 1
    return count
