"""The registry's indicators (``keneya.indicators.registry``) over home visits.

A visit counts in the month of its ``visit_date`` (the day the CHW saw the person), whenever it
reached the server: a visit synced three weeks late revises its own month
(``keneya.visits.apps`` marks it through ``visits_stored``). Classifications are the clinical
engine's, stored with the visit (``assessment["classifications"]``, clinical-rules.md 1.7).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.fields.json import KT
from django.utils import timezone

from keneya.clinical.immunization import FULLY_VACCINATED_CODES
from keneya.clinical.nutrition import MUAC_RED_BELOW_MM
from keneya.indicators import changes
from keneya.indicators.registry import (
    MONTH,
    Dhis2Hint,
    Dim,
    Indicator,
    Paths,
    Period,
    Unit,
    labels_from_choices,
    months_before,
    register,
)
from keneya.people.indicators import children_under_5, person_row, persons_followed
from keneya.people.models import Person
from keneya.visits.models import Observation, Visit, VisitKind
from keneya.visits.services import VACCINE_OBSERVATION_PREFIX, VACCINES_FINDING

SOURCE = "visits"
SECTION_VISITS = "Visites à domicile"
SECTION_NUTRITION = "Nutrition"
SECTION_MOTHERS = "Santé maternelle"
ICCM_SOURCE = "OMS/UNICEF, PCIME communautaire (iCCM) 2012 et PCIME 2014 (clinical-rules.md 1, 1.7)"

CLASSIFICATION_LABELS = {
    "danger_sign": "Signe de danger",
    "fast_breathing": "Respiration rapide (pneumonie)",
    "malaria": "Paludisme (TDR positif)",
    "fever_rdt_negative": "Fièvre, TDR négatif",
    "diarrhoea": "Diarrhée",
    "severe_acute_malnutrition": "Malnutrition aiguë sévère (MAS)",
    "moderate_acute_malnutrition": "Malnutrition aiguë modérée (MAM)",
    "no_finding": "Aucun signe",
}
MALNUTRITION = ("severe_acute_malnutrition", "moderate_acute_malnutrition")


def in_month(period: Period) -> QuerySet[Visit]:
    return Visit.objects.filter(visit_date__gte=period.start, visit_date__lt=period.end)


def _classifications(value: Any) -> list[str]:
    """The JSON list of the engine's classifications, as grouped (text on SQLite and PostgreSQL)."""
    if not value:
        return []
    try:
        items = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return []
    return [str(i) for i in items] if isinstance(items, list) else []


def _has_classification(code: str) -> Q:
    return Q(classifications_text__contains=f'"{code}"')


CLASSIFICATION_DIM = Dim(
    name="classification",
    lookup="classifications_text",
    annotate=KT("assessment__classifications"),
    labels=CLASSIFICATION_LABELS,
    explode=_classifications,
    filter=_has_classification,
)
NUTRITION_DIM = Dim(
    name="nutrition",
    lookup="classifications_text",
    annotate=KT("assessment__classifications"),
    labels={k: CLASSIFICATION_LABELS[k] for k in MALNUTRITION},
    explode=lambda value: [c for c in _classifications(value) if c in MALNUTRITION],
    filter=_has_classification,
)


def visit_row(visit: Any) -> dict[str, Any]:
    return {
        "person": str(visit.person_id),
        "visit": str(visit.pk),
        "Date": visit.visit_date.isoformat(),
        "Nom": f"{visit.person.family_name} {visit.person.given_names}",
        "Type": visit.get_kind_display(),
        "Relais": visit.chw.get_full_name() or visit.chw.username,
    }


def sick_children(period: Period) -> QuerySet[Visit]:
    return in_month(period).filter(kind=VisitKind.SICK_CHILD)


