"""Benchmark (issue #14, skeleton): the patient page with its summary banner and the summary API
on PostgreSQL.

``run() -> str`` returns a Markdown section; ``python -m bench.bench_record`` prints it.

The database (``DATABASE_URL``, default ``postgres://postgres@127.0.0.1:5432/keneya_bench_record``,
its own; created and migrated if missing, reused when filled) holds the Commune IV demo ×
``KENEYA_BENCH_RECORD_SCALE`` (50 by default: the issue's 500,000 persons; no history rows) and,
bulk-inserted with ``bulk_create``, ``CONSULTATIONS_PER_PERSON`` consultations a person (4: the
issue's 2 million at × 50) spread over a year with vitals and one diagnosis each, and a problem
list for ``PROBLEM_SHARE`` of the persons.

Not loaded yet (the lab and pharmacy apps' part of the issue's data set, to be added by them
here): 3 million lab results and 1.5 million prescriptions. Their ``summary_parts``,
``patient_sections`` and ``patient_timeline`` receivers run in the measured requests whenever
those apps are installed, so their cost shows in these numbers.

Measured through Django's test ``Client`` (DEBUG off, ``force_login`` as the CSCom clinician
of the largest health area), p50/p95 over ``REQUESTS`` requests after ``WARMUP``:
the patient page (``/patients/<id>/``: banner, problem list, trends, timeline) and the summary
API (``GET /api/v1/persons/<id>/summary/``) for a typical patient (the median number of
consultations) and the busiest one; target p95 < 150 ms. And the carnet PDF, p50 over 5.

At full size the bulk load takes long with ``bulk_create`` (2 million consultations): switch
to COPY as ``bench_closed_loop`` does before a full run. Run small first:
``KENEYA_BENCH_RECORD_SCALE=0.25 python -m bench.run record``.
"""

from __future__ import annotations

import os
import random
import re
import sys
import time
import uuid
from datetime import timedelta
from typing import Any

from bench._server import percentile, run_in_child, setup_django

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/keneya_bench_record"
SCALE = float(os.environ.get("KENEYA_BENCH_RECORD_SCALE", "50"))
CONSULTATIONS_PER_PERSON = 4
PROBLEM_SHARE = 0.10
PROBLEM_CODES = (("I10", "Hypertension essentielle (primitive)"), ("E11", "Diabète sucré de type 2"))
DIAGNOSES = (
    ("B50.9", "Paludisme à Plasmodium falciparum, sans précision"),
    ("J06.9", "Infection aiguë des voies respiratoires supérieures, sans précision"),
    ("I10", "Hypertension essentielle (primitive)"),
)
BATCH = 5000
REQUESTS = 60
WARMUP = 5
PDF_REQUESTS = 5
TARGET_P95_MS = 150.0
SEED = 2026


def run() -> str:
    """Measure in a fresh interpreter: the settings (DEBUG off, PostgreSQL) are read at start-up."""
    return run_in_child(
        "bench.bench_record",
        DEFAULT_DATABASE_URL,
        SMS_GATEWAY="console",
        KENEYA_BENCH_RECORD_SCALE=str(SCALE),
    )


# --- everything below runs in the child process -------------------------------------------------


def log(message: str) -> None:
    sys.stderr.write(f"[bench_record] {message}\n")
    sys.stderr.flush()


def ensure_seed() -> str:
    from keneya.demo import district
    from keneya.demo import seed as demo
    from keneya.people.models import Household

    plan = demo.plan_for(scale=SCALE)
    if demo.demo_exists():
        quartiers = {q.code for q in district.QUARTIERS}
        if Household.objects.filter(quartier__code__in=quartiers).count() == plan.households:
            return "reused"
        log("demo of another size present: reseeding")
        truncate_records()
        demo.delete_demo()
    log(f"seeding {plan.households} households…")
    demo.seed_demo(scale=SCALE, history=False, batch_households=2000, seed=SEED)
    return "seeded"


def truncate_records() -> None:
    """Only ever on the benchmark's own database."""
    from django.db import connection

    tables = (
        "records_problem",
        "records_recorddocument",
        "records_diagnosis",
        "records_consultation",
        "records_recordaccess",
    )
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(t for t in tables if t in existing)} CASCADE")


