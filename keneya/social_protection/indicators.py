"""The registry's indicators (``keneya.indicators.registry``) over social protection.

Screenings count in the month of ``screened_on``; dossiers in the month they were opened;
cards in the month their dossier reached ``card_issued`` (``status_since``); households under a
scheme at the end of the month from the cards' validity (``valid_from``/``valid_until``). The
``social_protection`` feed reads the dossiers' timeline (``DossierEvent.at``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from keneya.indicators import changes
from keneya.indicators.registry import MONTH, Dim, Indicator, Paths, Period, labels_from_choices, register
from keneya.people.models import Household
from keneya.social_protection.models import Dossier, DossierEvent, Scheme, Screening
from keneya.social_rules import schemes

SOURCE = "social_protection"
SECTION = "Protection sociale"
SOURCE_TEXT = (
    "Santé Sud Commune IV : « 1 675 familles vulnérables et indigentes bénéficient d'un dispositif "
    "de protection sociale », « 798 dossiers RAMED », « 310 adhésions UTM » ; clinical-rules.md 5"
)
CARD_ISSUED = "card_issued"
SCHEME_DIM = Dim(name="scheme", lookup="scheme", labels=labels_from_choices(Scheme.choices))


def _status_labels() -> dict[str, str]:
    out: dict[str, str] = {}
    for code in schemes.scheme_codes():
        for entry in schemes.scheme(code)["statuses"]:
            out.setdefault(entry["code"], str(entry.get("label", entry["code"])))
    return out


def screenings_in(period: Period) -> QuerySet[Screening]:
    return Screening.objects.filter(screened_on__gte=period.start, screened_on__lt=period.end)


def dossiers_opened(period: Period) -> QuerySet[Dossier]:
    start, end = period.bounds
    return Dossier.objects.filter(opened_at__gte=start, opened_at__lt=end)


def cards_issued(period: Period) -> QuerySet[Dossier]:
    return Dossier.objects.filter(
        status=CARD_ISSUED, status_since__gte=period.start, status_since__lt=period.end
    )


def covered_dossiers(period: Period) -> QuerySet[Dossier]:
    """Dossiers whose card is valid on the month's last day."""
    last = period.last_day
    return Dossier.objects.filter(status=CARD_ISSUED, status_since__lte=last).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=last),
        Q(valid_until__isnull=True) | Q(valid_until__gte=last),
    )


def households_covered(period: Period) -> QuerySet[Any]:
    return Household.objects.filter(pk__in=covered_dossiers(period).values("household_id"))


def dossier_row(dossier: Any) -> dict[str, Any]:
    return {
        "Dossier": dossier.reference,
        "Ménage": dossier.household.code,
        "Régime": dossier.get_scheme_display(),
        "Étape": dossier.status,
    }


def screening_row(screening: Any) -> dict[str, Any]:
    return {
        "Ménage": screening.household.code,
        "Dépisté le": screening.screened_on.isoformat(),
        "Tranche": screening.band,
    }


def household_row(household: Any) -> dict[str, Any]:
    return {"Ménage": household.code, "Quartier": str(household.quartier)}


PATHS = Paths(person=None, household="household")
COMMON: dict[str, Any] = {"section": SECTION, "sources": (SOURCE,), "app": "social_protection"}

register(
    Indicator(
        code="households_screened",
        name="Ménages dépistés (grille de vulnérabilité)",
        name_en="Households screened for social protection",
        definition="Ménages dont la vulnérabilité a été évaluée (grille) dans le mois.",
        source=SOURCE_TEXT,
        numerator=screenings_in,
        paths=PATHS,
        record_label="dépistages",
        record_row=screening_row,
        record_related=("household",),
        order=80,
        **COMMON,
    )
)
register(
    Indicator(
        code="dossiers_opened",
        name="Dossiers ouverts, par régime et étape",
        name_en="Dossiers opened, by scheme and status",
        definition="Dossiers de protection sociale ouverts dans le mois, par régime et par étape actuelle.",
        source=SOURCE_TEXT,
        numerator=dossiers_opened,
        paths=PATHS,
        dims=(SCHEME_DIM, Dim(name="status", lookup="status", labels=_status_labels())),
        record_label="dossiers",
        record_row=dossier_row,
        record_related=("household",),
        order=81,
        **COMMON,
    )
)
register(
    Indicator(
        code="cards_issued",
        name="Cartes délivrées (RAMED, mutuelle, AMO, RAMU)",
        name_en="Cards issued, by scheme",
        definition="Dossiers arrivés à l'étape « carte délivrée » dans le mois, par régime.",
        source=SOURCE_TEXT,
        numerator=cards_issued,
        paths=PATHS,
        dims=(SCHEME_DIM,),
        record_label="dossiers",
        record_row=dossier_row,
        record_related=("household",),
        order=82,
        **COMMON,
    )
)
register(
    Indicator(
        code="households_covered",
        name="Familles sous un régime de protection sociale",
        name_en="Families under a social-protection scheme",
        definition=(
            "Ménages ayant au moins une carte valide (RAMED, mutuelle, AMO, RAMU) le dernier jour du mois."
        ),
        source=SOURCE_TEXT,
        numerator=households_covered,
        paths=Paths(person=None, household=""),
        period_types=(MONTH,),
        record_label="ménages",
        record_row=household_row,
        record_related=("quartier",),
        order=83,
        **COMMON,
    )
)


def dossiers_feed(cursor: Any) -> tuple[Any, list[date]]:
    """Dossier events after ``cursor`` (a timestamp): the current month (a status is read as it
    is today) and the months the dossiers were opened and reached their step."""
    events = DossierEvent.objects.all()
    if cursor:
        events = events.filter(at__gt=datetime.fromisoformat(cursor))
    rows = list(events.values_list("at", "dossier__opened_at", "dossier__status_since"))
    screenings = Screening.objects.all()
    if cursor:
        screenings = screenings.filter(recorded_at__gt=datetime.fromisoformat(cursor))
    screened = list(screenings.values_list("recorded_at", "screened_on"))
    if not rows and not screened:
        return cursor, []
    latest = max([r[0] for r in rows] + [s[0] for s in screened])
    dates: list[Any] = [timezone.localdate()]
    dates += [timezone.localdate(r[1]) for r in rows] + [r[2] for r in rows] + [s[1] for s in screened]
    return latest.isoformat(), dates


changes.register_feed(SOURCE, dossiers_feed)
