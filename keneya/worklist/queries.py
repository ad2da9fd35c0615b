"""The CHW's task list: what to do in which household, derived from the schedules and the facts.

Nothing is stored. ``tasks_for_chw(chw=..., on=...)`` reads the registry and the stored facts
(visits, observations, referrals, alerts) of the households assigned to the CHW and applies the
rules below, in the spirit of cht-core's ``tasks.js``: one ordered registry, each rule a small
function. The schedules themselves are the clinical engine's (``keneya.clinical``:
``immunization`` for the Mali PEV, ``pregnancy`` for the WHO 2016 ANC and the WHO 2013/2022
postnatal contacts, ``iccm`` for the follow-up days written on the visit).

A task has a window: ``upcoming`` before ``due_from``, ``due`` from ``due_from`` to ``due_by``
inclusive, ``overdue`` after ``due_by``. Upcoming tasks are listed when they start within
``UPCOMING_HORIZON_DAYS``. Each rule says when a task is resolved (the visit that does it) and
how long an overdue task stays listed. The id is ``uuid5(kind:subject:due_from)``: the same task
has the same id on every run and on every server, so a tablet can sync it later.

Rules (the numbers marked [U] are programme settings, not guideline values):

- ``child_monthly_visit``: a living child of 0-59 months needs a routine visit (follow-up, sick
  child or postnatal) each calendar month, due from the 1st, overdue after the 25th; a child of
  5-17 years each 3 calendar months (quarters), done by the "Suivi de l'enfant (5-17 ans)" visit
  (``older_child_followup``; a routine visit of the younger child in the quarter counts too).
  Not asked in the period of birth (the postnatal contacts cover it). Resolved by such a visit
  in the period.
- ``treat_at_home_follow_up``: a visit whose action was ``treat_at_home`` with ``follow_up_days``
  N: due on visit date + N, to the next day; listed 7 days overdue. Resolved by any later visit.
- ``referral_check``: an ``issued`` referral is checked 24 h after issue (to the next day);
  resolved when the facility records the arrival (or seen, closed). A ``not_arrived`` referral
  keeps the same task ("find the family") until a visit after the day of issue.
- ``vaccine_due``: for a child under 5, ``immunization.due_vaccines`` with the doses of the
  vaccination card (observations ``vaccine:<CODE>``, see ``visits.services``): ONE task per
  child for all the doses due or overdue together (from the earliest due date, due until the
  earliest "overdue after" date; its detail names the doses in short, overdue ones first), or
  the next upcoming ones. Resolved when the doses are recorded (the vaccination card of the
  child's visit, web form or tablet).
- ``anc_contact_due``: a woman whose latest LMP/EDD observation dates a pregnancy (no postnatal
  visit since): the next contact of ``pregnancy.anc_schedule``, the pregnancy visits counting
  as contacts.
- ``postnatal_contact``: a newborn (0-59 days): the next contact of
  ``pregnancy.postnatal_schedule`` from the date of birth, the newborn's postnatal visits
  counting as contacts.
- ``convocation_relay``: an alert whose family the CSCom convoked: tell the family, due from
  the convocation to the day before the appointment, overdue on the day; resolved by a visit
  recorded after the convocation, dropped once the appointment date has passed.
- ``social_appointment``: an open appointment of a social-protection dossier (social survey,
  filing at ANAM, collecting the card or a document): accompany the family, due from
  ``SOCIAL_APPOINTMENT_LEAD_DAYS`` before to the day; resolved by its "Fait" button (the person
  page the task opens, or the dossier page), listed 14 days overdue.
- ``card_renewal``: an issued card within its scheme's renewal lead time (or expired less than
  a year ago), due until its last valid day: "Carte RAMED à renouveler"; resolved when the
  social worker opens the renewal dossier (``renewal_of``).

Every kind is resolved from a screen the CHW (or, for the arrival at the facility, the CSCom)
has; ``test_worklist.py`` records the resolving visit or action for each kind and checks the
task goes.

The list is ordered for the day ``on`` (``sort_key``, the same in the tablet's
``pwa/ui/worklist.js``): by group (``group_on``: today, overdue, this week, later), then the
urgent kinds first (``URGENT_KINDS``), then the deadline, the start, the household, the person,
the kind and the id.

- ``today``: the window is open and it ends today, or an urgent kind whose window is open;
- ``overdue``: past its last day;
- ``week``: its last day is within the next ``WEEK_DAYS`` days (upcoming ones included);
- ``later``: the rest (a window still open for weeks, as the monthly visits).

Referral and alert statuses are today's: an ``on`` in the past is an approximation for them.
The reads are seven queries whatever the number of households (persons, referrals, alerts,
visits, observations, social-protection appointments, cards to renew).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from django.db.models import Max, Q
from django.utils import timezone

from keneya.alerts.models import Alert, AlertStatus
from keneya.clinical import immunization, pregnancy
from keneya.clinical.ages import YOUNG_INFANT_MAX_DAYS, age_days, completed_months
from keneya.people.models import HouseholdStatus, Person, Sex, VitalStatus
from keneya.referrals.models import CARE_TARGET, Referral, ReferralStatus
from keneya.social_protection import queries as social_queries
from keneya.social_protection.models import Dossier
from keneya.visits.models import Observation, Visit, VisitKind
from keneya.visits.services import VACCINE_OBSERVATION_PREFIX

# --- Programme settings [U]: the CHW programme's choices, to confirm with the DNS/programme. ---
# Upcoming tasks are listed when they start within this many days.
UPCOMING_HORIZON_DAYS = 7
# Routine visit of a child under 5: each calendar month, due from the 1st, overdue after the 25th.
CHILD_VISIT_DUE_BY_DAY = 25
UNDER_FIVE_VISIT_EVERY_MONTHS = 1
# Children of 5-17 years ("less often"): each calendar quarter, overdue after the 25th of its
# last month.
OLDER_CHILD_VISIT_EVERY_MONTHS = 3
UNDER_FIVE_MONTHS = 60
OLDER_CHILD_MAX_MONTHS = 18 * 12 - 1
# A follow-up after treatment at home may be done on the day or the day after (window), and
# stays listed this many days once overdue; later the monthly visit takes over.
FOLLOW_UP_WINDOW_DAYS = 1
FOLLOW_UP_OVERDUE_LISTED_DAYS = 7
# The referral check (issued + 24 h, the programme's time-to-care goal) may be done that day or
# the next.
REFERRAL_CHECK_WINDOW_DAYS = 1
# The family should hear of a convocation at least the day before the appointment.
CONVOCATION_RELAY_LEAD_DAYS = 1

# Social protection: accompany the family from this many days before the appointment; an
# appointment not marked done stays listed this many days after it.
SOCIAL_APPOINTMENT_LEAD_DAYS = 2
SOCIAL_APPOINTMENT_OVERDUE_LISTED_DAYS = 14

# Never change: the task ids a tablet holds are derived from it.
TASK_ID_NAMESPACE = uuid.UUID("6f1c1f8e-3f0e-5a51-9b9e-6b656e657961")

STATUSES = ("overdue", "due", "upcoming")
STATUS_LABELS_FR = {"overdue": "En retard", "due": "À faire", "upcoming": "À venir"}
# Order of the rules, which is also the tie-break in the list (the most time-critical first).
KINDS = (
    "referral_check",
    "convocation_relay",
    "treat_at_home_follow_up",
    "postnatal_contact",
    "anc_contact_due",
    "vaccine_due",
    "child_monthly_visit",
    "social_appointment",
    "card_renewal",
)
KIND_LABELS_FR = {
    "referral_check": "Références à vérifier",
    "convocation_relay": "Convocations à transmettre",
    "treat_at_home_follow_up": "Suivis après traitement à domicile",
    "postnatal_contact": "Visites postnatales",
    "anc_contact_due": "Consultations prénatales (CPN)",
    "vaccine_due": "Vaccins",
    "child_monthly_visit": "Visites de routine des enfants",
    "social_appointment": "Rendez-vous de protection sociale",
    "card_renewal": "Cartes à renouveler",
}
# Kinds with a short window and a risk behind (a referred or treated child, a newborn, a family
# the CSCom waits for): listed "today" as soon as their window opens, and first in each group.
URGENT_KINDS = frozenset(
    {"referral_check", "convocation_relay", "treat_at_home_follow_up", "postnatal_contact"}
)
GROUPS = ("today", "overdue", "week", "later")
GROUP_LABELS_FR = {
    "today": "Aujourd'hui",
    "overdue": "En retard",
    "week": "Cette semaine",
    "later": "Plus tard",
}
# "This week": the deadline falls within the next seven days (today included).
WEEK_DAYS = 7
ROUTINE_CHILD_VISIT_KINDS: frozenset[str] = frozenset(
    {VisitKind.CHILD_FOLLOWUP, VisitKind.SICK_CHILD, VisitKind.POSTNATAL}
)
# The visit of a child of 5-17 years (keneya.visits.models.VisitKind.OLDER_CHILD_FOLLOWUP); the
# string, so that the rule reads it whatever the order the code and its data arrive in.
OLDER_CHILD_VISIT_KIND = "older_child_followup"
OLDER_CHILD_VISIT_KINDS = ROUTINE_CHILD_VISIT_KINDS | {OLDER_CHILD_VISIT_KIND}
MONTHS_FR = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

assert 12 % UNDER_FIVE_VISIT_EVERY_MONTHS == 0 and 12 % OLDER_CHILD_VISIT_EVERY_MONTHS == 0
assert set(KIND_LABELS_FR) == set(KINDS) and URGENT_KINDS <= set(KINDS)


@dataclass(frozen=True)
class Task:
    id: uuid.UUID
    kind: str  # one of KINDS
    person_id: uuid.UUID
    household_id: uuid.UUID
    title_fr: str
    due_from: date
    due_by: date  # last day of the window; overdue from the day after
    status: str  # upcoming | due | overdue
    detail_fr: str
    source: str  # the fact ("visit:<id>", "referral:<id>", "alert:<id>") or the schedule
    person_name: str = ""
    household_code: str = ""

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(
            id=str(self.id),
            person_id=str(self.person_id),
            household_id=str(self.household_id),
            due_from=self.due_from.isoformat(),
            due_by=self.due_by.isoformat(),
        )
        return data


class _Visit(NamedTuple):
    id: uuid.UUID
    kind: str
    visit_date: date
    action: str
    follow_up_days: int | None
    recorded_at: datetime


@dataclass
class _Facts:
    """Everything the rules read, loaded in a handful of queries."""

    on: date
    persons: dict[uuid.UUID, Person]
    visits: dict[uuid.UUID, list[_Visit]]  # per person, oldest first
    doses: dict[uuid.UUID, list[tuple[str, date]]]  # vaccination card per person
    dating: dict[uuid.UUID, tuple[date | None, date | None]]  # latest (lmp, edd) per person
    referrals: Sequence[Mapping[str, Any]]
    convocations: Sequence[Mapping[str, Any]]
    # Social protection: open appointments and cards to renew of the CHW's households, each
    # with the member the task is about (``social_person_id``).
    social_appointments: Sequence[Any] = ()
    card_renewals: Sequence[Any] = ()


def task_id(kind: str, subject: object, due_from: date) -> uuid.UUID:
    return uuid.uuid5(TASK_ID_NAMESPACE, f"{kind}:{subject}:{due_from.isoformat()}")


def status_on(on: date, due_from: date, due_by: date) -> str:
    if on < due_from:
        return "upcoming"
    return "due" if on <= due_by else "overdue"


def _fr(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def _task(
    facts: _Facts,
    *,
    kind: str,
    subject: object,
    person: Person,
    title_fr: str,
    due_from: date,
    due_by: date,
    detail_fr: str,
    source: str,
) -> Task | None:
    """The task, or None when it starts beyond the horizon."""
    if due_from > facts.on + timedelta(days=UPCOMING_HORIZON_DAYS):
        return None
    return Task(
        id=task_id(kind, subject, due_from),
        kind=kind,
        person_id=person.pk,
        household_id=person.household_id,
        title_fr=title_fr,
        due_from=due_from,
        due_by=due_by,
        status=status_on(facts.on, due_from, due_by),
        detail_fr=detail_fr,
        source=source,
        person_name=person.full_name,
        household_code=person.household.code,
    )


# --- Rules ---------------------------------------------------------------------------------------


def _period(on: date, every_months: int) -> tuple[date, date, date]:
    """(first day, due-by day, last day) of the calendar period of ``every_months`` holding on."""
    first_month = (on.month - 1) // every_months * every_months + 1
    last_month = first_month + every_months - 1
    start = date(on.year, first_month, 1)
    end = (date(on.year + 1, 1, 1) if last_month == 12 else date(on.year, last_month + 1, 1)) - timedelta(
        days=1
    )
    return start, date(on.year, last_month, CHILD_VISIT_DUE_BY_DAY), end


def child_visit_tasks(facts: _Facts) -> Iterable[Task | None]:
    on = facts.on
    for person in facts.persons.values():
        months = completed_months(person.date_of_birth, on)
        if months < UNDER_FIVE_MONTHS:
            every, title, band = (UNDER_FIVE_VISIT_EVERY_MONTHS, "Visite mensuelle de l'enfant", "0-59 mois")
            resolving = ROUTINE_CHILD_VISIT_KINDS
        elif months <= OLDER_CHILD_MAX_MONTHS:
            every, title, band = (
                OLDER_CHILD_VISIT_EVERY_MONTHS,
                "Visite trimestrielle de l'enfant",
                "5-17 ans",
            )
            resolving = OLDER_CHILD_VISIT_KINDS
        else:
            continue
        start, due_by, end = _period(on, every)
        if person.date_of_birth >= start:
            continue  # born in this period: the postnatal contacts come first
        if any(start <= v.visit_date <= end and v.kind in resolving for v in facts.visits.get(person.pk, ())):
            continue
        age = f"{months} mois" if months < 24 else f"{months // 12} ans"
        what = (
            "poids, PB, conseils" if months < UNDER_FIVE_MONTHS else "signes de danger, poids, taille, école"
        )
        span = (
            f"{MONTHS_FR[start.month - 1]} {start.year}"
            if every == 1
            else f"{MONTHS_FR[start.month - 1]} à {MONTHS_FR[end.month - 1]} {end.year}"
        )
        yield _task(
            facts,
            kind="child_monthly_visit",
            subject=person.pk,
            person=person,
            title_fr=title,
            due_from=start,
            due_by=due_by,
            detail_fr=f"{age} ; visite de routine de {span} ({what}).",
            source=f"programme ASC : une visite tous les {every} mois ({band}) [U]",
        )


def follow_up_tasks(facts: _Facts) -> Iterable[Task | None]:
    on = facts.on
    for person_id, visits in facts.visits.items():
        person = facts.persons[person_id]
        for visit in visits:
            if visit.action != "treat_at_home" or not visit.follow_up_days:
                continue
            due_from = visit.visit_date + timedelta(days=visit.follow_up_days)
            due_by = due_from + timedelta(days=FOLLOW_UP_WINDOW_DAYS)
            if on > due_by + timedelta(days=FOLLOW_UP_OVERDUE_LISTED_DAYS):
                continue
            if any(v.visit_date > visit.visit_date for v in visits):
                continue
            yield _task(
                facts,
                kind="treat_at_home_follow_up",
                subject=visit.id,
                person=person,
                title_fr="Revoir l'enfant traité·e à domicile",
                due_from=due_from,
                due_by=due_by,
                detail_fr=(
                    f"Traité·e à domicile le {_fr(visit.visit_date)} : visite de "
                    f"suivi au jour {visit.follow_up_days}."
                ),
                source=f"visit:{visit.id}",
            )


def referral_tasks(facts: _Facts) -> Iterable[Task | None]:
    for ref in facts.referrals:
        person = facts.persons[ref["person_id"]]
        issued_on = timezone.localdate(ref["issued_at"])
        due_from = timezone.localdate(ref["issued_at"] + CARE_TARGET)
        due_by = due_from + timedelta(days=REFERRAL_CHECK_WINDOW_DAYS)
        if ref["status"] == ReferralStatus.NOT_ARRIVED:
            if any(v.visit_date > issued_on for v in facts.visits.get(person.pk, ())):
                continue
            title = "Retrouver la famille : référence non honorée"
            detail = (
                f"Pas arrivé·e à {ref['to_facility__name']} (référé·e le "
                f"{_fr(issued_on)}). Motif : {ref['reason']}"
            )
        else:
            title = "Vérifier l'arrivée au centre de santé"
            detail = f"Référé·e le {_fr(issued_on)} vers {ref['to_facility__name']}. Motif : {ref['reason']}"
        yield _task(
            facts,
            kind="referral_check",
            subject=ref["id"],
            person=person,
            title_fr=title,
            due_from=due_from,
            due_by=due_by,
            detail_fr=detail,
            source=f"referral:{ref['id']}",
        )


def vaccine_tasks(facts: _Facts) -> Iterable[Task | None]:
    on = facts.on
    horizon = on + timedelta(days=UPCOMING_HORIZON_DAYS)
    for person in facts.persons.values():
        if completed_months(person.date_of_birth, on) >= UNDER_FIVE_MONTHS:
            continue
        doses = [
            (code, given)
            for code, given in facts.doses.get(person.pk, ())
            if person.date_of_birth <= given <= on
        ]
        schedule = immunization.due_vaccines(date_of_birth=person.date_of_birth, on=on, doses_received=doses)
        now = [v for v in schedule if v.status in ("due", "overdue")]
        if not now:
            soon = [v for v in schedule if v.status == "upcoming" and v.due_date <= horizon]
            first = min((v.due_date for v in soon), default=None)
            now = [v for v in soon if v.due_date == first]
        if not now:
            continue
        late = [_short_dose(v) for v in now if v.status == "overdue"]
        rest = [_short_dose(v) for v in now if v.status != "overdue"]
        parts = ([f"En retard : {', '.join(late)}"] if late else []) + (
            [f"{'à faire' if late else 'À faire'} : {', '.join(rest)}"] if rest else []
        )
        count = f"{len(now)} dose{'s' if len(now) > 1 else ''}"
        yield _task(
            facts,
            kind="vaccine_due",
            subject=person.pk,
            person=person,
            title_fr=f"Vaccins en retard ({count})" if late else f"Vaccins à faire ({count})",
            due_from=min(v.due_date for v in now),
            due_by=min(v.overdue_after for v in now),
            detail_fr=(f"{' ; '.join(parts)}. Vérifier la carte et orienter vers la séance du CSCom."),
            source=f"PEV Mali {immunization.PEV_SCHEDULE_VERSION}",
        )


def _short_dose(dose: immunization.VaccineDue) -> str:
    """ "Penta 1 (DTC-HepB-Hib)" -> "Penta 1": the card's short name."""
    return dose.label_fr.split(" (", 1)[0]


