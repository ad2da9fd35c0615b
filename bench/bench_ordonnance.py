"""Benchmark: the printed ordonnance (issue #14), time to the first byte of the PDF.

``run() -> str`` returns a Markdown section; ``python -m bench.bench_ordonnance`` prints it.

A small demo (``KENEYA_BENCH_ORDONNANCE_HOUSEHOLDS`` households, 600 by default, with its six
months of visits, consultations and their ordonnances written by ``keneya.demo.pharmacy``) is
seeded into ``DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/keneya_bench_pharmacy``,
created and migrated if missing, reused when it already holds that demo). The page
``/ordonnances/<id>/ordonnance.pdf`` and the API ``/api/v1/prescriptions/<id>/pdf/`` are
requested through Django's test ``Client`` in process (DEBUG off, ``force_login`` as the
prescribing clinician), each for a different prescription: the response is built whole before
its first byte leaves (WeasyPrint renders the page, then the view answers), so the time of a
request is its time to the first byte, without the socket. Target (issue #14): < 500 ms.

The issue's full size (1.5 million prescriptions at 50x the demo on PostgreSQL) changes only the
look-up of one prescription by its primary key and of its items by an indexed foreign key; the
cost is the rendering, which does not grow with the table.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

from bench._server import ensure_database, machine_speed_line, percentile, run_in_child

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/keneya_bench_pharmacy"
HOUSEHOLDS = int(os.environ.get("KENEYA_BENCH_ORDONNANCE_HOUSEHOLDS", "600"))
REQUESTS = int(os.environ.get("KENEYA_BENCH_ORDONNANCE_REQUESTS", "40"))
WARMUP = 3
TARGET_MS = 500.0


def run() -> str:
    return run_in_child("bench.bench_ordonnance", DEFAULT_DATABASE_URL)


def log(message: str) -> None:
    sys.stderr.write(f"[bench_ordonnance] {message}\n")
    sys.stderr.flush()


def setup() -> None:
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keneya.settings")
    if os.environ["DATABASE_URL"].startswith("postgres"):
        ensure_database(os.environ["DATABASE_URL"])
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def ensure_seed() -> str:
    from keneya.demo import seed as demo
    from keneya.people.models import Household
    from keneya.pharmacy.models import Prescription

    if demo.demo_exists():
        if Household.objects.count() == HOUSEHOLDS and Prescription.objects.exists():
            return "reused"
        demo.delete_demo()
    started = time.perf_counter()
    lines: list[str] = []
    demo.seed_demo(households=HOUSEHOLDS, visits=True, history=False, report=lines.append)
    for line in lines:
        log(line.strip())
    log(f"seeded in {time.perf_counter() - started:.0f} s")
    return "seeded"


def measure(client: Any, urls: list[str]) -> list[tuple[float, float]]:
    """(wall ms, this process's CPU ms) of each request after the warm-up ones. On a shared
    machine the CPU time says what a request costs when it has a core to itself."""
    timings = []
    for index, url in enumerate(urls):
        started, cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        elapsed, cpu_ms = (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf", url
        if index >= WARMUP:
            timings.append((elapsed, cpu_ms))
    return timings


def main() -> str:
    setup()
    from django.test import Client

    from keneya.pharmacy.models import Prescription

    state = ensure_seed()
    prescriptions = list(
        Prescription.objects.select_related("prescriber").order_by("-prescribed_at")[: REQUESTS + WARMUP]
    )
    total = Prescription.objects.count()
    if len(prescriptions) <= WARMUP:
        raise SystemExit(f"only {total} prescriptions in the demo: nothing to print")
    clients: dict[Any, Client] = {}
    page_urls: dict[Any, list[str]] = {}
    for p in prescriptions:
        if p.prescriber_id not in clients:
            clients[p.prescriber_id] = Client()
            clients[p.prescriber_id].force_login(p.prescriber)
        page_urls.setdefault(p.prescriber_id, []).append(str(p.pk))
    rows = []
    for label, template in (
        ("page `/ordonnances/<id>/ordonnance.pdf`", "/ordonnances/{}/ordonnance.pdf"),
        ("API `/api/v1/prescriptions/<id>/pdf/`", "/api/v1/prescriptions/{}/pdf/"),
    ):
        timings: list[tuple[float, float]] = []
        for prescriber_id, ids in page_urls.items():
            timings += measure(clients[prescriber_id], [template.format(i) for i in ids])
        wall = [t[0] for t in timings]
        cpu = [t[1] for t in timings]
        p50, p95 = percentile(wall, 0.5), percentile(wall, 0.95)
        verdict = "met" if p95 < TARGET_MS else "**missed**"
        rows.append(
            f"| {label} | {len(timings)} | {p50:.0f} | {p95:.0f} | "
            f"{percentile(cpu, 0.5):.0f} | {percentile(cpu, 0.95):.0f} | {verdict} |"
        )
    return "\n".join(
        [
            "## Ordonnance PDF (issue #14)",
            "",
            f"Small scale: {HOUSEHOLDS} households, {total} prescriptions ({state}); each request prints "
            f"a different prescription (A5, QR code), in process, DEBUG off, on "
            f"{os.environ['DATABASE_URL'].split('://')[0]}. "
            f"Target: time to the first byte < {TARGET_MS:.0f} ms.",
            "",
            "| request | n | p50 ms | p95 ms | CPU p50 ms | CPU p95 ms | target (wall p95) |",
            "|---|---:|---:|---:|---:|---:|---|",
            *rows,
            "",
            machine_speed_line(),
            f"Load average when measured: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
            "(the wall times include waiting for a core; the CPU times do not).",
            "",
            "At the issue's full size (1.5 million prescriptions) only two indexed look-ups grow (the "
            "prescription by its key, its items by prescription); the rendering, which is the time "
            "measured here, does not. Seeding 50x the demo takes hours on this machine and was not run.",
        ]
    )


if __name__ == "__main__":
    print(main())
