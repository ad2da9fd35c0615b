"""Benchmark: the registry at district scale on PostgreSQL (100,000 households, ~500,000 persons).

``run() -> str`` returns a Markdown section; ``python -m bench.bench_registry`` prints it.

The Commune IV demo is seeded 50 times over (``seed_demo --scale 50``, no history rows) into
``DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/keneya_bench``; the database is
created and migrated if missing, and reused when it already holds the seed). Pages and API calls
go through Django's test ``Client`` in process with DEBUG off, logged in with ``force_login``, so
the timings include middleware, session, queries, template or serializer, but no HTTP socket.
Registration goes through ``services.register_household``; the benchmark's households are deleted
afterwards. Target: p95 < 150 ms for list and search.

When a measurement misses the target, the slowest query of one request is run again under
``EXPLAIN (ANALYZE, BUFFERS)`` and its plan is appended to the section.
"""

from __future__ import annotations

import os
import platform
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench._server import cpu_model, machine_speed_line, percentile, run_in_child, setup_django

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/keneya_bench"
SCALE = 50
REQUESTS = 60
WARMUP = 5
TARGET_P95_MS = 150.0
REGISTER_HOUSEHOLDS = 200
REGISTER_MEMBERS = 5
PLAN_LINES = 30  # of each EXPLAIN ANALYZE kept in the report
SQL_CHARS = 700
BENCH_NAMESPACE = uuid.UUID("0b3c1f0e-8e1a-4c55-9d1e-62656e636872")


def run() -> str:
    """Measure in a fresh interpreter: the settings (DEBUG off, PostgreSQL) are read at start-up."""
    return run_in_child("bench.bench_registry", DEFAULT_DATABASE_URL)


# --- everything below runs in the child process -------------------------------------------------


def log(message: str) -> None:
    sys.stderr.write(f"[bench_registry] {message}\n")
    sys.stderr.flush()


def setup() -> None:
    setup_django("bench_registry", DEFAULT_DATABASE_URL)


