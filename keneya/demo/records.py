"""The demo's shared medical record (issue #14), through the real services: problem lists of
the chronic conditions the CSComs follow, in proportions of the order of the known (diagnosed)
cases, their follow-up consultations with blood pressure and weight over the year, documents
attached for some (an outside result, a discharge letter) and chronic patients reviewed at the
CSRef, with the specialist's counter-referral back in the same record.

Seeded from the demo's seed and dated relative to "today". The services' clock is the real one:
the problems are recorded today with their onset in the past, the follow-up consultations carry
their own past dates (``consulted_at``); the CSRef reviews are made through the services, then
dated back with plain updates of their dates (which no rule reads when it writes), as the
social-protection demo does for its late dossiers.

Proportions (a demo's assumptions, not estimates): known hypertension 3 % of adults under 40,
12 % at 40-59, 20 % from 60 (the WHO STEPS survey of Mali, 2007, found about one adult in five
hypertensive, most unaware); type 2 diabetes 3 % from 35; sickle-cell disease 0.8 % of children
and 0.3 % of adults (about 1 % of births are SS in Mali; fewer reach adulthood); epilepsy 0.8 %
at all ages (WHO: 1 % or more in sub-Saharan Africa, fewer known to a CSCom); asthma 1 %; and a
resolved moderate acute malnutrition for 2 % of children under five.
"""

from __future__ import annotations

import io
import random
import uuid
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.utils import timezone

from keneya.alerts.models import Alert, AlertStatus
from keneya.core.ids import ids_from
from keneya.core.models import FacilityKind
from keneya.demo.play import SeededIds, SimulatedClock, load_staff
from keneya.people.scope import persons_visible_to
from keneya.records import services
from keneya.records.models import Problem, RecordDocument
from keneya.referrals.models import OPEN_STATUSES, Referral, ReferralEvent, ReferralStatus
from keneya.referrals.services import counter_refer, refer_to_csref

NAMESPACE = uuid.UUID("7d3f6a52-14c1-4e0e-9d41-7265636f7264")
YEAR = 365.25

# (code, minimum age, maximum age (years, excluded), share of that age band)
CONDITIONS: tuple[tuple[str, float, float, float], ...] = (
    ("I10", 18, 40, 0.03),
    ("I10", 40, 60, 0.12),
    ("I10", 60, 130, 0.20),
    ("E11", 35, 130, 0.03),
    ("D57.1", 0.5, 18, 0.008),
    ("D57.1", 18, 130, 0.003),
    ("G40.9", 1, 130, 0.008),
    ("J45.9", 2, 130, 0.01),
)
RESOLVED_MAM = ("E44.0", 0.5, 5, 0.02)
# Of the chronic patients: those followed at the CSCom over the year, those with a document,
# those reviewed at the CSRef.
FOLLOWED_SHARE = 0.25
DOCUMENT_SHARE = 0.08
CSREF_SHARE = 0.04
FOLLOW_UPS = (300, 180, 60)  # days ago
CHRONIC = {"I10", "E11", "G40.9", "D57.1"}
COMPLAINTS = {
    "I10": "Suivi HTA : céphalées",
    "E11": "Suivi diabète",
    "G40.9": "Suivi épilepsie",
    "D57.1": "Suivi drépanocytose",
}
TREATMENTS = {
    "I10": "Amlodipine 5 mg, 1 cp le matin. Réduire le sel.",
    "E11": "Metformine 500 mg, 1 cp matin et soir.",
    "G40.9": "Phénobarbital 100 mg, 1 cp le soir.",
    "D57.1": "Acide folique 5 mg/j. Boire beaucoup d'eau.",
}
CSREF_NOTES = {
    "I10": "HTA vue au CSRef : amlodipine 10 mg, ajouter hydrochlorothiazide 12,5 mg. "
    "Revoir au CSCom dans un mois.",
    "E11": "Diabète vu au CSRef : glycémie élevée, metformine 850 mg deux fois par jour. "
    "Contrôle dans un mois.",
    "G40.9": "Épilepsie vue au CSRef : crises espacées, poursuivre le phénobarbital. Revoir dans trois mois.",
    "D57.1": "Drépanocytose vue au CSRef : pas de complication, acide folique au long cours.",
}
DOCUMENTS = (
    ("outside_result", "Résultats d'analyses (laboratoire privé, Bamako)"),
    ("discharge_letter", "Lettre de sortie, CHU Gabriel Touré"),
    ("old_file", "Ancien carnet de santé (photo)"),
)


