"""The demo's allergies and prescriptions, through the real services (``keneya.pharmacy``).

After the closed loop and the social step: the demo consultations are walked in time order;
at a person's first consultation the clinician records their allergies (a few have one, about a
third "no known allergy", the rest were never asked); most consultations then get an ordonnance
written for their diagnoses, dosed by age and weight, at the consultation's time. Some items are
written with a brand name (Doliprane, Coartem, Clamoxyl...), so RAMED patients show the generic
warning. A medicine the patient is allergic to is replaced by an alternative, as a prescriber
who sees the blocking warning would do.

Seeded, so the same seed gives the same story.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q

from keneya.clinical.ages import completed_months
from keneya.pharmacy import services
from keneya.pharmacy.models import Allergy, Prescription, PrescriptionItem
from keneya.records.models import Consultation

NAMESPACE = uuid.UUID("7d1c2b3a-4e5f-4a6b-8c7d-706861726d61")
PRESCRIBED_SHARE = 0.85  # "prescriptions at most consultations"
ALLERGY_SHARE = 0.04
NONE_KNOWN_SHARE = 0.35
BRAND_SHARE = 0.15
STOP_SHARE = 0.25  # of the long treatments, stopped early with a reason
STOP_AFTER_DAYS = 10
STOP_REASONS = ["Tension normalisée, relais par surveillance", "Mauvaise tolérance (vertiges)"]
ALLERGIES = [
    ("pénicilline", "Œdème du visage (Quincke)", "severe"),
    ("sulfamides", "Éruption cutanée étendue", "moderate"),
    ("aspirine", "Crise d'asthme", "moderate"),
    ("arachides", "Urticaire", "mild"),
    ("amoxicilline-500-gel", "Urticaire généralisée", "moderate"),
]
BRANDS = {
    "paracetamol-500-cp": "doliprane-500-cp",
    "paracetamol-125-5ml-sirop": "doliprane-125-5ml-sirop",
    "artemether-lumefantrine-20-120-cp": "coartem-20-120-cp",
    "amoxicilline-500-gel": "clamoxyl-500-gel",
    "metronidazole-500-cp": "flagyl-500-cp",
}
ADULT_MONTHS = 144

Item = dict[str, Any]


def _id(*parts: Any) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts))


def _half(value: float, minimum: float = 0.5) -> Decimal:
    """Rounded to half a unit (tablets are split in two), at least ``minimum``."""
    half = (Decimal(str(value)) * 2).quantize(Decimal(1), rounding=ROUND_HALF_UP) / 2
    return max(half, Decimal(str(minimum)))


def _weight(months: int, recorded: Decimal | None) -> float:
    """The consultation's weight, else a rough weight for the age (to choose a dose band)."""
    if recorded:
        return float(recorded)
    if months < 12:
        return 3.3 + 0.55 * months
    if months < 72:
        return 2 * (months / 12) + 8
    if months < ADULT_MONTHS:
        return 3 * (months / 12) + 7
    return 60.0


def _item(medicine: str, dose: Any, frequency: str, days: int, **extra: Any) -> Item:
    return {"medicine": medicine, "dose": str(dose), "frequency": frequency, "duration_days": days, **extra}


def paracetamol(months: int, kg: float) -> list[Item]:
    if months >= ADULT_MONTHS:
        return [_item("paracetamol-500-cp", 2, "3/j", 3)]
    return [_item("paracetamol-125-5ml-sirop", _half(kg * 15 / 25), "3/j", 3)]


def act(months: int, kg: float) -> list[Item]:
    if kg < 5:
        return []
    tablets = 1 if kg < 15 else 2 if kg < 25 else 3 if kg < 35 else 4
    medicine = "artemether-lumefantrine-20-120-cpd" if kg < 15 else "artemether-lumefantrine-20-120-cp"
    return [_item(medicine, tablets, "2/j", 3, instructions="Avec un repas ou du lait.")]


def amoxicillin(months: int, kg: float) -> list[Item]:
    if months >= ADULT_MONTHS:
        return [_item("amoxicilline-500-gel", 1, "3/j", 5)]
    if kg < 4:
        return []
    return [_item("amoxicilline-250-cpd", 1 if kg < 10 else 2 if kg < 19 else 3, "2/j", 5)]


def erythromycin(months: int, kg: float) -> list[Item]:
    """The alternative to a penicillin for an allergic patient."""
    if months >= ADULT_MONTHS:
        return [_item("erythromycine-500-cp", 1, "4/j", 5)]
    return [_item("erythromycine-125-5ml-susp", _half(kg / 2), "4/j", 5)]


