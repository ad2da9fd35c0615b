"""Whether a home visit can be started for a person (alive, and a kind of visit applies)."""

from __future__ import annotations

from django import template
from django.utils import timezone

from keneya.people.models import Person, VitalStatus
from keneya.visits.engine_texts import engine_text as _engine_text
from keneya.visits.forms import available_kinds

register = template.Library()


@register.filter
def visitable(person: Person) -> bool:
    return (
        person.vital_status == VitalStatus.ALIVE
        and person.merged_into_id is None
        and bool(available_kinds(person, timezone.localdate()))
    )


@register.filter
def engine_text(text_fr: str) -> str:
    """A French sentence of the clinical engine or an alert title, in the active language:
    ``{{ alert.title|engine_text }}`` (English twins: keneya/locale/en)."""
    return _engine_text(str(text_fr or ""))
