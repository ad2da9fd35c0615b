"""Writes to the shared record: consultations, the problem list, attached documents.

Recording a consultation of a referred person marks the open referral as seen (time to care is
stored) and closes their open alerts as "seen". The problem list and the documents are
append-only: a correction voids the row and writes its replacement, never edits in place.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keneya.accounts.permissions import Capability, has_capability
from keneya.alerts.services import close_alerts_for_person_seen
from keneya.core import uploads
from keneya.core.errors import IdTaken
from keneya.core.ids import uuid7
from keneya.people.models import Person
from keneya.people.scope import persons_visible_to
from keneya.people.validation import check_not_too_far_ahead, clean_long_text
from keneya.records.icd10 import lookup
from keneya.records.models import (
    Consultation,
    Diagnosis,
    DocumentKind,
    Problem,
    ProblemStatus,
    RecordAccess,
    RecordDocument,
)
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
    add_to_problem_list: bool = False,
) -> Consultation:
    """Record a consultation of ``person`` by ``by`` at their facility. With
    ``add_to_problem_list``, its diagnoses go on the problem list too (``problem_from_diagnosis``).

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
    stored = Diagnosis.objects.bulk_create(
        [Diagnosis(consultation=consultation, icd10_code=e.code, label=e.label) for e in labels]
    )
    if add_to_problem_list:
        for diagnosis in stored:
            diagnosis.consultation = consultation
            problem_from_diagnosis(by=by, diagnosis=diagnosis)
    if referral is not None:
        mark_seen(by=by, referral=referral, at=consulted_at)
    close_alerts_for_person_seen(person=person, by=by)
    return consultation


# --- The problem list ------------------------------------------------------------------------------

REASON_MIN = 5
REASON_MAX = 300
# Attached documents: images or PDF, at most 10 MB (a multi-page discharge letter as a PDF).
RECORD_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024


class _Unset:
    pass


UNSET: Any = _Unset()


def _check_may_write(by: Any, person: Person) -> None:
    """A clinician (or the CSRef specialist) with a facility, on a person of their scope."""
    if not has_capability(by, Capability.CONSULTATION_RECORD) or getattr(by, "facility", None) is None:
        raise PermissionDenied
    if not persons_visible_to(by).filter(pk=person.pk).exists():
        raise PermissionDenied


def _clean_reason(reason: Any) -> str:
    reason = reason.strip() if isinstance(reason, str) else ""
    if len(reason) < REASON_MIN:
        raise ValidationError({"reason": [_("Indiquez le motif (5 caractères au moins).")]})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": [_("Motif trop long (300 caractères au plus).")]})
    return reason


def _problem_fields(
    *,
    person: Person,
    icd10_code: Any,
    onset: Any,
    status: Any,
    resolved_on: Any,
    note: Any,
) -> dict[str, Any]:
    """The checked fields of a problem, or a ValidationError with every French message."""
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    entry = lookup(icd10_code) if isinstance(icd10_code, str) else None
    if entry is None:
        errors["icd10_code"] = [_("Code CIM-10 inconnu : %(code)s.") % {"code": icd10_code}]
    if status not in ProblemStatus.values:
        errors["status"] = [_("Statut inconnu : actif ou résolu.")]
    for field, value in (("onset", onset), ("resolved_on", resolved_on)):
        if value is None:
            continue
        if not isinstance(value, date) or isinstance(value, datetime):
            errors[field] = [_("Date invalide : utilisez le format AAAA-MM-JJ.")]
        elif value > today:
            errors[field] = [_("La date ne peut pas être dans le futur.")]
        elif value < person.date_of_birth:
            errors[field] = [_("La date est antérieure à la naissance.")]
    if status == ProblemStatus.RESOLVED and resolved_on is None:
        resolved_on = today
    if status == ProblemStatus.ACTIVE and resolved_on is not None:
        errors.setdefault("resolved_on", []).append(_("Un problème actif n'a pas de date de résolution."))
    if (
        isinstance(onset, date)
        and isinstance(resolved_on, date)
        and "onset" not in errors
        and "resolved_on" not in errors
        and resolved_on < onset
    ):
        errors["resolved_on"] = [_("La résolution est antérieure au début.")]
    try:
        note = clean_long_text(note, "note", max_length=300)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    assert entry is not None
    return {
        "icd10_code": entry.code,
        "label": entry.label,
        "onset": onset,
        "status": status,
        "resolved_on": resolved_on,
        "note": note,
    }