def ors_zinc(months: int, kg: float) -> list[Item]:
    zinc = Decimal("0.5") if months < 6 else Decimal(1)
    return [
        _item("sro-faible-osmolarite-sachet", 1, "si_besoin", 2, instructions="Après chaque selle liquide."),
        _item("zinc-20-cpd", zinc, "1/j", 10),
    ]


def ciprofloxacin(months: int, kg: float) -> list[Item]:
    if months >= ADULT_MONTHS:
        return [_item("ciprofloxacine-500-cp", 1, "2/j", 3)]
    return [_item("ciprofloxacine-250-cp", _half(kg * 15 / 250), "2/j", 3)]


def severe_malaria(months: int, kg: float) -> list[Item]:
    per_kg = 3.0 if kg < 20 else 2.4
    dose = max(10, round(kg * per_kg / 10) * 10)
    return [_item("artesunate-60-inj", dose, "2/j", 1, instructions="H0 et H12, puis relais par CTA.")]


def convulsions(months: int, kg: float) -> list[Item]:
    if months >= ADULT_MONTHS:
        return [_item("diazepam-10-2ml-inj", 10, "unique", 1)]
    return [_item("diazepam-10-2ml-inj", _half(kg * 0.5, 1), "unique", 1, instructions="Par voie rectale.")]


def malnutrition(months: int, kg: float) -> list[Item]:
    return [_item("atpe-pate-92g", 1, "3/j", 7, instructions="Revoir chaque semaine avec le carnet.")]


def deworming(months: int, kg: float) -> list[Item]:
    if months < 12:
        return []
    return [_item("albendazole-400-cp", Decimal("0.5") if months < 24 else 1, "unique", 1)]


def pre_eclampsia(months: int, kg: float) -> list[Item]:
    return [_item("methyldopa-250-cp", 1, "3/j", 30)]


def pregnancy_infection(months: int, kg: float) -> list[Item]:
    return amoxicillin(months, kg) + paracetamol(months, kg)


def hypertension(months: int, kg: float) -> list[Item]:
    return [_item("amlodipine-5-cp", 1, "1/j", 30, instructions="Renouveler au contrôle tensionnel.")]


def diabetes(months: int, kg: float) -> list[Item]:
    return [_item("metformine-500-cp", 1, "2/j", 30, instructions="Pendant les repas.")]


def epilepsy(months: int, kg: float) -> list[Item]:
    if months >= ADULT_MONTHS:
        return [_item("phenobarbital-100-cp", 1, "1/j", 30)]
    return [_item("phenobarbital-50-cp", _half(kg * 3 / 50), "1/j", 30)]


def sickle_cell(months: int, kg: float) -> list[Item]:
    return [_item("acide-folique-5-cp", 1, "1/j", 30)]


BY_CODE: dict[str, Callable[[int, float], list[Item]]] = {
    # The chronic follow-ups of the record's demo (keneya/demo/records.py): the month's renewal.
    "I10": hypertension,
    "E11": diabetes,
    "G40.9": epilepsy,
    "D57.1": sickle_cell,
    "B50.9": lambda m, k: act(m, k) + paracetamol(m, k),
    "B50.8": lambda m, k: severe_malaria(m, k) + paracetamol(m, k),
    "B50.0": lambda m, k: severe_malaria(m, k) + convulsions(m, k),
    "J18.9": amoxicillin,
    "R05": amoxicillin,
    "J06.9": paracetamol,
    "R50.9": paracetamol,
    "A09.9": ors_zinc,
    "A03.9": lambda m, k: ciprofloxacin(m, k) + ors_zinc(m, k)[:1],
    "R56.0": lambda m, k: convulsions(m, k) + paracetamol(m, k),
    "E43": lambda m, k: malnutrition(m, k) + amoxicillin(m, k),
    "E44.0": deworming,
    "E44.1": deworming,
    "O14.9": pre_eclampsia,
    "O23.9": pregnancy_infection,
}
ALTERNATIVES = {
    "amoxicilline-500-gel": erythromycin,
    "amoxicilline-250-cpd": erythromycin,
    "clamoxyl-500-gel": erythromycin,
}


def _items_for(codes: list[str], months: int, kg: float) -> list[Item]:
    items: list[Item] = []
    seen: set[str] = set()
    for code in codes:
        for item in BY_CODE.get(code, lambda m, k: [])(months, kg):
            if item["medicine"] not in seen:
                seen.add(item["medicine"])
                items.append(item)
    return items


