"""The demo's laboratory, through the real services: at each CSCom, requests by its clinician
over the last six months (some from a consultation), results entered by its laboratory
technician (mostly normal, some abnormal, a few critical: those raised their urgent alert,
closed as seen when older than a week), a few results corrected, and this morning's requests
still pending in the laboratory's list.

Seeded and dated relative to "today", so the same seed gives the same story.
"""

from __future__ import annotations

import logging
import random
import uuid
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

from django.utils import timezone

from keneya.accounts.models import Role, User
from keneya.alerts.models import Alert, AlertStatus, CloseReason
from keneya.alerts.services import acknowledge_alert, close_alert, escalate_unacknowledged, escalation_delay
from keneya.clinical.ages import age_months
from keneya.core.ids import ids_from
from keneya.core.models import Facility, FacilityKind
from keneya.core.periodic import periodic_job
from keneya.core.queries import quartier_ids_under
from keneya.demo import district, play
from keneya.lab import services
from keneya.lab.models import LabOrder, LabOrderEvent, LabOrderTest, LabResult
from keneya.people.models import Person
from keneya.records.models import Consultation

NAMESPACE = uuid.UUID("1ab0de00-6d6f-4c61-9b00-6c61626f7261")
ORDERS_PER_CSCOM = 30  # over the last six months
PENDING_PER_CSCOM = 3  # this morning's, not yet done
DAYS = 182
OPEN_ALERT_DAYS = 7  # critical results older than this were seen: their alert is closed


def _id(*parts: Any) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts))


def _panel(person: Person, today: date, rng: random.Random) -> tuple[list[str], bool]:
    """The tests a CSCom clinician asks for this person (and whether pregnant)."""
    months = age_months(person.date_of_birth, today) if person.date_of_birth else 360
    if months < 60:
        return (["malaria_rdt", "hb"] if rng.random() < 0.7 else ["malaria_smear", "hb"]), False
    if person.sex == "F" and 16 * 12 <= months < 45 * 12 and rng.random() < 0.35:
        return ["hb", "hiv_rdt1", "syphilis_rdt", "urine_protein", "urine_glucose"], True
    choice = rng.random()
    if choice < 0.35:
        return ["glycemia"] + (["urine_glucose"] if rng.random() < 0.5 else []), False
    if choice < 0.7:
        return ["malaria_rdt", "hb"], False
    if choice < 0.8:
        return [rng.choice(["tb_smear", "tb_xpert"])], False
    if choice < 0.9:
        return ["stool"], False
    return (["pregnancy"] if person.sex == "F" and months < 50 * 12 else ["hb", "glycemia_fasting"]), False


def _hb(rng: random.Random, critical: bool) -> str:
    if critical:
        return f"{rng.uniform(4.5, 6.9):.1f}"
    return f"{rng.choice([rng.uniform(8.0, 11.9), rng.uniform(11.0, 15.0), rng.uniform(12.0, 15.5)]):.1f}"


def _glycemia(rng: random.Random, critical: bool, fasting: bool = False) -> str:
    if critical:
        return f"{rng.choice([rng.uniform(0.35, 0.53), rng.uniform(3.1, 4.5)]):.2f}"
    if fasting:
        return f"{rng.choice([rng.uniform(0.75, 1.1), rng.uniform(0.8, 1.2), rng.uniform(1.27, 2.2)]):.2f}"
    return f"{rng.choice([rng.uniform(0.8, 1.4), rng.uniform(0.9, 1.8), rng.uniform(2.05, 2.9)]):.2f}"


STOOL = (
    "Absence de parasites",
    "Absence de parasites",
    "Kystes d'Entamoeba histolytica",
    "Œufs d'Ascaris lumbricoides",
    "Kystes de Giardia intestinalis",
)


