"""Seeded generation of demo households and their members. Pure Python: no database, no clock.

Everything comes from one ``random.Random``: the same seed, scale and reference date give the same
households, persons and UUIDs. Households are yielded one at a time so that a 100,000-household
benchmark seed never holds the district in memory.

Demography (rough orders of magnitude for Mali, 2020s): about 16-17 % of people under 5, 47 %
under 15, under 3 % aged 65 or more; households of 1 to 12 people, mode 5, mean about 5;
polygamous households are common; women keep their own jamu (family name) when they marry.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import Generic, TypeVar

from keneya.core.models import Area
from keneya.demo import district
from keneya.demo.names import (
    FAMILY_NAME_VARIANTS,
    FAMILY_NAMES,
    FEMALE_GIVEN_NAMES,
    MALE_GIVEN_NAMES,
)
from keneya.people.models import HouseholdStatus, Relationship, Sex, VitalStatus
from keneya.people.validation import estimated_birth_date

T = TypeVar("T")

# Household size 1..12, weights in %: mode 5-6, mean about 5.1.
HOUSEHOLD_SIZE_WEIGHTS = (6, 8, 11, 14, 17, 16, 11, 7, 4, 2.5, 1.5, 1)
# Age of a male head of household, by 5-year band starting at 20.
MALE_HEAD_AGE_BANDS = (3, 10, 16, 17, 15, 12, 9, 7, 5, 3, 2, 1)
FEMALE_HEAD_AGE_BANDS = (1, 5, 9, 12, 14, 14, 13, 11, 9, 6, 4, 2)
# Age of the youngest child of a mother still in her fertile years.
YOUNGEST_CHILD_AGE_WEIGHTS = (20, 18, 15, 12, 10, 8, 6, 5, 4, 3, 2, 1)
BIRTH_INTERVAL_YEARS = (2, 2, 3, 3, 3, 4, 5)
# Share of adults whose birth date is only an age ("né vers 1975"): estimated by the app's rule.
ADULT_DOB_ESTIMATED_SHARE = 0.55
# Phone prefixes of Malian mobile numbers (6x, 7x, 9x); 7x is the most common.
PHONE_PREFIXES = tuple(
    [f"6{d}" for d in range(10)] * 2 + [f"7{d}" for d in range(10)] * 4 + [f"9{d}" for d in range(10)]
)

HOUSEHOLD_MOVED_SHARE = 0.02
HOUSEHOLD_DISSOLVED_SHARE = 0.007
HOUSEHOLD_GPS_SHARE = 0.88
RAMED_HOUSEHOLD_SHARE = 0.04  # indigent households holding a RAMED card
MUTUELLE_HOUSEHOLD_SHARE = 0.07  # households in a UTM mutual
DUPLICATE_HOUSEHOLD_SHARE = 0.004  # someone registered a second time, in another household


class WeightedChoice(Generic[T]):
    """``rng.choices`` with the cumulative weights computed once."""

    def __init__(self, pairs: Iterable[tuple[T, float]]) -> None:
        pairs = list(pairs)
        self.values: list[T] = [value for value, _ in pairs]
        self.cum_weights = list(accumulate(weight for _, weight in pairs))

    def __call__(self, rng: random.Random) -> T:
        return rng.choices(self.values, cum_weights=self.cum_weights)[0]


_family = WeightedChoice(FAMILY_NAMES.items())
_female = WeightedChoice(FEMALE_GIVEN_NAMES.items())
_male = WeightedChoice(MALE_GIVEN_NAMES.items())
_size = WeightedChoice([(n, w) for n, w in enumerate(HOUSEHOLD_SIZE_WEIGHTS, start=1)])
_male_head_band = WeightedChoice([(20 + 5 * i, w) for i, w in enumerate(MALE_HEAD_AGE_BANDS)])
_female_head_band = WeightedChoice([(20 + 5 * i, w) for i, w in enumerate(FEMALE_HEAD_AGE_BANDS)])
_youngest = WeightedChoice(list(enumerate(YOUNGEST_CHILD_AGE_WEIGHTS)))


def rng_uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def malian_phone(rng: random.Random) -> str:
    return f"+223{rng.choice(PHONE_PREFIXES)}{rng.randrange(1_000_000):06d}"


def family_name(rng: random.Random, *, variant_share: float = 0.05) -> str:
    name = _family(rng)
    variants = FAMILY_NAME_VARIANTS.get(name)
    if variants and rng.random() < variant_share:
        return rng.choice(variants)
    return name


def given_name(rng: random.Random, sex: str, *, avoid: set[str] | None = None) -> str:
    pick = _male if sex == Sex.MALE else _female
    name = pick(rng)
    for _ in range(3):  # siblings rarely share a given name
        if not avoid or name not in avoid:
            break
        name = pick(rng)
    return name


@dataclass(slots=True)
class DemoPerson:
    id: uuid.UUID
    family_name: str
    given_names: str
    sex: str
    date_of_birth: date
    date_of_birth_estimated: bool
    relationship_to_head: str
    phone: str = ""
    birth_certificate_number: str = ""
    ramed_number: str = ""
    mutuelle_number: str = ""
    vital_status: str = VitalStatus.ALIVE
    date_of_death: date | None = None


@dataclass(slots=True)
class DemoHousehold:
    id: uuid.UUID
    quartier: district.QuartierSpec
    chw_index: int  # index into the CHW list of ``DemoPlan``
    address_description: str
    gps_latitude: Decimal | None
    gps_longitude: Decimal | None
    phone: str
    phone_alt: str
    status: str
    members: list[DemoPerson] = field(default_factory=list)

    @property
    def head(self) -> DemoPerson:
        return self.members[0]


@dataclass(frozen=True)
class DemoChw:
    index: int
    username: str
    first_name: str
    last_name: str
    sex: str
    cadre: str
    phone: str
    quartier: district.QuartierSpec
    sector: int  # 0-based sector of the quartier
    sectors: int  # how many CHWs share the quartier
    households: int


@dataclass(frozen=True)
class DemoPlan:
    """How many households each quartier and each CHW gets."""

    households: int
    chws: tuple[DemoChw, ...]


def _largest_remainder(total: int, weights: Sequence[float], minimum: int = 0) -> list[int]:
    """Split ``total`` in proportion to ``weights``; every share gets at least ``minimum``."""
    base = [minimum] * len(weights)
    rest = total - minimum * len(weights)
    if rest <= 0:
        return base
    wsum = sum(weights)
    exact = [rest * w / wsum for w in weights]
    shares = [int(x) for x in exact]
    leftovers = sorted(range(len(weights)), key=lambda i: exact[i] - shares[i], reverse=True)
    for i in leftovers[: rest - sum(shares)]:
        shares[i] += 1
    return [b + s for b, s in zip(base, shares, strict=True)]


def make_plan(*, households: int, chws: int, seed: int | str) -> DemoPlan:
    quartiers = district.QUARTIERS
    weights = [q.weight for q in quartiers]
    chws = max(chws, len(quartiers))
    per_quartier = _largest_remainder(households, weights)
    chws_per_quartier = _largest_remainder(chws, weights, minimum=1)
    rng = random.Random(f"{seed}-chw")
    width = max(2, len(str(chws)))
    out: list[DemoChw] = []
    for quartier, n_households, n_chws in zip(quartiers, per_quartier, chws_per_quartier, strict=True):
        for sector, share in enumerate(_largest_remainder(n_households, [1.0] * n_chws)):
            sex = Sex.FEMALE if rng.random() < 0.6 else Sex.MALE  # most relais are women
            index = len(out)
            out.append(
                DemoChw(
                    index=index,
                    username=f"relais{index + 1:0{width}d}",
                    first_name=given_name(rng, sex),
                    last_name=family_name(rng, variant_share=0),
                    sex=sex,
                    cadre="asc" if rng.random() < 0.3 else "relais",
                    phone=malian_phone(rng),
                    quartier=quartier,
                    sector=sector,
                    sectors=n_chws,
                    households=share,
                )
            )
    return DemoPlan(households=households, chws=tuple(out))


class HouseholdGenerator:
    """Makes households one at a time. ``today`` anchors every age and date."""

    def __init__(self, *, seed: int | str, today: date) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self._codes: set[str] = set()
        self._areas: dict[str, Area] = {}  # unsaved, only their code is read
        # Recent persons per quartier, for the few duplicate registrations.
        self._recent: dict[str, list[DemoPerson]] = {}

    # --- persons ---------------------------------------------------------------------------

    def _birth_date(self, age: int, *, estimated: bool) -> date:
        if estimated:
            return estimated_birth_date(age_years=age, age_months=None, today=self.today)
        days = age * 365 + self.rng.randrange(365)
        return max(self.today - timedelta(days=days), date(self.today.year - 120, 12, 31))

    def _person(
        self, *, family: str, sex: str, age: int, relationship: str, siblings: set[str] | None = None
    ) -> DemoPerson:
        rng = self.rng
        estimated = age >= 15 and rng.random() < ADULT_DOB_ESTIMATED_SHARE
        dob = self._birth_date(age, estimated=estimated)
        given = given_name(rng, sex, avoid=siblings)
        if siblings is not None:
            siblings.add(given)
        if rng.random() < 0.12:  # a second given name ("Fatoumata Binta", "Moussa Kalifa")
            second = given_name(rng, sex)
            if second != given and " " not in given and " " not in second:
                given = f"{given} {second}"
        person = DemoPerson(
            id=rng_uuid(rng),
            family_name=family,
            given_names=given,
            sex=sex,
            date_of_birth=dob,
            date_of_birth_estimated=estimated,
            relationship_to_head=relationship,
        )
        if age < 5 and rng.random() < 0.5:
            person.birth_certificate_number = f"C4-{dob.year}-{rng.randrange(1, 20000):05d}"
        return person

    def _children(self, *, mother_age: int, count: int, family: str, siblings: set[str]) -> list[DemoPerson]:
        rng = self.rng
        oldest_possible = mother_age - 16
        youngest = max(_youngest(rng), mother_age - 47)
        ages: list[int] = []
        age = youngest
        while len(ages) < count and age <= oldest_possible:
            ages.append(age)
            age += rng.choice(BIRTH_INTERVAL_YEARS)
        return [
            self._person(
                family=family,
                sex=rng.choice((Sex.MALE, Sex.FEMALE)),
                age=a,
                relationship=Relationship.CHILD,
                siblings=siblings,
            )
            for a in ages
        ]

    def _members(self, size: int) -> list[DemoPerson]:
        rng = self.rng
        members: list[DemoPerson] = []
        siblings: set[str] = set()

        if size == 1:
            kind = rng.random()
            if kind < 0.55:
                sex, age = Sex.MALE, rng.randint(19, 35)
            elif kind < 0.85:
                sex, age = Sex.FEMALE, rng.randint(55, 82)
            else:
                sex, age = Sex.FEMALE, rng.randint(25, 45)
            return [self._person(family=family_name(rng), sex=sex, age=age, relationship=Relationship.HEAD)]

        male_head = rng.random() < 0.82
        head_family = family_name(rng)
        band = _male_head_band if male_head else _female_head_band
        head_age = band(rng)
        if size >= 7:  # big households have older heads (and older children)
            head_age = max(head_age, band(rng))
        head_age += rng.randrange(5)
        head_sex = Sex.MALE if male_head else Sex.FEMALE
        head = self._person(family=head_family, sex=head_sex, age=head_age, relationship=Relationship.HEAD)
        members.append(head)

        mothers: list[int] = []  # ages of the mothers of the head's children
        if male_head:
            wives = 0 if rng.random() < 0.08 else 1
            if wives and size >= 5 and rng.random() < 0.18:
                wives = 2
            if wives == 2 and size >= 8 and rng.random() < 0.25:
                wives = 3
            wives = min(wives, size - 1)
            gap = rng.randint(4, 14)
            for _ in range(wives):
                wife_age = max(17, head_age - gap)
                members.append(
                    self._person(
                        family=family_name(rng),
                        sex=Sex.FEMALE,
                        age=wife_age,
                        relationship=Relationship.SPOUSE,
                    )
                )
                mothers.append(wife_age)
                gap += rng.randint(3, 10)
            if not mothers:
                mothers.append(max(20, head_age - 8))  # widower or wife away
            children_family = head_family
        else:
            mothers.append(head_age)
            children_family = family_name(rng)  # the children carry their father's jamu

        slots = size - len(members)
        extra: list[DemoPerson] = []
        if slots >= 3 and head_age < 45 and rng.random() < 0.08:
            extra.append(
                self._person(
                    family=family_name(rng),
                    sex=Sex.FEMALE,
                    age=rng.randint(max(head_age + 18, 55), 85),
                    relationship=Relationship.PARENT,
                )
            )
        if slots - len(extra) >= 2 and rng.random() < 0.07:
            extra.append(
                self._person(
                    family=head_family,
                    sex=rng.choice((Sex.MALE, Sex.FEMALE)),
                    age=max(15, head_age + rng.randint(-12, 6)),
                    relationship=Relationship.SIBLING,
                )
            )
        if size >= 5 and slots - len(extra) >= 2 and rng.random() < 0.06:
            extra.append(
                self._person(
                    family=family_name(rng),
                    sex=Sex.FEMALE,
                    age=rng.randint(14, 22),
                    relationship=Relationship.OTHER,
                )
            )
        if slots - len(extra) >= 2 and rng.random() < DUPLICATE_HOUSEHOLD_SHARE * 2:
            extra.append(self._duplicate_marker())

        grandchildren = 0
        if head_age >= 50 and slots - len(extra) >= 2 and rng.random() < 0.5:
            grandchildren = rng.randint(1, max(1, (slots - len(extra)) // 2))
        want_children = slots - len(extra) - grandchildren
        children: list[DemoPerson] = []
        for i, mother_age in enumerate(mothers):
            share = want_children // len(mothers) + (1 if i < want_children % len(mothers) else 0)
            children += self._children(
                mother_age=mother_age, count=share, family=children_family, siblings=siblings
            )
        # Slots the mothers' ages could not fill become grandchildren or nephews and nieces.
        missing = want_children - len(children)
        if head_age >= 45:
            grandchildren += missing
            missing = 0
        if grandchildren:
            son_line = rng.random() < 0.6
            family = head_family if son_line else family_name(rng)
            if son_line and grandchildren >= 2 and rng.random() < 0.5:
                extra.append(
                    self._person(
                        family=family_name(rng),
                        sex=Sex.FEMALE,
                        age=rng.randint(19, 32),
                        relationship=Relationship.OTHER_RELATIVE,
                    )
                )
                grandchildren -= 1
            youngest = _youngest(rng)
            for k in range(grandchildren):
                extra.append(
                    self._person(
                        family=family,
                        sex=rng.choice((Sex.MALE, Sex.FEMALE)),
                        age=min(youngest + 2 * k, 14),
                        relationship=Relationship.GRANDCHILD,
                        siblings=siblings,
                    )
                )
        for _ in range(missing):
            extra.append(
                self._person(
                    family=rng.choice((head_family, family_name(rng))),
                    sex=rng.choice((Sex.MALE, Sex.FEMALE)),
                    age=rng.randint(10, 22),
                    relationship=Relationship.OTHER_RELATIVE,
                    siblings=siblings,
                )
            )
        return members + children + extra

    def _duplicate_marker(self) -> DemoPerson:
        """A placeholder replaced by a copy of someone registered elsewhere (see ``household``)."""
        return DemoPerson(
            id=rng_uuid(self.rng),
            family_name="",
            given_names="",
            sex=Sex.FEMALE,
            date_of_birth=self.today,
            date_of_birth_estimated=True,
            relationship_to_head=Relationship.OTHER_RELATIVE,
        )

    def _fill_duplicate(self, person: DemoPerson, quartier_code: str) -> bool:
        recent = self._recent.get(quartier_code)
        if not recent:
            return False
        rng = self.rng
        original = rng.choice(recent)
        variants = FAMILY_NAME_VARIANTS.get(original.family_name)
        person.family_name = rng.choice(variants) if variants else original.family_name
        person.given_names = original.given_names
        person.sex = original.sex
        shift = timedelta(days=rng.randint(-300, 300))
        person.date_of_birth = min(original.date_of_birth + shift, self.today)
        return True

    # --- households --------------------------------------------------------------------------

    def _address(self, quartier: district.QuartierSpec, head: DemoPerson) -> str:
        rng = self.rng
        if rng.random() < 0.05:
            return ""
        landmark = rng.choice(district.LANDMARKS).format(
            market=quartier.market,
            name=given_name(rng, Sex.MALE),
            family=head.family_name,
        )
        if rng.random() < 0.3:
            landmark += f". Rue {rng.randint(100, 599)}, porte {rng.randint(1, 250)}"
        elif rng.random() < 0.2:
            landmark += f", portail {rng.choice(district.DOOR_COLOURS)}"
        return landmark

    def _gps(self, chw: DemoChw) -> tuple[Decimal | None, Decimal | None]:
        rng = self.rng
        if rng.random() >= HOUSEHOLD_GPS_SHARE:
            return None, None
        # Each CHW of a quartier covers a sector of it, west to east.
        offset = (chw.sector - (chw.sectors - 1) / 2) * 0.003
        lat = rng.gauss(chw.quartier.lat, 0.0025)
        lon = rng.gauss(chw.quartier.lon + offset, 0.0015)
        lat = min(max(lat, district.LAT_MIN), district.LAT_MAX)
        lon = min(max(lon, district.LON_MIN), district.LON_MAX)
        return Decimal(f"{lat:.6f}"), Decimal(f"{lon:.6f}")

    def household(self, chw: DemoChw) -> DemoHousehold:
        from keneya.people.services import household_code

        rng = self.rng
        quartier = chw.quartier
        household_id = rng_uuid(rng)
        # Codes keep 40 bits of the UUID; a collision is very unlikely but must never fail the
        # seed on the unique code, so draw again.
        area = self._areas.setdefault(quartier.code, Area(code=quartier.code))
        while (code := household_code(area, household_id)) in self._codes:
            household_id = rng_uuid(rng)
        self._codes.add(code)
        members = self._members(_size(rng))
        members = [m for m in members if m.family_name or self._fill_duplicate(m, quartier.code)]
        head = members[0]
        self._phones(members)
        lat, lon = self._gps(chw)
        phones = [m.phone for m in members if m.phone]
        status = HouseholdStatus.ACTIVE
        draw = rng.random()
        if draw < HOUSEHOLD_MOVED_SHARE:
            status = HouseholdStatus.MOVED
        elif draw < HOUSEHOLD_MOVED_SHARE + HOUSEHOLD_DISSOLVED_SHARE:
            status = HouseholdStatus.DISSOLVED
        self._cards(members, quartier.code)
        self._deaths(members)
        household = DemoHousehold(
            id=household_id,
            quartier=quartier,
            chw_index=chw.index,
            address_description=self._address(quartier, head),
            gps_latitude=lat,
            gps_longitude=lon,
            phone=phones[0] if phones else "",
            phone_alt=phones[1] if len(phones) > 1 and rng.random() < 0.5 else "",
            status=status,
            members=members,
        )
        recent = self._recent.setdefault(quartier.code, [])
        recent.append(members[-1])
        if len(recent) > 200:
            del recent[:100]
        return household

    def _phones(self, members: list[DemoPerson]) -> None:
        rng = self.rng
        for person in members:
            age = self._age(person)
            if person.relationship_to_head == Relationship.HEAD:
                share = 0.85
            elif person.relationship_to_head == Relationship.SPOUSE:
                share = 0.55
            else:
                share = 0.35 if age >= 18 else 0.0
            if rng.random() < share:
                person.phone = malian_phone(rng)

    def _cards(self, members: list[DemoPerson], quartier_code: str) -> None:
        rng = self.rng
        draw = rng.random()
        if draw < RAMED_HOUSEHOLD_SHARE:
            base = rng.randrange(100000, 999999)
            for i, person in enumerate(members, start=1):
                person.ramed_number = f"RAMED-BKO4-{base}-{i:02d}"
        elif draw < RAMED_HOUSEHOLD_SHARE + MUTUELLE_HOUSEHOLD_SHARE:
            base = rng.randrange(10000, 99999)
            for i, person in enumerate(members, start=1):
                person.mutuelle_number = f"UTM-{quartier_code}-{base}-{i:02d}"

    def _deaths(self, members: list[DemoPerson]) -> None:
        rng = self.rng
        for person in members[1:]:  # the head is alive: a household without one is rare
            age = self._age(person)
            risk = 0.08 if age >= 65 else 0.012 if age < 5 else 0.002
            if rng.random() < risk:
                lived = (self.today - person.date_of_birth).days
                back = rng.randint(0, min(lived, 700))
                person.vital_status = VitalStatus.DECEASED
                person.date_of_death = self.today - timedelta(days=back)

    def _age(self, person: DemoPerson) -> int:
        dob, today = person.date_of_birth, self.today
        return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


def generate_households(plan: DemoPlan, *, seed: int | str, today: date) -> Iterator[DemoHousehold]:
    generator = HouseholdGenerator(seed=seed, today=today)
    for chw in plan.chws:
        for _ in range(chw.households):
            yield generator.household(chw)