def _contact_task(
    facts: _Facts,
    *,
    kind: str,
    person: Person,
    title_fr: str,
    contact: pregnancy.ScheduledContact | None,
    detail_fr: str,
) -> Task | None:
    if contact is None or contact.status not in STATUSES:
        return None
    return _task(
        facts,
        kind=kind,
        subject=person.pk,
        person=person,
        title_fr=title_fr,
        due_from=contact.due_from,
        due_by=contact.target_date,
        detail_fr=f"{contact.label_fr}. {detail_fr}".strip(),
        source=f"pregnancy_rules {pregnancy.PREGNANCY_RULES_VERSION}",
    )


def anc_tasks(facts: _Facts) -> Iterable[Task | None]:
    on = facts.on
    for person_id, (lmp, edd) in facts.dating.items():
        person = facts.persons[person_id]
        if person.sex != Sex.FEMALE:
            continue
        start = edd - timedelta(days=pregnancy.PREGNANCY_LENGTH_DAYS) if edd else lmp
        assert start is not None
        if start > on:
            continue
        visits = facts.visits.get(person_id, ())
        if any(v.kind == VisitKind.POSTNATAL and v.visit_date > start for v in visits):
            continue  # she has delivered
        done = [v.visit_date for v in visits if v.kind == VisitKind.PREGNANCY and start <= v.visit_date <= on]
        try:
            schedule = pregnancy.anc_schedule(on=on, lmp=lmp, edd=edd, contacts_done=done)
        except ValueError:  # beyond 44 weeks: the pregnancy has ended
            continue
        ga = schedule.gestational_age
        yield _contact_task(
            facts,
            kind="anc_contact_due",
            person=person,
            title_fr="Consultation prénatale (CPN)",
            contact=schedule.next_contact,
            detail_fr=(f"Grossesse de {ga.weeks} SA + {ga.extra_days} j, terme prévu le {_fr(ga.edd)}."),
        )


