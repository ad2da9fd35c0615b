"""The registry's indicators (``keneya.indicators.registry``) over the CSCom alerts.

An alert counts in the month it was raised (``raised_at``, local time). Its acknowledgement,
even a later one, revises that month: the ``alerts`` feed reads ``AlertEvent`` from its last id.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import F, QuerySet
from django.utils import timezone

from keneya.alerts.models import Alert, AlertEvent, Priority
from keneya.indicators import changes
from keneya.indicators.registry import Dim, Indicator, Paths, Period, Unit, labels_from_choices, register

SOURCE = "alerts"
SECTION = "Alertes et références"
# Programme rule: an urgent alert is acknowledged by the CSCom within 2 hours, else it escalates
# (keneya.alerts.services.escalation_delay, KENEYA_ALERT_ESCALATION_MINUTES).
ACK_TARGET = timedelta(hours=2)


def raised_in(period: Period) -> QuerySet[Alert]:
    start, end = period.bounds
    return Alert.objects.filter(raised_at__gte=start, raised_at__lt=end)


def urgent_raised(period: Period) -> QuerySet[Alert]:
    return raised_in(period).filter(priority=Priority.URGENT)


def urgent_acknowledged_in_time(period: Period) -> QuerySet[Alert]:
    return urgent_raised(period).filter(
        acknowledged_at__isnull=False, acknowledged_at__lte=F("raised_at") + ACK_TARGET
    )


def growth_faltering(period: Period) -> QuerySet[Alert]:
    return raised_in(period).filter(rule="growth_faltering")


def alert_row(alert: Any) -> dict[str, Any]:
    return {
        "person": str(alert.person_id),
        "Levée le": timezone.localtime(alert.raised_at).strftime("%Y-%m-%d %H:%M"),
        "Nom": f"{alert.person.family_name} {alert.person.given_names}",
        "Motif": alert.title,
        "Priorité": alert.get_priority_display(),
        "Statut": alert.get_status_display(),
    }


PATHS = Paths(person="person", household="person__household", area="facility__health_area")
COMMON: dict[str, Any] = {
    "paths": PATHS,
    "section": SECTION,
    "sources": (SOURCE, "visits"),  # raised from a visit: the visit marks its month
    "record_label": "alertes",
    "record_row": alert_row,
    "record_related": ("person",),
    "app": "alerts",
}

register(
    Indicator(
        code="alerts_raised",
        name="Alertes levées, par priorité",
        name_en="Alerts raised, by priority",
        definition="Alertes levées pour les CSCom dans le mois (date de levée), par priorité.",
        source="Règles d'alerte de Kènèya (keneya/alerts/rules.py), d'après clinical-rules.md 1 et 1.8",
        numerator=raised_in,
        dims=(Dim(name="priority", lookup="priority", labels=labels_from_choices(Priority.choices)),),
        order=50,
        **COMMON,
    )
)
register(
    Indicator(
        code="urgent_alerts_ack_2h",
        name="Alertes urgentes prises en compte en moins de 2 h",
        name_en="Urgent alerts acknowledged within 2 hours",
        definition=(
            "Part des alertes urgentes levées dans le mois qui ont été prises en compte par le CSCom "
            "dans les 2 heures. Dénominateur : alertes urgentes levées dans le mois."
        ),
        source=(
            "Kènèya : escalade d'une alerte urgente non prise en compte (keneya/alerts/services.py) ; "
            "Mali Health, soins en moins de 24 h"
        ),
        numerator=urgent_acknowledged_in_time,
        denominator=urgent_raised,
        unit=Unit.PERCENT,
        order=51,
        **COMMON,
    )
)
register(
    Indicator(
        code="growth_faltering",
        name="Cassures de la courbe de poids",
        name_en="Growth faltering",
        definition="Alertes « poids stagnant ou en baisse sur deux pesées mensuelles » levées dans le mois.",
        source="OMS 2008, Training course on child growth assessment (keneya/clinical/faltering.py)",
        numerator=growth_faltering,
        order=32,
        **{**COMMON, "section": "Nutrition"},
    )
)


def alerts_feed(cursor: Any) -> tuple[Any, list[date]]:
    """Alert events after ``cursor`` (an ``AlertEvent`` id): the months their alerts were raised."""
    events = AlertEvent.objects.filter(id__gt=cursor or 0).order_by("id")
    rows = list(events.values_list("id", "alert__raised_at")[:50000])
    if not rows:
        return cursor, []
    return rows[-1][0], [timezone.localdate(at) for _id, at in rows]


changes.register_feed(SOURCE, alerts_feed)
