"""The registry's indicators (``keneya.indicators.registry``) over the shared record.

A consultation counts in the month it took place (``consulted_at``), at its facility's health
area. Diagnoses are grouped by ICD-10 chapter (WHO ICD-10, 2019 edition, chapter ranges).
Prescriptions and laboratory tests (issue #14: ``keneya.pharmacy``, ``keneya.lab``) will declare
theirs in their own ``indicators.py``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from keneya.indicators import changes
from keneya.indicators.registry import Dim, Indicator, Paths, Period, register
from keneya.records.models import Consultation, Diagnosis

SOURCE = "records"
SECTION = "Consultations au CSCom"
ICD10_SOURCE = "OMS, CIM-10 (édition 2019), chapitres I à XXII"

# (chapter, first code, last code inclusive, French title), WHO ICD-10 2019.
CHAPTERS: tuple[tuple[str, str, str, str], ...] = (
    ("I", "A00", "B99", "Maladies infectieuses et parasitaires"),
    ("II", "C00", "D48", "Tumeurs"),
    ("III", "D50", "D89", "Maladies du sang"),
    ("IV", "E00", "E90", "Maladies endocriniennes, nutritionnelles et métaboliques"),
    ("V", "F00", "F99", "Troubles mentaux"),
    ("VI", "G00", "G99", "Maladies du système nerveux"),
    ("VII", "H00", "H59", "Maladies de l'œil"),
    ("VIII", "H60", "H95", "Maladies de l'oreille"),
    ("IX", "I00", "I99", "Maladies de l'appareil circulatoire"),
    ("X", "J00", "J99", "Maladies de l'appareil respiratoire"),
    ("XI", "K00", "K93", "Maladies de l'appareil digestif"),
    ("XII", "L00", "L99", "Maladies de la peau"),
    ("XIII", "M00", "M99", "Maladies du système ostéo-articulaire"),
    ("XIV", "N00", "N99", "Maladies de l'appareil génito-urinaire"),
    ("XV", "O00", "O99", "Grossesse, accouchement et puerpéralité"),
    ("XVI", "P00", "P96", "Affections de la période périnatale"),
    ("XVII", "Q00", "Q99", "Malformations congénitales"),
    ("XVIII", "R00", "R99", "Symptômes et signes non classés ailleurs"),
    ("XIX", "S00", "T98", "Lésions traumatiques et empoisonnements"),
    ("XX", "V01", "Y98", "Causes externes"),
    ("XXI", "Z00", "Z99", "Facteurs influant sur l'état de santé"),
    ("XXII", "U00", "U99", "Codes d'utilisation particulière"),
)
CHAPTER_LABELS = {code: f"{code}. {title}" for code, _lo, _hi, title in CHAPTERS}


def chapter_of(code3: Any) -> list[str]:
    text = str(code3 or "")[:3].upper()
    for chapter, lo, hi, _title in CHAPTERS:
        if lo <= text <= hi:
            return [chapter]
    return ["?"]


def chapter_q(chapter: str) -> Q:
    for code, lo, hi, _title in CHAPTERS:
        if code == chapter:
            return Q(icd10_code__gte=lo, icd10_code__lt=hi + "~")
    return Q(pk__in=[])


def consultations_in(period: Period) -> QuerySet[Consultation]:
    start, end = period.bounds
    return Consultation.objects.filter(consulted_at__gte=start, consulted_at__lt=end)


def diagnoses_in(period: Period) -> QuerySet[Diagnosis]:
    start, end = period.bounds
    return Diagnosis.objects.filter(consultation__consulted_at__gte=start, consultation__consulted_at__lt=end)


def consultation_row(consultation: Any) -> dict[str, Any]:
    return {
        "person": str(consultation.person_id),
        "Date": timezone.localtime(consultation.consulted_at).strftime("%Y-%m-%d %H:%M"),
        "Nom": f"{consultation.person.family_name} {consultation.person.given_names}",
        "Structure": str(consultation.facility),
    }


def diagnosis_row(diagnosis: Any) -> dict[str, Any]:
    person = diagnosis.consultation.person
    return {
        "person": str(person.pk),
        "Date": timezone.localtime(diagnosis.consultation.consulted_at).strftime("%Y-%m-%d"),
        "Nom": f"{person.family_name} {person.given_names}",
        "Diagnostic": f"{diagnosis.icd10_code} {diagnosis.label}",
    }


register(
    Indicator(
        code="consultations",
        name="Consultations au CSCom",
        name_en="Consultations at the CSCom",
        definition="Consultations enregistrées au dossier partagé dans le mois, par structure.",
        source="Rapport mensuel d'activités des CSCom (SLIS/DHIS2 Mali, « consultations curatives »)",
        numerator=consultations_in,
        paths=Paths(person="person", household="person__household", area="facility__health_area"),
        section=SECTION,
        sources=(SOURCE,),
        record_label="consultations",
        record_row=consultation_row,
        record_related=("person", "facility"),
        app="records",
        order=70,
    )
)
register(
    Indicator(
        code="diagnoses_by_chapter",
        name="Diagnostics par chapitre de la CIM-10",
        name_en="Diagnoses by ICD-10 chapter",
        definition="Diagnostics posés en consultation dans le mois, par chapitre de la CIM-10.",
        source=ICD10_SOURCE,
        numerator=diagnoses_in,
        paths=Paths(
            person="consultation__person",
            household="consultation__person__household",
            area="consultation__facility__health_area",
        ),
        dims=(
            Dim(
                name="chapter",
                lookup="icd10_code3",
                annotate=Substr("icd10_code", 1, 3),
                labels=CHAPTER_LABELS,
                explode=chapter_of,
                filter=chapter_q,
            ),
        ),
        section=SECTION,
        sources=(SOURCE,),
        record_label="diagnostics",
        record_row=diagnosis_row,
        record_related=("consultation__person",),
        app="records",
        order=71,
    )
)


def records_feed(cursor: Any) -> tuple[Any, list[date]]:
    """Consultations recorded after ``cursor`` (a timestamp): the months they took place."""
    qs = Consultation.objects.all()
    if cursor:
        qs = qs.filter(recorded_at__gt=datetime.fromisoformat(cursor))
    rows = list(qs.values_list("recorded_at", "consulted_at"))
    if not rows:
        return cursor, []
    return max(r for r, _c in rows).isoformat(), [timezone.localdate(c) for _r, c in rows]


changes.register_feed(SOURCE, records_feed)
