"""Referral lifecycle: issue, arrive, see (time to care), counter-refer, close, not arrived."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keneya.accounts.permissions import Capability, has_capability
from keneya.core.models import FacilityKind
from keneya.notifications.services import enqueue_sms
from keneya.people.models import Person
from keneya.people.scope import persons_visible_to
from keneya.referrals.hooks import referral_not_arrived
from keneya.referrals.models import (
    CARE_TARGET,
    OPEN_STATUSES,
    Referral,
    ReferralEvent,
    ReferralStatus,
)
from keneya.referrals.queries import referrals_visible_to
from keneya.sync.changelog import chw_of_person, record_change, record_changes_for
from keneya.visits.models import Visit


def _event(referral: Referral, kind: str, by: Any = None, at: datetime | None = None, **data: Any) -> None:
    """Every change of a referral writes its event here, and tells the CHW's tablet."""
    ReferralEvent.objects.create(
        referral=referral, kind=kind, by=by if by and by.pk else None, at=at or timezone.now(), data=data
    )
    record_change(type="referral", obj_id=referral.pk, chw_id=chw_of_person(referral.person_id))


def _reason_text(visit: Visit) -> str:
    texts = [
        r.get("text_fr", "")
        for r in visit.assessment.get("reasons", [])
        if ".DANGER." in r.get("rule", "") or ".CLASS." in r.get("rule", "")
    ]
    summary = visit.assessment.get("summary_fr", "")
    return ("; ".join(t for t in texts if t) or summary)[:300]


def refer_from_new_visits(entries: Sequence[tuple[Visit, Any, Any]]) -> list[Referral]:
    """The referrals urgent visits issue to their CSCom, for visits stored in this transaction
    (so without a referral yet): ``(visit, CSCom id, CHW id of the person)`` each. Three
    statements whatever their number (referrals, their "issued" events, change-log rows)."""
    now = timezone.now()
    referrals = [
        Referral(
            person_id=visit.person_id,
            visit=visit,
            to_facility_id=to_facility_id,
            issued_by=visit.chw,
            issued_at=now,
            urgent=True,
            reason=_reason_text(visit),
            findings=list(visit.assessment.get("danger_signs", [])),
        )
        for visit, to_facility_id, _chw_id in entries
    ]
    if not referrals:
        return []
    Referral.objects.bulk_create(referrals)
    ReferralEvent.objects.bulk_create(
        [ReferralEvent(referral=r, kind="issued", by=r.issued_by, at=now, data={}) for r in referrals]
    )
    record_changes_for(
        [
            (chw_id, "referral", r.pk)
            for r, (_visit, _facility, chw_id) in zip(referrals, entries, strict=True)
        ]
    )
    return referrals


def _check(by: Any, referral: Referral) -> None:
    if not has_capability(by, Capability.REFERRAL_MANAGE):
        raise PermissionDenied
    if not referrals_visible_to(by).filter(pk=referral.pk).exists():
        raise PermissionDenied


@transaction.atomic
def refer_to_csref(
    *, by: Any, person: Person, reason: str, urgent: bool = False, findings: list[str] | None = None
) -> Referral:
    """A CSCom clinician refers a patient to the CSRef the CSCom refers to."""
    if not has_capability(by, Capability.REFERRAL_MANAGE) or by.facility is None:
        raise PermissionDenied
    if not persons_visible_to(by).filter(pk=person.pk).exists():
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Indiquez le motif de la référence.")})
    target = by.facility.refers_to
    if target is None or target.kind != FacilityKind.CSREF:
        raise ValidationError({"to_facility": _("Ce centre n'a pas de CSRef de référence.")})
    referral = Referral.objects.create(
        person=person,
        from_facility=by.facility,
        to_facility=target,
        issued_by=by,
        issued_at=timezone.now(),
        urgent=urgent,
        reason=reason.strip()[:300],
        findings=findings or [],
    )
    _event(referral, "issued", by, at=referral.issued_at)
    return referral


