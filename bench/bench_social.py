"""Benchmark: social protection at 50× the demo on PostgreSQL (issue #13, "Benchmark").

``run() -> str`` returns a Markdown section; ``python -m bench.bench_social`` prints it.

The households come from the Commune IV demo seeded 50 times over (``seed_demo --scale 50``, no
history rows; ``bench_registry.ensure_seed``) into ``DATABASE_URL`` (default
``postgres://postgres@127.0.0.1:5432/keneya_social_bench``). On them, set-wise (``bulk_create``,
not through the services): 35,000 screenings on the demonstration grid, scored by
``social_rules.scorecard`` (85 % validated), and 15,000 dossiers of every scheme in every step
(some late, cards issued, expired or expiring, refused, closed) with their members, documents,
timeline events, appointments and mutuelle payments. The data set is reused when present.

Measured:
- the social worker's dossier list (late first) and the patient page with its coverage banner,
  through Django's test ``Client`` in process, DEBUG off (p50, p95; target p95 < 150 ms);
- scoring on the server: screenings per second, the pure scoring and ``record_screening`` (the
  service the API and the sync call, one transaction each; the rows are deleted afterwards);
- scoring on the tablet engine (``pwa/static/pwa/engine/scorecard.js``) in headless Chromium with
  the CPU throttled ×4 (CDP ``Emulation.setCPUThrottlingRate``).
"""

from __future__ import annotations

import http.server
import os
import platform
import random
import shutil
import socketserver
import sys
import threading
import time
import uuid
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from functools import partial
from pathlib import Path
from typing import Any

from bench._server import cpu_model, machine_speed_line, percentile, run_in_child, setup_django

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/keneya_social_bench"
SCREENINGS = int(os.environ.get("BENCH_SOCIAL_SCREENINGS", "35000"))
DOSSIERS = int(os.environ.get("BENCH_SOCIAL_DOSSIERS", "15000"))
SEED = 13
VALIDATED_SHARE = 0.85
SCHEME_WEIGHTS = {"ramed": 0.55, "mutuelle": 0.25, "amo": 0.10, "ramu": 0.10}
FINAL_SHARE = {"card_issued": 0.40, "refused": 0.05, "closed": 0.05}
APPOINTMENT_SHARE = 0.25  # of the open dossiers
MEMBERS_MAX = 4
REQUESTS = int(os.environ.get("BENCH_SOCIAL_REQUESTS", "60"))
WARMUP = 5
TARGET_P95_MS = 150.0
SERVICE_SCREENINGS = 300
PURE_SCREENINGS = 5000
TABLET_SCREENINGS = 2000
TABLET_BATCH = 50
CPU_THROTTLE = 4
BATCH = 5000
BENCH_NAMESPACE = uuid.UUID("5a0c1a1e-0b3e-4d7c-9a13-736f6369616c")
DOCUMENT_STATES = ["missing", "requested", "obtained", "verified"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
CALIBRATE_JS = """() => { const t = performance.now(); let x = 0;
  for (let i = 0; i < 3e6; i++) x = (x + Math.sqrt(i)) % 1e9; return performance.now() - t; }"""


# What the first run of this benchmark found and what changed (2026-12-07, same data set, load
# average 12-14 on the 2 cores: the before and after were run interleaved, median of 5, in ms).
HISTORY = [
    "### Before and after (2026-12-07)",
    "",
    "The first run found the list computed in Python: every open dossier of the scope read with its "
    "household and head, its due date computed row by row, then sorted; the renewals read every issued "
    "card of the last year. At 7,553 open dossiers a page took several seconds (the first scenario's "
    "20 requests took 12 minutes at load 10). Now the database orders and counts (the step's delay "
    "as a SQL due date, `COUNT(*) OVER ()` for the total and the late count, the ids of one page of "
    "50, then those rows), the renewals are filtered by each scheme's lead time in SQL (the 20 "
    "soonest shown, all counted), and two partial indexes serve the screenings to validate and to "
    "open. The query layer alone, before → after, interleaved on the same data (load 12-14):",
    "",
    "| Part of the list page | before ms | after ms |",
    "|---|---:|---:|",
    "| open dossiers, late first, with total and late count | 2,495 | 358 |",
    "| every open dossier (the API) | 2,362 | 850 |",
    "| cards to renew | 2,235 | 129 |",
    "| screenings to validate (partial index) | 131 | 66 |",
    "| validated screenings without a dossier (partial index) | 240 | 57 |",
]


def random_answers(rng: random.Random, grid: dict[str, Any]) -> dict[str, str]:
    return {i["code"]: rng.choice(i["options"])["code"] for i in grid["indicators"]}


def run() -> str:
    """Measure in a fresh interpreter: the settings (DEBUG off, PostgreSQL) are read at start-up."""
    return run_in_child("bench.bench_social", DEFAULT_DATABASE_URL)


# --- everything below runs in the child process -------------------------------------------------


def log(message: str) -> None:
    sys.stderr.write(f"[bench_social] {message}\n")
    sys.stderr.flush()


def setup() -> None:
    setup_django("bench_social", DEFAULT_DATABASE_URL)


def social_tables() -> tuple[str, ...]:
    from keneya.social_protection import models as m

    return tuple(
        model._meta.db_table
        for model in (
            m.ContributionPayment,
            m.Appointment,
            m.DossierEvent,
            m.DocumentFile,
            m.DossierDocument,
            m.DossierMember,
            m.Dossier,
            m.Screening,
        )
    )


def ensure_social(today: date) -> tuple[str, float | None]:
    from keneya.social_protection.models import Dossier, Screening

    if Screening.objects.count() == SCREENINGS and Dossier.objects.count() == DOSSIERS:
        return "reused", None
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(social_tables())}")
    started = time.perf_counter()
    generate(today)
    seconds = time.perf_counter() - started
    vacuum_analyze()
    return "generated", seconds


