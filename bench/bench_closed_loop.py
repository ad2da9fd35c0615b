"""Benchmark: the closed loop at district scale on PostgreSQL (visits → alerts → inbox).

``run() -> str`` returns a Markdown section; ``python -m bench.bench_closed_loop`` prints it.

The database (``DATABASE_URL``, default ``postgres://postgres@127.0.0.1:5432/keneya_bench_loop``,
separate from the registry benchmark's; created and migrated if missing, reused when filled)
holds the Commune IV demo × 50 (100,000 households, ~520,000 persons, no history rows) and one
year of activity bulk-loaded with COPY: 1,000,000 visits with their observations, 50,000 alerts
with their timelines, the referrals of the urgent ones and the consultations. The visits are
copies of a pool of real engine results (``assess_home_visit``) drawn for the person's sex and
age in months; alerts, referrals and consultations follow the rules' vocabulary and a realistic
spread of states (the recent ones open, the old ones mostly closed).

Measured:

1. 20,000 visits recorded in one process through the full service path (assessment,
   observations, alerts, referrals, outbox and sync rows), ≈10 % urgent, twice: by sets of 50
   visits of one relais through ``visits.services.record_home_visits`` (as a tablet's push
   delivers them), then one at a time through ``record_home_visit`` (as the visit form and
   ``POST /api/v1/visits/`` do); target ≥ 500 visits/s. They are deleted after each pass.
2. The clinician's inbox (``/alertes/``) and the patient page (``/patients/<uuid>/``) through
   Django's test ``Client`` (DEBUG off, ``force_login``): p50/p95 over 60 requests; target
   p95 < 200 ms.
3. Patient lookup through the API (``GET /api/v1/persons/<id>/`` and ``?search=<name>``) under
   8 concurrent clients against gunicorn (``-w 2``, loopback, token auth); target p95 < 30 ms.
4. During that load, urgent visits posted through ``POST /api/v1/visits/`` by a relais, and the
   delay until their alert is listed by ``GET /api/v1/alerts/`` for the CSCom's clinician;
   target < 60 s.

When a target is missed the slowest query of one request is run again under
``EXPLAIN (ANALYZE, BUFFERS)`` and appended.
"""

from __future__ import annotations

import json
import math
import os
import platform
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench._load import START_MARGIN_S, ClientPool, Lookup, Phase
from bench._server import (
    child_pids,
    cpu_model,
    cpu_seconds,
    machine_speed_line,
    percentile,
    run_in_child,
    setup_django,
)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/keneya_bench_loop"
SCALE = 50
BULK_VISITS = 1_000_000
BULK_ALERTS = 50_000
BULK_DAYS = 365
RECORD_VISITS = 20_000
RECORD_URGENT_SHARE = 0.1
REQUESTS = 60
WARMUP = 5
LOAD_CLIENTS = 8
# One client first, for the service time alone; then 8 asking by id, searching, both.
LOAD_PHASES = (
    Phase("1 client, mixed", 1, "mixed", 6.0),
    Phase("8 clients, by id", 8, "detail", 10.0),
    Phase("8 clients, search", 8, "search", 10.0),
    Phase("8 clients, mixed", 8, "mixed", 10.0),
)
LOAD_SECONDS = sum(phase.seconds for phase in LOAD_PHASES)
LOAD_MAX_REQUESTS = 12_000  # per phase
LATENCY_PROBES = 5
TARGET_RECORD_PER_S = 500.0
TARGET_PAGE_P95_MS = 200.0
TARGET_API_P95_MS = 30.0
TARGET_ALERT_DELAY_S = 60.0
PLAN_LINES = 30
SQL_CHARS = 700
SEED = 2026
BENCH_NAMESPACE = uuid.UUID("6a0f3b8e-1c5d-4e2a-9b7f-636c6f736564")


def run() -> str:
    """Measure in a fresh interpreter: the settings (DEBUG off, PostgreSQL) are read at start-up."""
    return run_in_child("bench.bench_closed_loop", DEFAULT_DATABASE_URL, SMS_GATEWAY="console")


# --- everything below runs in the child process -------------------------------------------------


def log(message: str) -> None:
    sys.stderr.write(f"[bench_closed_loop] {message}\n")
    sys.stderr.flush()


def setup() -> None:
    if os.environ.get("DEBUG", "0") not in ("", "0"):
        raise SystemExit("bench_closed_loop measures with DEBUG off")
    os.environ.setdefault("SMS_GATEWAY", "console")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + uuid.uuid4().hex)
    setup_django("bench_closed_loop", DEFAULT_DATABASE_URL)


# --- data: the registry seed, then a year of activity bulk-loaded with COPY ---------------------


def ensure_seed() -> tuple[str, float | None]:
    from keneya.demo import district
    from keneya.demo import seed as demo
    from keneya.people.models import Household

    plan = demo.plan_for(scale=SCALE)
    quartiers = {q.code for q in district.QUARTIERS}
    if demo.demo_exists():
        n = Household.objects.filter(quartier__code__in=quartiers).count()
        if n == plan.households:
            return "reused", None
        log(f"demo present with {n} households, expected {plan.households}: reseeding")
        truncate_activity()
        demo.delete_demo()
    log(f"seeding {plan.households} households ({len(plan.chws)} CHWs)…")
    started = time.perf_counter()
    truncate_activity()

    def progress(done: int, total: int) -> None:
        if done % 20000 == 0:
            log(f"  {done}/{total}")

    result = demo.seed_demo(scale=SCALE, history=False, batch_households=2000, seed=SEED, progress=progress)
    seconds = time.perf_counter() - started
    log(f"seeded {result.households} households, {result.persons} persons in {seconds:.0f} s")
    return "seeded", seconds


REGISTRY_TABLES = (
    "people_person",
    "people_household",
    "core_area",
    "core_facility",
    "accounts_user",
    "accounts_user_areas",
    "accounts_apitoken",
)


def vacuum_analyze(tables: tuple[str, ...]) -> None:
    """Fresh statistics: right after a bulk load autovacuum has not run yet, and the planner
    would take 520,000 persons for a few hundred."""
    from django.db import connection

    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in tables:
            if table in existing:
                cursor.execute(f"VACUUM ANALYZE {table}")


ACTIVITY_TABLES = (
    "records_diagnosis",
    "records_consultation",
    "records_recordaccess",
    "alerts_alertevent",
    "alerts_alert",
    "referrals_referralevent",
    "referrals_referral",
    "visits_observation",
    "visits_visit",
    "notifications_outboxmessage",
    "sync_changelog",
    "sync_fieldclock",
)


def truncate_activity() -> None:
    """Only ever on the benchmark's own database."""
    from django.db import connection

    existing = set(connection.introspection.table_names())
    tables = [t for t in ACTIVITY_TABLES if t in existing]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        if "django_tasks_database_dbtaskresult" in existing:
            cursor.execute("TRUNCATE django_tasks_database_dbtaskresult")


def ensure_bulk() -> tuple[str, float | None]:
    from keneya.alerts.models import Alert
    from keneya.visits.models import Visit

    visits, alerts = Visit.objects.count(), Alert.objects.count()
    if visits >= BULK_VISITS and alerts >= BULK_ALERTS:
        return "reused", None
    log(f"{visits} visits and {alerts} alerts: bulk-loading {BULK_VISITS} and {BULK_ALERTS}…")
    started = time.perf_counter()
    truncate_activity()
    BulkLoader().load()
    vacuum_analyze(ACTIVITY_TABLES)
    seconds = time.perf_counter() - started
    log(f"bulk-loaded in {seconds:.0f} s")
    return "loaded", seconds


