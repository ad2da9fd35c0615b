"""Writes of the pharmacy app: allergies (record, correct, void), prescriptions (check, prescribe)
and the stop of a medicine. Keyword-only, transactional, capability and scope checked first,
French ``ValidationError`` keyed by field; the same client id again returns the same record, an
id taken outside the caller's scope raises ``IdTaken``.

The checks at prescribing (``check_prescription``) are pure rules of ``keneya.clinical.medicines``
applied to the person's allergies, coverage (``social_protection.queries.coverage_for``), age and
weight; a blocking allergy warning stops ``prescribe`` (``AllergyConflict``) unless an override
reason is given, and every warning is stored with the prescription.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from keneya.accounts.permissions import Capability, has_capability
from keneya.clinical import medicines
from keneya.clinical.ages import completed_months
from keneya.core.errors import IdTaken
from keneya.people.models import Person
from keneya.people.scope import persons_visible_to
from keneya.pharmacy.models import (
    Allergy,
    AllergyKind,
    AllergyStatus,
    Prescription,
    PrescriptionItem,
    Severity,
)
from keneya.records.models import Consultation
from keneya.social_protection.queries import coverage_for
from keneya.social_rules import schemes as scheme_rules

REASON_MAX = 300
MAX_ITEMS = 12
MAX_DURATION_DAYS = 365
WEIGHT_MAX_AGE_DAYS = 90  # an older weight is not used for a per-kg dose check
INSTRUCTIONS_MAX = 300


class AllergyConflict(Exception):
    """A prescription meets a known allergy and no override reason was given: nothing saved."""

    def __init__(self, warnings: list[dict[str, Any]]) -> None:
        super().__init__("allergy")
        self.warnings = warnings


def may_record_allergies(user: Any) -> bool:
    return has_capability(user, Capability.CONSULTATION_RECORD) or has_capability(user, Capability.PRESCRIBE)


def _check_person(by: Any, person: Person) -> None:
    if not persons_visible_to(by).filter(pk=person.pk).exists():
        raise PermissionDenied


def _clean_reason(reason: str, field_name: str = "reason") -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({field_name: ["Indiquez le motif."]})
    if len(reason) > REASON_MAX:
        raise ValidationError({field_name: [f"{REASON_MAX} caractères au plus."]})
    return reason


# ---------------------------------------------------------------- allergies


def active_allergies(person: Person) -> list[Allergy]:
    return list(
        Allergy.objects.filter(person=person, voided_at__isnull=True, no_known_allergy=False)
        .exclude(status=AllergyStatus.RESOLVED)
        .order_by("recorded_at")
    )


@transaction.atomic
def record_allergy(
    *,
    by: Any,
    person: Person,
    id: uuid.UUID | None = None,
    substance: str = "",
    reaction: str = "",
    severity: str = Severity.UNKNOWN,
    status: str = AllergyStatus.ACTIVE,
    kind: str = AllergyKind.ALLERGY,
    no_known_allergy: bool = False,
    replaces: Allergy | None = None,
    at: datetime | None = None,
) -> tuple[Allergy, bool]:
    """Record an allergy (or "no known allergy"); the same id again returns it (created False).

    Recording an allergy voids a standing "no known allergy"; recording "no known allergy" while
    an allergy is active is refused (void that allergy first)."""
    if not may_record_allergies(by):
        raise PermissionDenied
    _check_person(by, person)
    if id is not None:
        existing = Allergy.objects.filter(pk=id).first()
        if existing is not None:
            if existing.person_id != person.pk:
                raise IdTaken()
            return existing, False
    errors: dict[str, list[str]] = {}
    substance = " ".join((substance or "").split())
    reaction = " ".join((reaction or "").split())
    if severity not in Severity.values:
        errors["severity"] = ["Sévérité inconnue (légère, modérée, sévère ou non précisée)."]
    if status not in AllergyStatus.values:
        errors["status"] = ["Statut inconnu (active, suspectée, résolue)."]
    if kind not in AllergyKind.values:
        errors["kind"] = ["Type inconnu (allergie ou intolérance)."]
    if len(reaction) > 300:
        errors["reaction"] = ["300 caractères au plus."]
    resolved = medicines.Substance()
    if no_known_allergy:
        if substance:
            errors["substance"] = ["« Aucune allergie connue » ne nomme pas de substance."]
        elif active_allergies(person):
            errors["no_known_allergy"] = [
                "Des allergies sont enregistrées : annulez-les avant d'indiquer « aucune allergie connue »."
            ]
    else:
        if not substance:
            errors["substance"] = ["Indiquez la substance (un médicament du catalogue ou du texte)."]
        elif len(substance) > 120:
            errors["substance"] = ["120 caractères au plus."]
        else:
            resolved = medicines.resolve_substance(substance)
    if errors:
        raise ValidationError(errors)
    now = at or timezone.now()
    if not no_known_allergy:
        for standing in Allergy.objects.filter(person=person, voided_at__isnull=True, no_known_allergy=True):
            _void(standing, by=by, reason="Allergie enregistrée depuis.", at=now)
    allergy = Allergy.objects.create(
        id=id or uuid.uuid4(),
        person=person,
        no_known_allergy=no_known_allergy,
        kind=kind,
        substance=substance,
        substance_code=resolved.code,
        substance_class=resolved.class_code,
        substance_label=resolved.label if not no_known_allergy else "",
        reaction=reaction,
        severity=severity,
        status=status,
        recorded_by=by,
        facility=getattr(by, "facility", None),
        recorded_at=now,
        replaces=replaces,
    )
    return allergy, True


def _void(allergy: Allergy, *, by: Any, reason: str, at: datetime) -> None:
    allergy.voided_at = at
    allergy.voided_by = by
    allergy.void_reason = reason
    allergy.save(update_fields=["voided_at", "voided_by", "void_reason"])


@transaction.atomic
def void_allergy(*, by: Any, allergy: Allergy, reason: str) -> Allergy:
    """Void a recorded allergy (entered in error); it stays in the history."""
    if not may_record_allergies(by):
        raise PermissionDenied
    _check_person(by, allergy.person)
    reason = _clean_reason(reason)
    allergy = Allergy.objects.select_for_update().get(pk=allergy.pk)
    if allergy.voided_at is not None:
        raise ValidationError({"reason": ["Cette allergie est déjà annulée."]})
    _void(allergy, by=by, reason=reason, at=timezone.now())
    return allergy


@transaction.atomic
def correct_allergy(*, by: Any, allergy: Allergy, reason: str, **changes: Any) -> Allergy:
    """Void ``allergy`` with ``reason`` and record its replacement with ``changes`` applied
    (substance, reaction, severity, status, kind)."""
    void_allergy(by=by, allergy=allergy, reason=reason)
    fields: dict[str, Any] = {
        "substance": allergy.substance,
        "reaction": allergy.reaction,
        "severity": allergy.severity,
        "status": allergy.status,
        "kind": allergy.kind,
        "no_known_allergy": allergy.no_known_allergy,
    }
    unknown = set(changes) - set(fields)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: ["Champ inconnu."]})
    fields.update({k: v for k, v in changes.items() if v is not None})
    replacement, _created = record_allergy(by=by, person=allergy.person, replaces=allergy, **fields)
    return replacement


# ---------------------------------------------------------------- prescriptions


@dataclass
class ItemIn:
    medicine: medicines.Medicine
    dose: Decimal
    frequency: str
    duration_days: int
    quantity: Decimal
    route: str
    unit: str
    instructions: str


@dataclass
class Check:
    items: list[ItemIn]
    warnings: list[dict[str, Any]]
    age_months: int | None
    weight_kg: Decimal | None
    coverage: list[dict[str, Any]] = field(default_factory=list)

    @property
    def blocking(self) -> list[dict[str, Any]]:
        return [w for w in self.warnings if w.get("blocking")]


def to_decimal(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).replace(",", "."))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def parse_items(raw_items: Any) -> list[ItemIn]:
    """Validate the items (French errors under "items", one line per problem)."""
    if not isinstance(raw_items, list | tuple) or not raw_items:
        raise ValidationError({"items": ["Ajoutez au moins un médicament."]})
    if len(raw_items) > MAX_ITEMS:
        raise ValidationError({"items": [f"{MAX_ITEMS} médicaments au plus par ordonnance."]})
    errors: list[str] = []
    items: list[ItemIn] = []
    for index, raw in enumerate(raw_items, start=1):
        if not isinstance(raw, Mapping):
            errors.append(f"Ligne {index} : ligne invalide.")
            continue
        line: list[str] = []
        code = str(raw.get("medicine") or "").strip()
        medicine = medicines.get(code)
        if not code:
            line.append("médicament manquant")
        elif medicine is None:
            line.append(f"médicament inconnu du catalogue « {code[:80]} »")
        dose: Decimal | None = None
        if raw.get("dose") in (None, ""):
            line.append("dose manquante")
        elif medicine is not None:
            try:
                dose = medicines.parse_dose(raw.get("dose"), medicine)
            except (ValueError, ArithmeticError):
                line.append(f"dose invalide (un nombre positif de {medicine.dose_unit}, ou en mg)")
        frequency = ""
        if raw.get("frequency") in (None, ""):
            line.append("fréquence manquante")
        else:
            try:
                frequency = medicines.parse_frequency(raw.get("frequency"))
            except ValueError:
                line.append("fréquence inconnue (1/j, 2/j, 3/j, 4/j, matin, soir, unique, si_besoin…)")
        duration = raw.get("duration_days")
        if duration in (None, ""):
            line.append("durée manquante")
            duration_days = 0
        else:
            try:
                duration_days = int(str(duration))
            except ValueError:
                duration_days = -1
            if not 1 <= duration_days <= MAX_DURATION_DAYS:
                line.append(f"durée invalide (1 à {MAX_DURATION_DAYS} jours)")
        quantity = to_decimal(raw.get("quantity"))
        if raw.get("quantity") not in (None, "") and (
            quantity is None or not Decimal(0) < quantity <= 100000
        ):
            line.append("quantité invalide")
        instructions = " ".join(str(raw.get("instructions") or "").split())
        if len(instructions) > INSTRUCTIONS_MAX:
            line.append(f"consignes : {INSTRUCTIONS_MAX} caractères au plus")
        if line:
            errors.append(f"Ligne {index} : " + ", ".join(line) + ".")
            continue
        assert medicine is not None and dose is not None
        items.append(
            ItemIn(
                medicine=medicine,
                dose=dose,
                frequency=frequency,
                duration_days=duration_days,
                quantity=quantity or medicines.quantity_for(dose, frequency, duration_days),
                route=str(raw.get("route") or medicine.route)[:30],
                unit=str(raw.get("unit") or medicine.dose_unit)[:20],
                instructions=instructions,
            )
        )
    if errors:
        raise ValidationError({"items": errors})
    return items


def _weight(person: Person, consultation: Consultation | None, on: date) -> Decimal | None:
    if consultation is not None and consultation.weight_kg is not None:
        return consultation.weight_kg
    latest = (
        Consultation.objects.filter(
            person=person,
            weight_kg__isnull=False,
            consulted_at__date__gte=on - timedelta(days=WEIGHT_MAX_AGE_DAYS),
        )
        .order_by("-consulted_at")
        .values_list("weight_kg", flat=True)
        .first()
    )
    return latest


def _coverage(person: Person, on: date) -> list[dict[str, Any]]:
    return [
        {
            "scheme": entry["scheme"],
            "status": entry["status"],
            "card_number": entry.get("card_number") or "",
            "valid_until": entry["valid_until"].isoformat() if entry.get("valid_until") else None,
        }
        for entry in coverage_for(person, on=on)
    ]


def check_prescription(
    *,
    person: Person,
    items: list[ItemIn],
    consultation: Consultation | None = None,
    weight_kg: Decimal | None = None,
    on: date | None = None,
) -> Check:
    """The warnings of a prescription before it is saved: allergy (blocking), cross-reactivity,
    coverage (RAMED generics, mutuelle package), dose outside the usual range, and allergies
    never asked."""
    on = on or timezone.localdate()
    age = completed_months(person.date_of_birth, on) if person.date_of_birth <= on else None
    weight = weight_kg if weight_kg is not None else _weight(person, consultation, on)
    coverage = _coverage(person, on)
    active_schemes = {c["scheme"] for c in coverage if c["status"] == scheme_rules.ACTIVE}
    standing = list(Allergy.objects.filter(person=person, voided_at__isnull=True).order_by("recorded_at"))
    allergies = [a for a in standing if not a.no_known_allergy and a.status != AllergyStatus.RESOLVED]
    warnings: list[dict[str, Any]] = []
    if not standing:  # never asked (a "no known allergy" or a resolved one says it was)
        warnings.append(
            {
                "code": "allergies_not_asked",
                "blocking": False,
                "message": "Allergies non renseignées : demandez au patient et notez la réponse.",
            }
        )
    for index, item in enumerate(items):
        base = {"item": index, "medicine": item.medicine.code}
        for allergy in allergies:
            match = medicines.allergy_match(
                item.medicine.code,
                medicines.Substance(
                    code=allergy.substance_code, class_code=allergy.substance_class, text=allergy.substance
                ),
            )
            if match is not None:
                warnings.append(
                    {
                        "code": match.code,
                        "blocking": match.blocking,
                        **base,
                        "allergy": str(allergy.pk),
                        "substance": allergy.substance_label or allergy.substance,
                        "severity": allergy.severity,
                        "message": match.reason_fr
                        + (f" Réaction : {allergy.reaction}." if allergy.reaction else ""),
                    }
                )
        for flag in medicines.coverage_flags(item.medicine, active_schemes):
            generic = medicines.get(flag.generic_code) if flag.generic_code else None
            warnings.append(
                {
                    "code": flag.code,
                    "blocking": False,
                    **base,
                    "scheme": flag.scheme,
                    "generic": flag.generic_code,
                    "generic_label": generic.label if generic else "",
                    "message": flag.message_fr,
                }
            )
        dose = medicines.check_dose(
            item.medicine, dose=item.dose, frequency=item.frequency, age_months=age, weight_kg=weight
        )
        if dose is not None:
            warnings.append(
                {
                    "code": dose.code,
                    "blocking": False,
                    **base,
                    "value": str(dose.value),
                    "low": str(dose.low),
                    "high": str(dose.high),
                    "unit": dose.unit,
                    "source": medicines.SOURCES[dose.source],
                    "uncertain": dose.uncertain,
                    "message": dose.message_fr,
                }
            )
    return Check(items=items, warnings=warnings, age_months=age, weight_kg=weight, coverage=coverage)


def _check_prescriber(by: Any, person: Person) -> None:
    if not has_capability(by, Capability.PRESCRIBE) or getattr(by, "facility", None) is None:
        raise PermissionDenied
    _check_person(by, person)


def _existing(by: Any, person: Person, prescription_id: uuid.UUID | None) -> Prescription | None:
    if prescription_id is None:
        return None
    existing = Prescription.objects.filter(pk=prescription_id).first()
    if existing is not None and existing.person_id != person.pk:
        raise IdTaken()
    return existing


@transaction.atomic
def prescribe(
    *,
    by: Any,
    person: Person,
    items: Any,
    id: uuid.UUID | None = None,
    consultation: Consultation | None = None,
    override_reason: str = "",
    weight_kg: Any = None,
    at: datetime | None = None,
) -> tuple[Prescription, bool]:
    """Write an ordonnance with its checks. A blocking allergy warning without an
    ``override_reason`` raises ``AllergyConflict`` (nothing saved); with one, the prescription is
    saved and the warnings stored. The same id again returns it (created False)."""
    _check_prescriber(by, person)
    existing = _existing(by, person, id)
    if existing is not None:
        return existing, False
    if consultation is not None and consultation.person_id != person.pk:
        raise ValidationError({"consultation": ["Cette consultation n'est pas celle de ce patient."]})
    weight = to_decimal(weight_kg)
    if weight_kg not in (None, "") and (weight is None or not Decimal("0.3") <= weight <= 250):
        raise ValidationError({"weight_kg": ["Poids invraisemblable (0,3 à 250 kg)."]})
    override_reason = " ".join((override_reason or "").split())
    if len(override_reason) > REASON_MAX:
        raise ValidationError({"override_reason": [f"{REASON_MAX} caractères au plus."]})
    parsed = parse_items(items)
    now = at or timezone.now()
    on = timezone.localdate(now)
    check = check_prescription(
        person=person, items=parsed, consultation=consultation, weight_kg=weight, on=on
    )
    if check.blocking and not override_reason:
        raise AllergyConflict(check.warnings)
    prescription = Prescription.objects.create(
        id=id or uuid.uuid4(),
        person=person,
        facility=by.facility,
        prescriber=by,
        consultation=consultation,
        prescribed_at=now,
        catalogue_version=medicines.CATALOGUE_VERSION,
        warnings=check.warnings,
        blocking_overridden=bool(check.blocking),
        override_reason=override_reason if check.blocking else "",
        age_months=check.age_months,
        weight_kg=check.weight_kg,
        coverage=check.coverage,
    )
    PrescriptionItem.objects.bulk_create(
        [
            PrescriptionItem(
                prescription=prescription,
                position=position,
                medicine_code=item.medicine.code,
                medicine_label=item.medicine.label,
                dci=item.medicine.dci,
                generic=item.medicine.generic,
                dose=item.dose,
                dose_unit=item.unit,
                frequency=item.frequency,
                route=item.route,
                duration_days=item.duration_days,
                quantity=item.quantity,
                instructions=item.instructions,
                starts_on=on,
                ends_on=on + timedelta(days=item.duration_days - 1),
            )
            for position, item in enumerate(parsed, start=1)
        ]
    )
    return prescription, True


@transaction.atomic
def stop_item(
    *, by: Any, item: PrescriptionItem, reason: str, at: datetime | None = None
) -> PrescriptionItem:
    """Stop a medicine before its end date, with a reason (it leaves the current medications)."""
    if not has_capability(by, Capability.PRESCRIBE):
        raise PermissionDenied
    _check_person(by, item.prescription.person)
    reason = _clean_reason(reason)
    item = PrescriptionItem.objects.select_for_update().get(pk=item.pk)
    now = at or timezone.now()
    if item.stopped_at is not None:
        raise ValidationError({"reason": ["Ce médicament est déjà arrêté."]})
    if item.ends_on < timezone.localdate(now):
        raise ValidationError({"reason": ["Ce traitement est déjà terminé."]})
    item.stopped_at = now
    item.stopped_by = by
    item.stop_reason = reason
    item.save(update_fields=["stopped_at", "stopped_by", "stop_reason"])
    return item


def frequency_choices() -> Iterable[tuple[str, str]]:
    return [(code, words) for code, (_n, words) in medicines.FREQUENCIES.items()]
