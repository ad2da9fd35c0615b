"""Seeded home visits as a tablet sends them (bench_sync, bench_pwa). Pure Python, no database.

``make_visit(rng, person, today)`` draws one visit of a person in the 12 months before ``today``
with the forms' questions for the kind and age band (``keneya/visits/forms.py``): the danger
signs answered (``False`` for "Non", as the tablet sends them), symptoms with their durations,
temperature, breathing rate, RDT, MUAC, weight and height near the WHO medians, LMP for a
pregnancy, and sometimes a vaccination card. About ``URGENT_SHARE`` of the visits carry one
danger sign (urgent referral, alert, SMS to the CSCom). The engine's own assessment is attached
as ``device_assessment`` (what the tablet showed), so the server finds no mismatch.
"""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

URGENT_SHARE = 0.10
HISTORY_DAYS = 365

CHILD_DANGER = (
    "convulsions",
    "not_able_to_drink_or_feed",
    "vomits_everything",
    "chest_indrawing",
    "unusually_sleepy_or_unconscious",
    "bilateral_oedema",
)
YOUNG_INFANT = (
    "not_feeding_well",
    "convulsions",
    "severe_chest_indrawing",
    "movement_only_when_stimulated_or_none",
    "jaundice_first_24h",
    "yellow_palms_or_soles",
)
LOCAL_INFECTION = ("umbilicus_red_or_draining_pus", "skin_pustules")
PREGNANCY = (
    "vaginal_bleeding",
    "central_cyanosis",
    "convulsions",
    "fever",
    "severe_headache",
    "visual_disturbance",
    "imminent_delivery",
    "labour",
    "looks_very_ill",
    "severe_vomiting",
    "severe_pain",
    "severe_abdominal_pain",
    "unconscious",
    "fast_or_difficult_breathing",
    "swelling_face_or_hands",
    "leaking_fluid",
    "reduced_fetal_movements",
)
POSTPARTUM = (
    "heavy_vaginal_bleeding",
    "convulsions",
    "fast_or_difficult_breathing",
    "fever_too_weak_to_get_out_of_bed",
    "severe_abdominal_pain",
    "severe_headache_or_blurred_vision",
)
POSTPARTUM_SAME_DAY = (
    "foul_smelling_lochia",
    "breast_pain_swelling_or_redness",
    "perineal_pain_or_pus",
    "urinary_incontinence_or_dysuria",
    "calf_pain_or_swelling",
    "depression_or_self_harm_thoughts",
)
# Doses of the Mali schedule by age in days (a card seen at a follow-up visit).
CARD = (
    ("BCG", 0),
    ("VPO0", 0),
    ("PENTA1", 42),
    ("VPO1", 42),
    ("PCV1", 42),
    ("ROTA1", 42),
    ("PENTA2", 70),
    ("VPO2", 70),
    ("PCV2", 70),
    ("ROTA2", 70),
    ("PENTA3", 98),
    ("VPO3", 98),
    ("PCV3", 98),
    ("VPI1", 98),
    ("RR1", 274),
    ("VAA", 274),
)


@dataclass(frozen=True)
class PersonRef:
    id: uuid.UUID
    sex: str
    date_of_birth: date


def _months(dob: date, on: date) -> int:
    months = (on.year - dob.year) * 12 + on.month - dob.month
    return months - 1 if on.day < dob.day else months


def kinds_for(person: PersonRef, on: date) -> list[str]:
    """``visits.forms.available_kinds``."""
    days = (on - person.date_of_birth).days
    months = _months(person.date_of_birth, on)
    kinds = []
    if months < 60:
        kinds += ["sick_child", "child_followup"]
    if days <= 59:
        kinds.append("postnatal")
    elif person.sex == "F" and 15 <= months // 12 <= 49:
        kinds += ["pregnancy", "postnatal"]
    return kinds


def eligible(person: PersonRef, today: date) -> bool:
    return bool(kinds_for(person, today) or kinds_for(person, today - timedelta(days=HISTORY_DAYS)))