def _active_problems(person: Person) -> Any:
    return Problem.objects.filter(person=person, status=ProblemStatus.ACTIVE, voided_at__isnull=True)


def _existing_problem(id: uuid.UUID | None, person: Person) -> Problem | None:
    """The problem already stored under a client ``id`` (same person), else None; IdTaken for
    an id used by anything else."""
    if id is None:
        return None
    existing = Problem.objects.filter(pk=id).first()
    if existing is None:
        return None
    if existing.person_id != person.pk:
        raise IdTaken()
    return existing


@transaction.atomic
def add_problem(
    *,
    by: Any,
    person: Person,
    icd10_code: str,
    onset: date | None = None,
    status: str = ProblemStatus.ACTIVE,
    resolved_on: date | None = None,
    note: str = "",
    consultation: Consultation | None = None,
    id: uuid.UUID | None = None,
) -> Problem:
    """Put a condition on ``person``'s problem list. The same ``id`` again returns the stored
    problem; an active problem with the same code is refused (it is already on the list)."""
    _check_may_write(by, person)
    existing = _existing_problem(id, person)
    if existing is not None:
        return existing
    fields = _problem_fields(
        person=person, icd10_code=icd10_code, onset=onset, status=status, resolved_on=resolved_on, note=note
    )
    if (
        fields["status"] == ProblemStatus.ACTIVE
        and Problem.objects.filter(
            person=person,
            icd10_code=fields["icd10_code"],
            status=ProblemStatus.ACTIVE,
            voided_at__isnull=True,
        ).exists()
    ):
        raise ValidationError({"icd10_code": [_("Ce problème est déjà sur la liste (actif).")]})
    return Problem.objects.create(
        id=id or uuid7(),
        person=person,
        consultation=consultation,
        facility=by.facility,
        recorded_by=by,
        **fields,
    )


@transaction.atomic
def problem_from_diagnosis(*, by: Any, diagnosis: Diagnosis) -> Problem:
    """A consultation's diagnosis added to the problem list in one action: onset the day of the
    consultation. If the condition is already an active problem, that problem is returned."""
    consultation = diagnosis.consultation
    person = consultation.person
    _check_may_write(by, person)
    current = _active_problems(person).filter(icd10_code=diagnosis.icd10_code).first()
    if current is not None:
        return current
    return add_problem(
        by=by,
        person=person,
        icd10_code=diagnosis.icd10_code,
        onset=timezone.localtime(consultation.consulted_at).date(),
        consultation=consultation,
    )


def _check_not_voided(problem: Problem) -> None:
    if problem.voided_at is not None:
        raise ValidationError(
            {"problem": [_("Cette entrée a déjà été annulée ou remplacée : rechargez la liste.")]}
        )


@transaction.atomic
def void_problem(*, by: Any, problem: Problem, reason: str) -> Problem:
    """A problem entered in error: voided with a reason (it stays in the history)."""
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    _check_may_write(by, problem.person)
    _check_not_voided(problem)
    problem.voided_at = timezone.now()
    problem.voided_by = by
    problem.void_reason = _clean_reason(reason)
    problem.save(update_fields=["voided_at", "voided_by", "void_reason"])
    return problem


