"""Write the Commune IV demo to the database in bulk, and remove it again.

The per-person services (``register_household``…) are too slow for 500,000 persons, so the seed
writes in batches (``fastinsert``: one ``executemany`` per table) and computes what the
services derive itself: the household code (``services.household_code``),
``Person.name_key`` (``names.name_key``), ``Household.search_text``
(``household_search_text``, the same text as ``services.refresh_search_text``) and
``Household.head``.

History: one "created" row per household and person (what ``bulk_create_with_history`` writes:
change reason "Données de démonstration", no user), unless ``history=False`` (the benchmark).

With ``visits=True`` (``manage.py seed_demo`` does it) six months of home visits follow, with the
alerts, referrals, consultations and SMS they led to (``keneya.demo.visits`` plans the visits,
``keneya.demo.play`` replays what followed through the services).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as clock_time
from itertools import islice
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from keneya.accounts.models import Cadre, Role
from keneya.core.models import LEVEL_ORDER, Area, Facility, FacilityKind, Organisation
from keneya.demo import dhis2, district, financing, lab, pharmacy, play, social, speed
from keneya.demo import indicators as demo_indicators
from keneya.demo import records as demo_records
from keneya.demo import visits as closed_loop
from keneya.demo.fastinsert import insert_with_history
from keneya.demo.generate import (
    DemoHousehold,
    DemoPlan,
    generate_households,
    make_plan,
)
from keneya.demo.logins import ROLE_SHORT_LABELS, DemoLogin
from keneya.people.models import Household, Person
from keneya.people.names import name_key
from keneya.people.services import household_code, household_search_text

DEFAULT_SEED = 2026
DEFAULT_BATCH_HOUSEHOLDS = 1000
HISTORY_REASON = "Données de démonstration"
_NAMESPACE = uuid.UUID("5b0f3c9e-6a1d-4f7e-9a7c-6b656e657961")  # fixed: stable area/facility ids


class DemoAlreadySeeded(Exception):
    """The demo is already in the database (``seed_demo --reset`` replaces it)."""


class DemoConflict(Exception):
    """Non-demo rows use a code or username the demo needs."""


@dataclass
class SeedResult:
    logins: list[DemoLogin]
    households: int
    persons: int
    seconds: float
    counts_by_health_area: dict[str, tuple[int, int]] = field(default_factory=dict)
    closed_loop: closed_loop.WriteCounts | None = None
    closed_loop_seconds: float = 0.0


# Below this many households (the tests' districts) the demo's savings groups keep a quarter of
# meetings instead of a year: their cost does not shrink with the district otherwise.
SMALL_DISTRICT = 1000


def stable_id(kind: str, code: str) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"{kind}:{code}")


def demo_email(username: str) -> str:
    return f"{username}@{district.DEMO_EMAIL_DOMAIN}"


def demo_users() -> Any:
    return get_user_model().objects.filter(email__endswith=f"@{district.DEMO_EMAIL_DOMAIN}")


def demo_exists() -> bool:
    return (
        Area.objects.filter(code__in=district.DEMO_AREA_CODES).exists()
        or Facility.objects.filter(code__in=district.DEMO_FACILITY_CODES).exists()
        or demo_users().exists()
    )


def plan_for(
    *, scale: float = 1.0, households: int | None = None, seed: int | str = DEFAULT_SEED
) -> DemoPlan:
    """``households`` overrides the count; CHWs follow it (about 100 households each)."""
    if households is None:
        households = max(1, round(district.BASE_HOUSEHOLDS * scale))
        chws = round(district.BASE_CHWS * scale)
    else:
        chws = round(district.BASE_CHWS * households / district.BASE_HOUSEHOLDS)
    return make_plan(households=households, chws=chws, seed=seed)


# --- removal -----------------------------------------------------------------------------------


@transaction.atomic
def delete_demo() -> dict[str, int]:
    """Remove the demo: its visits and what followed them (alerts, referrals, consultations,
    outbox and sync rows), households, persons (and their history), users, facilities, areas.

    Rows are deleted with raw DELETEs (no signals, no per-row history) so that removing a
    500,000-person benchmark seed takes seconds. The foreign keys are checked at commit: if other
    data still points at demo rows the whole removal is rolled back with an IntegrityError.
    """
    areas = Area.objects.filter(code__in=district.DEMO_AREA_CODES)
    quartier_ids = list(areas.filter(level="quartier").values_list("id", flat=True))
    facilities = Facility.objects.filter(code__in=district.DEMO_FACILITY_CODES)
    counts = financing.delete_financing(quartier_ids=quartier_ids)
    counts |= social.delete_social_protection(
        household_ids=Household.objects.filter(quartier_id__in=quartier_ids).values("id"),
        user_ids=list(demo_users().values_list("id", flat=True)),
    )
    counts |= dhis2.delete_dhis2(user_ids=list(demo_users().values_list("id", flat=True)))
    counts |= pharmacy.delete_pharmacy(
        person_ids=Person.objects.filter(household__quartier_id__in=quartier_ids).values("id")
    )
    counts |= lab.delete_lab(
        facility_ids=list(facilities.values_list("id", flat=True)),
        person_ids=Person.objects.filter(household__quartier_id__in=quartier_ids).values("id"),
    )
    counts |= demo_records.delete_records(
        person_ids=Person.objects.filter(household__quartier_id__in=quartier_ids).values("id"),
        facility_ids=list(facilities.values_list("id", flat=True)),
    )
    counts |= demo_indicators.delete_indicators(user_ids=list(demo_users().values_list("id", flat=True)))
    counts |= closed_loop.delete_closed_loop(
        quartier_ids=quartier_ids,
        facility_ids=list(facilities.values_list("id", flat=True)),
        user_ids=list(demo_users().values_list("id", flat=True)),
    )
    households = Household.objects.filter(quartier_id__in=quartier_ids)
    persons = Person.objects.filter(household_id__in=households.values("id"))
    historical_person = Person.history.model  # type: ignore[attr-defined]
    historical_household = Household.history.model  # type: ignore[attr-defined]
    counts["persons"] = _raw_delete(persons)
    counts["households"] = _raw_delete(households)
    counts["history"] = _raw_delete(
        historical_person.objects.filter(
            household_id__in=historical_household.objects.filter(quartier_id__in=quartier_ids).values("id")
        )
    ) + _raw_delete(historical_household.objects.filter(quartier_id__in=quartier_ids))
    counts["users"] = demo_users().delete()[0]
    Organisation.objects.filter(Q(area__in=areas) | Q(facility__in=facilities)).delete()
    facilities.update(refers_to=None)
    counts["facilities"] = facilities.delete()[0]
    for level in reversed(LEVEL_ORDER):
        areas.filter(level=level).delete()
    return counts


def _raw_delete(qs: Any) -> int:
    # QuerySet._raw_delete: one DELETE … WHERE, no collector, no signals (Django's own fast path).
    return int(qs._raw_delete(qs.db) or 0)


# --- seeding -----------------------------------------------------------------------------------


def _check_conflicts(plan: DemoPlan) -> None:
    problems: list[str] = []
    problems += [
        f"aire « {code} »"
        for code in Area.objects.filter(code__in=district.DEMO_AREA_CODES).values_list("code", flat=True)
    ]
    problems += [
        f"structure « {code} »"
        for code in Facility.objects.filter(code__in=district.DEMO_FACILITY_CODES).values_list(
            "code", flat=True
        )
    ]
    usernames = [s.username for s in district.staff_specs()] + [c.username for c in plan.chws]
    problems += [
        f"utilisateur « {name} »"
        for name in get_user_model().objects.filter(username__in=usernames).values_list("username", flat=True)
    ]
    if problems:
        raise DemoConflict(", ".join(sorted(problems)))


def _create_structure() -> tuple[dict[str, Area], dict[str, Facility]]:
    areas: dict[str, Area] = {}
    for spec in district.area_specs():
        areas[spec.code] = Area.objects.create(
            id=stable_id("area", spec.code),
            code=spec.code,
            name=spec.name,
            level=spec.level,
            parent=areas[spec.parent_code] if spec.parent_code else None,
        )
    facilities: dict[str, Facility] = {}
    csref = Facility.objects.create(
        id=stable_id("facility", district.CSREF_CODE),
        code=district.CSREF_CODE,
        name=district.CSREF_NAME,
        kind=FacilityKind.CSREF,
        health_area=areas[district.COMMUNE_CODE],
        phone=district.CSREF_PHONE,
    )
    facilities[csref.code] = csref
    for ha in district.HEALTH_AREAS:
        facilities[ha.facility_code] = Facility.objects.create(
            id=stable_id("facility", ha.facility_code),
            code=ha.facility_code,
            name=ha.facility_name,
            kind=FacilityKind.CSCOM,
            health_area=areas[ha.code],
            refers_to=csref,
            phone=ha.facility_phone,
        )
    for org in district.ORGANISATIONS:
        Organisation.objects.create(
            id=stable_id("organisation", org.name),
            name=org.name,
            kind=org.kind,
            area=areas[org.area_code],
            facility=facilities[org.facility_code] if org.facility_code else None,
        )
    return areas, facilities


def _create_users(
    plan: DemoPlan, areas: dict[str, Area], facilities: dict[str, Facility]
) -> tuple[list[DemoLogin], dict[int, Any]]:
    """Staff and CHWs. One password hash for all: hashing 1,000 CHWs one by one takes minutes."""
    user_model = get_user_model()
    password_hash = make_password(district.DEMO_PASSWORD)
    rows: list[tuple[Any, list[str], DemoLogin]] = []
    for spec in district.staff_specs():
        user = user_model(
            username=spec.username,
            first_name=spec.first_name,
            last_name=spec.last_name,
            email=demo_email(spec.username),
            role=spec.role,
            cadre=spec.cadre,
            facility=facilities[spec.facility_code] if spec.facility_code else None,
            phone=spec.phone,
            is_staff=spec.is_staff,
            is_superuser=spec.is_superuser,
            password=password_hash,
        )
        facility = facilities[spec.facility_code].name if spec.facility_code else None
        rows.append(
            (user, list(spec.area_codes), _login(user, facility, [areas[c].name for c in spec.area_codes]))
        )
    health_area_of = {q.code: ha for ha in district.HEALTH_AREAS for q in ha.quartiers}
    for chw in plan.chws:
        facility_obj = facilities[health_area_of[chw.quartier.code].facility_code]
        user = user_model(
            username=chw.username,
            first_name=chw.first_name,
            last_name=chw.last_name,
            email=demo_email(chw.username),
            role=Role.CHW,
            cadre=chw.cadre,
            facility=facility_obj,
            phone=chw.phone,
            password=password_hash,
        )
        login = _login(user, facility_obj.name, [chw.quartier.name])
        login.households = chw.households
        rows.append((user, [chw.quartier.code], login))
    user_model.objects.bulk_create([user for user, _, _ in rows])
    ids = dict(
        user_model.objects.filter(username__in=[user.username for user, _, _ in rows]).values_list(
            "username", "id"
        )
    )
    through = user_model.areas.through
    through.objects.bulk_create(
        [
            through(user_id=ids[user.username], area_id=areas[code].id)
            for user, codes, _ in rows
            for code in codes
        ]
    )
    chw_ids = {chw.index: ids[chw.username] for chw in plan.chws}
    return [login for _, _, login in rows], chw_ids


def _login(user: Any, facility: str | None, areas: list[str]) -> DemoLogin:
    label = ROLE_SHORT_LABELS[Role(user.role)]
    if user.role == Role.CHW:
        label = str(Cadre(user.cadre).label)
    elif user.cadre and user.cadre != Cadre.OTHER:
        label = f"{label} ({Cadre(user.cadre).label.lower()})"
    return DemoLogin(
        username=user.username,
        password=district.DEMO_PASSWORD,
        role=str(user.role),
        facility=facility,
        areas=areas,
        full_name=f"{user.first_name} {user.last_name}",
        role_label=label,
    )


def _batches(items: Iterator[DemoHousehold], size: int) -> Iterator[list[DemoHousehold]]:
    while batch := list(islice(items, size)):
        yield batch


def _rows(
    batch: list[DemoHousehold], quartiers: dict[str, Area], chw_ids: dict[int, Any]
) -> tuple[list[Household], list[Person]]:
    households: list[Household] = []
    persons: list[Person] = []
    for demo in batch:
        quartier = quartiers[demo.quartier.code]
        code = household_code(quartier, demo.id)
        # Ties (a mother and daughter both "Oumou Keïta") are broken by id: services should
        # order by ("family_name", "given_names", "id") too, or the text depends on the DB.
        ordered = sorted(demo.members, key=lambda m: (m.family_name, m.given_names, m.id.hex))
        households.append(
            Household(
                id=demo.id,
                code=code,
                quartier_id=quartier.id,
                address_description=demo.address_description,
                gps_latitude=demo.gps_latitude,
                gps_longitude=demo.gps_longitude,
                head_id=demo.head.id,
                phone=demo.phone,
                phone_alt=demo.phone_alt,
                chw_id=chw_ids[demo.chw_index],
                status=demo.status,
                search_text=household_search_text(
                    code,
                    demo.phone,
                    demo.phone_alt,
                    ((m.family_name, m.given_names, m.phone) for m in ordered),
                ),
            )
        )
        for m in demo.members:
            persons.append(
                Person(
                    id=m.id,
                    household_id=demo.id,
                    family_name=m.family_name,
                    given_names=m.given_names,
                    sex=m.sex,
                    date_of_birth=m.date_of_birth,
                    date_of_birth_estimated=m.date_of_birth_estimated,
                    relationship_to_head=m.relationship_to_head,
                    phone=m.phone,
                    birth_certificate_number=m.birth_certificate_number,
                    ramed_number=m.ramed_number,
                    mutuelle_number=m.mutuelle_number,
                    vital_status=m.vital_status,
                    date_of_death=m.date_of_death,
                    name_key=name_key(m.family_name, m.given_names),
                )
            )
    return households, persons


def seed_demo(
    *,
    scale: float = 1.0,
    households: int | None = None,
    seed: int | str = DEFAULT_SEED,
    today: date | None = None,
    history: bool = True,
    batch_households: int = DEFAULT_BATCH_HOUSEHOLDS,
    progress: Callable[[int, int], None] | None = None,
    visits: bool = False,
    now: datetime | None = None,
    report: Callable[[str], None] | None = None,
) -> SeedResult:
    """Create the demo in one transaction. Raises ``DemoAlreadySeeded`` or ``DemoConflict``.

    ``visits``: also six months of visits and the closed loop, up to ``now`` (default: the
    clock; noon of ``today`` when another day is given). ``progress(done, total)`` follows the
    households; ``report(line)`` gets one French line per step, with its counts and the time
    since the start.
    """
    started = time.perf_counter()

    def step(line: str) -> None:
        if report is not None:
            report(f"  [{time.perf_counter() - started:5.1f} s] {line}")

    if demo_exists():
        raise DemoAlreadySeeded
    plan = plan_for(scale=scale, households=households, seed=seed)
    _check_conflicts(plan)
    tz = timezone.get_current_timezone()
    if now is None:
        now = (
            timezone.now()
            if today in (None, timezone.localdate())
            else datetime.combine(today, clock_time(12), tzinfo=tz)
        )  # type: ignore[arg-type]
    today = today or timezone.localdate(now)
    subjects = closed_loop.Subjects(today) if visits else None
    loop_counts, loop_seconds = None, 0.0
    written_at = timezone.now()
    with transaction.atomic(), speed.seeding():
        areas, facilities = _create_structure()
        logins, chw_ids = _create_users(plan, areas, facilities)
        step(f"Aires, {len(facilities)} structures et {len(logins)} comptes créés")
        n_households = n_persons = 0
        # Household.head points at a member created just after it: the foreign keys are
        # DEFERRABLE INITIALLY DEFERRED (PostgreSQL and SQLite), checked at commit.
        for batch in _batches(generate_households(plan, seed=seed, today=today), batch_households):
            household_rows, person_rows = _rows(batch, areas, chw_ids)
            for model, rows in ((Household, household_rows), (Person, person_rows)):
                insert_with_history(model, rows, history=history, reason=HISTORY_REASON, at=written_at)
            n_households += len(household_rows)
            n_persons += len(person_rows)
            if subjects is not None:
                subjects.add(batch, chw_ids)
            if progress:
                progress(n_households, plan.households)
        step(f"{n_households} ménages et {n_persons} personnes enregistrés")
        if subjects is not None:
            loop_started = time.perf_counter()
            loop_counts = play.seed_closed_loop(
                subjects,
                seed=seed,
                today=today,
                now=now,
                tz=tz,
                history=history,
                history_reason=HISTORY_REASON,
                step=step,
            )
            loop_seconds = time.perf_counter() - loop_started
            social_counts = social.seed_social_protection(seed=seed, today=today)
            step(
                f"Protection sociale : {social_counts.get('screenings', 0)} ménages dépistés, "
                f"{social_counts.get('dossiers', 0)} dossiers"
            )
            records_started = time.perf_counter()
            records_counts = demo_records.seed_records(seed=seed, today=today)
            step(
                f"Dossier médical : {records_counts['problems']} problèmes ({records_counts['patients']} "
                f"patients), {records_counts['follow_ups']} consultations de suivi, "
                f"{records_counts['documents']} documents, {records_counts['csref_reviews']} avis du CSRef "
                f"({time.perf_counter() - records_started:.1f} s)"
            )
            rx_started = time.perf_counter()
            rx = pharmacy.seed_pharmacy(seed=seed, today=today)
            step(
                f"Ordonnances : {rx['prescriptions']} ordonnances, {rx['allergies']} allergies, "
                f"{rx['none_known']} « aucune allergie connue » ({time.perf_counter() - rx_started:.1f} s)"
            )
            lab_started = time.perf_counter()
            lab_counts = lab.seed_lab(seed=seed, today=today)
            step(lab.summary(lab_counts, time.perf_counter() - lab_started))
            financing_started = time.perf_counter()
            money = financing.seed_financing(
                seed=seed,
                today=today,
                # a year of weekly meetings for the demo; a quarter for the tests' small districts
                weeks=financing.WEEKS if n_households >= SMALL_DISTRICT else 13,
            )
            step(
                f"Tontines : {money.get('groups', 0)} groupes, {money.get('meetings', 0)} réunions, "
                f"{money.get('loans', 0)} prêts, {money.get('postings', 0)} mouvements "
                f"({time.perf_counter() - financing_started:.1f} s)"
            )
            started_indicators = time.perf_counter()
            ind = demo_indicators.seed_indicators(
                seed=seed, today=today, quartier_ids=[a.pk for a in areas.values() if a.level == "quartier"]
            )
            step(
                f"Indicateurs : {ind['months']} mois-indicateurs, {ind['targets']} objectifs "
                f"({time.perf_counter() - started_indicators:.1f} s)"
            )
            dhis2_started, dhis2_counts = time.perf_counter(), dhis2.seed_dhis2(seed=seed, today=today)
            step(
                f"DHIS2 (démonstration) : {dhis2_counts['mappings']} correspondances "
                f"({time.perf_counter() - dhis2_started:.1f} s)"
            )
    return SeedResult(
        logins=logins,
        households=n_households,
        persons=n_persons,
        seconds=time.perf_counter() - started,
        counts_by_health_area=_counts_by_health_area(plan),
        closed_loop=loop_counts,
        closed_loop_seconds=loop_seconds,
    )


def _counts_by_health_area(plan: DemoPlan) -> dict[str, tuple[int, int]]:
    """(CHWs, households) per health area, from the plan."""
    out: dict[str, tuple[int, int]] = {}
    health_area_of = {q.code: ha.name for ha in district.HEALTH_AREAS for q in ha.quartiers}
    for chw in plan.chws:
        name = health_area_of[chw.quartier.code]
        n_chws, n_households = out.get(name, (0, 0))
        out[name] = (n_chws + 1, n_households + chw.households)
    return out