def postnatal_tasks(facts: _Facts) -> Iterable[Task | None]:
    on = facts.on
    for person in facts.persons.values():
        if age_days(person.date_of_birth, on) > YOUNG_INFANT_MAX_DAYS:
            continue
        done = [
            v.visit_date
            for v in facts.visits.get(person.pk, ())
            if v.kind == VisitKind.POSTNATAL and v.visit_date >= person.date_of_birth
        ]
        schedule = pregnancy.postnatal_schedule(delivery_date=person.date_of_birth, on=on, contacts_done=done)
        yield _contact_task(
            facts,
            kind="postnatal_contact",
            person=person,
            title_fr="Visite postnatale (mère et nouveau-né)",
            contact=schedule.next_contact,
            detail_fr=f"Né·e le {_fr(person.date_of_birth)}.",
        )


def convocation_tasks(facts: _Facts) -> Iterable[Task | None]:
    on = facts.on
    for alert in facts.convocations:
        person = facts.persons[alert["person_id"]]
        convoked_at = alert["convoked_at"] or alert["acknowledged_at"] or alert["raised_at"]
        convoked_on = timezone.localdate(convoked_at)
        appointment: date = alert["appointment_date"]
        if convoked_on > on or appointment < on:
            continue
        if any(
            v.recorded_at > convoked_at and v.visit_date >= convoked_on
            for v in facts.visits.get(person.pk, ())
        ):
            continue
        due_by = max(convoked_on, appointment - timedelta(days=CONVOCATION_RELAY_LEAD_DAYS))
        yield _task(
            facts,
            kind="convocation_relay",
            subject=f"{alert['id']}:{appointment}",
            person=person,
            title_fr="Prévenir la famille de la convocation",
            due_from=convoked_on,
            due_by=due_by,
            detail_fr=(
                f"{alert['facility__name']} attend {person.full_name} le "
                f"{_fr(appointment)}. Motif : {alert['title']}"
            ),
            source=f"alert:{alert['id']}",
        )


