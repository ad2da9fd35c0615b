"""What followed the demo's visits, replayed through the real services on a simulated clock.

The visits themselves are planned in ``keneya.demo.visits`` (pure, seeded) and bulk-written
(``visits.write_visits``; ``test_seed_demo`` proves the rows are the visit service's). Every
state change of an alert or a referral then goes through the services the web, the API and the
scheduler use, in time order, with the clock set to the moment it happens:

- a visit arrives: ``alerts.services.raise_alerts_for_visits`` (the alert, the referral of an
  urgent visit, the clinicians' SMS), with the weighings the visit service would read;
- the scheduler's passes: what the ``escalate_alerts`` and ``check_referrals`` jobs run
  (``escalate_unacknowledged``, ``check_overdue_referrals``), after the delays their apps own
  (``alerts.services.escalation_delay``, ``referrals.models.CARE_TARGET``) plus a part of the
  job's period (``every`` in the periodic registry, ``keneya.core.periodic``);
- the clinicians: ``acknowledge_alert``, ``convoke_family``, ``close_alert``, ``mark_arrived``,
  ``records.services.record_consultation`` (which sees the referral and closes the alerts),
  ``refer_to_csref``, ``counter_refer``, ``close_referral``.

Nothing here decides what a service decides: an intention whose service refuses it (a
convocation of an alert already closed, a counter-referral of a referral not seen) is dropped,
as the service says. What the demo decides is the story: who comes, when, and what the
clinician writes (drawn from a seeded generator).

Reproducible: ``django.utils.timezone.now`` answers the simulated time while the replay runs,
and the ids the services make (``core.ids.uuid7``) come from a seeded source
(``core.ids.ids_from``), so the same seed and the same "now" give the same rows and ids.
"""

from __future__ import annotations

import heapq
import math
import random
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from itertools import count
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone

from keneya.accounts.models import Role, User
from keneya.alerts.models import Alert, AlertStatus, CloseReason, Priority
from keneya.alerts.rules import REFERRAL_NOT_ARRIVED
from keneya.alerts.services import (
    VisitToCheck,
    acknowledge_alert,
    close_alert,
    convoke_family,
    cscom_ids_of_quartiers,
    escalate_unacknowledged,
    escalation_delay,
    raise_alerts_for_visits,
)
from keneya.core.ids import ids_from
from keneya.core.models import Facility, FacilityKind
from keneya.core.periodic import periodic_job
from keneya.demo import district
from keneya.demo.visits import (
    TREATMENT_FR,
    ClosedLoopPlan,
    PVisit,
    Subjects,
    WriteCounts,
    _bulk_update,
    consultation_spec,
    plan_closed_loop,
    stable_uuid,
    visit_rows,
    write_visits,
)
from keneya.notifications.models import OutboxMessage, OutboxStatus
from keneya.people.models import HouseholdStatus, VitalStatus
from keneya.records.services import record_consultation
from keneya.referrals.models import CARE_TARGET, Referral
from keneya.referrals.services import (
    check_overdue_referrals,
    close_referral,
    counter_refer,
    mark_arrived,
    refer_to_csref,
)
from keneya.sync.changelog import streams_locked
from keneya.visits.models import Visit
from keneya.visits.queries import is_weighed_for_growth, weights_until

# Alerts the stories leave open this long are closed: a CSCom does not leave an alert open for
# weeks (acknowledged ones were seen at a later consultation, the others judged false alarms).
STALE_ALERT_DAYS = 21
SMS_SENT_AFTER = timedelta(seconds=4)
URGENT_STORIES = {"open_urgent", "escalated", "seen_full", "false_alarm", "deceased"}

Intent = tuple[datetime, int, Callable[..., None], tuple[Any, ...]]


# --- the simulated clock and the ids ----------------------------------------------------------


