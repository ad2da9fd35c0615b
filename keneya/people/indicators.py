"""The registry's indicators (``keneya.indicators.registry``): households and persons followed.

"Followed at the end of a month": registered on or before the month's last day (``created_at``),
alive that day (no death recorded, or a death after it), not merged into another record, in an
active household (the household's status and merges are read as they are today: see
docs/indicators.md, "Revisions"). Ages are taken on the month's last day.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from keneya.accounts.models import Role, User
from keneya.indicators import changes
from keneya.indicators.checks import Check, register_check
from keneya.indicators.registry import (
    MONTH,
    Dhis2Hint,
    Indicator,
    Paths,
    Period,
    months_before,
    register,
)
from keneya.people.models import Household, HouseholdStatus, Person, VitalStatus
from keneya.sync.models import Device

SOURCE = "people"
SECTION = "Population suivie"
SEEDS = (
    "Santé Sud, programme Bamako Commune IV 2019-2022, « Impact » "
    "(../shared/context/santesud-bamako-commune4.txt)"
)


def persons_followed(period: Period) -> QuerySet[Person]:
    last = period.last_day
    return Person.objects.filter(
        Q(vital_status=VitalStatus.ALIVE) | Q(date_of_death__gt=last),
        created_at__lt=period.bounds[1],
        date_of_birth__lte=last,
        merged_into__isnull=True,
        household__status=HouseholdStatus.ACTIVE,
    )


def children_under_5(period: Period) -> QuerySet[Person]:
    return persons_followed(period).filter(date_of_birth__gt=months_before(period.last_day, 60))


def children_5_17(period: Period) -> QuerySet[Person]:
    last = period.last_day
    return persons_followed(period).filter(
        date_of_birth__gt=months_before(last, 216), date_of_birth__lte=months_before(last, 60)
    )


def households_followed(period: Period) -> QuerySet[Household]:
    return Household.objects.filter(status=HouseholdStatus.ACTIVE, created_at__lt=period.bounds[1])


def person_row(person: Any) -> dict[str, Any]:
    return {
        "person": str(person.pk),
        "Nom": f"{person.family_name} {person.given_names}",
        "Sexe": person.get_sex_display(),
        "Naissance": person.date_of_birth.isoformat(),
        "Ménage": person.household.code,
    }


def household_row(household: Any) -> dict[str, Any]:
    return {"household": str(household.pk), "Ménage": household.code, "Quartier": str(household.quartier)}


PERSON_PATHS = Paths(person="", household="household")

register(
    Indicator(
        code="children_0_59m_followed",
        name="Enfants de 0 à 59 mois suivis",
        name_en="Children 0-59 months followed",
        definition=(
            "Enfants de moins de 5 ans (âge au dernier jour du mois) inscrits au registre, vivants, "
            "dans un ménage actif suivi par un relais, à la fin du mois."
        ),
        source=f"{SEEDS} : « 800 enfants de moins de 5 ans »; Eurofins Foundation (district IV)",
        numerator=children_under_5,
        paths=PERSON_PATHS,
        period_types=(MONTH,),
        section=SECTION,
        sources=(SOURCE,),
        record_label="enfants",
        record_row=person_row,
        record_related=("household",),
        dhis2=Dhis2Hint(data_element="KEN_CHILD_U5_FOLLOWED", data_set="KEN_MONTHLY"),
        app="people",
        order=10,
    )
)
register(
    Indicator(
        code="children_5_17_followed",
        name="Enfants de 5 à 17 ans suivis",
        name_en="Children 5-17 years followed",
        definition=(
            "Enfants de 5 à 17 ans (âge au dernier jour du mois) inscrits, vivants, dans un ménage "
            "actif, à la fin du mois (avec les 0-59 mois : les « 750 enfants de 0 à 17 ans »)."
        ),
        source=f"{SEEDS} : « 750 enfants de 0 à 17 ans bénéficient d'un suivi socio-médical à domicile »",
        numerator=children_5_17,
        paths=PERSON_PATHS,
        period_types=(MONTH,),
        section=SECTION,
        sources=(SOURCE,),
        record_label="enfants",
        record_row=person_row,
        record_related=("household",),
        app="people",
        order=11,
    )
)
register(
    Indicator(
        code="households_registered",
        name="Ménages inscrits",
        name_en="Households registered",
        definition="Ménages actifs inscrits au registre à la fin du mois.",
        source="Registre des ménages (docs/glossary.md) ; CHT « households registered »",
        numerator=households_followed,
        paths=Paths(person=None, household=""),
        period_types=(MONTH,),
        section=SECTION,
        sources=(SOURCE,),
        record_label="ménages",
        record_row=household_row,
        record_related=("quartier",),
        app="people",
        order=12,
    )
)
register(
    Indicator(
        code="persons_registered",
        name="Personnes inscrites, par sexe et tranche d'âge",
        name_en="Persons registered, by sex and age band",
        definition=(
            "Personnes vivantes des ménages actifs inscrites à la fin du mois, par sexe et tranche d'âge."
        ),
        source="Simple.org, désagrégation par âge et sexe ; DHIS2 (catégories sexe/âge)",
        numerator=persons_followed,
        paths=PERSON_PATHS,
        period_types=(MONTH,),
        section=SECTION,
        sources=(SOURCE,),
        record_label="personnes",
        record_row=person_row,
        record_related=("household",),
        app="people",
        order=13,
    )
)


def people_feed(cursor: Any) -> tuple[Any, list[date]]:
    """People changed since ``cursor`` (a timestamp): the current month, and the month of a
    death recorded. A change to a person's past (a merge, a household that moved) is caught by
    the nightly rebuild of the last months (``keneya.indicators.jobs``)."""
    since = datetime.fromisoformat(cursor) if cursor else None
    latest = max(
        (
            t
            for t in (
                Person.objects.aggregate(t=Max("updated_at"))["t"],
                Household.objects.aggregate(t=Max("updated_at"))["t"],
            )
            if t
        ),
        default=None,
    )
    if latest is None or (since is not None and latest <= since):
        return cursor, []
    persons = Person.objects.all() if since is None else Person.objects.filter(updated_at__gt=since)
    dates: list[date] = [timezone.localdate()]
    dates += [d for d in persons.exclude(date_of_death=None).values_list("date_of_death", flat=True) if d]
    return latest.isoformat(), dates


changes.register_feed(SOURCE, people_feed)


def chws_not_synced(period: Period, view: Any) -> list[dict[str, Any]]:
    """The CHWs (of the viewer's area) whose tablet has not synced during the month."""
    chws = User.objects.filter(role=Role.CHW, is_active=True)
    if view.health_area is not None:
        chws = chws.filter(households__quartier__parent__code=view.health_area)
    start, end = period.bounds
    synced = set(
        Device.objects.filter(
            last_seen_at__gte=start, last_seen_at__lt=end, revoked_at__isnull=True
        ).values_list("user_id", flat=True)
    )
    last_seen: dict[Any, Any] = {}
    for user_id, seen in Device.objects.filter(user__in=chws).values_list("user_id", "last_seen_at"):
        if seen and (user_id not in last_seen or seen > last_seen[user_id]):
            last_seen[user_id] = seen
    rows = []
    for chw in chws.distinct().order_by("username"):
        if chw.pk in synced:
            continue
        seen = last_seen.get(chw.pk)
        rows.append(
            {
                "Relais": chw.get_full_name() or chw.username,
                "Identifiant": chw.username,
                "Dernière synchronisation": timezone.localtime(seen).strftime("%Y-%m-%d %H:%M")
                if seen
                else "jamais",
            }
        )
    return rows


register_check(
    Check(
        code="chws_not_synced",
        title="Relais dont la tablette n'a pas synchronisé ce mois-ci",
        columns=("Relais", "Identifiant", "Dernière synchronisation"),
        rows=chws_not_synced,
    )
)