def _weight(rng: random.Random, months: int, sex: str) -> float:
    median = (
        3.3 + 0.7 * months
        if months < 6
        else 7.5 + 0.3 * (months - 6)
        if months < 12
        else 9.4 + 0.18 * (months - 12)
    )
    median *= 0.96 if sex == "F" else 1.0
    return round(median * rng.gauss(1.0, 0.09), 1)


def _height(rng: random.Random, months: int) -> float:
    median = (
        50 + 3.5 * months
        if months < 3
        else 60 + 1.5 * (months - 3)
        if months < 12
        else 74 + 0.75 * (months - 12)
    )
    return round(median * rng.gauss(1.0, 0.035), 1)


def _child(
    rng: random.Random, kind: str, person: PersonRef, on: date, urgent: bool
) -> tuple[dict[str, Any], dict[str, Any]]:
    days = (on - person.date_of_birth).days
    months = _months(person.date_of_birth, on)
    findings: dict[str, Any] = {}
    measurements: dict[str, Any] = {}
    if days <= 59:
        signs = (*YOUNG_INFANT, *LOCAL_INFECTION)
        if kind in ("sick_child", "postnatal"):
            findings.update(dict.fromkeys(signs, False))
            findings["temperature_c"] = round(rng.uniform(36.4, 37.4), 1)
            findings["respiratory_rate"] = rng.randint(36, 55)
            if kind == "sick_child":
                measurements["weight_kg"] = _weight(rng, months, person.sex)
        else:  # child_followup of a young infant: growth, signs only if seen
            measurements["weight_kg"] = _weight(rng, months, person.sex)
            measurements["length_or_height_cm"] = _height(rng, months)
            measurements["measured_position"] = "L"
        if urgent:
            findings[rng.choice(YOUNG_INFANT)] = True
        return findings, measurements
    if kind == "sick_child":
        findings.update(dict.fromkeys(CHILD_DANGER, False))
        cough, fever, diarrhoea = rng.random() < 0.5, rng.random() < 0.55, rng.random() < 0.3
        if not (cough or fever or diarrhoea):
            fever = True
        findings["cough"] = cough
        if cough:
            findings["cough_days"] = rng.randint(1, 10)
            findings["difficult_breathing"] = rng.random() < 0.2
        findings["diarrhoea"] = diarrhoea
        if diarrhoea:
            findings["diarrhoea_days"] = rng.randint(1, 7)
            findings["blood_in_stool"] = False
        findings["fever"] = fever
        if fever:
            findings["fever_days"] = rng.randint(1, 5)
            findings["temperature_c"] = round(rng.uniform(37.5, 39.5), 1)
            findings["rdt_result"] = "positive" if rng.random() < 0.35 else "negative"
        limit = 50 if months < 12 else 40
        findings["respiratory_rate"] = (
            rng.randint(limit, limit + 12) if cough and rng.random() < 0.25 else rng.randint(24, limit - 2)
        )
        if months >= 6:
            measurements["muac_mm"] = rng.randint(126, 160) if rng.random() < 0.95 else rng.randint(116, 124)
        if rng.random() < 0.5:
            measurements["weight_kg"] = _weight(rng, months, person.sex)
        if urgent:
            findings[rng.choice(CHILD_DANGER[:5])] = True
        return findings, measurements
    # child_followup: growth and MUAC; the signs only when seen (forms.visit_input)
    measurements["weight_kg"] = _weight(rng, months, person.sex)
    measurements["length_or_height_cm"] = _height(rng, months)
    measurements["measured_position"] = "L" if days < 731 else "H"
    if months >= 6:
        measurements["muac_mm"] = rng.randint(126, 165)
    if rng.random() < 0.3:
        findings["vaccines"] = {
            code: (person.date_of_birth + timedelta(days=age + rng.randint(0, 10))).isoformat()
            for code, age in CARD
            if age + 10 <= days
        }
        if not findings["vaccines"]:
            del findings["vaccines"]
    if urgent:
        findings[rng.choice(CHILD_DANGER[:5])] = True
    return findings, measurements