def ensure_seed() -> tuple[str, float | None]:
    """Seed at scale 50 unless the database already holds exactly that demo."""
    from django.db import connection

    from keneya.demo import district
    from keneya.demo import seed as demo
    from keneya.people.models import Household, Person

    plan = demo.plan_for(scale=SCALE)
    quartiers = {q.code for q in district.QUARTIERS}
    if demo.demo_exists():
        n = Household.objects.filter(quartier__code__in=quartiers).count()
        if n == plan.households:
            return "reused", None
        log(f"demo present with {n} households, expected {plan.households}: reseeding")
        demo.delete_demo()
    log(f"seeding {plan.households} households ({len(plan.chws)} CHWs)…")
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if done % 20000 == 0:
            log(f"  {done}/{total}")

    result = demo.seed_demo(scale=SCALE, history=False, batch_households=2000, progress=progress)
    seconds = time.perf_counter() - started
    log(f"seeded {result.households} households, {result.persons} persons in {seconds:.0f} s")
    with connection.cursor() as cursor:
        for table in (
            Household._meta.db_table,
            Person._meta.db_table,
            "core_area",
            "accounts_user",
            "accounts_user_areas",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return "seeded", seconds


def time_get(client: Any, url: str, n: int = REQUESTS) -> tuple[list[float], Any]:
    response = None
    for _ in range(WARMUP):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    timings = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return timings, response


def result_count(user: Any, url: str, response: Any) -> str:
    """The API says it (``count``); for a page, ask the query the view calls."""
    from urllib.parse import parse_qs

    from keneya.people import queries

    if response.get("Content-Type", "").startswith("application/json"):
        count = response.json().get("count")
        if count is None:  # search pages carry no total: count the query the API runs
            term = parse_qs(urlsplit(url).query).get("search", [""])[0]
            count = queries.person_list(user=user, search=term).count()
        return f"{count:,}"

    query = parse_qs(urlsplit(url).query)
    return f"{queries.household_list(user=user, search=query.get('q', [''])[0]).count():,}"


def explain_slowest(client: Any, url: str) -> str:
    """Run one request, then EXPLAIN ANALYZE its slowest query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    queries = [q for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    if not queries:
        return ""
    slowest = max(queries, key=lambda q: float(q["time"]))
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
        lines = [row[0] for row in cursor.fetchall()]
    if len(lines) > PLAN_LINES:
        lines = [*lines[:PLAN_LINES], f"… ({len(lines) - PLAN_LINES} more lines)", lines[-1]]
    sql = slowest["sql"]
    sql = sql if len(sql) <= SQL_CHARS else sql[: SQL_CHARS // 2] + " … " + sql[-SQL_CHARS // 2 :]
    plan = "\n".join(lines)
    return (
        f"{len(queries)} SELECTs; slowest {float(slowest['time']) * 1000:.0f} ms:\n\n"
        f"```sql\n{sql}\n```\n\n```\n{plan}\n```"
    )


def sample_terms(clinician: Any) -> dict[str, str]:
    """A given name, a phone fragment and a code that exist in the clinician's area."""
    from keneya.people.scope import households_visible_to

    household = households_visible_to(clinician).exclude(phone="").order_by("id").first()
    assert household is not None
    return {"given": "aminata", "phone": household.phone[-6:-2], "code": household.code}


def measure() -> str:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from keneya.people.models import Household, Person

    seed_state, seed_seconds = ensure_seed()
    users = get_user_model().objects
    clinician = users.get(username="clinicien.lafiabougou")  # the largest health area
    # Sébénikoro's quartier codes (SEB, SIB) sort last: worst case for a scan in code order.
    clinician_last = users.get(username="clinicien.sebenikoro")
    chw = users.filter(role="chw").order_by("username")[0]  # relais0001 at scale 50
    terms = sample_terms(clinician)
    people = {"clinician": clinician, "clinician SEB": clinician_last, "chw": chw}
    clients = {}
    for label, user in people.items():
        client = Client()
        client.force_login(user)
        clients[label] = client
    load = os.getloadavg()[0]

    scenarios = [
        ("List page", "clinician", "/menages/"),
        ("List page", "clinician SEB", "/menages/"),
        ("List page", "chw", "/menages/"),
        ("List API", "clinician", "/api/v1/households/"),
        ("List API", "clinician SEB", "/api/v1/households/"),
        ("List API", "chw", "/api/v1/households/"),
        ("Search page, family name", "clinician", "/menages/?q=traore"),
        ("Search page, given name", "clinician", f"/menages/?q={terms['given']}"),
        ("Search page, given + family name", "clinician", "/menages/?q=aminata+traore"),
        ("Search page, phone fragment", "clinician", f"/menages/?q={terms['phone']}"),
        ("Search page, code", "clinician", f"/menages/?q={terms['code']}"),
        ("Search page, family name", "chw", "/menages/?q=traore"),
        ("Search API, family name", "clinician", "/api/v1/households/?search=traore"),
        ("Search API, given name", "clinician", f"/api/v1/households/?search={terms['given']}"),
        ("Search API, phone fragment", "clinician", f"/api/v1/households/?search={terms['phone']}"),
        ("Search API, code", "clinician", f"/api/v1/households/?search={terms['code']}"),
        ("Search API, family name", "chw", "/api/v1/households/?search=traore"),
        ("Persons API, family name", "clinician", "/api/v1/persons/?search=traore"),
        ("Persons API, given + family name", "clinician", "/api/v1/persons/?search=aminata+traore"),
    ]
    rows = []
    misses: list[tuple[str, str, str]] = []
    for label, who, url in scenarios:
        log(f"{label} ({who}) {url}")
        timings, response = time_get(clients[who], url)
        p50, p95 = percentile(timings, 0.5), percentile(timings, 0.95)
        ok = p95 < TARGET_P95_MS
        count = result_count(people[who], url, response)
        rows.append(
            f"| {label} | {who} | `{url}` | {count} | {p50:.0f} | {p95:.0f} | {'yes' if ok else '**no**'} |"
        )
        if not ok:
            misses.append((label, who, url))

    register = measure_registration(chw)

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    households = Household.objects.count()
    persons = Person.objects.count()
    scope_clinician = Household.objects.filter(quartier__parent__code="AS-LAF").count()
    scope_last = Household.objects.filter(quartier__parent__code="AS-SEK").count()
    scope_chw = Household.objects.filter(chw=chw).count()

    out = [
        "## Registry at district scale (PostgreSQL)",
        "",
        f"{households:,} households and {persons:,} persons (Commune IV demo × {SCALE}, "
        f"`seed_demo --scale {SCALE} --no-history`; "
        + (f"seeded in {seed_seconds:.0f} s" if seed_seconds else "reused the seeded database")
        + f"). Machine: {os.cpu_count()} cores ({cpu_model()}), PostgreSQL {pg_version}, "
        f"Python {platform.python_version()}; load average {load:.1f} when the measures "
        f"started (other jobs share the machine: treat the numbers as noisy). "
        f"{machine_speed_line()} Django test `Client` in process, DEBUG off, "
        f"{REQUESTS} timed requests after {WARMUP} warm-up ones, one new database connection "
        f"per request (`CONN_MAX_AGE=0`, as configured). The clinician of CSCom ASACOLA I sees "
        f'{scope_clinician:,} households, the one of ASACOSEK ("clinician SEB") '
        f"{scope_last:,}, the CHW ({chw.username}) {scope_chw:,}. "
        f"Target: p95 < {TARGET_P95_MS:.0f} ms.",
        "",
        "| Measurement | User | URL | Results | p50 ms | p95 ms | Target met |",
        "|---|---|---|---:|---:|---:|---|",
        *rows,
        "",
        f"Registration through `services.register_household` (by a CHW, {REGISTER_HOUSEHOLDS} "
        f"households of {REGISTER_MEMBERS}, one transaction each): {register}",
    ]
    if misses:
        out += ["", "### Slowest query of each measurement that missed the target", ""]
        for label, who, url in misses:
            out += [f"**{label} ({who})** `{url}`: " + explain_slowest(clients[who], url), ""]
    return "\n".join(out) + "\n"


def measure_registration(chw: Any) -> str:
    from keneya.people import services
    from keneya.people.models import Relationship

    quartier = chw.areas.get()
    delete_bench_households()  # left over by an interrupted run: would be returned, not created
    today = date(2026, 1, 15)
    households: list[Any] = []
    started = time.perf_counter()
    for i in range(REGISTER_HOUSEHOLDS):
        members = [
            services.PersonData(
                family_name="Traoré",
                given_names="Moussa",
                sex="M",
                date_of_birth=today - timedelta(days=365 * 38),
                phone="+22376000000",
                relationship_to_head=Relationship.HEAD,
                id=uuid.uuid5(BENCH_NAMESPACE, f"p-{i}-0"),
            ),
            services.PersonData(
                family_name="Coulibaly",
                given_names="Awa",
                sex="F",
                date_of_birth=today - timedelta(days=365 * 30),
                relationship_to_head=Relationship.SPOUSE,
                id=uuid.uuid5(BENCH_NAMESPACE, f"p-{i}-1"),
            ),
            *(
                services.PersonData(
                    family_name="Traoré",
                    given_names=name,
                    sex=sex,
                    date_of_birth=today - timedelta(days=400 * (k + 1)),
                    relationship_to_head=Relationship.CHILD,
                    id=uuid.uuid5(BENCH_NAMESPACE, f"p-{i}-{k + 2}"),
                )
                for k, (name, sex) in enumerate([("Fatoumata", "F"), ("Seydou", "M"), ("Mariam", "F")])
            ),
        ][:REGISTER_MEMBERS]
        households.append(
            services.register_household(
                by=chw,
                quartier=quartier,
                members=members,
                phone="76 00 00 00",
                address_description="Benchmark",
                id=uuid.uuid5(BENCH_NAMESPACE, f"h-{i}"),
                today=today,
            )
        )
    seconds = time.perf_counter() - started
    delete_bench_households()
    n_persons = REGISTER_HOUSEHOLDS * REGISTER_MEMBERS
    return (
        f"**{n_persons / seconds:.0f} persons/s** ({REGISTER_HOUSEHOLDS / seconds:.0f} "
        f"households/s, {seconds * 1000 / REGISTER_HOUSEHOLDS:.1f} ms per household)."
    )


def delete_bench_households() -> None:
    """Raw deletes: an ORM delete would write a "deleted" history row per object."""
    from keneya.people.models import Household, Person

    ids = [uuid.uuid5(BENCH_NAMESPACE, f"h-{i}") for i in range(REGISTER_HOUSEHOLDS)]
    Household.objects.filter(pk__in=ids).update(head=None)
    for qs in (
        Person.objects.filter(household_id__in=ids),
        Household.objects.filter(pk__in=ids),
        Person.history.filter(household_id__in=ids),
        Household.history.filter(id__in=ids),
    ):
        qs._raw_delete(qs.db)


def main() -> None:
    setup()
    sys.stdout.write(measure())


if __name__ == "__main__":
    main()