def social_appointment_tasks(facts: _Facts) -> Iterable[Task | None]:
    """An open appointment of a dossier (social survey, filing, card): accompany the family; done
    by its "Fait" button (the person page, from the task) or by the social worker."""
    on = facts.on
    for appointment in facts.social_appointments:
        person = facts.persons.get(appointment.social_person_id)
        if person is None or on > appointment.on + timedelta(days=SOCIAL_APPOINTMENT_OVERDUE_LISTED_DAYS):
            continue
        kind = appointment.get_kind_display()
        place = f" ({appointment.place})" if appointment.place else ""
        yield _task(
            facts,
            kind="social_appointment",
            subject=appointment.pk,
            person=person,
            title_fr=f"Accompagner la famille : {kind[:1].lower()}{kind[1:]} le {appointment.on:%d/%m}",
            due_from=appointment.on - timedelta(days=SOCIAL_APPOINTMENT_LEAD_DAYS),
            due_by=appointment.on,
            detail_fr=f"{kind} le {_fr(appointment.on)}{place}. Dossier {appointment.dossier.reference}.",
            source=f"appointment:{appointment.pk}",
        )


def card_renewal_tasks(facts: _Facts) -> Iterable[Task | None]:
    """A card within its renewal lead time (or expired) not yet renewed: tell the family; the
    task goes when the social worker opens the renewal dossier."""
    for row in facts.card_renewals:
        dossier = row.dossier
        person = facts.persons.get(dossier.social_person_id)
        if person is None:
            continue
        scheme = dossier.get_scheme_display().split(" (")[0]
        state = "a expiré le" if row.expired else "expire le"
        yield _task(
            facts,
            kind="card_renewal",
            subject=f"{dossier.pk}:{dossier.valid_until}",
            person=person,
            title_fr=f"Carte {scheme} à renouveler",
            due_from=row.renewal_due_on,
            due_by=dossier.valid_until,
            detail_fr=f"La carte {scheme} ({dossier.card_number}) {state} {_fr(dossier.valid_until)}. "
            "Prévenir la famille et l'assistant social.",
            source=f"dossier:{dossier.pk}",
        )