def _woman(rng: random.Random, kind: str, on: date, urgent: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    if kind == "pregnancy":
        findings: dict[str, Any] = dict.fromkeys(PREGNANCY, False)
        measurements = {"lmp": (on - timedelta(days=rng.randint(56, 252))).isoformat()}
        if urgent:
            findings[
                rng.choice(
                    ("vaginal_bleeding", "convulsions", "severe_headache", "leaking_fluid", "looks_very_ill")
                )
            ] = True
        return findings, measurements
    findings = dict.fromkeys((*POSTPARTUM, *POSTPARTUM_SAME_DAY), False)
    if urgent:
        findings[rng.choice(POSTPARTUM)] = True
    return findings, {}


def make_visit(
    rng: random.Random, person: PersonRef, today: date, urgent_share: float = URGENT_SHARE
) -> dict[str, Any] | None:
    """One pushed ``visit`` record for this person, or None when no kind fits the date drawn."""
    from keneya.clinical.visit import assess_home_visit

    earliest = max(person.date_of_birth + timedelta(days=1), today - timedelta(days=HISTORY_DAYS))
    span = (today - earliest).days
    if span < 0:
        return None
    on = earliest + timedelta(days=rng.randint(0, span))
    kinds = kinds_for(person, on)
    if not kinds:
        return None
    # Under-5s: as many sick-child as follow-up visits; women: mostly pregnancy follow-up.
    weights = {"sick_child": 5, "child_followup": 5, "pregnancy": 3, "postnatal": 1}
    if (on - person.date_of_birth).days <= 59:
        weights["postnatal"] = 4
    kind = rng.choices(kinds, weights=[weights[k] for k in kinds])[0]
    urgent = rng.random() < urgent_share
    if kind in ("sick_child", "child_followup") or (on - person.date_of_birth).days <= 59:
        findings, measurements = _child(rng, kind, person, on, urgent)
    else:
        findings, measurements = _woman(rng, kind, on, urgent)
    try:
        assessment = assess_home_visit(
            kind=kind,
            sex=person.sex,
            date_of_birth=person.date_of_birth,
            visit_date=on,
            findings={k: v for k, v in findings.items() if k != "vaccines"},
            measurements=measurements,
        )
    except ValueError:
        return None
    return {
        "type": "visit",
        "id": str(tablet_visit_id(rng)),
        "op": "create",
        "fields": {
            "person": str(person.id),
            "visit_date": on.isoformat(),
            "kind": kind,
            "findings": findings,
            "measurements": measurements,
            "device_assessment": {
                "action": assessment["action"],
                "classifications": assessment["classifications"],
            },
        },
        "_urgent": assessment["urgent_referral"],
    }


def make_visits(
    rng: random.Random, persons: list[PersonRef], today: date, n: int, urgent_share: float = URGENT_SHARE
) -> list[dict[str, Any]]:
    """``n`` visits of persons drawn at random (bounded: gives up after 20 n draws)."""
    # A CHW sees the under-5s most (sick-child and growth visits), women for pregnancy follow-up.
    weights = [3.0 if (today - p.date_of_birth).days < 5 * 365 else 1.0 for p in persons]
    out: list[dict[str, Any]] = []
    for _ in range(20 * n):
        if len(out) >= n:
            break
        visit = make_visit(rng, rng.choices(persons, weights)[0], today, urgent_share)
        if visit is not None:
            out.append(visit)
    return out


def strip_private(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if not k.startswith("_")}


def tablet_visit_id(rng: random.Random) -> uuid.UUID:
    """A visit id as the tablet makes it (``pwa/static/pwa/ids.js``: UUIDv7, the time in
    milliseconds first), its random bits drawn from ``rng``."""
    ms = time.time_ns() // 1_000_000
    value = (ms << 80) | (0x7 << 76) | (rng.getrandbits(12) << 64) | (0b10 << 62)
    return uuid.UUID(int=value | rng.getrandbits(62))