def vacuum_analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in social_tables():
            cursor.execute(f"VACUUM ANALYZE {table}")


def _grid(admin: Any) -> Any:
    from keneya.social_protection import services
    from keneya.social_rules import scorecard

    return services.load_scorecard(by=admin, definition=scorecard.load_demo_grid())


def _at(day: date, hour: int = 10) -> datetime:
    from django.utils import timezone

    return datetime.combine(day, clock_time(hour), tzinfo=timezone.get_current_timezone())


def generate(today: date) -> None:  # noqa: C901, PLR0912, PLR0915 (one generator, read top to bottom)
    """The data set, set-wise: one pass over households, then bulk inserts by model."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from keneya.people.models import Household, Person
    from keneya.social_protection import models as m
    from keneya.social_rules import schemes, scorecard

    rng = random.Random(SEED)
    users = get_user_model().objects
    admin = users.filter(role="admin").order_by("username").first()
    social = users.get(username="social")
    version = _grid(admin)
    grid = version.definition
    households = list(Household.objects.order_by("id").values_list("id", "chw_id"))
    log(f"{len(households):,} households; {SCREENINGS:,} screenings, {DOSSIERS:,} dossiers")
    screened = rng.sample(households, SCREENINGS)
    with_dossier = screened[:DOSSIERS]

    screenings = []
    latest: dict[Any, Any] = {}
    for i, (household_id, chw_id) in enumerate(screened):
        answers = random_answers(rng, grid)
        result = scorecard.score_answers(grid, answers, None)
        on = today - timedelta(days=rng.randint(0, 360))
        validated = rng.random() < VALIDATED_SHARE
        screening = m.Screening(
            id=uuid.uuid5(BENCH_NAMESPACE, f"s-{i}"),
            household_id=household_id,
            scorecard=version,
            screened_on=on,
            answers=answers,
            score=result.score,
            band=result.band,
            breakdown=result.breakdown,
            screened_by_id=chw_id or social.pk,
            validated_by=social if validated else None,
            validated_at=_at(min(on + timedelta(days=rng.randint(0, 10)), today)) if validated else None,
        )
        screenings.append(screening)
        latest[household_id] = screening

    members_of: dict[Any, list[tuple[Any, str, date]]] = {}
    dossier_households = [h for h, _chw in with_dossier]
    for start in range(0, len(dossier_households), BATCH):
        chunk = dossier_households[start : start + BATCH]
        person_rows = Person.objects.filter(household_id__in=chunk, merged_into__isnull=True).values_list(
            "id", "household_id", "relationship_to_head", "date_of_birth"
        )
        for person_id, household_id, relationship, born in person_rows.order_by("date_of_birth"):
            members_of.setdefault(household_id, []).append((person_id, relationship, born))

    dossiers, members, documents, events, appointments, payments = [], [], [], [], [], []
    scheme_codes = list(SCHEME_WEIGHTS)
    for i, (household_id, _chw_id) in enumerate(with_dossier):
        code = rng.choices(scheme_codes, weights=list(SCHEME_WEIGHTS.values()))[0]
        info = schemes.scheme(code)
        statuses = [s["code"] for s in info["statuses"]]
        open_steps = [s for s in statuses if not schemes.is_final(code, s)]
        card_status = info.get("card_required_to")
        draw = rng.random()
        status = rng.choice(open_steps)
        for final, share in FINAL_SHARE.items():
            if draw < share and final in statuses and (final != "card_issued" or card_status == final):
                status = final
                break
            draw -= share
        # The path walked: the open steps up to the current one (a final one after the last).
        reached = open_steps[: open_steps.index(status) + 1] if status in open_steps else open_steps
        delay = schemes.status_info(code, status).get("delay_days") or 15
        since = today - timedelta(days=rng.randint(0, 2 * delay + 10))
        opened_on = since - timedelta(days=rng.randint(0, 20) + 3 * len(reached))
        dossier = m.Dossier(
            id=uuid.uuid5(BENCH_NAMESPACE, f"d-{i}"),
            reference=f"{code.upper()}-B{i:06d}",
            household_id=household_id,
            scheme=code,
            status=status,
            status_since=since,
            screening=latest[household_id],
            social_worker=social,
            opened_by=social,
        )
        if status == card_status:
            validity = info.get("card_validity_days") or 365
            valid_from = today - timedelta(days=rng.randint(0, validity + 200))
            dossier.card_number = f"{code.upper()}-{i:07d}"
            dossier.valid_from = valid_from
            dossier.valid_until = valid_from + timedelta(days=validity)
        dossiers.append(dossier)

        enrolled: list[tuple[Any, str]] = []
        for person_id, relationship, born in members_of.get(household_id, []):
            age = (today - born).days // 365 if born else 30
            is_head = relationship == "head"
            role = schemes.member_role(is_head=is_head, relationship=relationship, age_years=age)
            if role is not None and (is_head or len(enrolled) < MEMBERS_MAX):
                enrolled.append((person_id, role))
        enrolled = enrolled[:MEMBERS_MAX] or []
        documents_from = info.get("documents_required_from")
        complete = status == card_status or documents_from in reached
        for person_id, role in enrolled:
            members.append(m.DossierMember(dossier=dossier, person_id=person_id, role=role))
            for required in schemes.required_documents(code, role):
                state = "verified" if complete else rng.choice(DOCUMENT_STATES)
                substitutes = required.get("substitutes") or []
                documents.append(
                    m.DossierDocument(
                        dossier=dossier,
                        person_id=person_id,
                        kind=required["kind"],
                        status=state,
                        issued_on=opened_on + timedelta(days=rng.randint(0, 10))
                        if state in ("obtained", "verified")
                        else None,
                        substitute=substitutes[0] if substitutes and rng.random() < 0.1 else "",
                        updated_by=social,
                    )
                )
        events.append(m.DossierEvent(dossier=dossier, kind="opened", by=social, at=_at(opened_on), data={}))
        previous = reached[0]
        for n, step in enumerate([*reached[1:], *([status] if status not in open_steps else [])]):
            events.append(
                m.DossierEvent(
                    dossier=dossier,
                    kind="transition",
                    by=social,
                    at=_at(min(opened_on + timedelta(days=3 * (n + 1)), since)),
                    data={"from": previous, "to": step, "reason": ""},
                )
            )
            previous = step
        if status in open_steps and rng.random() < APPOINTMENT_SHARE:
            on = today + timedelta(days=rng.randint(-5, 20))
            appointments.append(
                m.Appointment(
                    dossier=dossier,
                    kind=rng.choice(list(m.AppointmentKind.values)),
                    on=on,
                    place="Mairie",
                    done_on=on if on < today and rng.random() < 0.5 else None,
                    created_by=social,
                )
            )
        if code == "mutuelle" and status == card_status:
            paid_on = dossier.valid_from or today
            payments.append(
                m.ContributionPayment(
                    dossier=dossier,
                    kind="membership_fee",
                    amount_xof=2500,
                    paid_on=paid_on,
                    recorded_by=social,
                )
            )
            for k in range(rng.randint(0, 6)):
                payments.append(
                    m.ContributionPayment(
                        dossier=dossier,
                        kind="monthly",
                        amount_xof=1000,
                        months=1,
                        paid_on=paid_on + timedelta(days=30 * (k + 1)),
                        recorded_by=social,
                    )
                )

    tables: tuple[tuple[Any, list[Any]], ...] = (
        (m.Screening, screenings),
        (m.Dossier, dossiers),
        (m.DossierMember, members),
        (m.DossierDocument, documents),
        (m.DossierEvent, events),
        (m.Appointment, appointments),
        (m.ContributionPayment, payments),
    )
    with transaction.atomic():
        for model, rows in tables:
            started = time.perf_counter()
            model.objects.bulk_create(rows, batch_size=2000)
            log(f"  {model.__name__}: {len(rows):,} rows in {time.perf_counter() - started:.0f} s")


# --- measurements --------------------------------------------------------------------------------


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


def query_count(client: Any, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured.captured_queries)


def explain_slowest(client: Any, url: str) -> str:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    selects = [q for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    if not selects:
        return ""
    slowest = max(selects, key=lambda q: float(q["time"]))
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
        plan = [row[0] for row in cursor.fetchall()][:30]
    sql = slowest["sql"][:600]
    return (
        f"{len(selects)} SELECTs; slowest {float(slowest['time']) * 1000:.0f} ms:"
        f"\n\n```sql\n{sql}\n```\n\n```\n" + "\n".join(plan) + "\n```"
    )


def pages(today: date) -> tuple[list[str], list[tuple[str, Any, str]]]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from keneya.people.scope import persons_visible_to
    from keneya.social_protection.models import Dossier, DossierMember

    users = get_user_model().objects
    social = users.get(username="social")
    clinician = users.get(username="clinicien.lafiabougou")
    holder = (
        DossierMember.objects.filter(
            dossier__status="card_issued",
            dossier__valid_until__gte=today,
            person__in=persons_visible_to(clinician),
        )
        .order_by("dossier__reference")
        .values_list("person_id", flat=True)
        .first()
    )
    late = (
        Dossier.objects.exclude(status__in=("card_issued", "refused", "closed"))
        .order_by("status_since")
        .first()
    )
    assert holder is not None and late is not None
    clients = {}
    for label, user in (("social worker", social), ("clinician", clinician)):
        client = Client()
        client.force_login(user)
        clients[label] = client
    scenarios = [
        ("Dossier list, late first (page)", "social worker", "/protection-sociale/"),
        ("Dossier list, RAMED only (page)", "social worker", "/protection-sociale/?regime=ramed"),
        ("Dossier list, late first (API)", "social worker", "/api/v1/social/dossiers/"),
        ("Dossier page (the most late)", "social worker", f"/protection-sociale/dossiers/{late.pk}/"),
        ("Patient page with coverage", "clinician", f"/patients/{holder}/"),
        ("Coverage API", "clinician", f"/api/v1/persons/{holder}/coverage/"),
    ]
    rows, misses = [], []
    for label, who, url in scenarios:
        log(f"{label} ({who}) {url}")
        timings, _response = time_get(clients[who], url)
        p50, p95 = percentile(timings, 0.5), percentile(timings, 0.95)
        ok = p95 < TARGET_P95_MS
        n_queries = query_count(clients[who], url)
        met = "yes" if ok else "**no**"
        rows.append(f"| {label} | {who} | `{url}` | {n_queries} | {p50:.0f} | {p95:.0f} | {met} |")
        if not ok:
            misses.append((label, clients[who], url))
    return rows, misses


def server_scoring(today: date) -> str:
    from django.contrib.auth import get_user_model

    from keneya.people.models import Household
    from keneya.social_protection import services
    from keneya.social_protection.models import Screening
    from keneya.social_rules import scorecard

    rng = random.Random(SEED + 1)
    grid = scorecard.load_demo_grid()
    answers = [random_answers(rng, grid) for _ in range(PURE_SCREENINGS)]
    started = time.perf_counter()
    for chosen in answers:
        scorecard.score_answers(grid, chosen, None)
    pure = PURE_SCREENINGS / (time.perf_counter() - started)

    chw = get_user_model().objects.filter(role="chw").order_by("username").first()
    assert chw is not None
    households = list(Household.objects.filter(chw=chw).order_by("id")[:50])
    ids = [uuid.uuid5(BENCH_NAMESPACE, f"service-{i}") for i in range(SERVICE_SCREENINGS)]
    Screening.objects.filter(pk__in=ids).delete()
    started = time.perf_counter()
    for i, screening_id in enumerate(ids):
        services.record_screening(
            by=chw,
            id=screening_id,
            household=households[i % len(households)],
            screened_on=today,
            answers=answers[i],
        )
    seconds = time.perf_counter() - started
    Screening.objects.filter(pk__in=ids).delete()
    return (
        f"Scoring on the server: **{pure:,.0f} screenings/s** for the pure scoring "
        f"(`social_rules.scorecard.score_answers`, {PURE_SCREENINGS:,} random answer sets on the "
        f"10-indicator demonstration grid), **{SERVICE_SCREENINGS / seconds:,.0f} screenings/s** "
        f"through `services.record_screening` ({SERVICE_SCREENINGS} by one CHW ({chw.username}), one "
        f"transaction each: scope, grid, scoring, insert, change log; "
        f"{seconds * 1000 / SERVICE_SCREENINGS:.1f} ms each)."
    )


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


def tablet_scoring() -> str:
    """The engine's module served as is (a static file server on a loopback port), scored in
    Chromium with the CPU throttled."""
    from playwright.sync_api import sync_playwright

    from keneya.social_rules import scorecard

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        return "Scoring on the tablet: not measured (chromium is not installed)."
    static = ROOT / "keneya" / "pwa" / "static" / "pwa"
    handler = partial(_Quiet, directory=str(static))
    server = socketserver.TCPServer(("127.0.0.1", 0), handler)
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    rng = random.Random(SEED + 2)
    grid = scorecard.load_demo_grid()
    answers = [random_answers(rng, grid) for _ in range(TABLET_SCREENINGS)]
    # performance.now() is coarse in a page (0.1 ms): time batches, report per screening.
    script = """async ([grid, answers, size]) => {
      const { scoreAnswers } = await import('/engine/scorecard.js');
      const t1 = performance.now();
      scoreAnswers(grid, answers[0], null);  // the first one: module compiled, nothing warm
      const first = performance.now() - t1;
      const batches = [];
      const t0 = performance.now();
      for (let i = 0; i < answers.length; i += size) {
        const t = performance.now();
        for (const chosen of answers.slice(i, i + size)) scoreAnswers(grid, chosen, null);
        batches.push((performance.now() - t) / size);
      }
      const total = performance.now() - t0;
      batches.sort((a, b) => a - b);
      return { total, first, p50: batches[Math.floor(batches.length / 2)],
               p95: batches[Math.floor(batches.length * 0.95)], max: batches[batches.length - 1] };
    }"""
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 360, "height": 740})
                page.goto(f"http://127.0.0.1:{port}/engine/scorecard.js")
                cdp = page.context.new_cdp_session(page)
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_THROTTLE})
                calibration = min(page.evaluate(CALIBRATE_JS) for _ in range(3))
                result = page.evaluate(script, [grid, answers, TABLET_BATCH])
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
                calibration_x1 = min(page.evaluate(CALIBRATE_JS) for _ in range(3))
                version = browser.version
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()
    per_second = TABLET_SCREENINGS / (result["total"] / 1000)
    return (
        f"Scoring on the tablet engine (`pwa/static/pwa/engine/scorecard.js`) in Chromium {version} "
        f"headless, CPU throttled ×{CPU_THROTTLE} (a JavaScript calibration loop, best of 3: "
        f"{calibration:.0f} ms throttled, {calibration_x1:.0f} ms not): {TABLET_SCREENINGS:,} random answer "
        f"sets scored in {result['total']:.0f} ms, **{result['total'] * 1000 / TABLET_SCREENINGS:.0f} µs a "
        f"screening** on average (by batches of {TABLET_BATCH}, the page clock being coarse: median batch "
        f"{result['p50'] * 1000:.0f} µs, p95 {result['p95'] * 1000:.0f} µs a screening; the very first one, "
        f"cold: {result['first']:.1f} ms), "
        f"**{per_second:,.0f} screenings/s**. The CHW sees the score as soon as the last answer is "
        f"given: the scoring is not what they wait for."
    )


def measure() -> str:
    from django.db import connection
    from django.utils import timezone

    from bench.bench_registry import ensure_seed
    from keneya.people.models import Household, Person
    from keneya.social_protection import models as m

    today = timezone.localdate()
    seed_state, seed_seconds = ensure_seed()
    social_state, social_seconds = ensure_social(today)
    load = os.getloadavg()[0]
    rows, misses = pages(today)
    scoring = server_scoring(today)
    tablet = tablet_scoring()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    open_dossiers = m.Dossier.objects.exclude(status__in=m.FINAL_STATUSES).count()
    counts = {
        "households": Household.objects.count(),
        "persons": Person.objects.count(),
        "screenings": m.Screening.objects.count(),
        "dossiers": m.Dossier.objects.count(),
        "members": m.DossierMember.objects.count(),
        "documents": m.DossierDocument.objects.count(),
        "events": m.DossierEvent.objects.count(),
        "appointments": m.Appointment.objects.count(),
        "payments": m.ContributionPayment.objects.count(),
    }
    generated = (
        f"generated set-wise in {social_seconds:.0f} s" if social_seconds else "reused the generated data set"
    )
    households = f"seeded in {seed_seconds:.0f} s" if seed_seconds else "reused the seeded households"
    out = [
        "## Social protection at 50× the demo (PostgreSQL)",
        "",
        f"{counts['households']:,} households and {counts['persons']:,} persons (Commune IV demo × 50, "
        f"{households}); {counts['screenings']:,} screenings, {counts['dossiers']:,} dossiers "
        f"({open_dossiers:,} open) with {counts['members']:,} members, {counts['documents']:,} "
        f"documents, {counts['events']:,} timeline events, {counts['appointments']:,} appointments and "
        f"{counts['payments']:,} mutuelle payments ({generated}; `bench/bench_social.py`). The demo's "
        f"one social worker covers the whole commune, so their list reads every open dossier: the "
        f"worst case. Machine: {os.cpu_count()} cores ({cpu_model()}), PostgreSQL {pg_version}, "
        f"Python {platform.python_version()}; load average {load:.1f} when the measures started "
        f"(other jobs share the machine: noisy). {machine_speed_line()} Django test `Client` in "
        f"process, DEBUG off, {REQUESTS} timed requests after {WARMUP} warm-up ones. Target: p95 < "
        f"{TARGET_P95_MS:.0f} ms.",
        "",
        "| Measurement | User | URL | Queries | p50 ms | p95 ms | Target met |",
        "|---|---|---|---:|---:|---:|---|",
        *rows,
        "",
        scoring,
        "",
        tablet,
    ]
    out += ["", *HISTORY]
    if misses:
        out += ["", "### Slowest query of each measurement that missed the target", ""]
        for label, client, url in misses:
            out += [f"**{label}** `{url}`: " + explain_slowest(client, url), ""]
    return "\n".join(out) + "\n"


def main() -> None:
    setup()
    sys.stdout.write(measure())


if __name__ == "__main__":
    main()
