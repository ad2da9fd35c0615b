"""The households and persons a user may see: the scope rules of ``accounts.scope`` applied to
the registry's tables. Every read of people data starts from one of these (or from the
``household_filter``/``person_filter`` Q objects they apply)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from keneya.accounts.scope import household_filter, person_filter
from keneya.people.models import Household, Person


def households_visible_to(user: Any) -> QuerySet[Household]:
    return Household.objects.filter(household_filter(user))


def persons_visible_to(user: Any) -> QuerySet[Person]:
    return Person.objects.filter(person_filter(user))