def _value(code: str, rng: random.Random, critical: bool) -> str:
    if code == "hb":
        return _hb(rng, critical)
    if code in ("glycemia", "glycemia_fasting"):
        return _glycemia(rng, critical, fasting=code == "glycemia_fasting")
    if code == "malaria_rdt":
        return "positive" if rng.random() < 0.3 else "negative"
    if code == "malaria_smear":
        return rng.choice(["negative", "negative", "1+", "2+", "3+"])
    if code == "hiv_rdt1":
        return "positive" if rng.random() < 0.04 else "negative"
    if code in ("hiv_rdt2", "hiv_rdt3"):
        return "positive" if rng.random() < 0.8 else "negative"
    if code == "syphilis_rdt":
        return "positive" if rng.random() < 0.03 else "negative"
    if code in ("urine_protein", "urine_glucose"):
        return rng.choices(["negative", "trace", "1+", "2+"], weights=[80, 10, 7, 3])[0]
    if code == "pregnancy":
        return "positive" if rng.random() < 0.5 else "negative"
    if code == "tb_smear":
        return rng.choices(["negative", "scanty", "1+", "2+"], weights=[85, 5, 5, 5])[0]
    if code == "tb_xpert":
        return rng.choices(
            ["not_detected", "rif_sensitive", "rif_resistant", "invalid"], weights=[85, 10, 2, 3]
        )[0]
    return rng.choice(STOOL)


def _at(day: date, hour: int, minute: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock_time(hour, minute)))


def seed_lab(*, seed: int | str, today: date) -> dict[str, int]:
    """Requests and results at each demo CSCom; returns the counts.

    Replayed as the closed loop is (``play``): each service runs at the simulated moment of its
    action with seeded ids, so the same seed and day give the same rows, alerts and messages."""
    rng = random.Random(f"{seed}:lab")  # noqa: S311 (demo data)
    real_now = timezone.now()
    clock = play.SimulatedClock(real_now)
    outbox_log = logging.getLogger("keneya.notifications")
    level = outbox_log.level
    outbox_log.setLevel(logging.WARNING)  # not a line per demo SMS "enqueued"
    try:
        with clock.running(), ids_from(play.SeededIds(clock, f"{seed}:lab")):
            counts = _seed(rng, today, clock, real_now)
        periodic_job("send_outbox").run(timezone.now())  # the urgent alerts' SMS leave
    finally:
        outbox_log.setLevel(level)
    return counts


def _seed(rng: random.Random, today: date, clock: Any, real_now: datetime) -> dict[str, int]:
    demo = User.objects.filter(email__endswith=f"@{district.DEMO_EMAIL_DOMAIN}", is_active=True)
    counts = {"orders": 0, "results": 0, "abnormal": 0, "critical": 0, "corrected": 0, "pending": 0}
    counts["open_alerts"] = 0
    cscoms = Facility.objects.filter(code__in=district.DEMO_FACILITY_CODES, kind=FacilityKind.CSCOM)
    for facility in cscoms.order_by("code"):
        clinician = demo.filter(role=Role.CLINICIAN, facility=facility).order_by("pk").first()
        tech = demo.filter(role=Role.LAB_TECHNICIAN, facility=facility).order_by("pk").first()
        if clinician is None or tech is None or facility.health_area_id is None:
            continue
        quartiers = quartier_ids_under([facility.health_area_id])
        persons = list(
            Person.objects.filter(household__quartier_id__in=quartiers, vital_status="alive")
            .select_related("household")
            .order_by("pk")[:400]
        )
        consulted = list(
            Consultation.objects.filter(facility=facility, consulted_at__date__lte=today)
            .select_related("person", "person__household")
            .order_by("consulted_at", "pk")
        )
        if not persons:
            continue
        for n in range(ORDERS_PER_CSCOM + PENDING_PER_CSCOM):
            pending = n >= ORDERS_PER_CSCOM
            # Yesterday's severe anaemia: each CSCom's inbox shows one open critical-result alert.
            severe = n == ORDERS_PER_CSCOM - 1
            consultation = None
            if severe:
                person = rng.choice(persons)
                requested_at = _at(today - timedelta(days=1), 9, rng.randrange(0, 60))
            elif not pending and consulted and rng.random() < 0.5:
                consultation = rng.choice(consulted)
                person = consultation.person
                requested_at = consultation.consulted_at + timedelta(minutes=rng.randrange(5, 40))
            else:
                person = rng.choice(persons)
                day = today if pending else today - timedelta(days=rng.randrange(1, DAYS))
                requested_at = _at(day, rng.randrange(8, 11), rng.randrange(0, 60))
            born = person.date_of_birth
            if person.vital_status != "alive" or requested_at > real_now:
                continue
            if born is not None and born > timezone.localtime(requested_at).date():
                continue
            tests, pregnant = _panel(person, timezone.localtime(requested_at).date(), rng)
            if severe:
                tests = ["hb"]
            clock.current = requested_at
            order, _created = services.request_tests(
                by=clinician,
                id=_id(facility.code, n),
                person=person,
                tests=tests,
                consultation=consultation,
                pregnant=pregnant,
                at=requested_at,
            )
            counts["orders"] += 1
            entered_at = requested_at + timedelta(minutes=rng.randrange(20, 120))
            if pending or entered_at > real_now:
                counts["pending"] += 1
                continue
            clock.current = entered_at
            critical = severe or rng.random() < 0.06
            _results(order, tech, tests, entered_at, rng, counts, critical=critical)
            raised = Alert.objects.filter(rule=services.CRITICAL_RESULT_RULE.code, person=person)
            for alert in raised.exclude(status=AlertStatus.CLOSED):
                counts["open_alerts"] += _follow_up(alert, clinician, clock, today, real_now)
    return counts


