"""The alerts' part of a person's data (``people.privacy``). On anonymisation the alerts stay
(indicators count them; they hold the rule, not the name) but the text of the SMS sent about
them, which carried the person's name, is blanked."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from keneya.alerts.models import Alert
from keneya.notifications.privacy import blank_messages_about
from keneya.people.models import Person
from keneya.people.privacy import register_person_data


def _alerts(person: Person) -> list[dict[str, Any]]:
    rows = Alert.objects.filter(person=person).select_related("facility").order_by("raised_at")
    return [
        {
            "id": a.pk,
            "raised_at": a.raised_at,
            "facility": a.facility.name,
            "priority": a.priority,
            "status": a.status,
            "title": a.title,
            "acknowledged_at": a.acknowledged_at,
            "appointment_date": a.appointment_date,
            "closed_at": a.closed_at,
            "close_reason": a.close_reason,
        }
        for a in rows
    ]


def _anonymise_alerts(person: Person) -> int:
    ids = Alert.objects.filter(person=person).values_list("pk", flat=True)
    return blank_messages_about([f"alert:{pk}:" for pk in ids])


register_person_data(
    "alerts",
    title=_("Alertes"),
    collect=_alerts,
    anonymise=_anonymise_alerts,
    order=40,
    labels={
        "id": _("Identifiant"),
        "raised_at": _("Levée le"),
        "facility": _("CSCom"),
        "priority": _("Priorité"),
        "status": _("Statut"),
        "title": _("Motif"),
        "acknowledged_at": _("Prise en compte le"),
        "appointment_date": _("Convocation"),
        "closed_at": _("Close le"),
        "close_reason": _("Motif de clôture"),
    },
)