RULES: tuple[Callable[[_Facts], Iterable[Task | None]], ...] = (
    referral_tasks,
    convocation_tasks,
    follow_up_tasks,
    postnatal_tasks,
    anc_tasks,
    vaccine_tasks,
    child_visit_tasks,
    social_appointment_tasks,
    card_renewal_tasks,
)


# --- Reads ---------------------------------------------------------------------------------------


def _load(chw: Any, on: date) -> _Facts:
    persons = {
        p.pk: p
        for p in Person.objects.filter(
            household__chw=chw,
            household__status=HouseholdStatus.ACTIVE,
            vital_status=VitalStatus.ALIVE,
            merged_into__isnull=True,
            date_of_birth__lte=on,
        )
        .select_related("household")
        .order_by("household__code", "date_of_birth")
    }
    in_scope = Q(person__household__chw=chw)
    referrals = [
        r
        for r in Referral.objects.filter(
            in_scope,
            status__in=[ReferralStatus.ISSUED, ReferralStatus.NOT_ARRIVED],
        )
        .order_by("issued_at")
        .values("id", "person_id", "status", "issued_at", "reason", "to_facility__name")
        if r["person_id"] in persons and timezone.localdate(r["issued_at"]) <= on
    ]
    convocations = [
        a
        for a in Alert.objects.filter(
            in_scope,
            status=AlertStatus.CONVOKED,
            appointment_date__gte=on,
        )
        .annotate(convoked_at=Max("events__at", filter=Q(events__kind="convoked")))
        .order_by("raised_at")
        .values(
            "id",
            "person_id",
            "title",
            "appointment_date",
            "convoked_at",
            "acknowledged_at",
            "raised_at",
            "facility__name",
        )
        if a["person_id"] in persons
    ]
    # Visits far enough back for every rule: a whole pregnancy, and the open referrals and
    # convocations (a later visit resolves them).
    since = min(
        [on - timedelta(days=pregnancy.MAX_GESTATIONAL_AGE_DAYS)]
        + [timezone.localdate(r["issued_at"]) for r in referrals]
        + [timezone.localdate(a["convoked_at"] or a["raised_at"]) for a in convocations]
    )
    visits: dict[uuid.UUID, list[_Visit]] = defaultdict(list)
    for row in (
        Visit.objects.filter(in_scope, visit_date__gte=since, visit_date__lte=on)
        .order_by("visit_date", "recorded_at")
        .values_list("person_id", "id", "kind", "visit_date", "action", "follow_up_days", "recorded_at")
    ):
        if row[0] in persons:
            visits[row[0]].append(_Visit(*row[1:]))
    doses: dict[uuid.UUID, list[tuple[str, date]]] = defaultdict(list)
    latest: dict[uuid.UUID, dict[str, tuple[date, datetime, date]]] = defaultdict(dict)
    observations = Observation.objects.filter(
        in_scope,
        voided_at__isnull=True,
        observed_on__lte=on,
        value_date__isnull=False,
    ).filter(
        Q(code__startswith=VACCINE_OBSERVATION_PREFIX) | Q(code__in=("lmp", "edd"), observed_on__gte=since)
    )
    for person_id, code, value, observed_on, recorded_at in observations.values_list(
        "person_id", "code", "value_date", "observed_on", "recorded_at"
    ):
        if person_id not in persons or value is None:
            continue
        if code.startswith(VACCINE_OBSERVATION_PREFIX):
            try:
                dose = immunization.canonical_code(code.removeprefix(VACCINE_OBSERVATION_PREFIX))
            except ValueError:
                continue  # a dose removed from the schedule: not a reason to fail the list
            doses[person_id].append((dose, value))
        else:
            seen = latest[person_id].get(code)
            if seen is None or (observed_on, recorded_at) > seen[:2]:
                latest[person_id][code] = (observed_on, recorded_at, value)
    dating: dict[uuid.UUID, tuple[date | None, date | None]] = {}
    for person_id, codes in latest.items():
        # The latest visit that dated the pregnancy decides; its EDD wins over its LMP.
        last_day = max(observed_on for observed_on, _at, _value in codes.values())
        lmp, edd = (codes[c][2] if c in codes and codes[c][0] == last_day else None for c in ("lmp", "edd"))
        dating[person_id] = (lmp, edd)
    appointments, renewals = _social(chw, on, persons)
    return _Facts(
        on=on,
        persons=persons,
        visits=dict(visits),
        doses=dict(doses),
        dating=dating,
        referrals=referrals,
        convocations=convocations,
        social_appointments=appointments,
        card_renewals=renewals,
    )