class Entry:
    """One real engine result, ready to copy into many visits."""

    def __init__(
        self,
        kind: str,
        findings: dict[str, Any],
        measurements: dict[str, Any],
        assessment: dict[str, Any],
        observations: list[tuple[Any, ...]],
        rule: Any,
        findings_of_rule: list[str],
        diagnoses: list[str],
        reason: str,
    ) -> None:
        self.kind = kind
        self.findings = json.dumps(findings)
        self.measurements = json.dumps(measurements)
        self.assessment = json.dumps(assessment)
        self.urgent = bool(assessment["urgent_referral"])
        self.action = assessment["action"]
        self.follow_up_days = assessment["follow_up_days"]
        self.observations = observations
        self.rule = rule
        self.alert_findings = json.dumps(findings_of_rule)
        self.danger = json.dumps(list(assessment.get("danger_signs") or []))
        self.diagnoses = diagnoses
        self.reason = reason


class BulkLoader:
    """One year of visits, alerts, referrals and consultations for the seeded district."""

    def __init__(self) -> None:
        from django.utils import timezone

        self.rng = random.Random(f"{SEED}:bench-bulk")
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.tz = timezone.get_current_timezone()
        self.pool: dict[tuple[str, int], list[Entry]] = {}
        self.alert_pool: dict[tuple[str, int], list[Entry]] = {}

    # --- the pool of real engine results ----------------------------------------------------

    def entry(
        self, kind: str, sex: str, dob: date, on: date, findings: dict[str, Any], measurements: dict[str, Any]
    ) -> Entry:
        from keneya.accounts.models import User
        from keneya.alerts.models import PRIORITY_RANK
        from keneya.alerts.rules import VisitFacts, matching_rules
        from keneya.clinical.visit import assess_home_visit
        from keneya.demo import visits as demo_visits
        from keneya.referrals.services import _reason_text
        from keneya.visits.models import Visit
        from keneya.visits.services import _observations

        assessment = assess_home_visit(
            kind=kind, sex=sex, date_of_birth=dob, visit_date=on, findings=findings, measurements=measurements
        )
        visit = Visit(
            id=uuid.uuid4(),
            person_id=uuid.uuid4(),
            kind=kind,
            visit_date=on,
            findings=findings,
            measurements=measurements,
            assessment=assessment,
        )
        observations = [
            (o["code"], o.get("value_number"), o.get("value_text", ""), o.get("value_date"))
            for o in _observations(visit, User(pk=1))
        ]
        matches = matching_rules(VisitFacts(kind=kind, visit_date=on, assessment=assessment, weights=[]))
        matches.sort(key=lambda m: PRIORITY_RANK[m[0].priority])  # type: ignore[index]
        rule = matches[0][0] if matches else None
        found = list(dict.fromkeys(f for _r, fs in matches for f in fs))
        member = demo_visits.Member(uuid.uuid4(), sex, dob, "", "", "child")
        home = demo_visits.Home(uuid.uuid4(), "active", "", None, "", [member])
        pvisit = demo_visits.PVisit(
            uuid.uuid4(), member, home, kind, on, findings, measurements, assessment=assessment
        )
        return Entry(
            kind,
            findings,
            measurements,
            assessment,
            observations,
            rule,
            found,
            demo_visits.diagnoses_for(pvisit, rule.code if rule else ""),
            _reason_text(Visit(assessment=assessment)),  # the referral service's own text
        )

    def build_pool(self) -> None:
        from keneya.demo import visits as demo_visits

        rng = self.rng
        on = self.today
        for sex in ("M", "F"):
            for months in range(60):
                key = (sex, months)
                normal, alerting = self.pool.setdefault(key, []), self.alert_pool.setdefault(key, [])
                tries = 0
                while (len(normal) < 12 or len(alerting) < 4) and tries < 400:
                    tries += 1
                    dob = on - timedelta(days=int(months * 30.4375) + rng.randint(0, 29))
                    urgent_share = 0.0 if len(normal) < 12 else 0.8
                    kind, findings, measurements = demo_visits.random_visit(
                        rng, sex=sex, date_of_birth=dob, on=on, urgent_share=urgent_share
                    )
                    e = self.entry(kind, sex, dob, on, findings, measurements)
                    (alerting if e.rule else normal).append(e)
        women_normal = self.pool.setdefault(("F", -1), [])
        women_alert = self.alert_pool.setdefault(("F", -1), [])
        dob = on - timedelta(days=365 * 27)
        while len(women_normal) < 200 or len(women_alert) < 40:
            kind, findings, measurements = demo_visits.random_visit(
                rng, sex="F", date_of_birth=dob, on=on, urgent_share=0.3
            )
            e = self.entry(kind, "F", dob, on, findings, measurements)
            (women_alert if e.rule else women_normal).append(e)

    # --- writing ------------------------------------------------------------------------------

    def load(self) -> None:
        from django.db import connection

        from keneya.accounts.models import Role, User
        from keneya.core.models import Facility, FacilityKind
        from keneya.people.models import Person

        log("  pool of engine results…")
        self.build_pool()
        cscom = dict(Facility.objects.filter(kind=FacilityKind.CSCOM).values_list("health_area_id", "id"))
        clinician = dict(
            User.objects.filter(role=Role.CLINICIAN, facility__isnull=False).values_list("facility_id", "id")
        )
        today = self.today
        six = today - timedelta(days=int(6.2 * 365))
        persons = list(
            Person.objects.filter(vital_status="alive", household__status="active", date_of_birth__gte=six)
            .values_list(
                "id",
                "sex",
                "date_of_birth",
                "household_id",
                "household__chw_id",
                "household__quartier__parent_id",
            )
            .order_by("id")
        )
        women = list(
            Person.objects.filter(
                vital_status="alive",
                household__status="active",
                sex="F",
                date_of_birth__lte=today - timedelta(days=365 * 15),
                date_of_birth__gte=today - timedelta(days=365 * 45),
            )
            .values_list(
                "id",
                "sex",
                "date_of_birth",
                "household_id",
                "household__chw_id",
                "household__quartier__parent_id",
            )
            .order_by("id")
        )
        self.rng.shuffle(women)
        log(f"  {len(persons)} children, {len(women)} women…")
        connection.ensure_connection()
        raw = connection.connection
        assert raw is not None and raw.autocommit  # each COPY chunk commits on its own
        counts = {"visits": 0, "alerts": 0}
        with raw.cursor() as cur:
            writers = Writers(cur)
            try:
                for person, dates in self.schedule(persons, women):
                    self.write_person(writers, person, dates, cscom, clinician, counts)
                    if counts["visits"] >= BULK_VISITS:
                        break
            finally:
                writers.close()
        log(f"  {counts['visits']} visits, {counts['alerts']} alerts")

    def schedule(
        self, children: list[tuple[Any, ...]], women: list[tuple[Any, ...]]
    ) -> Iterator[tuple[tuple[Any, ...], list[date]]]:
        """Monthly visits over the year for the children, ANC visits for a share of women."""
        rng = self.rng
        start = self.today - timedelta(days=BULK_DAYS)
        pregnant = iter(women[: len(women) // 4])
        for n, person in enumerate(children):
            dob = person[2]
            offset = rng.randrange(30)
            dates = []
            for k in range(13):
                day = start + timedelta(days=offset + 30 * k + rng.randint(-3, 3))
                if (
                    day <= self.today
                    and day >= dob + timedelta(days=28)
                    and (day - dob).days < 1826
                    and rng.random() < 0.92
                ):
                    dates.append(day)
            if dates:
                yield person, dates
            if n % 4 == 0:
                woman = next(pregnant, None)
                if woman is not None:
                    first = start + timedelta(days=rng.randrange(BULK_DAYS - 120))
                    yield (
                        woman,
                        [
                            first + timedelta(days=30 * k + rng.randint(-3, 3))
                            for k in range(rng.randint(3, 6))
                        ],
                    )

    def pick(self, person: tuple[Any, ...], day: date, alert: bool) -> Entry:
        from keneya.clinical.ages import completed_months

        sex, dob = person[1], person[2]
        months = completed_months(dob, day)
        key = (sex, months) if 0 <= months < 60 else ("F", -1)
        pools = self.alert_pool if alert else self.pool
        return self.rng.choice(pools[key] or self.pool[key])

    def at(self, day: date, hours: float) -> datetime:
        return datetime.combine(day, datetime.min.time(), tzinfo=self.tz) + timedelta(hours=hours)

    def write_person(
        self,
        w: Writers,
        person: tuple[Any, ...],
        dates: list[date],
        cscom: dict[Any, Any],
        clinician: dict[Any, Any],
        counts: dict[str, int],
    ) -> None:
        from keneya.clinical import ENGINE_VERSION

        rng = self.rng
        pid, _sex, _dob, household, chw, health_area = person
        for day in dates:
            if counts["visits"] >= BULK_VISITS:
                return
            want_alert = counts["alerts"] < BULK_ALERTS and rng.random() < BULK_ALERTS / BULK_VISITS * 1.05
            e = self.pick(person, day, want_alert)
            visit_id = uuid.uuid4()
            recorded = min(self.at(day, rng.uniform(8.2, 18.5)), self.now)
            w.visits.write_row(
                (
                    visit_id,
                    pid,
                    household,
                    chw,
                    e.kind,
                    day,
                    e.findings,
                    e.measurements,
                    e.assessment,
                    ENGINE_VERSION,
                    e.urgent,
                    e.action,
                    e.follow_up_days,
                    recorded,
                    False,
                )
            )
            for code, number, text, value_date in e.observations:
                w.observations.write_row(
                    (
                        uuid.uuid4(),
                        visit_id,
                        pid,
                        code,
                        number,
                        text,
                        value_date,
                        day,
                        chw,
                        recorded,
                        None,
                        None,
                        "",
                        None,
                    )
                )
            counts["visits"] += 1
            if e.rule is not None and counts["alerts"] < BULK_ALERTS:
                facility = cscom[health_area]
                self.write_alert(w, e, pid, visit_id, facility, clinician[facility], chw, recorded)
                counts["alerts"] += 1

    def write_alert(
        self,
        w: Writers,
        e: Entry,
        pid: Any,
        visit_id: Any,
        facility: Any,
        by: Any,
        chw: Any,
        raised: datetime,
    ) -> None:
        from keneya.alerts.models import PRIORITY_RANK

        rng = self.rng
        now = self.now
        age = now - raised
        h = timedelta(hours=1)
        alert_id, referral_id = uuid.uuid4(), uuid.uuid4() if e.urgent else None
        status, ack, appointment, escalated, closed, reason = "open", None, None, None, None, ""
        events: list[tuple[str, datetime, Any, str]] = [
            ("raised", raised, None, json.dumps({"rule": e.rule.code}))
        ]
        urgent = e.rule.priority == "urgent"
        ack_at = raised + (
            timedelta(minutes=rng.uniform(5, 110)) if rng.random() < 0.75 else rng.uniform(2.2, 10) * h
        )
        recent = age < timedelta(days=14)
        draw = rng.random()
        acked = ack_at <= now and (not recent or draw < 0.7)
        if urgent and raised + 2 * h <= now and (not acked or ack_at - raised > 2 * h):
            # what the scheduler does to an urgent alert nobody acknowledged within 2 h
            escalated = raised + 2 * h + timedelta(seconds=rng.uniform(0, 60))
            events.append(("escalated", escalated, None, "{}"))
        if acked:
            status, ack = "acknowledged", ack_at
            events.append(("acknowledged", ack_at, by, "{}"))
            if draw < (0.35 if recent else 0.5):
                convoked = ack_at + timedelta(minutes=rng.uniform(5, 60))
                appointment = convoked.astimezone(self.tz).date() + timedelta(days=rng.randint(0, 4))
                if convoked <= now:
                    status = "convoked"
                    events.append(
                        ("convoked", convoked, by, json.dumps({"appointment_date": appointment.isoformat()}))
                    )
                else:
                    appointment = None
            close_at = ack_at + rng.uniform(2, 96) * h
            if close_at <= now and (not recent or draw < 0.25) and rng.random() < 0.97:
                r = rng.random()
                reason = (
                    "seen" if r < 0.8 else "false_alarm" if r < 0.95 else "moved" if r < 0.985 else "deceased"
                )
                status, closed = "closed", close_at
                events.append(("closed", close_at, by, json.dumps({"reason": reason})))
        if referral_id is not None:
            self.write_referral(
                w,
                e,
                referral_id,
                pid,
                visit_id,
                facility,
                by,
                chw,
                raised,
                seen=closed if reason == "seen" else None,
            )
        w.alerts.write_row(
            (
                alert_id,
                pid,
                facility,
                visit_id,
                referral_id,
                e.rule.code,
                e.rule.priority,
                PRIORITY_RANK[e.rule.priority],
                status,
                e.rule.title_fr,
                e.alert_findings,
                e.rule.source,
                raised,
                ack,
                by if ack else None,
                appointment,
                escalated,
                closed,
                reason,
            )
        )
        for kind, at, who, data in sorted(events, key=lambda ev: ev[1]):
            w.alert_events.write_row((alert_id, kind, at, who, data))
        if reason == "seen" and referral_id is None:
            self.write_consultation(w, e, pid, facility, by, None, closed)

    def write_referral(
        self,
        w: Writers,
        e: Entry,
        referral_id: Any,
        pid: Any,
        visit_id: Any,
        facility: Any,
        by: Any,
        chw: Any,
        issued: datetime,
        seen: datetime | None,
    ) -> None:
        rng = self.rng
        h = timedelta(hours=1)
        events = [("issued", issued, chw)]
        status, seen_at, note, counter_at, closed_at = "issued", None, "", None, None
        if seen is None and issued + 24 * h <= self.now:
            status = "not_arrived"
            events.append(("not_arrived", issued + 24 * h, None))
        if seen is not None:
            if seen - issued > 24 * h:
                events.append(("not_arrived", issued + 24 * h, None))
            status, seen_at = "seen", seen
            events.append(("seen", seen, by))
            counter = seen + rng.uniform(1, 30) * h
            if counter <= self.now and rng.random() < 0.6:
                status, counter_at = "counter_referred", counter
                note = "Vu·e au CSCom : " + ", ".join(e.diagnoses) + ". Revoir dans 3 jours."
                events.append(("counter_referred", counter, by))
                close = counter + rng.uniform(2, 72) * h
                if close <= self.now and rng.random() < 0.7:
                    status, closed_at = "closed", close
                    events.append(("closed", close, by))
        w.referrals.write_row(
            (
                referral_id,
                pid,
                visit_id,
                None,
                facility,
                chw,
                issued,
                True,
                e.reason,
                e.danger,
                status,
                seen_at,
                seen_at,
                (seen_at - issued) if seen_at else None,
                note,
                counter_at,
                closed_at,
            )
        )
        for kind, at, who in events:
            w.referral_events.write_row((referral_id, kind, at, who, "{}"))
        if seen_at is not None:
            self.write_consultation(w, e, pid, facility, by, referral_id, seen_at)

    def write_consultation(
        self, w: Writers, e: Entry, pid: Any, facility: Any, by: Any, referral_id: Any, at: datetime | None
    ) -> None:
        from keneya.demo.visits import TREATMENT_FR
        from keneya.records.icd10 import lookup

        consultation_id = uuid.uuid4()
        w.consultations.write_row(
            (
                consultation_id,
                pid,
                facility,
                by,
                referral_id,
                at,
                "Référé·e par le relais.",
                "",
                " ".join(TREATMENT_FR.get(c, "") for c in e.diagnoses).strip(),
                None,
                at,
            )
        )
        for code in e.diagnoses:
            entry = lookup(code)
            if entry is not None:
                w.diagnoses.write_row((consultation_id, entry.code, entry.label))


class Writers:
    """One COPY per table, all open at once on one connection (psycopg ``Copy`` objects)."""

    COLUMNS = {
        "visits": (
            "visits_visit",
            "id, person_id, household_id, chw_id, kind, visit_date, "
            "findings, measurements, assessment, engine_version, urgent, action, "
            "follow_up_days, recorded_at, device_assessment_mismatch",
        ),
        "observations": (
            "visits_observation",
            "id, visit_id, person_id, code, value_number, "
            "value_text, value_date, observed_on, recorded_by_id, recorded_at, "
            "voided_at, voided_by_id, void_reason, replaces_id",
        ),
        "alerts": (
            "alerts_alert",
            "id, person_id, facility_id, visit_id, referral_id, rule, "
            "priority, priority_rank, status, title, findings, source, raised_at, "
            "acknowledged_at, acknowledged_by_id, appointment_date, escalated_at, "
            "closed_at, close_reason",
        ),
        "alert_events": ("alerts_alertevent", "alert_id, kind, at, by_id, data"),
        "referrals": (
            "referrals_referral",
            "id, person_id, visit_id, from_facility_id, "
            "to_facility_id, issued_by_id, issued_at, urgent, reason, findings, status, "
            "arrived_at, seen_at, time_to_care, counter_referral_note, "
            "counter_referred_at, closed_at",
        ),
        "referral_events": ("referrals_referralevent", "referral_id, kind, at, by_id, data"),
        "consultations": (
            "records_consultation",
            "id, person_id, facility_id, clinician_id, "
            "referral_id, consulted_at, complaint, examination, treatment, "
            "follow_up_date, recorded_at",
        ),
        "diagnoses": ("records_diagnosis", "consultation_id, icd10_code, label"),
    }

    def __init__(self, cursor: Any) -> None:
        # psycopg allows one COPY at a time per connection: rows are buffered per table and
        # flushed in chunks, each chunk one COPY.
        self.cursor = cursor
        self.buffers: dict[str, list[tuple[Any, ...]]] = {k: [] for k in self.COLUMNS}
        for name in self.COLUMNS:
            setattr(self, name, _Buffer(self, name))

    def flush(self, name: str) -> None:
        rows = self.buffers[name]
        if not rows:
            return
        table, columns = self.COLUMNS[name]
        with self.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        rows.clear()

    def close(self) -> None:
        # Parents before children: the foreign keys are checked row by row outside a
        # transaction (they are DEFERRABLE, but COPY in autocommit commits each chunk).
        for name in (
            "visits",
            "referrals",
            "alerts",
            "observations",
            "alert_events",
            "referral_events",
            "consultations",
            "diagnoses",
        ):
            self.flush(name)

    # typed for mypy: set in __init__
    visits: _Buffer
    observations: _Buffer
    alerts: _Buffer
    alert_events: _Buffer
    referrals: _Buffer
    referral_events: _Buffer
    consultations: _Buffer
    diagnoses: _Buffer


class _Buffer:
    CHUNK = 20_000

    def __init__(self, writers: Writers, name: str) -> None:
        self.writers = writers
        self.name = name
        self.rows = writers.buffers[name]

    def write_row(self, row: tuple[Any, ...]) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.CHUNK and self.name == "visits":
            # Children follow their parents: flush in dependency order.
            self.writers.close()


# --- 1. recording visits through the service ------------------------------------------------------


def measure_recording() -> dict[str, Any]:
    """The same 20,000 visits recorded twice (deleted in between): by sets of 50 of one relais
    (``record_home_visits``, as a tablet's push delivers them), then one at a time
    (``record_home_visit``, each in its own transaction, as the visit form and
    ``POST /api/v1/visits/`` do)."""
    from django.utils import timezone

    from keneya.accounts.models import User
    from keneya.core.memory import settle_memory
    from keneya.demo import visits as demo_visits
    from keneya.people.models import Person

    rng = random.Random(f"{SEED}:bench-record")
    today = timezone.localdate()
    delete_bench_rows()
    alive = Person.objects.filter(
        vital_status="alive", household__status="active", household__chw__isnull=False
    )
    children = alive.filter(
        date_of_birth__gte=today - timedelta(days=365 * 5 - 40), date_of_birth__lte=today - timedelta(days=3)
    )
    women = alive.filter(
        sex="F",
        date_of_birth__lte=today - timedelta(days=365 * 18),
        date_of_birth__gte=today - timedelta(days=365 * 40),
    )
    by_chw: dict[Any, tuple[list[Any], list[Any]]] = {}
    for group, qs in ((0, children), (1, women)):
        for pid, chw_id in qs.values_list("id", "household__chw_id").order_by("id"):
            by_chw.setdefault(chw_id, ([], []))[group].append(pid)
    # A set is one relais's visits (a tablet pushes its own): RECORD_BATCH of them each, about
    # 85 % children, for RECORD_VISITS / RECORD_BATCH relais.
    n_women = RECORD_BATCH * 15 // 100
    eligible = sorted(
        c
        for c, (kids, mothers) in by_chw.items()
        if len(kids) >= RECORD_BATCH - n_women and len(mothers) >= n_women
    )
    chosen = []
    for chw_id in rng.sample(eligible, RECORD_VISITS // RECORD_BATCH):
        kids, mothers = by_chw[chw_id]
        chosen += rng.sample(kids, RECORD_BATCH - n_women) + rng.sample(mothers, n_women)
    persons = Person.objects.select_related("household").in_bulk(chosen)
    chw_of = {pid: persons[pid].household.chw_id for pid in chosen}
    chws = User.objects.in_bulk(set(chw_of.values()))
    payloads = []
    for i, pid in enumerate(chosen):
        person = persons[pid]
        kind, findings, measurements = demo_visits.random_visit(
            rng,
            sex=person.sex,
            date_of_birth=person.date_of_birth,
            on=today,
            urgent_share=RECORD_URGENT_SHARE,
        )
        payloads.append(
            Payload(bench_visit_id("visit", i), pid, chws[chw_of[pid]], kind, findings, measurements)
        )
    sets = batches_by_chw(payloads)
    assert all(len(chunk) == RECORD_BATCH for chunk in sets), "one relais per set of 50"
    # The garbage collector set as in a gunicorn worker (keneya/wsgi.py); the 20,000 prepared
    # payloads and persons, the harness's, are frozen with the start-up objects.
    settle_memory()
    log(f"recording {len(payloads)} visits through record_home_visits, {len(sets)} sets of ≤ {RECORD_BATCH}…")
    by_set = record_by_sets(sets, today)
    log(f"  {by_set['per_s']:.0f}/s; again one at a time through record_home_visit…")
    one_by_one = record_one_by_one(payloads, persons, today)
    log(f"  {one_by_one['per_s']:.0f}/s")
    return {"sets": by_set, "single": one_by_one, "n": len(payloads)}


RECORD_BATCH = 50


class Payload:
    def __init__(
        self,
        visit_id: uuid.UUID,
        person_id: Any,
        chw: Any,
        kind: str,
        findings: dict[str, Any],
        measurements: dict[str, Any],
    ) -> None:
        self.visit_id, self.person_id, self.chw = visit_id, person_id, chw
        self.kind, self.findings, self.measurements = kind, findings, measurements


def batches_by_chw(payloads: list[Payload]) -> list[list[Payload]]:
    """Each relais's visits in sets of RECORD_BATCH (a tablet pushes its own), in an order that
    interleaves the relais as their tablets would."""
    by_chw: dict[Any, list[Payload]] = {}
    for payload in payloads:
        by_chw.setdefault(payload.chw.pk, []).append(payload)
    sets = [
        group[i : i + RECORD_BATCH] for group in by_chw.values() for i in range(0, len(group), RECORD_BATCH)
    ]
    random.Random(f"{SEED}:bench-record-sets").shuffle(sets)
    return sets


def written_rows(ids: list[uuid.UUID], outbox_before: int, changes_before: int) -> dict[str, int]:
    from keneya.alerts.models import Alert
    from keneya.notifications.models import OutboxMessage
    from keneya.referrals.models import Referral
    from keneya.sync.models import ChangeLog
    from keneya.visits.models import Observation, Visit

    return {
        "visits": Visit.objects.filter(pk__in=ids).count(),
        "urgent": Visit.objects.filter(pk__in=ids, urgent=True).count(),
        "observations": Observation.objects.filter(visit_id__in=ids).count(),
        "alerts": Alert.objects.filter(visit_id__in=ids).count(),
        "referrals": Referral.objects.filter(visit_id__in=ids).count(),
        "sms": OutboxMessage.objects.count() - outbox_before,
        "changes": ChangeLog.objects.count() - changes_before,
    }


def record_by_sets(sets: list[list[Payload]], today: date) -> dict[str, Any]:
    """Timed per set: reading the set's persons with their household (one query, as a push
    does), then ``record_home_visits`` (scope check, assessment, every write)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from keneya.notifications.models import OutboxMessage
    from keneya.people.models import Person
    from keneya.sync.models import ChangeLog
    from keneya.visits.services import VisitData, record_home_visits

    outbox_before, changes_before = OutboxMessage.objects.count(), ChangeLog.objects.count()
    timings: list[float] = []
    statements: list[int] = []
    started = time.perf_counter()
    for n, chunk in enumerate(sets):
        t = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            persons = Person.objects.select_related("household").in_bulk([p.person_id for p in chunk])
            outcomes = record_home_visits(
                by=chunk[0].chw,
                visits=[
                    VisitData(
                        person=persons[p.person_id],
                        visit_date=today,
                        kind=p.kind,
                        findings=p.findings,
                        measurements=p.measurements,
                        id=p.visit_id,
                    )
                    for p in chunk
                ],
            )
        timings.append((time.perf_counter() - t) * 1000)
        statements.append(len(captured.captured_queries))
        assert all(o.recorded is not None and o.recorded.created for o in outcomes), [
            o.error for o in outcomes if o.error
        ]
        if n and n % 100 == 0:
            done = sum(len(c) for c in sets[:n])
            log(f"  {done} ({done / (time.perf_counter() - started):.0f}/s)")
    seconds = time.perf_counter() - started
    ids = [p.visit_id for chunk in sets for p in chunk]
    rows = written_rows(ids, outbox_before, changes_before)
    delete_bench_rows()
    return {
        "seconds": seconds,
        "per_s": len(ids) / seconds,
        "sets": len(sets),
        "p50": percentile(timings, 0.5),
        "p95": percentile(timings, 0.95),
        "statements_p50": percentile([float(x) for x in statements], 0.5),
        "statements_max": max(statements),
        "rows": rows,
    }


def record_one_by_one(payloads: list[Payload], persons: dict[Any, Any], today: date) -> dict[str, Any]:
    """Each visit in its own transaction; the person and the relais loaded beforehand (as the
    API's serializer does)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from keneya.notifications.models import OutboxMessage
    from keneya.sync.models import ChangeLog
    from keneya.visits.services import record_home_visit

    outbox_before, changes_before = OutboxMessage.objects.count(), ChangeLog.objects.count()
    profile: dict[str, Any] = {}  # the queries of one urgent and one routine visit
    timings = []
    started = time.perf_counter()
    for n, p in enumerate(payloads):
        t = time.perf_counter()
        kwargs = {
            "by": p.chw,
            "person": persons[p.person_id],
            "visit_date": today,
            "kind": p.kind,
            "findings": p.findings,
            "measurements": p.measurements,
            "id": p.visit_id,
        }
        if n >= 100 and len(profile) < 2:
            with CaptureQueriesContext(connection) as captured:
                visit = record_home_visit(**kwargs)
            profile.setdefault("urgent" if visit.urgent else "routine", captured.captured_queries)
        else:
            record_home_visit(**kwargs)
        timings.append((time.perf_counter() - t) * 1000)
        if n and n % 5000 == 0:
            log(f"  {n} ({n / (time.perf_counter() - started):.0f}/s)")
    seconds = time.perf_counter() - started
    rows = written_rows([p.visit_id for p in payloads], outbox_before, changes_before)
    delete_bench_rows()
    return {
        "seconds": seconds,
        "per_s": len(payloads) / seconds,
        "p50": percentile(timings, 0.5),
        "p95": percentile(timings, 0.95),
        "rows": rows,
        "profile": profile,
    }


# The benchmark's visit ids: time-ordered like a tablet's (UUIDv7, pwa/static/pwa/ids.js), and
# the same at every run so that a run deletes what an interrupted one left. Their clock part
# counts milliseconds from 2026-01-01 in the order the visits are made.
BENCH_ID_EPOCH_MS = 1_767_225_600_000


def bench_visit_id(kind: str, i: int) -> uuid.UUID:
    rand = uuid.uuid5(BENCH_NAMESPACE, f"{kind}-{i}").int
    offset = i if kind == "visit" else RECORD_VISITS + i
    value = ((BENCH_ID_EPOCH_MS + offset) << 80) | (0x7 << 76) | ((rand >> 64) & 0xFFF) << 64
    return uuid.UUID(int=value | (0b10 << 62) | (rand & ((1 << 62) - 1)))


def delete_bench_rows() -> None:
    """Everything the benchmark's own visits wrote (ids in BENCH_NAMESPACE)."""
    from django.db import connection

    ids = [str(bench_visit_id("visit", i)) for i in range(RECORD_VISITS)]
    ids += [str(bench_visit_id("latency", i)) for i in range(LATENCY_PROBES)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM alerts_alert WHERE visit_id = ANY(%s::uuid[])", [ids])
        alerts = [str(r[0]) for r in cursor.fetchall()]
        cursor.execute("SELECT id FROM referrals_referral WHERE visit_id = ANY(%s::uuid[])", [ids])
        referrals = [str(r[0]) for r in cursor.fetchall()]
        keys = [f"alert:{a}:%" for a in alerts] + [f"referral:{r}:%" for r in referrals]
        statements = [
            ("DELETE FROM sync_changelog WHERE object_id = ANY(%s::uuid[])", [ids + alerts + referrals]),
            ("DELETE FROM alerts_alertevent WHERE alert_id = ANY(%s::uuid[])", [alerts]),
            ("DELETE FROM alerts_alert WHERE id = ANY(%s::uuid[])", [alerts]),
            ("DELETE FROM referrals_referralevent WHERE referral_id = ANY(%s::uuid[])", [referrals]),
            ("DELETE FROM referrals_referral WHERE id = ANY(%s::uuid[])", [referrals]),
            ("DELETE FROM visits_observation WHERE visit_id = ANY(%s::uuid[])", [ids]),
            ("DELETE FROM visits_visit WHERE id = ANY(%s::uuid[])", [ids]),
            ("DELETE FROM notifications_outboxmessage WHERE dedup_key LIKE ANY(%s)", [keys]),
        ]
        for sql, params in statements:
            cursor.execute(sql, params)
        if "django_tasks_database_dbtaskresult" in connection.introspection.table_names():
            cursor.execute("DELETE FROM django_tasks_database_dbtaskresult")


# --- 2. pages through the test client -------------------------------------------------------------


def time_get(client: Any, url: str, n: int = REQUESTS) -> list[float]:
    for _ in range(WARMUP):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    timings = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return timings


def explain_slowest(client: Any, url: str) -> str:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    queries = [q for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    if not queries:
        return ""
    slowest = max(queries, key=lambda q: float(q["time"]))
    return explain(slowest["sql"], len(queries), float(slowest["time"]))


def explain(sql: str, n_queries: int, seconds: float) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        lines = [row[0] for row in cursor.fetchall()]
    if len(lines) > PLAN_LINES:
        lines = [*lines[:PLAN_LINES], f"… ({len(lines) - PLAN_LINES} more lines)", lines[-1]]
    short = sql if len(sql) <= SQL_CHARS else sql[: SQL_CHARS // 2] + " … " + sql[-SQL_CHARS // 2 :]
    return (
        f"{n_queries} SELECTs; slowest {seconds * 1000:.0f} ms:\n\n"
        f"```sql\n{short}\n```\n\n```\n" + "\n".join(lines) + "\n```"
    )


def measure_pages() -> tuple[list[str], list[tuple[str, Any, str]], dict[str, Any]]:
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.test import Client

    from keneya.alerts.models import Alert
    from keneya.visits.models import Visit

    users = get_user_model().objects
    clinician = users.get(username="clinicien.lafiabougou")  # the largest health area
    client = Client()
    client.force_login(clinician)
    facility = clinician.facility
    assert facility is not None
    inbox = Alert.objects.filter(facility=facility).exclude(status="closed").count()
    in_area = Visit.objects.filter(household__quartier__parent=facility.health_area)
    # A typical patient (the median of the patients with an alert) and the busiest one.
    per_person = list(
        in_area.filter(person__alerts__isnull=False)
        .values("person_id")
        .annotate(n=Count("id", distinct=True))
        .order_by("n", "person_id")
        .values_list("person_id", "n")
    )
    typical = per_person[len(per_person) // 2]
    busiest = (
        in_area.values("person_id")
        .annotate(n=Count("id"))
        .order_by("-n", "person_id")
        .values_list("person_id", "n")
        .first()
    )
    assert busiest is not None
    scenarios = [
        ("Clinician inbox page", "/alertes/", f"{inbox:,} unclosed alerts, page of 50"),
        ("Clinician inbox page, page 10", "/alertes/?page=10", "page 10 of the same"),
        ("Inbox API", "/api/v1/alerts/?status=open", "open alerts, page of 50"),
        ("Patient page (typical)", f"/patients/{typical[0]}/", f"{typical[1]} visits"),
        ("Patient page (busiest)", f"/patients/{busiest[0]}/", f"{busiest[1]} visits"),
        ("Patient visits API", f"/api/v1/persons/{typical[0]}/visits/", f"{typical[1]} visits"),
    ]
    rows, misses = [], []
    for label, url, what in scenarios:
        log(f"{label} {url}")
        timings = time_get(client, url)
        p50, p95 = percentile(timings, 0.5), percentile(timings, 0.95)
        ok = p95 < TARGET_PAGE_P95_MS
        shown = re.sub(r"([0-9a-f]{8})-[0-9a-f-]{27}", r"\1…", url)
        rows.append(f"| {label} | `{shown}` | {what} | {p50:.0f} | {p95:.0f} | {'yes' if ok else '**no**'} |")
        if not ok:
            misses.append((label, client, url))
    return rows, misses, {"inbox": inbox, "clinician": clinician}


# --- 3. and 4. gunicorn under 8 clients, and an urgent visit's alert -------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Gunicorn:
    def __init__(self) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ)
        env.update(
            DEBUG="0",
            ALLOWED_HOSTS="127.0.0.1",
            SMS_GATEWAY="console",
            DJANGO_SETTINGS_MODULE="keneya.settings",
        )
        self.log_path = Path("/tmp") / f"bench_closed_loop_gunicorn_{self.port}.log"
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "keneya.wsgi:application",
                "-w",
                "2",
                "-b",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=self.log,
        )

    def wait(self, timeout: float = 60.0) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited: " + self.log_path.read_text()[-2000:])
            try:
                httpx.get(self.base + "/comptes/connexion/", timeout=2.0)
                return
            except httpx.HTTPError:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        self.log_path.unlink(missing_ok=True)


def token(base: str, username: str, password: str) -> str:
    import httpx

    response = httpx.post(
        base + "/api/v1/auth/token/", data={"username": username, "password": password}, timeout=10.0
    )
    response.raise_for_status()
    return str(response.json()["token"])


def database_backends() -> list[int]:
    """PIDs of the other PostgreSQL backends of this database (gunicorn's, once warm)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


def lookup_targets(clinician: Any) -> tuple[list[str], list[str]]:
    """Persons of the clinician's area (ids) and names to search for."""
    from keneya.people.queries import person_list

    rng = random.Random(f"{SEED}:bench-lookup")
    rows = list(person_list(user=clinician).values_list("id", "given_names", "family_name")[::97][:2000])
    ids = [str(r[0]) for r in rng.sample(rows, 400)]
    names = [f"{r[1].split()[0]} {r[2]}" for r in rng.sample(rows, 200)]
    return ids, names


def measure_load(clinician: Any) -> dict[str, Any]:
    import httpx
    from django.utils import timezone

    from keneya.demo import district
    from keneya.people.models import Person

    today = timezone.localdate()
    ids, names = lookup_targets(clinician)
    # A relais of the same CSCom, and children of their households for the urgent visits.
    chw_person = (
        Person.objects.filter(
            household__quartier__parent=clinician.facility.health_area,
            vital_status="alive",
            household__status="active",
            date_of_birth__lte=today - timedelta(days=400),
            date_of_birth__gte=today - timedelta(days=1400),
        )
        .select_related("household__chw")
        .order_by("id")
        .first()
    )
    assert chw_person is not None
    chw = chw_person.household.chw
    assert chw is not None
    children = list(
        Person.objects.filter(
            household__chw=chw,
            vital_status="alive",
            date_of_birth__lte=today - timedelta(days=400),
            date_of_birth__gte=today - timedelta(days=1400),
        ).order_by("id")[:LATENCY_PROBES]
    )
    server = Gunicorn()
    try:
        server.wait()
        clinician_token = token(server.base, clinician.username, district.DEMO_PASSWORD)
        chw_token = token(server.base, chw.username, district.DEMO_PASSWORD)
        with httpx.Client(
            base_url=server.base, timeout=30.0, headers={"Authorization": f"Token {clinician_token}"}
        ) as warm:
            for i in range(20):  # both workers: imports, connections, caches
                warm.get(f"/api/v1/persons/{ids[i]}/")
                warm.get("/api/v1/persons/", params={"search": names[i]})
        results: list[tuple[str, str, float, int]] = []  # phase, request, ms, status
        stop = threading.Event()
        lookup = Lookup(port=server.port, token=clinician_token, ids=ids, names=names, seed=f"{SEED}:client")
        pool = ClientPool(LOAD_CLIENTS)
        started = time.perf_counter()

        delays: list[float] = []

        def probe_loop() -> None:
            headers_chw = {"Authorization": f"Token {chw_token}"}
            headers_clinician = {"Authorization": f"Token {clinician_token}"}
            with httpx.Client(base_url=server.base, timeout=30.0) as http:
                for i, child in enumerate(children):
                    time.sleep(LOAD_SECONDS / (LATENCY_PROBES + 1))
                    if stop.is_set():
                        break
                    visit_id = bench_visit_id("latency", i)
                    t0 = time.perf_counter()
                    posted = http.post(
                        "/api/v1/visits/",
                        headers=headers_chw,
                        json={
                            "id": str(visit_id),
                            "person": str(child.pk),
                            "kind": "sick_child",
                            "visit_date": today.isoformat(),
                            "findings": {
                                "cough": True,
                                "cough_days": 3,
                                "chest_indrawing": True,
                                "respiratory_rate": 52,
                            },
                        },
                    )
                    posted.raise_for_status()
                    alert_ids = {a["id"] for a in posted.json()["alerts"]}
                    assert alert_ids, posted.json()
                    while time.perf_counter() - t0 < TARGET_ALERT_DELAY_S * 2:
                        first = http.get(
                            "/api/v1/alerts/",
                            headers=headers_clinician,
                            params={"status": "open", "priority": "urgent"},
                        ).json()
                        last_page = max(1, math.ceil(first["count"] / 50))
                        page = (
                            first
                            if last_page == 1
                            else http.get(
                                "/api/v1/alerts/",
                                headers=headers_clinician,
                                params={"status": "open", "priority": "urgent", "page": last_page},
                            ).json()
                        )
                        if alert_ids & {a["id"] for a in page["results"]}:
                            delays.append(time.perf_counter() - t0)
                            break
                        time.sleep(0.2)

        prober = threading.Thread(target=probe_loop)
        prober.start()
        phases: list[tuple[str, int, float]] = []
        # CPU of each side per phase: gunicorn's workers, their PostgreSQL backends (kept open,
        # CONN_MAX_AGE), the client processes.
        sides = {"server": child_pids(server.process.pid), "db": database_backends(), "clients": pool.pids()}
        cpu: dict[str, dict[str, float]] = {}
        try:
            for phase in LOAD_PHASES:
                log(f"load: {phase.label} for {phase.seconds:.0f} s")
                before = {side: cpu_seconds(pids) for side, pids in sides.items()}
                phase_started = time.perf_counter()
                rows = pool.run(lookup, phase, LOAD_MAX_REQUESTS)
                results += [(phase.label, label, ms, status) for label, ms, status in rows]
                phases.append(
                    (phase.label, phase.clients, time.perf_counter() - phase_started - START_MARGIN_S)
                )
                cpu[phase.label] = {side: cpu_seconds(pids) - before[side] for side, pids in sides.items()}
        finally:
            pool.close()
        prober.join(timeout=180)
        stop.set()
        elapsed = time.perf_counter() - started
    finally:
        server.stop()
        delete_bench_rows()
    out: dict[str, Any] = {
        "elapsed": elapsed,
        "n": len(results),
        "delays": delays,
        "errors": sum(1 for r in results if r[3] != 200),
        "rows": [],
    }
    for phase, n_clients, seconds in phases:
        for label in ("detail", "search"):
            ms = [r[2] for r in results if r[0] == phase and r[1] == label]
            if ms:
                out["rows"].append(
                    (
                        phase,
                        n_clients,
                        label,
                        len(ms),
                        len(ms) / seconds,
                        percentile(ms, 0.5),
                        percentile(ms, 0.95),
                        percentile(ms, 0.99),
                    )
                )
    out["cpu"] = {
        phase: {
            side: seconds * 1000 / max(1, sum(1 for r in results if r[0] == phase))
            for side, seconds in sides_cpu.items()
        }
        for phase, sides_cpu in cpu.items()
    }
    eight = [r for r in out["rows"] if r[1] == LOAD_CLIENTS]
    out["detail_p95"] = max((r[6] for r in eight if r[2] == "detail"), default=0.0)
    out["search_p95"] = max((r[6] for r in eight if r[2] == "search"), default=0.0)
    out["sample_search"] = names[0]
    out["sample_id"] = ids[0]
    return out


# --- the report ------------------------------------------------------------------------------------


def measure() -> str:
    from django.db import connection
    from django.test import Client

    from keneya.alerts.models import Alert
    from keneya.people.models import Household, Person
    from keneya.referrals.models import Referral
    from keneya.visits.models import Observation, Visit

    seed_state, seed_seconds = ensure_seed()
    vacuum_analyze(REGISTRY_TABLES)
    bulk_state, bulk_seconds = ensure_bulk()
    load = os.getloadavg()[0]
    speed = machine_speed_line()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    counts = {
        "households": Household.objects.count(),
        "persons": Person.objects.count(),
        "visits": Visit.objects.count(),
        "observations": Observation.objects.count(),
        "alerts": Alert.objects.count(),
        "referrals": Referral.objects.count(),
    }

    recording = measure_recording()
    page_rows, page_misses, info = measure_pages()
    clinician = info["clinician"]
    loaded = measure_load(clinician)

    out = [
        "## Closed loop at district scale (PostgreSQL)",
        "",
        f"{counts['households']:,} households, {counts['persons']:,} persons (Commune IV demo × "
        f"{SCALE}, "
        + (f"seeded in {seed_seconds:.0f} s" if seed_seconds else "reused")
        + f"), {counts['visits']:,} visits with {counts['observations']:,} observations, "
        f"{counts['alerts']:,} alerts and {counts['referrals']:,} referrals over a year, "
        "bulk-loaded with COPY from a pool of real engine results ("
        + (f"loaded in {bulk_seconds:.0f} s" if bulk_seconds else "reused")
        + "). "
        f"Machine: {os.cpu_count()} cores ({cpu_model()}), PostgreSQL {pg_version}, "
        f"Python {platform.python_version()}; load average {load:.1f} when the measures started "
        f"(other jobs share the machine: treat the numbers as noisy). {speed}",
        "",
        *recording_lines(recording),
        "",
        "### Clinician pages (Django test `Client`, DEBUG off)",
        "",
        f"Logged in as the clinician of CSCom ASACOLA I (the largest area: "
        f"{info['inbox']:,} unclosed alerts). {REQUESTS} timed requests after {WARMUP} "
        "warm-up ones.",
        "",
        "| Measurement | URL | What | p50 ms | p95 ms | Target p95 < 200 ms |",
        "|---|---|---|---:|---:|---|",
        *page_rows,
        "",
        "### Patient lookup under load (gunicorn `-w 2`, 8 concurrent clients)",
        "",
        f"{LOAD_CLIENTS} client processes (spawned, no Django), each a closed loop over one "
        "`http.client` connection with the clinician's token, on loopback: a request, the whole "
        "answer read, the time recorded, the next request; the time is what the client sees "
        "(connection, the wait in gunicorn's listen backlog, the answer's last byte). Requests: "
        f"`GET /api/v1/persons/<id>/` (400 persons of the area) and "
        f"`GET /api/v1/persons/?search=<given name> <family name>` (200 names of the area, e.g. "
        f"`{loaded['sample_search']}`). One client first (service time), then "
        f"{LOAD_CLIENTS} clients asking by id only, searching only, then both (each request one "
        "or the other at random). Clients, server and database share the 2 cores; separate "
        "processes, because threads in the benchmark's process shared one GIL and httpx's "
        "Python, and timed their own turn to run along with the server (checked against "
        "`wrk -c 8` on the same server: the same percentiles within 10 %). "
        f"{loaded['n']:,} requests in {loaded['elapsed']:.0f} s, {loaded['errors']} errors.",
        "",
        "| Phase | Request | Count | Req/s | p50 ms | p95 ms | p99 ms | Target p95 < 30 ms |",
        "|---|---|---:|---:|---:|---:|---:|---|",
        *(
            f"| {phase} | {'person by id' if label == 'detail' else 'person search'} | {n:,} | "
            f"{rate:.0f} | {p50:.0f} | {p95:.0f} | {p99:.0f} | "
            + ("—" if clients != LOAD_CLIENTS else "yes" if p95 < TARGET_API_P95_MS else "**no**")
            + " |"
            for phase, clients, label, n, rate, p50, p95, p99 in loaded["rows"]
        ),
        "",
        "CPU per request during each phase (ms; /proc): gunicorn's 2 workers, their PostgreSQL "
        "backends, the client processes:",
        "",
        "| Phase | gunicorn | PostgreSQL | clients |",
        "|---|---:|---:|---:|",
        *(
            f"| {phase} | {sides['server']:.1f} | {sides['db']:.1f} | {sides['clients']:.1f} |"
            for phase, sides in loaded["cpu"].items()
        ),
        "",
        alert_delay_line(loaded["delays"]),
    ]
    misses = list(page_misses)
    from keneya.accounts.tokens import issue_token

    key = issue_token(clinician).key
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")  # as the load's clients authenticate
    if loaded["search_p95"] >= TARGET_API_P95_MS:
        misses.append(
            (
                "Person search API",
                client,
                f"/api/v1/persons/?search={loaded['sample_search'].replace(' ', '+')}",
            )
        )
    if loaded["detail_p95"] >= TARGET_API_P95_MS:
        misses.append(("Person by id API", client, f"/api/v1/persons/{loaded['sample_id']}/"))
    if misses:
        out += ["", "### Slowest query of each request that missed its target", ""]
        for label, c, url in misses:
            out += [f"**{label}** `{url}`: " + explain_slowest(c, url), ""]
    return "\n".join(out) + "\n"


def recording_lines(recording: dict[str, Any]) -> list[str]:
    sets, single = recording["sets"], recording["single"]
    rows = sets["rows"]

    def met(per_s: float) -> str:
        return "yes" if per_s >= TARGET_RECORD_PER_S else "**no**"

    return [
        "### Recording visits through the service (one process)",
        "",
        f"{recording['n']:,} visits of today by their relais (children's follow-ups and "
        f"sick-child visits, pregnancy visits; {rows['urgent'] / max(rows['visits'], 1):.0%} "
        "urgent), with the assessment, observations, alerts, referrals, SMS in the outbox and "
        "sync change-log rows, recorded twice (deleted in between): by sets of "
        f"{RECORD_BATCH} visits of one relais through `visits.services.record_home_visits`, as "
        "a tablet's push delivers them (timed per set: reading the set's persons, the scope "
        "check, the engine, every write, the commit), then one at a time through "
        "`record_home_visit`, each in its own transaction, as the visit form and "
        "`POST /api/v1/visits/` do (the person and the relais loaded beforehand, as the API's "
        "serializer does).",
        "",
        "| Path | Visits | Seconds | Visits/s | p50 ms | p95 ms | Target ≥ 500/s |",
        "|---|---:|---:|---:|---:|---:|---|",
        f"| `record_home_visits`, sets of {RECORD_BATCH} ({sets['sets']:,} sets; ms per set) | "
        f"{rows['visits']:,} | {sets['seconds']:.1f} | **{sets['per_s']:,.0f}** | "
        f"{sets['p50']:.1f} | {sets['p95']:.1f} | {met(sets['per_s'])} |",
        f"| `record_home_visit`, one at a time (ms per visit) | {single['rows']['visits']:,} | "
        f"{single['seconds']:.1f} | {single['per_s']:,.0f} | {single['p50']:.1f} | "
        f"{single['p95']:.1f} | {met(single['per_s'])} |",
        "",
        "Rows written by the sets: "
        + ", ".join(f"{k} {v:,}" for k, v in rows.items() if k != "urgent")
        + f"; statements per set (the two COPY streams included) median "
        f"{sets['statements_p50']:.0f}, at most {sets['statements_max']}.",
        "",
        *query_profile(single["profile"]),
    ]


def alert_delay_line(delays: list[float]) -> str:
    if not delays:
        return "Urgent alert visible in the inbox: **not measured** (no probe completed)."
    ok = max(delays) < TARGET_ALERT_DELAY_S
    return (
        f"Urgent visits posted by a relais (`POST /api/v1/visits/`, chest indrawing) during "
        f"the load: the alert was listed in `GET /api/v1/alerts/?status=open&priority=urgent` "
        f"for the CSCom's clinician after {', '.join(f'{d:.2f}' for d in delays)} s "
        f"(POST and the list query included; max {max(delays):.2f} s, target < "
        f"{TARGET_ALERT_DELAY_S:.0f} s: {'yes' if ok else '**no**'}). The alert is written "
        "in the visit's transaction, so it is listed as soon as the POST returns."
    )


def query_profile(profile: dict[str, Any]) -> list[str]:
    lines = []
    for label in ("routine", "urgent"):
        queries = profile.get(label)
        if not queries:
            continue
        total = sum(float(q["time"]) for q in queries) * 1000
        kinds: dict[str, int] = {}
        for q in queries:
            word = q["sql"].lstrip().split()[0].upper()
            kinds[word] = kinds.get(word, 0) + 1
        summary = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items(), key=lambda kv: -kv[1]))
        lines.append(
            f"One {label} visit: {len(queries)} queries ({summary}), {total:.1f} ms in the database."
        )
    return lines


def main() -> None:
    setup()
    sys.stdout.write(measure())


if __name__ == "__main__":
    main()
