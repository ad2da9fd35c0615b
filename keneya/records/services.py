"""Recording a consultation in the shared record.

For a referred person it marks the open referral as seen (time to care is stored) and closes
their open alerts as "seen".
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keneya.accounts.permissions import Capability, has_capability
from keneya.alerts.services import close_alerts_for_person_seen
from keneya.core.errors import IdTaken
from keneya.core.ids import uuid7
from keneya.people.models import Person
from keneya.people.scope import persons_visible_to
from keneya.people.validation import check_not_too_far_ahead, clean_long_text
from keneya.records.icd10 import lookup
from keneya.records.models import Consultation, Diagnosis, RecordAccess
from keneya.referrals.models import OPEN_STATUSES, Referral, ReferralStatus
from keneya.referrals.services import mark_seen

# Plausible ranges for vitals (typing errors, not clinical thresholds).
VITAL_RANGES: dict[str, tuple[float, float]] = {
    "temperature_c": (30, 44),
    "weight_kg": (0.3, 250),
    "height_cm": (20, 230),
    "respiratory_rate": (5, 120),
    "heart_rate": (20, 250),
    "systolic_bp": (50, 260),
    "diastolic_bp": (20, 160),
    "spo2": (50, 100),
    "muac_mm": (50, 400),
}


def log_record_access(*, user: Any, person: Person, context: str) -> None:
    RecordAccess.objects.create(user=user, person=person, action=context)


@transaction.atomic
def record_consultation(
    *,
    by: Any,
    person: Person,
    complaint: str = "",
    examination: str = "",
    treatment: str = "",
    diagnoses: list[str] | tuple[str, ...] = (),
    follow_up_date: date | None = None,
    vitals: dict[str, Any] | None = None,
    consulted_at: datetime | None = None,
    id: uuid.UUID | None = None,
) -> Consultation:
    """Record a consultation of ``person`` by ``by`` at their facility.

    Sending the same ``id`` again returns the consultation stored, as a read would: only when
    it is this person's and the caller may read it. Any other consultation's id raises
    ``IdTaken``, which says nothing of it.
    """
    if not has_capability(by, Capability.CONSULTATION_RECORD) or by.facility is None:
        raise PermissionDenied
    if not persons_visible_to(by).filter(pk=person.pk).exists():
        raise PermissionDenied
    if id is not None:
        existing = Consultation.objects.filter(pk=id).first()
        if existing is not None:
            if existing.person_id != person.pk or not has_capability(by, Capability.CLINICAL_VIEW):
                raise IdTaken()
            return existing
    consulted_at = consulted_at or timezone.now()
    errors: dict[str, list[str]] = {}
    texts = {"complaint": complaint, "examination": examination, "treatment": treatment}
    for key, value in texts.items():
        try:
            texts[key] = clean_long_text(value, key)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    complaint, examination, treatment = texts["complaint"], texts["examination"], texts["treatment"]
    try:
        check_not_too_far_ahead(follow_up_date, "follow_up_date", today=timezone.localdate())
    except ValidationError as exc:
        errors.update(exc.message_dict)
    vitals = {k: v for k, v in (vitals or {}).items() if v not in (None, "")}
    for key, value in vitals.items():
        if key not in VITAL_RANGES:
            errors[key] = [_("Constante inconnue.")]
            continue
        low, high = VITAL_RANGES[key]
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            errors[key] = [_("Nombre attendu.")]
            continue
        if not low <= number <= high:
            errors[key] = [
                _("Valeur invraisemblable (attendu entre %(low)s et %(high)s).") % {"low": low, "high": high}
            ]
    labels = []
    for code in diagnoses:
        entry = lookup(code)
        if entry is None:
            errors.setdefault("diagnoses", []).append(_("Code CIM-10 inconnu : %(code)s.") % {"code": code})
        else:
            labels.append(entry)
    if consulted_at > timezone.now():
        errors["consulted_at"] = [_("La consultation ne peut pas être dans le futur.")]
    if follow_up_date is not None and "follow_up_date" not in errors and follow_up_date < consulted_at.date():
        errors["follow_up_date"] = [_("La date de suivi est antérieure à la consultation.")]
    if not (complaint or diagnoses):
        errors["complaint"] = [_("Indiquez au moins le motif ou un diagnostic.")]
    if errors:
        raise ValidationError(errors)

    referral = (
        Referral.objects.filter(
            person=person, to_facility=by.facility, status__in=[*OPEN_STATUSES, ReferralStatus.NOT_ARRIVED]
        )
        .order_by("issued_at")
        .first()
    )
    consultation = Consultation.objects.create(
        id=id or uuid7(),
        person=person,
        facility=by.facility,
        clinician=by,
        referral=referral,
        consulted_at=consulted_at,
        complaint=complaint,
        examination=examination,
        treatment=treatment,
        follow_up_date=follow_up_date,
        **{
            k: Decimal(str(v)) if k in ("temperature_c", "weight_kg", "height_cm") else int(v)
            for k, v in vitals.items()
        },
    )
    Diagnosis.objects.bulk_create(
        [Diagnosis(consultation=consultation, icd10_code=e.code, label=e.label) for e in labels]
    )
    if referral is not None:
        mark_seen(by=by, referral=referral, at=consulted_at)
    close_alerts_for_person_seen(person=person, by=by)
    return consultation
