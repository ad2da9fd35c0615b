"""Benchmark: the laboratory's pending list on PostgreSQL (issue #14).

``run() -> str`` returns a Markdown section; ``python -m bench.bench_lab`` prints it.

The demo registry is seeded at ``LAB_BENCH_SCALE`` (default 1: 2,000 households, ~10,000
persons; the issue's size is 50), then ``LAB_BENCH_RESULTS`` lab results (default 60,000; the
issue's size is 3,000,000) are bulk-inserted as requests of two tests each, spread over the
four CSComs and the last year, with ``LAB_BENCH_PENDING`` requests per CSCom still pending (the
laboratory's list). The rows are what ``lab.services`` writes (interpretation from the catalogue)
without their events. Into ``DATABASE_URL`` (default
``postgres://postgres@127.0.0.1:5432/keneya_bench_lab``; created and migrated if missing, reused
when it already holds that seed). Pages and API calls go through Django's test ``Client`` in
process with DEBUG off (``force_login``). Target: p95 < 150 ms.
"""

from __future__ import annotations

import os
import random
import sys
import time
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

from bench._server import machine_speed_line, percentile, run_in_child, setup_django

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/keneya_bench_lab"
SCALE = float(os.environ.get("LAB_BENCH_SCALE", "1"))
RESULTS = int(os.environ.get("LAB_BENCH_RESULTS", "60000"))
PENDING = int(os.environ.get("LAB_BENCH_PENDING", "60"))
REQUESTS = 40
WARMUP = 5
TARGET_P95_MS = 150.0
BATCH = 5000
NAMESPACE = uuid.UUID("1ab0be4c-6d6f-4c61-9b00-62656e636800")


def run() -> str:
    """Measure in a fresh interpreter: the settings (DEBUG off, PostgreSQL) are read at start-up."""
    return run_in_child("bench.bench_lab", DEFAULT_DATABASE_URL)


def log(message: str) -> None:
    sys.stderr.write(f"[bench_lab] {message}\n")
    sys.stderr.flush()


def ensure_seed() -> str:
    from keneya.demo import seed as demo
    from keneya.lab.models import LabResult

    plan = demo.plan_for(scale=SCALE)
    if demo.demo_exists():
        from keneya.people.models import Household

        if Household.objects.count() == plan.households and LabResult.objects.count() == RESULTS:
            return "reused"
        log("another seed present: reseeding")
        demo.delete_demo()
    log(f"seeding {plan.households} households…")
    demo.seed_demo(scale=SCALE, history=False, batch_households=2000)
    insert_lab_rows()
    return "seeded"


