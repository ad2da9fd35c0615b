"""The registry's indicators (``keneya.indicators.registry``) over referrals and time to care.

A referral counts in the month it was issued (``issued_at``, local time); what happens to it
later (arrival, care, closing) revises that month: the ``referrals`` feed reads
``ReferralEvent`` from its last id. Time to care is issued to seen (``Referral.time_to_care``).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from keneya.indicators import changes
from keneya.indicators.registry import Dhis2Hint, Dim, Indicator, Paths, Period, Unit, register
from keneya.referrals.models import CARE_TARGET, Referral, ReferralEvent

SOURCE = "referrals"
SECTION = "Alertes et références"
CARE_SOURCE = (
    "Mali Health, stratégie : soins dans les 24 heures pour les mères et les enfants "
    "(../shared/context/malihealth-strategy.txt) ; keneya/referrals/models.py CARE_TARGET"
)


def issued_in(period: Period) -> QuerySet[Referral]:
    start, end = period.bounds
    return Referral.objects.filter(issued_at__gte=start, issued_at__lt=end)


def urgent_issued(period: Period) -> QuerySet[Referral]:
    return issued_in(period).filter(urgent=True)


def completed(period: Period) -> QuerySet[Referral]:
    """Referrals of the month whose person was seen (time to care known)."""
    return issued_in(period).filter(time_to_care__isnull=False)


def seen_within_24h(period: Period) -> QuerySet[Referral]:
    return completed(period).filter(time_to_care__lte=CARE_TARGET)


def _hours(value: timedelta | None) -> float | None:
    return None if value is None else value.total_seconds() / 3600


def referral_row(referral: Any) -> dict[str, Any]:
    delay = _hours(referral.time_to_care)
    return {
        "person": str(referral.person_id),
        "Émise le": timezone.localtime(referral.issued_at).strftime("%Y-%m-%d %H:%M"),
        "Nom": f"{referral.person.family_name} {referral.person.given_names}",
        "Motif": referral.reason,
        "Statut": referral.get_status_display(),
        "Délai (h)": "" if delay is None else round(delay, 1),
    }


PATHS = Paths(person="person", household="person__household")
URGENCY = Dim(
    name="urgency",
    lookup="urgent",
    labels={"True": "Urgente", "False": "Non urgente", "1": "Urgente", "0": "Non urgente"},
)
COMMON: dict[str, Any] = {
    "paths": PATHS,
    "section": SECTION,
    "sources": (SOURCE, "visits"),  # raised from a visit: the visit marks its month
    "record_label": "références",
    "record_row": referral_row,
    "record_related": ("person",),
    "app": "referrals",
}

register(
    Indicator(
        code="urgent_referrals",
        name="Références urgentes émises",
        name_en="Urgent referrals issued",
        definition="Références urgentes émises dans le mois (par un relais ou un CSCom).",
        source="OMS/UNICEF iCCM 2012 : signe de danger = référence urgente (clinical-rules.md 1.3, 1.6)",
        numerator=urgent_issued,
        dhis2=Dhis2Hint(data_element="KEN_URGENT_REFERRALS", data_set="KEN_MONTHLY"),
        order=60,
        **COMMON,
    )
)
register(
    Indicator(
        code="referrals_completed",
        name="Références abouties (personne vue)",
        name_en="Referrals completed (person seen)",
        definition=(
            "Part des références émises dans le mois dont la personne a été vue à la structure de "
            "destination. Dénominateur : références émises dans le mois."
        ),
        source="CHT « referral follow-up » ; medic/cht-core#5660",
        numerator=completed,
        denominator=issued_in,
        unit=Unit.PERCENT,
        order=61,
        **COMMON,
    )
)
register(
    Indicator(
        code="care_within_24h",
        name="Références vues dans les 24 h",
        name_en="Referrals seen within 24 hours",
        definition=(
            "Part des références émises dans le mois et abouties dont la personne a été vue dans les "
            "24 heures suivant l'émission. Dénominateur : références abouties du mois."
        ),
        source=CARE_SOURCE,
        numerator=seen_within_24h,
        denominator=completed,
        unit=Unit.PERCENT,
        dhis2=Dhis2Hint(data_element="KEN_CARE_WITHIN_24H", data_set="KEN_MONTHLY"),
        order=62,
        **COMMON,
    )
)
register(
    Indicator(
        code="median_time_to_care",
        name="Délai médian de prise en charge (heures)",
        name_en="Median time to care (hours)",
        definition=(
            "Médiane, en heures, du délai entre l'émission et la prise en charge des références "
            "abouties du mois."
        ),
        source=CARE_SOURCE,
        numerator=completed,
        unit=Unit.MEDIAN,
        median_of=_hours,
        median_field="time_to_care",
        order=63,
        **COMMON,
    )
)


def referrals_feed(cursor: Any) -> tuple[Any, list[date]]:
    """Referral events after ``cursor`` (a ``ReferralEvent`` id): the months their referrals were issued."""
    rows = list(
        ReferralEvent.objects.filter(id__gt=cursor or 0)
        .order_by("id")
        .values_list("id", "referral__issued_at")[:50000]
    )
    if not rows:
        return cursor, []
    return rows[-1][0], [timezone.localdate(at) for _id, at in rows]


changes.register_feed(SOURCE, referrals_feed)
