"""Reads over the registry. Every function takes the user and applies their scope first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from keneya.accounts.scope import person_filter, scope_key
from keneya.core.compiled import CompiledGet
from keneya.core.models import Area
from keneya.people.models import Household, Person, VitalStatus
from keneya.people.names import fold, name_key, name_similarity, names_resemble, normalise_name
from keneya.people.scope import households_visible_to, persons_visible_to


def search_filter(term: str, *, field: str = "search_text") -> Q:
    """Match a code, a phone number or a name, whatever its spelling (Traoré, Traore, Trawore)."""
    term = (term or "").strip()
    if not term:
        return Q()
    digits = "".join(c for c in term if c.isdigit())
    if digits and len(digits) >= 4 and len(digits) >= len(term.replace(" ", "")) - 4:
        return Q(**{f"{field}__contains": digits[-8:]})
    combined = Q()
    for word in fold(term).split():  # every word must match, in any order
        normalised = normalise_name(word)
        q = Q(**{f"{field}__contains": normalised})
        if normalised not in word:  # "traore" ⊃ "traor": the folded form adds nothing then
            q |= Q(**{f"{field}__contains": word})
        combined &= q
    return combined


def household_list(
    *,
    user: Any,
    search: str = "",
    quartier: Any = None,
    status: str | None = None,
    chw: Any = None,
) -> QuerySet[Household]:
    qs = households_visible_to(user).filter(search_filter(search))
    if quartier:
        qs = qs.filter(quartier_id=quartier)
    if status:
        qs = qs.filter(status=status)
    if chw:
        qs = qs.filter(chw_id=chw)
    # A correlated subquery, not a JOIN + GROUP BY: PostgreSQL can then read the page in code
    # order instead of grouping every household in scope (900 ms → 35 ms at 100,000 households,
    # docs/benchmarks.md).
    members = (
        Person.objects.filter(household=OuterRef("pk"), merged_into__isnull=True)
        .order_by()
        .values("household")
        .annotate(n=Count("*"))
        .values("n")
    )
    return (
        qs.select_related("quartier", "head", "chw")
        .annotate(member_count=Coalesce(Subquery(members, output_field=IntegerField()), 0))
        .order_by("code")
    )


def household_detail(*, user: Any, household_id: Any) -> Household:
    members = Person.objects.filter(merged_into__isnull=True).order_by("date_of_birth")
    return (
        households_visible_to(user)
        .select_related("quartier", "quartier__parent", "head", "chw")
        .prefetch_related(Prefetch("members", queryset=members, to_attr="active_members"))
        .get(pk=household_id)
    )


def person_list(*, user: Any, search: str = "", household: str | None = None) -> QuerySet[Person]:
    if search:  # a name finds a few hundred persons: check each one's referrals
        qs = Person.objects.filter(person_filter(user, lookup=True), merged_into__isnull=True)
        qs = qs.filter(search_filter(search, field="name_key"))
    else:
        qs = persons_visible_to(user).filter(merged_into__isnull=True)
    if household:
        qs = qs.filter(household_id=household)
    # No select_related("household"): the serializer gives the household's id only.
    return qs.order_by("family_name", "given_names", "id")


def _person_by_id(user: Any, person_id: Any) -> QuerySet[Person]:
    return Person.objects.order_by().filter(  # one row: the default name ordering is no use
        person_filter(user, lookup=True, quartiers_inline=True), pk=person_id, merged_into__isnull=True
    )


_person_detail = CompiledGet(Person, _person_by_id)


def person_detail(*, user: Any, person_id: Any) -> Person:
    """The person with this id if the user may see them (and not merged), else DoesNotExist
    (ValidationError for an id that is not a UUID).

    The patient lookup (issue #4): one statement, scope included, compiled once per scope
    (``scope_key``) rather than for every request, which cost more than the query itself."""
    return _person_detail.get(scope_key(user), user, person_id)


@dataclass(frozen=True)
class DuplicateCandidate:
    person: Person
    similarity: float


def similar_persons(
    *,
    quartier: Area,
    family_name: str,
    given_names: str,
    sex: str,
    date_of_birth: date | None,
    exclude_ids: tuple[Any, ...] = (),
    limit: int = 5,
    birth_year_window: int = 2,
    visible_to: Any = None,
) -> list[DuplicateCandidate]:
    """Persons of the same health area who resemble the one being registered.

    Resemble = same sex, birth year within ``birth_year_window`` years, and names equal after
    accent folding and Mande spelling normalisation (or one typo away). Not scoped to the user on
    purpose: a CHW must be warned about a person already registered by a colleague, but only
    sees the candidates' names, sex and birth year. ``visible_to``: only the persons this user
    may read (the API's answer, issue #10).
    """
    if not (family_name and given_names and sex and date_of_birth):
        return []
    health_area_id = quartier.parent_id or quartier.pk
    key = name_key(family_name, given_names)
    rows = (
        Person.objects.filter(
            household__quartier__parent_id=health_area_id,
            sex=sex,
            date_of_birth__year__gte=date_of_birth.year - birth_year_window,
            date_of_birth__year__lte=date_of_birth.year + birth_year_window,
            merged_into__isnull=True,
            vital_status=VitalStatus.ALIVE,
        )
        .exclude(pk__in=exclude_ids)
        .values_list("pk", "name_key")
    )
    if visible_to is not None:
        from keneya.accounts.scope import person_filter

        rows = rows.filter(person_filter(visible_to, lookup=True))
    scored = [(name_similarity(key, k), pk) for pk, k in rows if names_resemble(key, k)]
    scored.sort(key=lambda item: item[0], reverse=True)
    top = scored[:limit]
    people = Person.objects.select_related("household", "household__quartier").in_bulk([pk for _, pk in top])
    return [DuplicateCandidate(people[pk], score) for score, pk in top]


def registry_aggregates(*, user: Any) -> list[dict[str, Any]]:
    """Counts by health area and sex, no names: what an M&E officer sees."""
    del user  # aggregates are programme-wide for the roles allowed to see them
    rows = (
        Person.objects.filter(merged_into__isnull=True, vital_status=VitalStatus.ALIVE)
        .values("household__quartier__parent__name", "sex")
        .annotate(n=Count("id"))
        .order_by("household__quartier__parent__name", "sex")
    )
    table: dict[str, dict[str, Any]] = {}
    for row in rows:
        name = row["household__quartier__parent__name"] or "—"
        entry = table.setdefault(name, {"health_area": name, "M": 0, "F": 0, "households": 0})
        entry[row["sex"]] = row["n"]
    households = Household.objects.values("quartier__parent__name").annotate(n=Count("id"))
    for hrow in households:
        name = hrow["quartier__parent__name"] or "—"
        table.setdefault(name, {"health_area": name, "M": 0, "F": 0, "households": 0})
        table[name]["households"] = hrow["n"]
    return [table[k] for k in sorted(table)]