def ensure_records() -> tuple[str, float]:
    """Consultations with vitals and a diagnosis for every person, problems for some."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from keneya.core.models import FacilityKind
    from keneya.people.models import Person
    from keneya.records.models import Consultation, Diagnosis, Problem

    persons = Person.objects.filter(merged_into__isnull=True)
    expected = persons.count() * CONSULTATIONS_PER_PERSON
    if Consultation.objects.count() >= expected * 0.95:
        return "reused", 0.0
    truncate_records()
    started = time.perf_counter()
    clinicians = {
        u.facility_id: u
        for u in get_user_model()
        .objects.filter(role="clinician", facility__kind=FacilityKind.CSCOM)
        .select_related("facility")
        .order_by("username")
    }
    from keneya.alerts.services import cscom_ids_of_quartiers

    rng = random.Random(SEED)  # noqa: S311 (benchmark data)
    now = timezone.now()
    quartier_ids = list(persons.values_list("household__quartier_id", flat=True).distinct())
    cscom_of = cscom_ids_of_quartiers(quartier_ids)
    rows = persons.values_list("pk", "date_of_birth", "household__quartier_id").order_by("pk").iterator(BATCH)
    done = 0
    batch: list[tuple[Any, Any, Any]] = []

    def flush() -> None:
        consultations, diagnoses, problems = [], [], []
        for pk, _born, quartier in batch:
            clinician = clinicians.get(cscom_of.get(quartier))
            if clinician is None:
                continue
            for _ in range(CONSULTATIONS_PER_PERSON):
                consultation = Consultation(
                    id=uuid.uuid4(),
                    person_id=pk,
                    facility_id=clinician.facility_id,
                    clinician=clinician,
                    consulted_at=now - timedelta(minutes=rng.randrange(365 * 24 * 60)),
                    complaint="Fièvre",
                    weight_kg=rng.randrange(400, 900) / 10,
                    systolic_bp=rng.randrange(105, 175),
                    diastolic_bp=rng.randrange(60, 105),
                    temperature_c=rng.randrange(365, 395) / 10,
                )
                consultations.append(consultation)
                code, label = DIAGNOSES[rng.randrange(len(DIAGNOSES))]
                diagnoses.append(Diagnosis(consultation=consultation, icd10_code=code, label=label))
            if rng.random() < PROBLEM_SHARE:
                code, label = PROBLEM_CODES[rng.randrange(len(PROBLEM_CODES))]
                problems.append(
                    Problem(
                        person_id=pk,
                        icd10_code=code,
                        label=label,
                        facility_id=clinician.facility_id,
                        recorded_by=clinician,
                    )
                )
        with transaction.atomic():
            Consultation.objects.bulk_create(consultations, batch_size=BATCH)
            Diagnosis.objects.bulk_create(diagnoses, batch_size=BATCH)
            Problem.objects.bulk_create(problems, batch_size=BATCH)
        batch.clear()

    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            flush()
            done += BATCH
            if done % 50_000 == 0:
                log(f"  {done} persons")
    if batch:
        flush()
    with connection.cursor() as cursor:
        for table in ("records_consultation", "records_diagnosis", "records_problem"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return "loaded", time.perf_counter() - started


def time_get(client: Any, url: str, n: int = REQUESTS) -> list[float]:
    for _ in range(WARMUP if n > PDF_REQUESTS else 1):
        assert client.get(url).status_code == 200, url
    timings = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return timings


def measure() -> str:
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.test import Client

    from keneya.people.models import Person
    from keneya.records.models import Consultation

    seeded = ensure_seed()
    loaded, load_seconds = ensure_records()
    clinician = get_user_model().objects.get(username="clinicien.lafiabougou")
    client = Client()
    client.force_login(clinician)
    per_person = list(
        Consultation.objects.filter(facility=clinician.facility)
        .values("person_id")
        .annotate(n=Count("id"))
        .order_by("n", "person_id")
        .values_list("person_id", "n")
    )
    typical, busiest = per_person[len(per_person) // 2], per_person[-1]
    scenarios = [
        ("Patient page (typical)", f"/patients/{typical[0]}/", f"{typical[1]} consultations", REQUESTS),
        ("Patient page (busiest)", f"/patients/{busiest[0]}/", f"{busiest[1]} consultations", REQUESTS),
        (
            "Summary API (typical)",
            f"/api/v1/persons/{typical[0]}/summary/",
            f"{typical[1]} consultations",
            REQUESTS,
        ),
        (
            "Summary API (busiest)",
            f"/api/v1/persons/{busiest[0]}/summary/",
            f"{busiest[1]} consultations",
            REQUESTS,
        ),
        ("Carnet PDF (typical)", f"/patients/{typical[0]}/carnet.pdf", "WeasyPrint, A4", PDF_REQUESTS),
    ]
    rows = []
    for label, url, what, n in scenarios:
        log(f"{label} {url}")
        timings = time_get(client, url, n)
        p50, p95 = percentile(timings, 0.5), percentile(timings, 0.95)
        target = "—" if n == PDF_REQUESTS else ("yes" if p95 < TARGET_P95_MS else "**no**")
        shown = re.sub(r"([0-9a-f]{8})-[0-9a-f-]{27}", r"\1…", url)
        rows.append(f"| {label} | `{shown}` | {what} | {p50:.0f} | {p95:.0f} | {target} |")
    persons = Person.objects.count()
    consultations = Consultation.objects.count()
    lines = [
        "## The patient record: page, summary API, carnet (issue #14)",
        "",
        f"PostgreSQL, demo × {SCALE:g} ({persons:,} persons, {consultations:,} consultations; registry "
        f"{seeded}, record rows {loaded}{f' in {load_seconds:.0f} s' if load_seconds else ''}). "
        "Lab results and prescriptions not loaded yet (their apps' part). Django test client, "
        f"DEBUG off, {REQUESTS} requests after {WARMUP} (the PDF: {PDF_REQUESTS}). Target p95 < 150 ms.",
        "",
        "| Request | URL | Data | p50 ms | p95 ms | Target met |",
        "|---|---|---|---:|---:|---|",
        *rows,
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    if os.environ.get("DEBUG", "0") not in ("", "0"):
        raise SystemExit("bench_record measures with DEBUG off")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + uuid.uuid4().hex)
    setup_django("bench_record", DEFAULT_DATABASE_URL)
    sys.stdout.write(measure())


if __name__ == "__main__":
    main()