def malnutrition_found(period: Period) -> QuerySet[Visit]:
    text = KT("assessment__classifications")
    qs = (
        in_month(period)
        .filter(kind__in=[VisitKind.SICK_CHILD, VisitKind.CHILD_FOLLOWUP])
        .annotate(classifications_text=text)
    )
    return qs.filter(_has_classification(MALNUTRITION[0]) | _has_classification(MALNUTRITION[1]))


def visited(period: Period, kinds: tuple[str, ...] | None = None) -> Exists:
    visits = in_month(period).filter(person=OuterRef("pk"))
    if kinds:
        visits = visits.filter(kind__in=kinds)
    return Exists(visits)


def children_u5_visited(period: Period) -> QuerySet[Person]:
    return children_under_5(period).filter(visited(period))


def pregnant_women_followed(period: Period) -> QuerySet[Person]:
    return persons_followed(period).filter(visited(period, (VisitKind.PREGNANCY,)))


KIND_DIM = Dim(name="kind", lookup="kind", labels=labels_from_choices(VisitKind.choices))
VISIT_PATHS = Paths(person="person", household="household", chw="chw")
PERSON_PATHS = Paths(person="", household="household")

COMMON: dict[str, Any] = {
    "sources": (SOURCE,),
    "app": "visits",
    "record_row": visit_row,
    "record_label": "visites",
}

register(
    Indicator(
        code="home_visits",
        name="Visites à domicile, par type",
        name_en="Home visits, by kind",
        definition=(
            "Visites à domicile faites par les relais dans le mois (date de la visite), par type de visite."
        ),
        source="CHT Core, tâches et cibles (« home visits ») ; docs/glossary.md (visite à domicile)",
        numerator=in_month,
        paths=VISIT_PATHS,
        dims=(KIND_DIM,),
        section=SECTION_VISITS,
        dhis2=Dhis2Hint(
            data_element="KEN_HOME_VISITS",
            data_set="KEN_MONTHLY",
            disaggregation="kind",
            category_option_combos={k: f"KEN_VISIT_{k.upper()}" for k in VisitKind.values},
        ),
        order=20,
        **COMMON,
    )
)
register(
    Indicator(
        code="children_u5_visited_share",
        name="Enfants de moins de 5 ans avec au moins une visite dans le mois",
        name_en="Children under 5 with at least one visit in the month",
        definition=(
            "Part des enfants de 0 à 59 mois suivis (fin du mois) qui ont reçu au moins une visite "
            "à domicile dans le mois. Numérateur : enfants visités ; dénominateur : enfants suivis."
        ),
        source=(
            "Eurofins Foundation / Santé Sud : « at least 1 visit per month to families of these children » "
            "(../shared/context/eurofins-santesud-district4.txt)"
        ),
        numerator=children_u5_visited,
        denominator=children_under_5,
        unit=Unit.PERCENT,
        paths=PERSON_PATHS,
        period_types=(MONTH,),
        section=SECTION_VISITS,
        sources=("people", SOURCE),
        record_label="enfants",
        record_row=person_row,
        record_related=("household",),
        dhis2=Dhis2Hint(data_element="KEN_CHILD_U5_VISITED", data_set="KEN_MONTHLY"),
        app="visits",
        order=21,
    )
)
register(
    Indicator(
        code="sick_children_assessed",
        name="Enfants malades évalués, par classification",
        name_en="Sick children assessed, by classification",
        definition=(
            "Visites « enfant malade » (PCIME communautaire) du mois, par classification du moteur "
            "clinique ; une visite compte dans chacune de ses classifications."
        ),
        source=ICCM_SOURCE,
        numerator=sick_children,
        paths=VISIT_PATHS,
        dims=(CLASSIFICATION_DIM,),
        section=SECTION_VISITS,
        dhis2=Dhis2Hint(data_element="KEN_SICK_CHILD_ASSESSED", data_set="KEN_MONTHLY"),
        order=22,
        **COMMON,
    )
)
register(
    Indicator(
        code="acute_malnutrition_found",
        name="Malnutrition aiguë dépistée à domicile (MAM, MAS)",
        name_en="Acute malnutrition found at home (MAM, SAM)",
        definition=(
            "Visites d'enfants (suivi ou enfant malade) du mois dont l'évaluation classe l'enfant en "
            "malnutrition aiguë modérée (PB 115-124 mm, z P/T < -2) ou sévère (PB < 115 mm, z < -3, œdèmes)."
        ),
        source="OMS/UNICEF 2009, déclaration commune sur la MAS ; PCIME 2014 (clinical-rules.md 1.8)",
        numerator=malnutrition_found,
        paths=VISIT_PATHS,
        dims=(NUTRITION_DIM,),
        section=SECTION_NUTRITION,
        order=30,
        **COMMON,
    )
)
register(
    Indicator(
        code="pregnant_women_followed",
        name="Femmes enceintes suivies",
        name_en="Pregnant women followed",
        definition="Femmes ayant reçu au moins une visite de suivi de grossesse à domicile dans le mois.",
        source="OMS 2016, modèle de soins prénatals (clinical-rules.md 4.1)",
        numerator=pregnant_women_followed,
        paths=PERSON_PATHS,
        period_types=(MONTH,),
        section=SECTION_MOTHERS,
        sources=("people", SOURCE),
        record_label="femmes",
        record_row=person_row,
        record_related=("household",),
        app="visits",
        order=40,
    )
)
register(
    Indicator(
        code="anc_home_contacts",
        name="Contacts prénatals à domicile",
        name_en="Antenatal home contacts",
        definition="Visites de suivi de grossesse faites à domicile dans le mois (contacts communautaires).",
        source="OMS 2016, 8 contacts prénatals (clinical-rules.md 4.1)",
        numerator=lambda period: in_month(period).filter(kind=VisitKind.PREGNANCY),
        paths=VISIT_PATHS,
        section=SECTION_MOTHERS,
        order=41,
        **COMMON,
    )
)
register(
    Indicator(
        code="postnatal_contacts",
        name="Contacts postnatals à domicile",
        name_en="Postnatal home contacts",
        definition=(
            "Visites postnatales (mère et nouveau-né) faites à domicile dans le mois. Le délai depuis "
            "l'accouchement (contact dans les 48 h) n'est pas encore relevé par la visite."
        ),
        source="OMS PCPNC 2015, calendrier des contacts postnatals (clinical-rules.md 4.3)",
        numerator=lambda period: in_month(period).filter(kind=VisitKind.POSTNATAL),
        paths=VISIT_PATHS,
        section=SECTION_MOTHERS,
        order=42,
        **COMMON,
    )
)


