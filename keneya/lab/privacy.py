"""The lab's part of a person's data (``people.privacy``): every request with its results,
corrected ones included. On anonymisation the results stay (they hold no name; indicators count
them) but the free-text clinical note of each request is blanked."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from keneya.lab.models import LabOrder, LabResult
from keneya.people.models import Person
from keneya.people.privacy import register_person_data


def _lab(person: Person) -> list[dict[str, Any]]:
    orders = {o.pk: o for o in LabOrder.objects.filter(person=person).select_related("facility")}
    rows = LabResult.objects.filter(person=person).order_by("recorded_at", "id")
    return [
        {
            "order": r.order_id,
            "requested_at": orders[r.order_id].requested_at,
            "facility": orders[r.order_id].facility.name,
            "test": r.test,
            "value": r.value,
            "unit": r.unit,
            "interpretation": r.interpretation,
            "recorded_at": r.recorded_at,
            "voided_at": r.voided_at,
            "void_reason": r.void_reason,
        }
        for r in rows
    ]


def _anonymise_lab(person: Person) -> int:
    return LabOrder.objects.filter(person=person).exclude(note="").update(note="")


register_person_data(
    "lab_results",
    title=_("Examens de laboratoire"),
    collect=_lab,
    anonymise=_anonymise_lab,
    order=65,
    labels={
        "order": _("Demande"),
        "requested_at": _("Demandé le"),
        "facility": _("Laboratoire"),
        "test": _("Examen"),
        "value": _("Résultat"),
        "unit": _("Unité"),
        "interpretation": _("Interprétation"),
        "recorded_at": _("Saisi le"),
        "voided_at": _("Corrigé le"),
        "void_reason": _("Motif de correction"),
    },
)