def _follow_up(alert: Alert, clinician: Any, clock: Any, today: date, real_now: datetime) -> int:
    """What the clinician did with a critical-result alert: seen within the hour and closed the
    next day when older than a week; yesterday's is still open (escalated to the manager after
    two hours, as the scheduler does). 1 when it stays open."""
    if alert.raised_at < _at(today - timedelta(days=OPEN_ALERT_DAYS), 0, 0):
        clock.current = alert.raised_at + timedelta(minutes=40)
        acknowledge_alert(by=clinician, alert=alert)
        clock.current = alert.raised_at + timedelta(days=1)
        close_alert(by=clinician, alert=alert, reason=CloseReason.SEEN)
        return 0
    due = alert.raised_at + escalation_delay() + timedelta(minutes=1)
    if due <= real_now:
        clock.current = due
        escalate_unacknowledged(now=due)
    return 1


def _results(
    order: LabOrder,
    tech: Any,
    tests: list[str],
    entered_at: datetime,
    rng: random.Random,
    counts: dict[str, int],
    *,
    critical: bool,
) -> None:
    lines = [(code, _value(code, rng, critical and code in ("hb", "glycemia"))) for code in tests]
    # The national HIV algorithm: a reactive first test is followed by the second, then the third.
    for code in ("hiv_rdt1", "hiv_rdt2"):
        value = dict(lines).get(code)
        if value == "positive":
            following = "hiv_rdt2" if code == "hiv_rdt1" else "hiv_rdt3"
            lines.append((following, _value(following, rng, False)))
    results = services.record_results(by=tech, order=order, results=lines, at=entered_at)
    counts["results"] += len(results)
    counts["abnormal"] += sum(r.abnormal for r in results)
    counts["critical"] += sum(r.critical for r in results)
    if rng.random() < 0.04:
        first = results[0]
        test_value = _value(first.test, rng, False)
        if test_value != first.value:
            corrected_at = entered_at + timedelta(minutes=15)
            services.correct_result(
                by=tech,
                result=first,
                value=test_value,
                reason="Erreur de saisie : mauvaise ligne du cahier de paillasse",
                at=corrected_at,
            )
            counts["corrected"] += 1


def summary(counts: dict[str, int], seconds: float) -> str:
    """The seed's French line for this step."""
    return (
        f"Laboratoire : {counts.get('orders', 0)} demandes ({counts.get('pending', 0)} en attente), "
        f"{counts.get('results', 0)} résultats dont {counts.get('abnormal', 0)} anormaux et "
        f"{counts.get('critical', 0)} critiques, en {seconds:.1f} s"
    )


def delete_lab(*, facility_ids: list[Any], person_ids: Any) -> dict[str, int]:
    """Remove the demo's requests and results (before the persons, consultations and users)."""
    orders = LabOrder.objects.filter(facility_id__in=facility_ids) | LabOrder.objects.filter(
        person_id__in=person_ids
    )
    ids = list(orders.values_list("pk", flat=True))
    LabResult.objects.filter(order_id__in=ids, replaces__isnull=False).delete()
    counts = {"lab_results": LabResult.objects.filter(order_id__in=ids).delete()[0]}
    LabOrderTest.objects.filter(order_id__in=ids).delete()
    LabOrderEvent.objects.filter(order_id__in=ids).delete()
    counts["lab_orders"] = LabOrder.objects.filter(pk__in=ids).delete()[0]
    return counts
