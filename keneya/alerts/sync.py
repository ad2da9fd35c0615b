"""Alerts as a syncable type: pulled only, so that status changes reach the CHW's tablet."""

from __future__ import annotations

from typing import Any

from keneya.alerts.models import Alert
from keneya.people.sync import PERSON, person_live
from keneya.sync.payloads import pick, ref
from keneya.sync.registry import Direction, SyncType, register

ALERT = "alert"


def alert_data(alert: Alert) -> dict[str, Any]:
    data = pick(
        alert,
        ("rule", "priority", "status", "title", "raised_at", "appointment_date", "closed_at", "close_reason"),
    )
    data.update(person=str(alert.person_id), visit=ref(alert.visit_id), facility=alert.facility.name)
    return data


ALERT_TYPE = register(
    SyncType(
        name=ALERT,
        model=Alert,
        order=40,
        direction=Direction.PULL,
        parent=(PERSON, "person"),
        chw="person__household__chw",
        live=lambda alert, chw_id: person_live(alert.person, chw_id),
        payload=alert_data,
        select_related=("person__household", "facility"),
    )
)