@transaction.atomic
def correct_problem(
    *,
    by: Any,
    problem: Problem,
    reason: str,
    icd10_code: Any = UNSET,
    onset: Any = UNSET,
    status: Any = UNSET,
    resolved_on: Any = UNSET,
    note: Any = UNSET,
    id: uuid.UUID | None = None,
) -> Problem:
    """Void ``problem`` and write its replacement (the fields not given are kept): a corrected
    code or onset, or a change of status. Returns the replacement."""
    problem = Problem.objects.select_for_update().select_related("person").get(pk=problem.pk)
    _check_may_write(by, problem.person)
    existing = _existing_problem(id, problem.person)
    if existing is not None:
        if existing.replaces_id != problem.pk:
            raise IdTaken()
        return existing
    _check_not_voided(problem)
    reason = _clean_reason(reason)
    new_status = problem.status if status is UNSET else status
    if resolved_on is UNSET:
        resolved_on = problem.resolved_on if new_status == ProblemStatus.RESOLVED else None
    fields = _problem_fields(
        person=problem.person,
        icd10_code=problem.icd10_code if icd10_code is UNSET else icd10_code,
        onset=problem.onset if onset is UNSET else onset,
        status=new_status,
        resolved_on=resolved_on,
        note=problem.note if note is UNSET else note,
    )
    problem.voided_at = timezone.now()
    problem.voided_by = by
    problem.void_reason = reason
    problem.save(update_fields=["voided_at", "voided_by", "void_reason"])
    return Problem.objects.create(
        id=id or uuid7(),
        person=problem.person,
        consultation=problem.consultation,
        facility=by.facility,
        recorded_by=by,
        replaces=problem,
        **fields,
    )


def resolve_problem(*, by: Any, problem: Problem, resolved_on: date | None = None) -> Problem:
    """The condition is over (an episode of malnutrition, a treated TB): the problem is replaced
    by the same one, resolved."""
    return correct_problem(
        by=by,
        problem=problem,
        reason=_("Problème résolu"),
        status=ProblemStatus.RESOLVED,
        resolved_on=resolved_on or timezone.localdate(),
    )


# --- Documents attached to the record --------------------------------------------------------------


@transaction.atomic
def attach_record_document(
    *,
    by: Any,
    person: Person,
    upload: UploadedFile,
    kind: str,
    title: str,
    document_date: date | None = None,
    id: uuid.UUID | None = None,
) -> RecordDocument:
    """Attach a scan or photo to ``person``'s record: image or PDF, at most 10 MB, checked by its
    first bytes; an image is re-encoded without its EXIF and gets a thumbnail."""
    _check_may_write(by, person)
    if id is not None:
        existing = RecordDocument.objects.filter(pk=id).first()
        if existing is not None:
            if existing.person_id != person.pk:
                raise IdTaken()
            return existing
    errors: dict[str, list[str]] = {}
    if kind not in DocumentKind.values:
        errors["kind"] = [_("Type de document inconnu.")]
    title = title.strip() if isinstance(title, str) else ""
    if not title:
        errors["title"] = [_("Donnez un titre au document (ex. : « Sortie hôpital Gabriel Touré »).")]
    elif len(title) > 200:
        errors["title"] = [_("Trop long : %(max)s caractères au plus.") % {"max": 200}]
    if document_date is not None and document_date > timezone.localdate():
        errors["document_date"] = [_("La date ne peut pas être dans le futur.")]
    if errors:
        raise ValidationError(errors)
    checked = uploads.checked_upload(upload, name=kind, max_bytes=RECORD_DOCUMENT_MAX_BYTES)
    mini = uploads.thumbnail(checked)
    document = RecordDocument(
        id=id or uuid7(),
        person=person,
        kind=kind,
        title=title,
        document_date=document_date,
        content_type=checked.content_type,
        size=checked.size,
        facility=by.facility,
        uploaded_by=by,
    )
    document.file.save(checked.content.name or kind, checked.content, save=False)
    if mini is not None:
        document.thumbnail.save(mini.name or "mini.jpg", mini, save=False)
    document.save(force_insert=True)
    return document


@transaction.atomic
def void_record_document(*, by: Any, document: RecordDocument, reason: str) -> RecordDocument:
    """A document attached by mistake (wrong patient, unreadable): voided with a reason, kept."""
    document = RecordDocument.objects.select_for_update().select_related("person").get(pk=document.pk)
    _check_may_write(by, document.person)
    if document.voided_at is not None:
        raise ValidationError({"document": [_("Ce document a déjà été retiré.")]})
    document.voided_at = timezone.now()
    document.voided_by = by
    document.void_reason = _clean_reason(reason)
    document.save(update_fields=["voided_at", "voided_by", "void_reason"])
    return document