def _id(*parts: Any) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts))


def _years(person: Any, today: date) -> float:
    return (today - person.date_of_birth).days / YEAR


def _onset(rng: random.Random, person: Any, minimum_years: float, today: date) -> date:
    earliest = person.date_of_birth + timedelta(days=round(minimum_years * YEAR))
    latest = today - timedelta(days=400)
    if latest <= earliest:
        return max(earliest, person.date_of_birth)
    return earliest + timedelta(days=rng.randrange((latest - earliest).days + 1))


def _busy(persons: Iterable[Any]) -> set[Any]:
    """Persons with an open alert or referral: a consultation would close it (their story in
    the closed-loop demo is left as it is)."""
    ids = [p.pk for p in persons]
    busy = set(
        Alert.objects.filter(person_id__in=ids)
        .exclude(status=AlertStatus.CLOSED)
        .values_list("person_id", flat=True)
    )
    busy |= set(
        Referral.objects.filter(
            person_id__in=ids, status__in=[*OPEN_STATUSES, ReferralStatus.NOT_ARRIVED]
        ).values_list("person_id", flat=True)
    )
    return busy


def _scan(rng: random.Random, kind: str) -> SimpleUploadedFile:
    """A small made-up scan: a PNG page with a few grey lines (or a one-page PDF for a letter)."""
    if kind == "discharge_letter":
        body = (
            b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 420 595]>>endobj\n"
            b"trailer<</Root 1 0 R>>\n%%EOF\n"
        )
        return SimpleUploadedFile("lettre.pdf", body, content_type="application/pdf")
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (420, 595), (250, 248, 240))
    draw = ImageDraw.Draw(image)
    for row in range(60, 560, 28):
        draw.line((40, row, 40 + rng.randrange(160, 340), row), fill=(90, 90, 90), width=3)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return SimpleUploadedFile("scan.png", out.getvalue(), content_type="image/png")


def seed_records(*, seed: int | str, today: date) -> dict[str, int]:
    """The demo's record, the same for the same seed and "now" (the ids the services make come
    from a seeded source, as in the closed loop)."""
    with ids_from(SeededIds(SimulatedClock(timezone.now()), f"{seed}:records")):
        return _seed_records(seed=seed, today=today)


def _seed_records(*, seed: int | str, today: date) -> dict[str, int]:
    rng = random.Random(f"{seed}:records")  # noqa: S311 (demo data)
    staff = load_staff()
    tz = timezone.get_current_timezone()
    specialist = staff.clinicians.get(staff.csref, [None])[0] if staff.csref else None
    counts = {"problems": 0, "patients": 0, "follow_ups": 0, "documents": 0, "csref_reviews": 0}
    for clinicians in staff.clinicians.values():
        clinician = clinicians[0]
        if clinician.facility.kind != FacilityKind.CSCOM:
            continue
        persons = list(
            persons_visible_to(clinician)
            .filter(merged_into__isnull=True, vital_status="alive")
            .order_by("pk")
            .only("pk", "date_of_birth", "sex", "household_id")
        )
        chosen: list[tuple[Any, list[str]]] = []
        for person in persons:
            years = _years(person, today)
            codes: list[str] = []
            for code, low, high, share in CONDITIONS:
                if low <= years < high and code not in codes and rng.random() < share:
                    services.add_problem(
                        by=clinician,
                        person=person,
                        icd10_code=code,
                        onset=_onset(rng, person, low, today),
                        id=_id("problem", person.pk, code),
                    )
                    codes.append(code)
            code, low, high, share = RESOLVED_MAM
            if low <= years < high and rng.random() < share:
                onset = max(person.date_of_birth + timedelta(days=183), today - timedelta(days=300))
                services.add_problem(
                    by=clinician,
                    person=person,
                    icd10_code=code,
                    onset=onset,
                    status="resolved",
                    resolved_on=min(today, onset + timedelta(days=60)),
                    id=_id("problem", person.pk, code),
                )
                counts["problems"] += 1
            if codes:
                counts["problems"] += len(codes)
                counts["patients"] += 1
                chosen.append((person, codes))
        busy = _busy(p for p, _codes in chosen)
        for person, codes in chosen:
            chronic = [c for c in codes if c in CHRONIC]
            if chronic and person.pk not in busy and rng.random() < FOLLOWED_SHARE:
                counts["follow_ups"] += _follow_up(rng, clinician, person, chronic[0], today=today, tz=tz)
            if rng.random() < DOCUMENT_SHARE:
                kind, title = DOCUMENTS[rng.randrange(len(DOCUMENTS))]
                services.attach_record_document(
                    by=clinician,
                    person=person,
                    upload=_scan(rng, kind),
                    kind=kind,
                    title=title,
                    document_date=today - timedelta(days=rng.randrange(30, 700)),
                    id=_id("document", person.pk),
                )
                counts["documents"] += 1
            if (
                chronic
                and specialist is not None
                and person.pk not in busy
                and clinician.facility.refers_to_id == staff.csref
                and rng.random() < CSREF_SHARE
            ):
                _csref_review(rng, clinician, specialist, person, chronic[0], today=today, tz=tz)
                counts["csref_reviews"] += 1
    return counts


