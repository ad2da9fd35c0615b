"""The visits' part of a person's data (``people.privacy``). Visits stay on anonymisation: they
hold no name, and the programme's indicators count them."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from keneya.people.models import Person
from keneya.people.privacy import register_person_data
from keneya.visits.models import Visit


def _visits(person: Person) -> list[dict[str, Any]]:
    rows = Visit.objects.filter(person=person).select_related("chw").order_by("visit_date", "recorded_at")
    return [
        {
            "id": v.pk,
            "visit_date": v.visit_date,
            "kind": v.kind,
            "chw": v.chw.username if v.chw else "",
            "findings": v.findings,
            "measurements": v.measurements,
            "action": v.action,
            "urgent": v.urgent,
            "summary": (v.assessment or {}).get("summary_fr", ""),
        }
        for v in rows
    ]


register_person_data(
    "visits",
    title=_("Visites à domicile"),
    collect=_visits,
    order=30,
    labels={
        "id": _("Identifiant"),
        "visit_date": _("Date"),
        "kind": _("Type"),
        "chw": _("Relais"),
        "findings": _("Constats"),
        "measurements": _("Mesures"),
        "action": _("Conduite à tenir"),
        "urgent": _("Urgent"),
        "summary": _("Évaluation"),
    },
)