def insert_lab_rows() -> None:
    """Requests of two tests (Hb and a malaria RDT, or a glycaemia) with their results."""
    from django.db import connection
    from django.utils import timezone

    from keneya.accounts.models import User
    from keneya.clinical import lab as catalogue
    from keneya.clinical.ages import age_months
    from keneya.core.models import Facility, FacilityKind
    from keneya.core.queries import quartier_ids_under
    from keneya.lab.models import LabOrder, LabOrderTest, LabResult, OrderStatus
    from keneya.people.models import Person

    rng = random.Random("bench-lab")  # noqa: S311 (bench data)
    now = timezone.now()
    cscoms = list(Facility.objects.filter(kind=FacilityKind.CSCOM).order_by("code"))
    orders_total = RESULTS // 2
    started = time.perf_counter()
    n = 0
    for facility in cscoms:
        clinician = User.objects.filter(role="clinician", facility=facility).first()
        tech = User.objects.filter(role="lab_technician", facility=facility).first()
        persons = list(
            Person.objects.filter(
                household__quartier_id__in=quartier_ids_under([facility.health_area_id])
            ).values_list("pk", "sex", "date_of_birth")
        )
        per = orders_total // len(cscoms)
        orders, tests, results = [], [], []
        for i in range(per + PENDING):
            pid, sex, born = rng.choice(persons)
            pending = i >= per
            at = now - timedelta(minutes=rng.randrange(5, 600) if pending else rng.randrange(60, 525600))
            oid = uuid.uuid5(NAMESPACE, f"{facility.code}:{i}")
            codes = ["hb", "malaria_rdt"] if rng.random() < 0.6 else ["hb", "glycemia"]
            orders.append(
                LabOrder(
                    id=oid,
                    person_id=pid,
                    facility=facility,
                    requested_by=clinician,
                    requested_at=at,
                    status=OrderStatus.PENDING if pending else OrderStatus.COMPLETED,
                    completed_at=None if pending else at + timedelta(hours=1),
                )
            )
            tests += [LabOrderTest(order_id=oid, test=c, position=k) for k, c in enumerate(codes)]
            if pending:
                continue
            months = age_months(born, at.date()) if born and born <= at.date() else None
            for code in codes:
                test = catalogue.get(code)
                raw = {"hb": f"{rng.uniform(5.5, 16):.1f}", "glycemia": f"{rng.uniform(0.5, 3.2):.2f}"}.get(
                    code, rng.choice(["positive", "negative"])
                )
                value = catalogue.parse_value(test, raw)
                interpretation = catalogue.interpret(test, value, months, sex)
                ref = catalogue.reference_range(test, months, sex)
                results.append(
                    LabResult(
                        order_id=oid,
                        person_id=pid,
                        test=code,
                        value=value,
                        value_number=Decimal(value) if test.result_type == "number" else None,
                        unit=test.unit,
                        interpretation=interpretation,
                        abnormal=catalogue.is_abnormal(test, interpretation),
                        critical=catalogue.is_critical(interpretation),
                        reference=ref.text(test.unit) if ref else "",
                        recorded_by=tech,
                        recorded_at=at + timedelta(hours=1),
                    )
                )
        for model, rows in ((LabOrder, orders), (LabOrderTest, tests), (LabResult, results)):
            for k in range(0, len(rows), BATCH):
                model.objects.bulk_create(rows[k : k + BATCH])
        n += len(results)
        log(f"  {facility.code}: {len(orders)} requests, {len(results)} results")
    with connection.cursor() as cursor:
        for table in ("lab_laborder", "lab_labordertest", "lab_labresult"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    log(f"inserted {n} results in {time.perf_counter() - started:.0f} s")


def time_get(client: Any, url: str) -> list[float]:
    for _ in range(WARMUP):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    timings = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return timings


def measure() -> str:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from keneya.lab.models import LabOrder, LabResult

    state = ensure_seed()
    users = get_user_model().objects
    tech = users.get(username="labo.lafiabougou")
    clinician = users.get(username="clinicien.lafiabougou")
    pending = (
        LabOrder.objects.filter(facility=tech.facility, status="pending").order_by("requested_at").first()
    )
    done = (
        LabOrder.objects.filter(facility=tech.facility, status="completed").order_by("-requested_at").first()
    )
    assert pending is not None and done is not None
    clients = {}
    for user in (tech, clinician):
        client = Client()
        client.force_login(user)
        clients[user.username] = client
    scenarios = [
        ("Pending list page", tech, "/laboratoire/"),
        ("Pending list API", tech, "/api/v1/lab/orders/"),
        ("Result entry page", tech, f"/laboratoire/demandes/{pending.pk}/"),
        ("A person's results page (trend)", clinician, f"/patients/{done.person_id}/examens/"),
        ("A request through the API", clinician, f"/api/v1/lab/orders/{done.pk}/"),
    ]
    load = os.getloadavg()[0]
    rows = []
    for label, user, url in scenarios:
        timings = time_get(clients[user.username], url)
        p50, p95 = percentile(timings, 0.5), percentile(timings, 0.95)
        verdict = "ok" if p95 < TARGET_P95_MS else "**over**"
        rows.append(f"| {label} | {user.username} | {p50:.1f} | {p95:.1f} | {verdict} |")
    results = LabResult.objects.count()
    orders = LabOrder.objects.count()
    pending_n = LabOrder.objects.filter(facility=tech.facility, status="pending").count()
    return "\n".join(
        [
            "## Laboratory (issue #14): the pending list",
            "",
            f"Seed {state}: the demo registry at scale {SCALE:g}, {orders:,} lab requests and "
            f"{results:,} results ({pending_n} pending at CSCom ASACOLA I). The issue's size is "
            "3,000,000 results at scale 50: run with `LAB_BENCH_SCALE=50 LAB_BENCH_RESULTS=3000000`.",
            f"{REQUESTS} requests each after {WARMUP} warm-up ones, in process (Django test client, "
            f"DEBUG off); load average {load:.1f} at the start. {machine_speed_line()}",
            "",
            "| Scenario | User | p50 ms | p95 ms | p95 < 150 ms |",
            "|---|---|---:|---:|---|",
            *rows,
        ]
    )


def main() -> None:
    setup_django("bench_lab", DEFAULT_DATABASE_URL)
    sys.stdout.write(measure())


if __name__ == "__main__":
    main()