def muac_red(period: Period) -> QuerySet[Observation]:
    """Valid (not voided) MUAC measurements below the red cut-off in the month."""
    return Observation.objects.filter(
        code="muac_mm",
        value_number__lt=MUAC_RED_BELOW_MM,
        voided_at__isnull=True,
        observed_on__gte=period.start,
        observed_on__lt=period.end,
    )


def observation_row(observation: Any) -> dict[str, Any]:
    return {
        "person": str(observation.person_id),
        "visit": str(observation.visit_id),
        "Date": observation.observed_on.isoformat(),
        "Nom": f"{observation.person.family_name} {observation.person.given_names}",
        "PB (mm)": observation.value_number,
    }


register(
    Indicator(
        code="muac_red_measurements",
        name="Mesures du PB en zone rouge (< 115 mm)",
        name_en="MUAC measurements in the red zone (< 115 mm)",
        definition=(
            "Mesures du périmètre brachial inférieures à 115 mm relevées dans le mois, hors mesures "
            "corrigées (une mesure annulée ne compte plus ; sa remplacante compte à sa place)."
        ),
        source="OMS/UNICEF 2009, déclaration commune sur la MAS (clinical-rules.md 1.8)",
        numerator=muac_red,
        paths=Paths(person="person", household="person__household"),
        section=SECTION_NUTRITION,
        sources=(SOURCE, "visits_voids"),
        record_label="mesures",
        record_row=observation_row,
        record_related=("person",),
        app="visits",
        order=31,
    )
)