def _follow_up(rng: random.Random, clinician: Any, person: Any, code: str, *, today: date, tz: Any) -> int:
    """Consultations over the year with blood pressure and weight (the trend charts)."""
    adult = _years(person, today) >= 15
    weight = rng.uniform(55, 90) if adult else max(8.0, _years(person, today) * 2.5 + 8)
    systolic = rng.randrange(150, 175) if code == "I10" else rng.randrange(110, 135)
    done = 0
    for days in FOLLOW_UPS:
        at = datetime.combine(
            today - timedelta(days=days), time(9 + rng.randrange(7), rng.randrange(60)), tzinfo=tz
        )
        vitals: dict[str, Any] = {"weight_kg": round(weight, 1)}
        if adult:
            vitals |= {"systolic_bp": systolic, "diastolic_bp": systolic - rng.randrange(55, 70)}
        services.record_consultation(
            by=clinician,
            person=person,
            complaint=COMPLAINTS[code],
            treatment=TREATMENTS[code],
            diagnoses=[code],
            vitals=vitals,
            consulted_at=at,
            id=_id("follow-up", person.pk, days),
        )
        weight += rng.uniform(-1.2, 0.8)
        systolic = max(118, systolic - rng.randrange(0, 9))  # treated: the pressure comes down
        done += 1
    return done


def _csref_review(
    rng: random.Random, clinician: Any, specialist: Any, person: Any, code: str, *, today: date, tz: Any
) -> None:
    """Referred to the CSRef for a specialist's review, seen there, counter-referred; then dated
    back some weeks (plain updates of the dates)."""
    referral = refer_to_csref(
        by=clinician, person=person, reason=f"Avis spécialisé : {COMPLAINTS[code].lower()}"
    )
    consultation = services.record_consultation(
        by=specialist,
        person=person,
        complaint=f"Référé·e par le CSCom : {COMPLAINTS[code].lower()}",
        examination="Examen complet au CSRef.",
        treatment=TREATMENTS[code],
        diagnoses=[code],
        id=_id("csref", person.pk),
    )
    referral.refresh_from_db()
    counter_refer(by=specialist, referral=referral, note=CSREF_NOTES[code])
    issued = timezone.now() - timedelta(days=rng.randrange(20, 90))
    hours = {"issued": 0, "arrived": 20, "seen": 22, "counter_referred": 26}
    Referral.objects.filter(pk=referral.pk).update(
        issued_at=issued,
        arrived_at=issued + timedelta(hours=hours["arrived"]),
        seen_at=issued + timedelta(hours=hours["seen"]),
        time_to_care=timedelta(hours=hours["seen"]),
        counter_referred_at=issued + timedelta(hours=hours["counter_referred"]),
    )
    for kind, after in hours.items():
        ReferralEvent.objects.filter(referral=referral, kind=kind).update(at=issued + timedelta(hours=after))
    type(consultation).objects.filter(pk=consultation.pk).update(
        consulted_at=issued + timedelta(hours=hours["seen"])
    )


def delete_records(*, person_ids: Any, facility_ids: Any) -> dict[str, int]:
    """Remove the demo's problems and documents (their files too), before the consultations
    they may point at."""
    where = Q(person_id__in=person_ids) | Q(facility_id__in=facility_ids)
    documents = RecordDocument.objects.filter(where)
    for document in documents.only("file", "thumbnail").iterator():
        for stored in (document.file, document.thumbnail):
            if stored:
                stored.storage.delete(str(stored.name))
    counts = {"record_documents": int(documents._raw_delete(documents.db) or 0)}
    problems = Problem.objects.filter(where)
    # Replacements point at the rows they replace: one DELETE removes both sides at once.
    counts["problems"] = int(problems._raw_delete(problems.db) or 0)
    return counts


__all__ = ["delete_records", "seed_records"]