def _social(chw: Any, on: date, persons: Mapping[uuid.UUID, Person]) -> tuple[list[Any], list[Any]]:
    """The open appointments and the cards to renew of the CHW's households (two queries),
    each dossier given the person its task is listed under: the head of household, else the
    household's eldest member (the task is about the family)."""
    dossiers = Dossier.objects.filter(household__chw=chw)
    appointments = list(social_queries.open_appointments(dossiers))
    renewals = social_queries.cards_to_renew(dossiers, on=on)
    eldest: dict[uuid.UUID, Person] = {}
    for person in persons.values():
        current = eldest.get(person.household_id)
        if current is None or person.date_of_birth < current.date_of_birth:
            eldest[person.household_id] = person
    for dossier in [a.dossier for a in appointments] + [r.dossier for r in renewals]:
        head_id = dossier.household.head_id
        fallback = eldest.get(dossier.household_id)
        chosen = head_id if head_id in persons else fallback.pk if fallback else None
        dossier.social_person_id = chosen  # type: ignore[attr-defined]
    for appointment in appointments:
        appointment.social_person_id = appointment.dossier.social_person_id  # type: ignore[attr-defined]
    return appointments, renewals


def group_on(task: Task, on: date) -> str:
    """Where the task is listed on ``on``: today, overdue, week or later (see the module doc)."""
    if on > task.due_by:
        return "overdue"
    if task.due_from <= on and (task.due_by == on or task.kind in URGENT_KINDS):
        return "today"
    if task.due_by < on + timedelta(days=WEEK_DAYS):
        return "week"
    return "later"


def sort_key(task: Task, on: date) -> tuple[Any, ...]:
    """The list's order on ``on``: group, urgency, deadline, start, household, person, kind."""
    return (
        GROUPS.index(group_on(task, on)),
        0 if task.kind in URGENT_KINDS else 1,
        task.due_by,
        task.due_from,
        task.household_code,
        task.person_name,
        KINDS.index(task.kind),
        str(task.id),
    )


def tasks_for_chw(*, chw: Any, on: date) -> list[Task]:
    """The tasks of the CHW's households on ``on``, in the list's order (``sort_key``)."""
    facts = _load(chw, on)
    tasks = [task for rule in RULES for task in rule(facts) if task is not None]
    return sorted(tasks, key=lambda t: sort_key(t, on))


def filter_tasks(
    tasks: Iterable[Task], *, kind: str | None = None, household_id: uuid.UUID | None = None
) -> list[Task]:
    """The tasks of that kind and household (either may be None: any)."""
    return [
        t
        for t in tasks
        if (kind is None or t.kind == kind) and (household_id is None or t.household_id == household_id)
    ]