def seed_pharmacy(*, seed: int | str, today: date) -> dict[str, int]:
    """Allergies and ordonnances for the demo consultations up to ``today`` (their own dates)."""
    rng = random.Random(f"{seed}:pharmacy")  # noqa: S311 (demo data)
    counts = {
        "allergies": 0,
        "none_known": 0,
        "prescriptions": 0,
        "items": 0,
        "brands": 0,
        "replaced": 0,
        "stopped": 0,
    }
    decided: set[Any] = set()
    consultations = (
        Consultation.objects.select_related("person", "clinician", "clinician__facility")
        .prefetch_related("diagnoses")
        .filter(consulted_at__date__lte=today)
        .order_by("consulted_at", "pk")
    )
    for consultation in consultations.iterator(chunk_size=500):
        person = consultation.person
        by = consultation.clinician
        at = consultation.consulted_at
        if person.pk not in decided:
            decided.add(person.pk)
            _allergies(rng, by, person, at, counts)
        if rng.random() >= PRESCRIBED_SHARE:
            continue
        months = completed_months(person.date_of_birth, at.date())
        kg = _weight(months, consultation.weight_kg)
        items = _items_for([d.icd10_code for d in consultation.diagnoses.all()], months, kg)
        if not items:
            continue
        for item in items:
            brand = BRANDS.get(item["medicine"])
            if brand and rng.random() < BRAND_SHARE:
                item["medicine"] = brand
                counts["brands"] += 1
        try:
            prescription = _prescribe(by, person, consultation, items, months, kg, counts)
        except (PermissionDenied, ValidationError):
            continue  # a clinician who no longer sees the person (a closed referral at the CSRef)
        if prescription is not None:
            counts["prescriptions"] += 1
            counts["items"] += len(items)
            _maybe_stop(rng, by, prescription, today, counts)
    return counts


def _maybe_stop(
    rng: random.Random, by: Any, prescription: Prescription, today: date, counts: dict[str, int]
) -> None:
    """Some long treatments are stopped early, with a reason (they leave the current medications)."""
    stop_at = prescription.prescribed_at + timedelta(days=STOP_AFTER_DAYS)
    if stop_at.date() > today:
        return
    for item in prescription.items.filter(duration_days__gt=STOP_AFTER_DAYS + 1):
        if rng.random() < STOP_SHARE:
            services.stop_item(by=by, item=item, reason=rng.choice(STOP_REASONS), at=stop_at)
            counts["stopped"] += 1


def _allergies(rng: random.Random, by: Any, person: Any, at: Any, counts: dict[str, int]) -> None:
    draw = rng.random()
    try:
        if draw < ALLERGY_SHARE:
            substance, reaction, severity = rng.choice(ALLERGIES)
            services.record_allergy(
                by=by,
                person=person,
                id=_id("allergy", person.pk),
                substance=substance,
                reaction=reaction,
                severity=severity,
                at=at,
            )
            counts["allergies"] += 1
        elif draw < ALLERGY_SHARE + NONE_KNOWN_SHARE:
            services.record_allergy(
                by=by, person=person, id=_id("allergy", person.pk), no_known_allergy=True, at=at
            )
            counts["none_known"] += 1
    except (PermissionDenied, ValidationError):
        return


def _prescribe(
    by: Any, person: Any, consultation: Any, items: list[Item], months: int, kg: float, counts: dict[str, int]
) -> Prescription | None:
    for _attempt in range(2):
        try:
            prescription, _created = services.prescribe(
                by=by,
                person=person,
                id=_id("prescription", consultation.pk),
                items=items,
                consultation=consultation,
                at=consultation.consulted_at,
            )
            return prescription
        except services.AllergyConflict as conflict:
            blocked = {w["item"] for w in conflict.warnings if w.get("blocking")}
            replaced: list[Item] = []
            for index, item in enumerate(items):
                if index not in blocked:
                    replaced.append(item)
                elif item["medicine"] in ALTERNATIVES:
                    replaced.extend(ALTERNATIVES[item["medicine"]](months, kg))
            counts["replaced"] += len(blocked)
            items[:] = replaced
            if not items:
                return None
    return None


def delete_pharmacy(*, person_ids: Any) -> dict[str, int]:
    """Remove the demo's prescriptions and allergies (before the consultations they point at)."""
    prescriptions = Prescription.objects.filter(person_id__in=person_ids)
    PrescriptionItem.objects.filter(prescription__in=prescriptions).delete()
    counts = {"prescriptions": prescriptions.delete()[0]}
    allergies = Allergy.objects.filter(person_id__in=person_ids)
    allergies.filter(~Q(replaces=None)).update(replaces=None)
    counts["allergies"] = allergies.delete()[0]
    return counts


__all__ = ["delete_pharmacy", "seed_pharmacy"]
