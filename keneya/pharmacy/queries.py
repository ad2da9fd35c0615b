"""Pharmacy reads, all starting from scope: allergies, prescriptions, current medications, and
the parts this app adds to the patient summary, page and timeline (``records.hooks``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone

from keneya.accounts.permissions import Capability, has_capability
from keneya.accounts.scope import person_filter
from keneya.clinical import medicines
from keneya.people.models import Person
from keneya.pharmacy.models import Allergy, AllergyStatus, Prescription, PrescriptionItem

NOT_ASKED, NONE_KNOWN, KNOWN = "not_asked", "none_known", "known"
ALLERGY_STATE_LABELS = {
    NOT_ASKED: "Allergies : non renseignées",
    NONE_KNOWN: "Aucune allergie connue",
    KNOWN: "Allergies connues",
}


def _persons(user: Any) -> QuerySet[Person]:
    return Person.objects.filter(person_filter(user)).values("pk")  # type: ignore[return-value]


def allergies_visible_to(user: Any) -> QuerySet[Allergy]:
    if not has_capability(user, Capability.CLINICAL_VIEW):
        return Allergy.objects.none()
    return Allergy.objects.filter(person__in=_persons(user))


def prescriptions_visible_to(user: Any) -> QuerySet[Prescription]:
    if not has_capability(user, Capability.CLINICAL_VIEW):
        return Prescription.objects.none()
    return Prescription.objects.filter(person__in=_persons(user)).select_related(
        "facility", "prescriber", "person"
    )


def items_visible_to(user: Any) -> QuerySet[PrescriptionItem]:
    if not has_capability(user, Capability.CLINICAL_VIEW):
        return PrescriptionItem.objects.none()
    return PrescriptionItem.objects.filter(prescription__person__in=_persons(user))


def person_allergies(person: Person, *, with_voided: bool = False) -> list[Allergy]:
    """The person's allergy facts, newest first (voided ones only when asked: the history)."""
    rows = Allergy.objects.filter(person=person).select_related("recorded_by", "facility", "voided_by")
    if not with_voided:
        rows = rows.filter(voided_at__isnull=True)
    return list(rows.order_by("-recorded_at"))


def allergy_state(allergies: list[Allergy]) -> str:
    """From the standing (not voided) facts: "known", "none_known" or "not_asked"."""
    if any(not a.no_known_allergy and a.status != AllergyStatus.RESOLVED for a in allergies):
        return KNOWN
    if any(a.no_known_allergy for a in allergies):
        return NONE_KNOWN
    return NOT_ASKED


def current_items(person: Person, *, on: date | None = None) -> list[PrescriptionItem]:
    """The current medications: items not stopped whose end date is not past."""
    on = on or timezone.localdate()
    return list(
        PrescriptionItem.objects.filter(
            prescription__person=person, stopped_at__isnull=True, starts_on__lte=on, ends_on__gte=on
        )
        .select_related("prescription", "prescription__facility")
        .order_by("-prescription__prescribed_at", "position")
    )


def person_prescriptions(person: Person, *, limit: int = 20) -> list[Prescription]:
    return list(
        Prescription.objects.filter(person=person)
        .select_related("facility", "prescriber")
        .prefetch_related(Prefetch("items", queryset=PrescriptionItem.objects.order_by("position")))
        .order_by("-prescribed_at")[:limit]
    )


def item_words(item: PrescriptionItem) -> str:
    """ "1 comprimé matin et soir pendant 5 jours" (from the stored item)."""
    medicine = medicines.get(item.medicine_code)
    unit = item.dose_unit or (medicine.dose_unit if medicine else "")
    text = f"{medicines.number_fr(item.dose)} {medicines.unit_words(unit, item.dose)} "
    text += medicines.FREQUENCIES.get(item.frequency, (0, item.frequency))[1]
    if item.frequency != "unique" and item.duration_days:
        text += f" pendant {item.duration_days} jour{'s' if item.duration_days > 1 else ''}"
    return text


