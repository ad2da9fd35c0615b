"""Whether a home visit can be started for a person (alive, and a kind of visit applies)."""

from __future__ import annotations

from django import template
from django.utils import timezone

from keneya.people.models import Person, VitalStatus
from keneya.visits.forms import available_kinds

register = template.Library()


@register.filter
def visitable(person: Person) -> bool:
    return (
        person.vital_status == VitalStatus.ALIVE
        and person.merged_into_id is None
        and bool(available_kinds(person, timezone.localdate()))
    )