def voids_feed(cursor: Any) -> tuple[Any, list[date]]:
    """Observations voided after ``cursor`` (a timestamp; served by the partial index on
    ``voided_by``): the months of the measurements corrected."""
    voided = Observation.objects.filter(voided_by__isnull=False)
    if cursor:
        voided = voided.filter(voided_at__gt=datetime.fromisoformat(cursor))
    rows = list(voided.values_list("voided_at", "observed_on", "code"))
    if not rows:
        return cursor, []
    dates = [on for _at, on, _code in rows]
    today = timezone.localdate()
    for _at, on, code in rows:
        if code.startswith(VACCINE_OBSERVATION_PREFIX):  # a stock: every month since
            day = on.replace(day=1)
            while day <= today:
                dates.append(day)
                day = months_before(day, -1)
    return max(at for at, _on, _code in rows if at is not None).isoformat(), dates


changes.register_feed("visits_voids", voids_feed)


def mark_visits_changed(checks: Any) -> None:
    """``visits_stored`` receiver: the months of the visits just stored are to recompute (a
    visit synced late marks its own month). One INSERT per batch. A visit that copied a
    vaccination card also changes "fully vaccinated" (a stock) in every month since it."""
    dates = {check.visit.visit_date for check in checks}
    carded = [c.visit.visit_date for c in checks if c.visit.findings.get(VACCINES_FINDING)]
    if carded:
        day, today = min(carded), timezone.localdate()
        while day <= today:
            dates.add(day)
            day = months_before(day.replace(day=1), -1)
    changes.mark_changed(SOURCE, dates)


VACCINE_CODES = tuple(f"{VACCINE_OBSERVATION_PREFIX}{code}" for code in sorted(FULLY_VACCINATED_CODES))


def children_12_23m(period: Period) -> QuerySet[Person]:
    last = period.last_day
    return persons_followed(period).filter(
        date_of_birth__gt=months_before(last, 24), date_of_birth__lte=months_before(last, 12)
    )


def fully_vaccinated(period: Period) -> QuerySet[Person]:
    """Children 12-23 months whose card, as copied by a CHW by the month's end, shows every dose
    of the DHS definition (BCG, Penta 1-3, VPO 1-3, RR1); a voided dose does not count."""
    last = period.last_day
    complete = (
        Observation.objects.filter(
            code__in=VACCINE_CODES, voided_at__isnull=True, value_date__lte=last, observed_on__lte=last
        )
        .values("person_id")
        .annotate(n=Count("code", distinct=True))
        .filter(n=len(VACCINE_CODES))
        .values("person_id")
    )
    return children_12_23m(period).filter(pk__in=complete)


register(
    Indicator(
        code="fully_vaccinated_12_23m",
        name="Enfants de 12 à 23 mois complètement vaccinés",
        name_en="Children 12-23 months fully vaccinated",
        definition=(
            "Part des enfants de 12 à 23 mois suivis (âge au dernier jour du mois) dont la carte, "
            "recopiée par un relais avant la fin du mois, montre le BCG, trois doses de Penta, trois "
            "doses de polio (VPO 1-3) et le RR1. Dénominateur : enfants de 12 à 23 mois suivis."
        ),
        source=(
            "Définition EDS/DHS de l'enfant complètement vacciné ; PEV Mali "
            "(keneya/clinical/data/pev_mali.json, clinical-rules.md 3)"
        ),
        numerator=fully_vaccinated,
        denominator=children_12_23m,
        unit=Unit.PERCENT,
        paths=PERSON_PATHS,
        period_types=(MONTH,),
        section="Vaccination",
        sources=("people", SOURCE, "visits_voids"),
        record_label="enfants",
        record_row=person_row,
        record_related=("household",),
        app="visits",
        order=35,
    )
)
