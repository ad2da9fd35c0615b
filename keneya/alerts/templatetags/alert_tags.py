"""What triggered an alert, in French: the visit's danger signs and classes, else its findings."""

from __future__ import annotations

from django import template

from keneya.alerts.models import Alert
from keneya.visits.display import sign_label, trigger_texts

register = template.Library()


@register.filter
def triggers(alert: Alert) -> list[str]:
    if alert.visit_id and alert.visit is not None:
        texts = trigger_texts(alert.visit.assessment)
        if texts:
            return texts
    return [sign_label(str(f)) for f in alert.findings or []]