class SimulatedClock:
    """What ``timezone.now()`` answers inside ``running``: the moment being replayed."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    @contextmanager
    def running(self) -> Iterator[None]:
        original = timezone.now
        timezone.now = self.now  # type: ignore[assignment]
        try:
            yield
        finally:
            timezone.now = original  # type: ignore[assignment]


class SeededIds:
    """UUIDv7 from the simulated clock and a seeded generator (``core.ids.uuid7``'s layout)."""

    def __init__(self, clock: SimulatedClock, seed: int | str) -> None:
        self.clock = clock
        self.rng = random.Random(f"{seed}:ids")
        self.made: list[uuid.UUID] = []

    def __call__(self) -> uuid.UUID:
        ms = int(self.clock.current.timestamp() * 1000)
        rand = self.rng.getrandbits(74)
        value = ((ms & (1 << 48) - 1) << 80) | (0x7 << 76) | ((rand >> 62) & 0xFFF) << 64
        value |= (0b10 << 62) | (rand & ((1 << 62) - 1))
        made = uuid.UUID(int=value)
        self.made.append(made)
        return made


# --- who acts ------------------------------------------------------------------------------------


@dataclass
class Staff:
    """The demo's facilities and the users who act in them (model instances, for the services)."""

    cscom_of: dict[str, Any]  # health area code -> its CSCom's id (alerts.services routing)
    csref: Any
    clinicians: dict[Any, list[Any]]  # facility id -> clinicians (specialists at the CSRef)

    def clinician(self, facility: Any) -> Any:
        return self.clinicians[facility][0]


def load_staff() -> Staff:
    """Facilities and staff of the demo, read back after ``seed._create_users``."""
    facilities = list(Facility.objects.filter(code__in=district.DEMO_FACILITY_CODES))
    quartiers = {q.code: ha.code for ha in district.HEALTH_AREAS for q in ha.quartiers}
    from keneya.core.models import Area

    ids = dict(Area.objects.filter(code__in=list(quartiers)).values_list("pk", "code"))
    cscom_of: dict[str, Any] = {}
    for quartier_id, cscom in cscom_ids_of_quartiers(ids).items():
        if cscom is None:
            raise RuntimeError(f"no CSCom for the quartier {ids[quartier_id]}")
        cscom_of[quartiers[ids[quartier_id]]] = cscom
    clinicians: dict[Any, list[Any]] = {}
    for user in (
        User.objects.filter(
            facility__in=[f.pk for f in facilities],
            is_active=True,
            role__in=(Role.CLINICIAN, Role.SPECIALIST),
        )
        .select_related("facility__refers_to")
        .order_by("username")
    ):
        clinicians.setdefault(user.facility_id, []).append(user)
    csref = next((f.pk for f in facilities if f.kind == FacilityKind.CSREF), None)
    return Staff(cscom_of=cscom_of, csref=csref, clinicians=clinicians)


# --- the replay ---------------------------------------------------------------------------------


@dataclass
class PlayCounts:
    alerts: int = 0
    referrals: int = 0
    consultations: int = 0
    messages: int = 0
    deaths: dict[uuid.UUID, date] = field(default_factory=dict)


class _Player:
    def __init__(
        self,
        plan: ClosedLoopPlan,
        staff: Staff,
        rows: dict[uuid.UUID, Visit],
        *,
        seed: int | str,
        tz: tzinfo,
    ) -> None:
        self.plan = plan
        self.staff = staff
        self.rows = rows
        self.rng = random.Random(f"{seed}:closed-loop:play")
        self.now = plan.now
        self.tz = tz
        self.heap: list[Intent] = []
        self._seq = count()
        self.weighings: dict[uuid.UUID, list[tuple[date, float]]] = {}
        self.follow_up: dict[Any, dict[str, Any]] = {}  # referral id -> its "not arrived" plan
        self.deaths: dict[uuid.UUID, date] = {}
        self.consultations = 0
        self.escalate = periodic_job("escalate_alerts")
        self.check_referrals = periodic_job("check_referrals")

    # --- time ---------------------------------------------------------------------------------

    def at(self, day: date, hours: float) -> datetime:
        return datetime.combine(day, time(0), tzinfo=self.tz) + timedelta(hours=hours)

    def working(self, t: datetime, jitter: float) -> datetime:
        """Routine work happens in working hours (8:00-17:00)."""
        local = t.astimezone(self.tz)
        if local.hour < 8:
            return self.at(local.date(), 8 + jitter)
        if local.hour >= 17:
            return self.at(local.date() + timedelta(days=1), 8 + jitter)
        return t

    def push(self, at: datetime, action: Callable[..., None], *args: Any) -> None:
        heapq.heappush(self.heap, (at, next(self._seq), action, args))

    def run(self, clock: SimulatedClock) -> None:
        for v in self.plan.visits:
            assert v.recorded_at is not None
            self.push(v.recorded_at, self.record, v)
        for home, moved in self.plan.move_reports.values():
            self.push(moved, self.close_all_home, home)
        while self.heap:
            at, _, action, args = heapq.heappop(self.heap)
            if at > self.now:
                break
            clock.current = at
            action(at, *args)

    def pass_of(self, job: Any, draw: float) -> timedelta:
        """When in its period the scheduler's next pass of ``job`` comes."""
        return timedelta(seconds=job.every.total_seconds() * draw)

    # --- a visit arrives ------------------------------------------------------------------------

    def record(self, t: datetime, v: PVisit) -> None:
        visit = self.rows[v.id]
        weight = v.measurements.get("weight_kg")
        history = self.weighings.setdefault(v.member.id, [])
        if weight is not None:
            history.append((v.visit_date, float(weight)))
            history.sort(key=lambda row: row[0])  # stable: within a date, in the order received
        weights = weights_until(history, v.visit_date) if is_weighed_for_growth(visit) else []
        [alert] = raise_alerts_for_visits([VisitToCheck(visit, weights)])
        referral = None
        if visit.urgent:
            referral = alert.referral if alert is not None else Referral.objects.get(visit=visit)
        if v.story:
            expected = (
                v.urgent
                if v.story in URGENT_STORIES
                else alert is not None and alert.rule == ("moderate_acute_malnutrition")
            )
            if not expected or alert is None:
                raise RuntimeError(
                    f"demo story {v.story!r}: the engine said {v.assessment.get('action')} "
                    f"{alert.rule if alert else None}"
                )
        self.plan_episode(v, alert, referral)

    # --- what happens next: intentions with seeded delays ------------------------------------

    def plan_episode(self, v: PVisit, alert: Alert | None, referral: Referral | None) -> None:
        rng = self.rng
        t0 = v.recorded_at
        assert t0 is not None
        clinician = self.staff.clinician(self.staff.cscom_of[v.home.health_area])
        h = timedelta(hours=1)
        # Every draw happens whatever the story, so that the draws never depend on "now".
        draws = [rng.random() for _ in range(12)]
        ack_fast = t0 + timedelta(minutes=4 + 106 * draws[0])
        ack_late = t0 + timedelta(hours=2.2 + 8 * draws[1])
        story = v.story
        if alert is not None and alert.priority == Priority.URGENT:
            when = t0 + escalation_delay() + self.pass_of(self.escalate, draws[2])
            self.push(when, self.scheduler_pass, self.escalate)
        if referral is not None:
            self.follow_up[referral.pk] = self.follow_up_plan()
            when = t0 + CARE_TARGET + self.pass_of(self.check_referrals, draws[3])
            self.push(when, self.scheduler_pass, self.check_referrals)
        if alert is not None:
            self.push(alert.raised_at + timedelta(days=STALE_ALERT_DAYS), self.close_stale, alert.pk)
        if alert is None and referral is None:
            return
        if referral is not None:  # urgent visit
            scenario = (
                "fast"
                if draws[4] < 0.66
                else "late"
                if draws[4] < 0.82
                else "never"
                if draws[4] < 0.92
                else "false_alarm"
            )
            scenario = {
                "open_urgent": "fast",
                "escalated": "never",
                "seen_full": "fast",
                "false_alarm": "false_alarm",
                "deceased": "death",
            }.get(story, scenario)
            if alert is not None and story not in ("open_urgent", "escalated"):
                self.push(
                    ack_fast if draws[5] < 0.72 or scenario == "false_alarm" else ack_late,
                    self.ack,
                    alert.pk,
                    clinician,
                )
            if story == "open_urgent" and alert is not None:
                self.push(t0 + 4 * h, self.ack, alert.pk, clinician)
            if scenario == "fast":
                ttc = min(max(math.exp(math.log(4) + 0.8 * _normal(draws[6], draws[7])), 0.5), 23.5)
                if story == "seen_full":
                    ttc = 3.2
                elif story == "open_urgent":
                    ttc = 6.0  # not yet: the alert is still open
                seen = t0 + timedelta(hours=ttc)
                if draws[8] < 0.6:
                    self.push(
                        max(seen - timedelta(minutes=10 + 40 * draws[9]), t0),
                        self.arrive,
                        referral.pk,
                        v,
                        clinician,
                    )
                self.push(seen, self.consult, self.consultation(v, alert, referral))
            elif scenario == "late":
                seen = t0 + timedelta(hours=24.5 + 47 * draws[6])
                if draws[8] < 0.25:
                    self.push(
                        t0 + timedelta(hours=20 + 3.5 * draws[9]), self.arrive, referral.pk, v, clinician
                    )
                self.push(seen, self.consult, self.consultation(v, alert, referral))
            elif scenario == "never":
                if draws[6] < 0.5 and story != "escalated":  # comes days later after all
                    seen = self.working(t0 + timedelta(days=3 + 5 * draws[9]), 1 + 3 * draws[7])
                    self.push(seen, self.consult, self.consultation(v, alert, referral))
            elif scenario == "false_alarm" and alert is not None:
                self.push(
                    ack_fast + timedelta(minutes=10 + 110 * draws[6]),
                    self.close,
                    alert.pk,
                    CloseReason.FALSE_ALARM,
                    clinician,
                )
            elif scenario == "death":
                died = t0 + timedelta(hours=30 + 30 * draws[6])
                self.deaths[v.member.id] = died.astimezone(self.tz).date()
                report = died + timedelta(hours=3 + 21 * draws[7])
                # The referral stays "not arrived": the child never reached the CSCom.
                self.push(report, self.close_all, v.member.id, CloseReason.DECEASED)
            return
        assert alert is not None
        # Alerts without referral: SAM treated as outpatient, MAM, growth faltering.
        work = self.working
        if story == "acknowledged":
            self.push(t0 + timedelta(minutes=50), self.ack, alert.pk, clinician)
            return
        if story in ("convoked", "moved"):
            ack = t0 + timedelta(hours=1)
            self.push(ack, self.ack, alert.pk, clinician)
            appointment = (
                self.plan.today + timedelta(days=1)
                if story == "convoked"
                else v.visit_date + timedelta(days=4)
            )
            self.push(ack + timedelta(minutes=10), self.convoke, alert.pk, clinician, appointment)
            return
        urgent = alert.priority == Priority.URGENT
        ack = (
            t0 + timedelta(minutes=5 + 90 * draws[0])
            if urgent
            else work(t0 + timedelta(hours=0.5 + 47.5 * draws[0] ** 2), 3 * draws[1])
        )
        outcome = draws[4]
        self.push(ack, self.ack, alert.pk, clinician)
        if outcome < 0.6:  # convoked; most come on the day
            convoked = ack + timedelta(minutes=5 + 85 * draws[5])
            appointment = convoked.astimezone(self.tz).date() + timedelta(
                days=(0 if urgent else 1) + int(draws[6] * (3 if urgent else 5))
            )
            self.push(convoked, self.convoke, alert.pk, clinician, appointment)
            if draws[7] < 0.85:
                seen = max(self.at(appointment, 8.5 + 3.5 * draws[8]), convoked + h)
                self.push(seen, self.consult, self.consultation(v, alert, None))
        elif outcome < 0.8:  # the family comes on its own
            seen = work(t0 + timedelta(hours=3 + 160 * draws[5]), 3 * draws[6])
            self.push(seen, self.consult, self.consultation(v, alert, None))
        elif outcome < 0.92:
            self.push(
                ack + timedelta(hours=0.1 + 24 * draws[5]),
                self.close,
                alert.pk,
                CloseReason.FALSE_ALARM,
                clinician,
            )
        # else: acknowledged, nothing more yet

    def follow_up_plan(self) -> dict[str, Any]:
        """Drawn now, used only if the referral is declared "not arrived"."""
        rng = self.rng
        return {
            "ack": 0.3 + 5.7 * rng.random(),
            "convoke": rng.random() < 0.6,
            "convoke_after": 5 + 55 * rng.random(),
            "appointment_days": rng.randint(0, 2),
            "false_alarm_after": 0.5 + 5.5 * rng.random(),
        }

    def consultation(self, v: PVisit, alert: Alert | None, referral: Referral | None) -> dict[str, Any]:
        """What the consultation will write, and what may follow it (drawn now)."""
        return consultation_spec(
            self.rng,
            v,
            rule=alert.rule if alert is not None else "danger_sign",
            alert_title=alert.title if alert is not None else None,
            referral_reason=referral.reason if referral is not None else None,
        )

    # --- the actions: the services, at the time they happen -----------------------------------

    def scheduler_pass(self, t: datetime, job: Any) -> None:
        """A pass of the job (the service its ``jobs.py`` runs, which returns a count)."""
        if job is self.escalate:
            escalate_unacknowledged(now=t)
        elif check_overdue_referrals(now=t):
            for alert in Alert.objects.filter(rule=REFERRAL_NOT_ARRIVED.code, raised_at=t).select_related(
                "referral"
            ):
                self.not_arrived(t, alert)

    def not_arrived(self, t: datetime, alert: Alert) -> None:
        """The CSCom follows the "not arrived" alert up (as drawn when the referral was issued)."""
        referral = alert.referral
        assert referral is not None
        plan = self.follow_up.get(referral.pk) or self.fixed_follow_up()
        clinician = self.staff.clinician(alert.facility_id)
        ack = self.working(t + timedelta(hours=plan["ack"]), plan["ack"] / 2)
        self.push(ack, self.ack, alert.pk, clinician)
        original = (
            Alert.objects.filter(referral=referral)
            .exclude(rule=REFERRAL_NOT_ARRIVED.code)
            .values_list("close_reason", flat=True)
            .first()
        )
        if original == CloseReason.FALSE_ALARM:
            when = ack + timedelta(hours=plan["false_alarm_after"])
            self.push(when, self.close, alert.pk, CloseReason.FALSE_ALARM, clinician)
            self.push(when + timedelta(minutes=2), self.close_referral, referral.pk, clinician)
        elif plan["convoke"]:
            convoked = ack + timedelta(minutes=plan["convoke_after"])
            appointment = convoked.astimezone(self.tz).date() + timedelta(days=plan["appointment_days"])
            self.push(convoked, self.convoke, alert.pk, clinician, appointment)

    @staticmethod
    def fixed_follow_up() -> dict[str, Any]:
        return {
            "ack": 1.0,
            "convoke": False,
            "convoke_after": 0,
            "appointment_days": 0,
            "false_alarm_after": 1.0,
        }

    def ack(self, t: datetime, alert_id: Any, by: Any) -> None:
        acknowledge_alert(by=by, alert=_alert(alert_id))

    def convoke(self, t: datetime, alert_id: Any, by: Any, appointment: date) -> None:
        try:
            convoke_family(by=by, alert=_alert(alert_id, related=True), appointment_date=appointment)
        except ValidationError:
            pass  # closed meanwhile, or the day has passed: the service refuses, nothing happens

    def close(self, t: datetime, alert_id: Any, reason: str, by: Any) -> None:
        close_alert(by=by, alert=_alert(alert_id), reason=reason)

    def close_stale(self, t: datetime, alert_id: Any) -> None:
        alert = _alert(alert_id)
        if alert.status == AlertStatus.CLOSED:
            return
        reason = CloseReason.SEEN if alert.acknowledged_at else CloseReason.FALSE_ALARM
        close_alert(by=self.staff.clinician(alert.facility_id), alert=alert, reason=reason)

    def close_all(self, t: datetime, person_id: Any, reason: str) -> None:
        for alert in Alert.objects.filter(person_id=person_id).exclude(status=AlertStatus.CLOSED):
            close_alert(by=self.staff.clinician(alert.facility_id), alert=alert, reason=reason)

    def close_all_home(self, t: datetime, home: Any) -> None:
        """The relais reports the move: the CSCom closes the family's open alerts."""
        for member in home.members:
            self.close_all(t, member.id, CloseReason.MOVED)

    def gone(self, v: PVisit, t: datetime) -> bool:
        """Dead, or moved away (the demo's story, not a rule): nobody comes any more."""
        day = t.astimezone(self.tz).date()
        died = self.deaths.get(v.member.id)
        moved = self.plan.moves_on.get(v.home.id)
        return (died is not None and day >= died) or (moved is not None and day >= moved)

    def arrive(self, t: datetime, referral_id: Any, v: PVisit, by: Any) -> None:
        if not self.gone(v, t):
            mark_arrived(by=by, referral=Referral.objects.get(pk=referral_id))

    def consult(self, t: datetime, spec: dict[str, Any], facility: Any = None, csref: bool = False) -> None:
        """``records.services.record_consultation``: it sees the oldest open referral to this
        facility and closes the person's open alerts as "seen"."""
        v: PVisit = spec["visit"]
        if self.gone(v, t):
            return
        facility = facility or self.staff.cscom_of[v.home.health_area]
        by = self.staff.clinician(facility)
        follow_up = spec["follow_up_days"]
        try:
            consultation = record_consultation(
                by=by,
                person=self.rows[v.id].person,
                complaint=spec["complaint"],
                examination=spec["examination"],
                treatment=spec["treatment"],
                diagnoses=spec["codes"],
                follow_up_date=t.astimezone(self.tz).date() + timedelta(days=follow_up)
                if follow_up
                else None,
                vitals=spec["csref_vitals"] if csref else spec["vitals"],
                consulted_at=t,
                id=stable_uuid("consultation", v.member.id, t.isoformat(), facility),
            )
        except ValidationError as exc:
            raise RuntimeError(f"demo consultation refused: {exc.message_dict}") from exc
        self.consultations += 1
        referral_id = consultation.referral_id
        if referral_id is None:
            return
        h = timedelta(hours=1)
        if csref:
            self.push(t + spec["csref_counter"] * h, self.counter_refer, referral_id, by, spec["codes"])
            when = t + (spec["csref_counter"] + spec["csref_close"]) * h
            self.push(when, self.close_referral, referral_id, by)
            return
        if spec["csref"] and self.staff.csref is not None:
            self.push(t + spec["csref_after"] * h, self.refer_csref, spec, referral_id, by)
        if spec["counter_refer"]:
            self.push(t + spec["counter_after"] * h, self.counter_refer, referral_id, by, spec["codes"])
            if spec["close"]:
                when = t + (spec["counter_after"] + spec["close_after"]) * h
                self.push(when, self.close_referral, referral_id, by)

    def refer_csref(self, t: datetime, spec: dict[str, Any], origin_id: Any, by: Any) -> None:
        """A severe case goes on to the CSRef (``referrals.services.refer_to_csref``)."""
        origin = Referral.objects.get(pk=origin_id)
        referral = refer_to_csref(
            by=by,
            person=origin.person,
            reason=f"Cas sévère vu au CSCom ({', '.join(spec['codes'])}) : prise en charge au CSRef.",
            urgent=True,
            findings=list(origin.findings),
        )
        self.follow_up[referral.pk] = self.fixed_follow_up()
        when = t + CARE_TARGET + self.pass_of(self.check_referrals, 0.5)
        self.push(when, self.scheduler_pass, self.check_referrals)
        self.push(t + timedelta(hours=spec["csref_seen"]), self.consult, spec, self.staff.csref, True)

    def counter_refer(self, t: datetime, referral_id: Any, by: Any, codes: list[str]) -> None:
        referral = Referral.objects.select_related("to_facility", "person__household__chw").get(
            pk=referral_id
        )
        note = (
            f"Vu·e au {referral.to_facility.name} : {', '.join(codes)}. "
            f"{' '.join(TREATMENT_FR.get(c, '') for c in codes).strip()} "
            "Revoir à domicile dans 3 jours et vérifier la prise du traitement."
        )
        try:
            counter_refer(by=by, referral=referral, note=note)
        except ValidationError:
            pass  # not seen (the service says so): nothing to report back

    def close_referral(self, t: datetime, referral_id: Any, by: Any) -> None:
        try:
            close_referral(by=by, referral=Referral.objects.get(pk=referral_id))
        except ValidationError:
            pass  # still open: the service refuses to close it


def _alert(alert_id: Any, *, related: bool = False) -> Alert:
    """The alert as stored now (a service may have changed it since); ``related``: with what a
    convocation reads (the person's household and CHW, the facility) in the same query."""
    if related:
        return Alert.objects.select_related("person__household__chw", "facility").get(pk=alert_id)
    return Alert.objects.get(pk=alert_id)


def _normal(u1: float, u2: float) -> float:
    """A standard normal from two uniforms (Box-Muller), so that the draw count is fixed."""
    return math.sqrt(-2 * math.log(max(u1, 1e-12))) * math.cos(2 * math.pi * u2)


def play_closed_loop(
    plan: ClosedLoopPlan, rows: dict[uuid.UUID, Visit], *, seed: int | str, tz: tzinfo
) -> PlayCounts:
    """Replay what followed the visits (already written) through the services, up to ``plan.now``."""
    staff = load_staff()
    player = _Player(plan, staff, rows, seed=seed, tz=tz)
    clock = SimulatedClock(plan.now)
    ids = SeededIds(clock, seed)
    alerts_before = Alert.objects.count()
    referrals_before = Referral.objects.count()
    # One transaction holds every demo CHW's change-log stream (``sync.changelog``): the
    # services then append without locking each stream again. (The SMS log lines are silenced
    # for the whole seed: ``speed.seeding``.)
    chws = {v.home.chw_id for v in plan.visits}
    with clock.running(), ids_from(ids), streams_locked(chws):
        player.run(clock)
    counts = PlayCounts(deaths=player.deaths)
    counts.alerts = Alert.objects.count() - alerts_before
    counts.referrals = Referral.objects.count() - referrals_before
    counts.messages = _mark_sent(ids.made)
    counts.consultations = player.consultations
    return counts


def _mark_sent(made: list[uuid.UUID]) -> int:
    """The demo's SMS were sent long ago (no gateway is called): the outbox worker never picks a
    "sent" row up again. Only the rows made during the replay."""
    sent = 0
    for start in range(0, len(made), 500):
        sent += OutboxMessage.objects.filter(
            pk__in=made[start : start + 500], status=OutboxStatus.PENDING
        ).update(
            status=OutboxStatus.SENT,
            attempts=1,
            next_attempt_at=F("created_at"),
            sent_at=F("created_at") + SMS_SENT_AFTER,
        )
    return sent


def seed_closed_loop(
    subjects: Subjects,
    *,
    seed: int | str,
    today: date,
    now: datetime,
    tz: tzinfo,
    history: bool,
    history_reason: str,
    step: Callable[[str], None],
) -> WriteCounts:
    """Plan the visits, write them, replay what followed through the services (inside the
    caller's transaction)."""
    from keneya.people.models import Household, Person

    plan = plan_closed_loop(subjects, seed=seed, today=today, now=now, tz=tz)
    step(f"{len(plan.visits)} visites planifiées et évaluées par le moteur clinique")
    rows = visit_rows(plan)
    counts = WriteCounts()
    counts.visits, counts.observations = write_visits(plan, rows)
    step(f"{counts.visits} visites et {counts.observations} mesures enregistrées")
    played = play_closed_loop(plan, rows, seed=seed, tz=tz)
    counts.alerts, counts.referrals = played.alerts, played.referrals
    counts.consultations, counts.messages = played.consultations, played.messages
    step(
        f"{counts.alerts} alertes, {counts.referrals} références et {counts.consultations} "
        "consultations rejouées par les services"
    )
    if played.deaths:
        persons = list(Person.objects.filter(pk__in=list(played.deaths)))
        for person in persons:
            person.vital_status = VitalStatus.DECEASED
            person.date_of_death = played.deaths[person.pk]
        _bulk_update(Person, persons, ["vital_status", "date_of_death"], history, history_reason)
        counts.deaths = len(persons)
    if plan.moves:
        households = list(Household.objects.filter(pk__in=list(plan.moves)))
        for household in households:
            household.status = HouseholdStatus.MOVED
        _bulk_update(Household, households, ["status"], history, history_reason)
        counts.moves = len(households)
    return counts