@transaction.atomic
def mark_arrived(*, by: Any, referral: Referral) -> Referral:
    _check(by, referral)
    if referral.status == ReferralStatus.ISSUED:
        referral.status = ReferralStatus.ARRIVED
        referral.arrived_at = timezone.now()
        referral.save(update_fields=["status", "arrived_at"])
        _event(referral, "arrived", by)
    return referral


def mark_seen(*, by: Any, referral: Referral, at: datetime | None = None) -> Referral:
    """Called when a consultation is recorded for the referred person: stores time to care."""
    if referral.status not in OPEN_STATUSES and referral.status != ReferralStatus.NOT_ARRIVED:
        return referral
    at = at or timezone.now()
    referral.status = ReferralStatus.SEEN
    referral.seen_at = at
    referral.arrived_at = referral.arrived_at or at
    referral.time_to_care = max(at - referral.issued_at, timedelta(0))
    referral.save(update_fields=["status", "seen_at", "arrived_at", "time_to_care"])
    _event(referral, "seen", by, at=at, within_target=referral.time_to_care <= CARE_TARGET)
    return referral


@transaction.atomic
def counter_refer(*, by: Any, referral: Referral, note: str) -> Referral:
    """The note that goes back to the CHW (and to the CSCom for a CSRef referral)."""
    _check(by, referral)
    if not note.strip():
        raise ValidationError({"note": _("La contre-référence ne peut pas être vide.")})
    if referral.status not in (ReferralStatus.SEEN, ReferralStatus.ARRIVED):
        raise ValidationError({"status": _("Le patient doit d'abord être vu.")})
    referral.status = ReferralStatus.COUNTER_REFERRED
    referral.counter_referral_note = note.strip()
    referral.counter_referred_at = timezone.now()
    referral.save(update_fields=["status", "counter_referral_note", "counter_referred_at"])
    _event(referral, "counter_referred", by)
    chw = referral.person.household.chw
    if chw is not None and chw.phone:
        enqueue_sms(
            to=chw.phone,
            template="referral_outcome",
            context={
                "name": referral.person.full_name,
                "facility": referral.to_facility.name,
                "note": referral.counter_referral_note[:80],
            },
            dedup_key=f"referral:{referral.pk}:counter_referral",
        )
    return referral


@transaction.atomic
def close_referral(*, by: Any, referral: Referral) -> Referral:
    _check(by, referral)
    if referral.status in OPEN_STATUSES:
        raise ValidationError(
            {
                "status": _(
                    "Une référence ouverte ne peut pas être clôturée : "
                    "déclarez-la non arrivée ou enregistrez la "
                    "consultation."
                )
            }
        )
    if referral.status != ReferralStatus.CLOSED:
        referral.status = ReferralStatus.CLOSED
        referral.closed_at = timezone.now()
        referral.save(update_fields=["status", "closed_at"])
        _event(referral, "closed", by)
    return referral


@transaction.atomic
def mark_not_arrived(*, referral: Referral, by: Any = None, now: datetime | None = None) -> Referral:
    """No arrival: the CHW gets a follow-up task and the CSCom a follow-up alert."""
    if by is not None:
        _check(by, referral)
    if referral.status != ReferralStatus.ISSUED:
        return referral
    referral.status = ReferralStatus.NOT_ARRIVED
    referral.save(update_fields=["status"])
    _event(referral, "not_arrived", by, at=now)
    referral_not_arrived(referral, now=now)
    return referral


def check_overdue_referrals(*, now: datetime | None = None) -> int:
    """Periodic: referrals issued more than 24 h ago with no arrival become "not arrived"."""
    now = now or timezone.now()
    overdue = Referral.objects.filter(status=ReferralStatus.ISSUED, issued_at__lte=now - CARE_TARGET)
    count = 0
    for referral in overdue:
        mark_not_arrived(referral=referral, now=now)
        count += 1
    return count