def allergy_json(allergy: Allergy) -> dict[str, Any]:
    return {
        "id": str(allergy.pk),
        "person": str(allergy.person_id),
        "no_known_allergy": allergy.no_known_allergy,
        "kind": allergy.kind,
        "substance": allergy.substance,
        "substance_code": allergy.substance_code,
        "substance_class": allergy.substance_class,
        "substance_label": allergy.substance_label,
        "reaction": allergy.reaction,
        "severity": allergy.severity,
        "status": allergy.status,
        "recorded_at": allergy.recorded_at.isoformat(),
        "voided": allergy.voided_at is not None,
        "void_reason": allergy.void_reason,
        "replaces": str(allergy.replaces_id) if allergy.replaces_id else None,
        "label": allergy.label,
    }


def medication_json(item: PrescriptionItem) -> dict[str, Any]:
    return {
        "id": str(item.pk),
        "prescription": str(item.prescription_id),
        "medicine": item.medicine_code,
        "dci": item.dci,
        "generic": item.generic,
        "dose": str(item.dose),
        "unit": item.dose_unit,
        "frequency": item.frequency,
        "starts_on": item.starts_on.isoformat(),
        "ends_on": item.ends_on.isoformat(),
        "label": f"{item.medicine_label} : {item_words(item)} (jusqu'au {item.ends_on:%d/%m/%Y})",
    }


@dataclass(frozen=True)
class Summary:
    allergies: list[Allergy]
    state: str
    medications: list[PrescriptionItem]


def summary(person: Person, *, on: date | None = None) -> Summary:
    allergies = person_allergies(person)
    return Summary(allergies, allergy_state(allergies), current_items(person, on=on))


def summary_parts(user: Any, person: Person) -> dict[str, Any]:
    """``records.hooks.summary_parts``: allergies (a "no known allergy" fact and a "not asked"
    state are lines too) and current medications, each with a French label."""
    if not has_capability(user, Capability.CLINICAL_VIEW):
        return {}
    data = summary(person)
    allergies = [allergy_json(a) for a in data.allergies if a.status != AllergyStatus.RESOLVED]
    if data.state == NOT_ASKED:
        allergies = []
    return {
        "allergies": allergies,
        "allergy_status": {"code": data.state, "label": ALLERGY_STATE_LABELS[data.state]},
        "medications": [medication_json(i) for i in data.medications],
    }


def prescription_json(prescription: Prescription) -> dict[str, Any]:
    return {
        "id": str(prescription.pk),
        "reference": prescription.reference,
        "person": str(prescription.person_id),
        "consultation": str(prescription.consultation_id) if prescription.consultation_id else None,
        "facility": prescription.facility.name,
        "prescriber": prescription.prescriber.get_full_name() or prescription.prescriber.get_username(),
        "prescribed_at": prescription.prescribed_at,
        "catalogue_version": prescription.catalogue_version,
        "age_months": prescription.age_months,
        "weight_kg": str(prescription.weight_kg) if prescription.weight_kg is not None else None,
        "coverage": prescription.coverage,
        "warnings": prescription.warnings,
        "override_reason": prescription.override_reason,
        "items": [
            {
                "id": str(item.pk),
                "medicine": item.medicine_code,
                "label": item.medicine_label,
                "dci": item.dci,
                "generic": item.generic,
                "dose": str(item.dose),
                "unit": item.dose_unit,
                "frequency": item.frequency,
                "route": item.route,
                "duration_days": item.duration_days,
                "quantity": str(item.quantity),
                "instructions": item.instructions,
                "starts_on": item.starts_on,
                "ends_on": item.ends_on,
                "stopped_at": item.stopped_at,
                "stop_reason": item.stop_reason,
                "words": item_words(item),
            }
            for item in prescription.items.all()
        ],
    }


def timeline_entries(user: Any, person: Person) -> list[dict[str, Any]]:
    """``records.hooks.patient_timeline``: each prescription, with its facility."""
    if not has_capability(user, Capability.CLINICAL_VIEW):
        return []
    entries = []
    for prescription in person_prescriptions(person, limit=50):
        names = ", ".join(i.dci for i in prescription.items.all())
        entries.append(
            {
                "at": prescription.prescribed_at,
                "kind": "prescription",
                "title": f"Ordonnance {prescription.reference}",
                "facility": prescription.facility.name,
                "url": reverse("pharmacy:prescription_detail", args=[prescription.pk]),
                "detail": names,
            }
        )
    return entries
