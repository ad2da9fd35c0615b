"""Labels for the patient page: events of alerts and referrals, a visit's classes, vitals."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from keneya.accounts.permissions import Capability, has_capability
from keneya.records import queries
from keneya.records.forms import VITALS
from keneya.records.models import Consultation
from keneya.visits.display import classification_label, sign_label
from keneya.visits.models import Visit

register = template.Library()

EVENT_LABELS = {
    "raised": _("Levée"),
    "acknowledged": _("Prise en compte"),
    "convoked": _("Famille convoquée"),
    "escalated": _("Transmise au responsable"),
    "closed": _("Clôturée"),
    "issued": _("Émise"),
    "arrived": _("Arrivée au centre"),
    "seen": _("Vue en consultation"),
    "counter_referred": _("Contre-référence envoyée"),
    "not_arrived": _("Non arrivée"),
}


@register.filter
def event_label(kind: str) -> str:
    return str(EVENT_LABELS.get(kind, kind))


@register.filter
def visit_classes(visit: Visit) -> list[str]:
    codes = (visit.assessment or {}).get("classifications") or []
    return [classification_label(c) for c in codes if c not in ("danger_sign", "no_finding")]


@register.filter
def visit_signs(visit: Visit) -> list[str]:
    return [sign_label(c, visit.kind) for c in (visit.assessment or {}).get("danger_signs") or []]


@register.filter
def vitals(consultation: Consultation) -> list[tuple[str, Any]]:
    rows = []
    for name in VITALS:
        value = getattr(consultation, name)
        if value is not None:
            field = Consultation._meta.get_field(name)
            rows.append((capfirst(str(getattr(field, "verbose_name", name))), value))
    return rows


@register.inclusion_tag("records/_banner.html", takes_context=True)
def patient_banner(
    context: template.Context, person: Any, summary: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The patient banner on every page of a patient: ``{% patient_banner person %}`` (the
    summary is read here unless the view passes it: ``{% patient_banner person summary %}``)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not has_capability(user, Capability.CLINICAL_VIEW):
        return {"summary": None, "rows": []}  # clinical data: not for the other roles
    if summary is None:
        summary = queries.patient_summary(user, person)
    return {"summary": summary, "rows": queries.banner_rows(summary) if summary else []}
