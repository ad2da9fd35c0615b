"""Small builders for registry tests. Households are always created through the services."""

from __future__ import annotations

from datetime import date
from typing import Any

from keneya.people.services import PersonData


def person(
    family: str,
    given: str,
    sex: str = "F",
    dob: date | None = date(2020, 5, 1),
    relationship: str = "child",
    **extra: Any,
) -> PersonData:
    return PersonData(
        family_name=family,
        given_names=given,
        sex=sex,
        date_of_birth=dob,
        relationship_to_head=relationship,
        **extra,
    )


def six_members() -> list[PersonData]:
    return [
        person("Coulibaly", "Bakary", "M", date(1979, 1, 10), "head"),
        person("Diarra", "Fatoumata", "F", date(1986, 6, 1), "spouse"),
        person("Coulibaly", "Seydou", "M", date(2008, 2, 3), "child"),
        person("Coulibaly", "Awa", "F", date(2013, 9, 21), "child"),
        person("Coulibaly", "Oumar", "M", date(2019, 12, 5), "child"),
        person("Coulibaly", "Kadiatou", "F", date(2024, 4, 30), "child"),
    ]
