"""Benchmark: server ingest of tablet visits through the push endpoint (issue #5), PostgreSQL.

``run() -> str`` returns a Markdown section; ``python -m bench.bench_sync`` prints it.

The whole real path over HTTP: gunicorn (2 sync workers) on a free loopback port, DEBUG off,
against ``DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/keneya_bench_sync``,
created and migrated if missing, the Commune IV demo seeded there once and reused). Eight demo
CHWs log in (``POST /api/v1/auth/token/``) and register a tablet each
(``POST /api/v1/sync/devices/``); then eight threads (httpx, one client, tablet and CHW each)
push batches of 50 visits at once, gzip bodies, ``Authorization: Device <token>``. Every batch
goes through ``sync.incoming.apply_visits`` -> ``visits.services.record_home_visits``:
validation, the clinical engine, observations, change log, alert rules, urgent referrals, alert
events and SMS outbox, set-based (a few statements per batch).
The visits are drawn by ``bench/_visits.py`` (realistic mix of kinds, ~10 % urgent), with the
engine's result as ``device_assessment`` as a tablet sends it. Bounded: ``DURATION_S`` seconds or
``BATCHES_PER_THREAD`` batches per thread, whichever comes first.

Visits, alerts, referrals, outbox rows and their change-log rows left by the previous run are
truncated first (this database is the benchmark's own).

Also measured: raw PostgreSQL ``COPY`` (psycopg ``cursor.copy``) of the same visit rows into a
scratch table with the columns and indexes of ``visits_visit``; the bytes per visit on the wire
(gzip push body, gzip pull answer); the CPU seconds of gunicorn and of the PostgreSQL backends.
One batch is also pushed in process under cProfile and with the SQL captured, and the section
says where the time goes.

Targets: >= 1,000 visits/s and p95 < 500 ms per batch of 50 with 8 uploads at once.
"""

from __future__ import annotations

import cProfile
import gzip
import io
import json
import os
import platform
import pstats
import random
import re
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):
    sys.path.insert(0, str(ROOT))

from bench import _server  # noqa: E402
from bench._server import log as _log  # noqa: E402
from bench._server import percentile  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/keneya_bench_sync"
THREADS = 8
BATCH = 50
WORKERS = 2
DURATION_S = float(os.environ.get("BENCH_SYNC_DURATION_S", "60"))
BATCHES_PER_THREAD = int(os.environ.get("BENCH_SYNC_BATCHES", "40"))  # 16,000 visits at most
WARMUP_BATCHES = 1  # per thread, not timed
SOLO_BATCHES = 6  # one upload at a time (first CHW), before the timed run: the service time
COPY_ROUNDS = 3
PULL_LIMIT = 500
# Longer than the run, so that each worker keeps one PostgreSQL backend whose CPU is counted
# (the default, 60 s, reconnects once a minute: no visible effect on throughput).
CONN_MAX_AGE_S = 900
TARGET_RATE = 1000.0
TARGET_P95_MS = 500.0
DEMO_PASSWORD = "Keneya-demo-2026"  # noqa: S105 - the documented demo password
DEVICE_NAMESPACE = uuid.UUID("7d1f6a0c-3a52-4a8e-9c55-62656e636873")
SEED = 2026
PROFILE_TOP = 18


def log(message: str) -> None:
    _log("bench_sync", message)


def run() -> str:
    """Measure in a fresh interpreter: the settings (DEBUG off, PostgreSQL) are read at start-up."""
    env = _server.server_env(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_sync"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return done.stdout


# --- everything below runs in the child process -------------------------------------------------


def setup() -> None:
    url = os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    if not url.startswith("postgres"):
        raise SystemExit("bench_sync needs PostgreSQL (DATABASE_URL=postgres://…)")
    for key, value in _server.server_env(url).items():
        os.environ.setdefault(key, value)
    if _server.ensure_database(url):
        log("created the database")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def ensure_seed() -> str:
    from keneya.demo import district
    from keneya.demo import seed as demo
    from keneya.people.models import Household

    plan = demo.plan_for(scale=1)
    if demo.demo_exists():
        n = Household.objects.filter(quartier__code__in={q.code for q in district.QUARTIERS}).count()
        if n == plan.households:
            return "reused"
        log(f"demo present with {n} households, expected {plan.households}: reseeding")
        reset_pushed_rows()
        demo.delete_demo()
    log("seeding the demo (scale 1)…")
    result = demo.seed_demo(scale=1)
    return f"seeded in {result.seconds:.0f} s"


def _tables() -> dict[str, Any]:
    from django_tasks_db.models import DBTaskResult

    from keneya.alerts.models import Alert, AlertEvent
    from keneya.notifications.models import OutboxMessage
    from keneya.referrals.models import Referral, ReferralEvent
    from keneya.sync.models import ChangeLog, PushBatch
    from keneya.visits.models import Observation, Visit

    return {
        "visits": Visit,
        "observations": Observation,
        "alerts": Alert,
        "alert events": AlertEvent,
        "referrals": Referral,
        "referral events": ReferralEvent,
        "SMS in the outbox": OutboxMessage,
        "outbox worker tasks": DBTaskResult,
        "change-log rows": ChangeLog,
        "stored batches": PushBatch,
    }


def reset_pushed_rows() -> None:
    """Empty what pushes create (this database is the benchmark's own)."""
    from django.db import connection

    from keneya.sync.models import ChangeLog

    t = _tables()
    names = [
        t[k]._meta.db_table
        for k in (
            "visits",
            "observations",
            "alerts",
            "alert events",
            "referrals",
            "referral events",
            "SMS in the outbox",
            "outbox worker tasks",
            "stored batches",
        )
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(names)} CASCADE")
    ChangeLog.objects.filter(type__in=["visit", "alert", "referral"])._raw_delete("default")


def counts() -> dict[str, int]:
    return {label: model.objects.count() for label, model in _tables().items()}


@dataclass
class Chw:
    username: str
    user_id: int
    persons: list[Any]
    token: str = ""
    cursor: str = ""
    batches: list[tuple[bytes, int, int]] = field(default_factory=list)  # body, visits, raw


def pick_chws() -> list[Chw]:
    """The THREADS demo CHWs with the most people a visit can be for."""
    from django.utils import timezone

    from bench._visits import PersonRef, eligible
    from keneya.demo.seed import demo_users
    from keneya.people.models import HouseholdStatus, Person, VitalStatus

    today = timezone.localdate()
    chws = []
    for user in demo_users().filter(role="chw", is_active=True).order_by("username"):
        rows = Person.objects.filter(
            household__chw=user,
            household__status=HouseholdStatus.ACTIVE,
            vital_status=VitalStatus.ALIVE,
            merged_into__isnull=True,
        ).values_list("id", "sex", "date_of_birth")
        persons = [p for p in (PersonRef(*row) for row in rows) if eligible(p, today)]
        chws.append(Chw(username=user.username, user_id=user.pk, persons=persons))
    chws.sort(key=lambda c: -len(c.persons))
    assert len(chws) >= THREADS, f"{len(chws)} demo CHWs, {THREADS} needed"
    return chws[:THREADS]


def build_batches(chws: list[Chw]) -> dict[str, Any]:
    from django.utils import timezone

    from bench._visits import make_visits, strip_private

    today = timezone.localdate()
    rng = random.Random(SEED)
    urgent = timed = 0
    kind_counts: Counter[str] = Counter()
    raw_total = gz_total = visits_total = 0
    for chw in chws:
        n = (WARMUP_BATCHES + SOLO_BATCHES + BATCHES_PER_THREAD) * BATCH
        visits = make_visits(rng, chw.persons, today, n)
        assert len(visits) == n, (chw.username, len(visits))
        for start in range(0, n, BATCH):
            chunk = visits[start : start + BATCH]
            body = json.dumps(
                {
                    "batch_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    "records": [strip_private(v) for v in chunk],
                },
                separators=(",", ":"),
            ).encode()
            gz = gzip.compress(body, compresslevel=6)
            chw.batches.append((gz, len(chunk), len(body)))
            if start >= (WARMUP_BATCHES + SOLO_BATCHES) * BATCH:
                raw_total += len(body)
                gz_total += len(gz)
                visits_total += len(chunk)
                urgent += sum(v["_urgent"] for v in chunk)
                kind_counts.update(v["fields"]["kind"] for v in chunk)
                timed += len(chunk)
    return {
        "raw_per_visit": raw_total / visits_total,
        "gz_per_visit": gz_total / visits_total,
        "urgent_share": urgent / visits_total,
        "kinds": kind_counts,
        "visits": timed,
    }


# --- HTTP ----------------------------------------------------------------------------------------


def register_devices(base: str, chws: list[Chw]) -> None:
    import httpx

    with httpx.Client(base_url=base, timeout=60) as client:
        for chw in chws:
            r = client.post("/api/v1/auth/token/", json={"username": chw.username, "password": DEMO_PASSWORD})
            r.raise_for_status()
            user_token = r.json()["token"]
            device_id = uuid.uuid5(DEVICE_NAMESPACE, chw.username)
            r = client.post(
                "/api/v1/sync/devices/",
                json={"device_id": str(device_id), "name": "Banc d'essai"},
                headers={"Authorization": f"Token {user_token}"},
            )
            assert r.status_code in (200, 201), (r.status_code, r.text[:300])
            chw.token = r.json()["token"]


def device_client(base: str, token: str) -> Any:
    import httpx

    return httpx.Client(
        base_url=base, timeout=120, headers={"Authorization": f"Device {token}", "Accept-Encoding": "gzip"}
    )


@dataclass
class PullStats:
    pages: int = 0
    gz_bytes: int = 0
    raw_bytes: int = 0
    seconds: float = 0.0
    types: Counter[str] = field(default_factory=Counter)
    tasks: int = 0
    gz_bytes_without_tasks: float = 0.0  # estimated: each page recompressed without its tasks


def pull_all(base: str, chw: Chw, cursor: str = "") -> tuple[str, PullStats]:
    """Every page from ``cursor``; returns the last cursor and what came down."""
    stats = PullStats()
    with device_client(base, chw.token) as client:
        for _ in range(10_000):  # bounded
            params = {"limit": str(PULL_LIMIT)}
            if cursor:
                params["cursor"] = cursor
            started = time.perf_counter()
            r = client.get("/api/v1/sync/pull/", params=params)
            stats.seconds += time.perf_counter() - started
            assert r.status_code == 200, (r.status_code, r.text[:300])
            assert r.headers.get("content-encoding") == "gzip", r.headers
            stats.pages += 1
            stats.gz_bytes += r.num_bytes_downloaded
            stats.raw_bytes += len(r.content)
            data = r.json()
            stats.types.update(c["type"] for c in data["changes"])
            if data.get("tasks"):
                full = _gz_len(data)
                stats.gz_bytes_without_tasks += (
                    r.num_bytes_downloaded * _gz_len({**data, "tasks": None}) / full
                )
            else:
                stats.gz_bytes_without_tasks += r.num_bytes_downloaded
            cursor = data["next_cursor"]
            if not data["has_more"]:
                stats.tasks = len(data["tasks"] or [])
                break
    return cursor, stats


def _gz_len(data: Any) -> int:
    """Size of ``data`` as DRF renders it (compact JSON, UTF-8), gzip level 6 like Django."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return len(gzip.compress(body, compresslevel=6))


@dataclass
class BatchResult:
    started: float
    seconds: float
    visits: int
    statuses: Counter[str]
    response_gz: int


def push_worker(
    base: str,
    chw: Chw,
    batches: list[tuple[bytes, int, int]],
    deadline: float,
    out: list[BatchResult],
    errors: list[str],
) -> None:
    try:
        with device_client(base, chw.token) as client:
            for body, n, _raw in batches:
                if time.monotonic() >= deadline:
                    break
                started = time.perf_counter()
                r = client.post(
                    "/api/v1/sync/push/",
                    content=body,
                    headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
                )
                seconds = time.perf_counter() - started
                if r.status_code != 200:
                    errors.append(f"{chw.username}: HTTP {r.status_code} {r.text[:200]}")
                    return
                statuses = Counter(x["status"] for x in r.json()["results"])
                out.append(BatchResult(started, seconds, n, statuses, r.num_bytes_downloaded))
    except Exception as exc:  # noqa: BLE001 - reported in the section
        errors.append(f"{chw.username}: {type(exc).__name__}: {exc}")


def push_round(
    base: str, chws: list[Chw], which: slice, duration: float
) -> tuple[list[BatchResult], list[str], float]:
    out: list[BatchResult] = []
    errors: list[str] = []
    deadline = time.monotonic() + duration
    threads = [
        threading.Thread(target=push_worker, args=(base, chw, chw.batches[which], deadline, out, errors))
        for chw in chws
    ]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=duration + 300)
    return out, errors, time.perf_counter() - started


# --- CPU accounting (/proc) ----------------------------------------------------------------------


def backend_pids(dbname: str) -> list[int]:
    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [dbname]
        ).fetchall()
    return [r[0] for r in rows]


def gunicorn_pids(port: int) -> list[int]:
    """The master (listening on ``port``) and its workers, found among our own children."""
    me = os.getpid()
    masters = [
        pid
        for pid in _server.child_pids(me)
        if f"127.0.0.1:{port}" in Path(f"/proc/{pid}/cmdline").read_text()
    ]
    return masters + [c for m in masters for c in _server.child_pids(m)]


# --- COPY ----------------------------------------------------------------------------------------


def measure_copy(since: Any) -> dict[str, Any]:
    """COPY the visit rows the timed run stored into a scratch twin of visits_visit."""
    import psycopg
    from psycopg.types.json import Jsonb

    with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
        cols = [
            r[0]
            for r in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = "
                "'visits_visit' ORDER BY ordinal_position"
            ).fetchall()
        ]
        collist = ", ".join(cols)
        rows = conn.execute(f"SELECT {collist} FROM visits_visit WHERE recorded_at >= %s", [since]).fetchall()
        conn.execute("DROP TABLE IF EXISTS bench_visit_copy")
        conn.execute(
            "CREATE TABLE bench_visit_copy (LIKE visits_visit INCLUDING DEFAULTS "
            "INCLUDING INDEXES INCLUDING CONSTRAINTS)"
        )
        conn.commit()
        timings = []
        for _ in range(COPY_ROUNDS):
            conn.execute("TRUNCATE bench_visit_copy")
            conn.commit()
            started = time.perf_counter()
            with conn.cursor() as cur:
                with cur.copy(f"COPY bench_visit_copy ({collist}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row([Jsonb(v) if isinstance(v, dict | list) else v for v in row])
            conn.commit()
            timings.append(time.perf_counter() - started)
        size_row = conn.execute("SELECT pg_total_relation_size('bench_visit_copy')").fetchone()
        size = size_row[0] if size_row else 0
        conn.execute("DROP TABLE bench_visit_copy")
        conn.commit()
    best = min(timings)
    median = sorted(timings)[len(timings) // 2]
    return {
        "rows": len(rows),
        "median_s": median,
        "best_s": best,
        "rate": len(rows) / median if rows else 0.0,
        "bytes": size,
    }


# --- Profile -------------------------------------------------------------------------------------


def _normalise_sql(sql: str) -> str:
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r"\b\d+(\.\d+)?\b", "?", sql)
    sql = re.sub(r"\s+", " ", sql).replace("%s", "?")
    sql = re.sub(r"IN \((\?, )*\?\)", "IN (…)", sql)
    if sql.startswith("SELECT"):
        head, _, rest = sql.partition(" FROM ")
        sql = "SELECT … FROM " + rest if len(head) > 60 else sql
    return sql[:150]


def profile_batch(chw: Chw, bodies: list[bytes]) -> str:
    """One batch in process (Django test Client: middleware, DRF, services, SQL, no socket)."""
    from django.db import connection
    from django.test import Client

    client = Client(
        HTTP_AUTHORIZATION=f"Device {chw.token}", HTTP_HOST="127.0.0.1", HTTP_ACCEPT_ENCODING="gzip"
    )

    def post(body: bytes) -> float:
        started = time.perf_counter()
        r = client.post(
            "/api/v1/sync/push/",
            data=body,
            content_type="application/json",
            headers={"Content-Encoding": "gzip"},
        )
        assert r.status_code == 200, r.status_code
        return time.perf_counter() - started

    post(bodies[0])  # the first request loads the middleware (whitenoise scans the files)
    plain = post(bodies[1])  # one batch, nothing attached: the in-process cost
    queries: list[dict[str, Any]] = []

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append({"sql": sql, "time": time.perf_counter() - started})

    original_commit = connection._commit  # type: ignore[attr-defined]

    def timed_commit() -> Any:  # commits do not go through execute_wrapper
        started = time.perf_counter()
        try:
            return original_commit()
        finally:
            queries.append({"sql": "COMMIT", "time": time.perf_counter() - started})

    connection._commit = timed_commit  # type: ignore[attr-defined]
    try:
        with connection.execute_wrapper(timed):
            captured_s = post(bodies[2])
    finally:
        del connection._commit  # type: ignore[attr-defined]
    profiler = cProfile.Profile()
    profiler.enable()
    post(bodies[3])
    profiler.disable()

    sql_s = sum(float(q["time"]) for q in queries)
    groups: dict[str, list[float]] = {}
    for q in queries:
        groups.setdefault(_normalise_sql(q["sql"]), []).append(float(q["time"]))
    top_sql = sorted(groups.items(), key=lambda kv: -sum(kv[1]))[:12]
    verbs = Counter(q["sql"].split(None, 1)[0].upper() for q in queries)
    # Where Django opens the transaction there is no BEGIN statement (psycopg starts it).

    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    total = stats.total_tt  # type: ignore[attr-defined]
    rows = []
    for (filename, line, name), (_cc, nc, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append((ct, tt, nc, _short(filename), line, name))
    by_cum = [r for r in sorted(rows, key=lambda r: -r[0]) if "keneya/" in r[3]][:PROFILE_TOP]
    by_self = sorted(rows, key=lambda r: -r[1])[:PROFILE_TOP]
    buckets = _self_time_buckets(rows)

    out = [
        f"One batch of {BATCH} visits in process (Django test `Client`, after a first batch: "
        f"middleware, DRF, the services and SQL, no socket, no gunicorn): "
        f"**{plain * 1000:.0f} ms** "
        f"({BATCH / plain:.0f} visits/s on one core). With the SQL captured: "
        f"{len(queries)} queries, **{len(queries) / BATCH:.1f} per visit** "
        f"({', '.join(f'{k} {v}' for k, v in verbs.most_common())}), "
        f"{sql_s * 1000:.0f} ms of the {captured_s * 1000:.0f} ms waiting on PostgreSQL "
        f"(round trips included; the two COPY streams of the visits and their observations "
        f"are not seen by Django's execute wrappers, so not in these counts). Under cProfile "
        f"({total * 1000:.0f} ms profiled), self time "
        f"by layer: " + ", ".join(f"{k} {v / total:.0%}" for k, v in buckets) + ".",
        "",
        "Statements of that batch by total time (literals folded):",
        "",
        "| Statement | Count | Per visit | Total ms |",
        "|---|---:|---:|---:|",
        *[
            f"| `{sql.replace('|', '/')}` | {len(ts)} | {len(ts) / BATCH:.1f} | {sum(ts) * 1000:.0f} |"
            for sql, ts in top_sql
        ],
        "",
        "Kènèya functions by cumulative time (cProfile, same batch size):",
        "",
        "| Function | Calls | Cumulative ms | Share |",
        "|---|---:|---:|---:|",
        *[
            f"| `{f}:{ln} {n}` | {nc} | {ct * 1000:.0f} | {ct / total:.0%} |"
            for ct, _tt, nc, f, ln, n in by_cum
        ],
        "",
        "Functions by self time:",
        "",
        "| Function | Calls | Self ms | Share |",
        "|---|---:|---:|---:|",
        *[
            f"| `{f}:{ln} {n}` | {nc} | {tt * 1000:.0f} | {tt / total:.0%} |"
            for _ct, tt, nc, f, ln, n in by_self
        ],
    ]
    return "\n".join(out)


def _short(filename: str) -> str:
    for marker in ("site-packages/", "/work/main/", "lib/python3"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


def _self_time_buckets(rows: list[tuple[Any, ...]]) -> list[tuple[str, float]]:
    buckets: dict[str, float] = {}
    for _ct, tt, _nc, f, _ln, name in rows:
        if f.startswith("psycopg") or "psycopg" in name or name.startswith("<method 'execute"):
            key = "psycopg / waiting on PostgreSQL"
        elif f.startswith("django/db"):
            key = "Django ORM (SQL compiler, models)"
        elif f.startswith("django"):
            key = "Django (other)"
        elif f.startswith("rest_framework"):
            key = "DRF"
        elif f.startswith("keneya/clinical"):
            key = "clinical engine"
        elif f.startswith("keneya"):
            key = "Kènèya (other)"
        else:
            key = "stdlib / other"
        buckets[key] = buckets.get(key, 0.0) + tt
    return sorted(buckets.items(), key=lambda kv: -kv[1])


# --- The measurement -----------------------------------------------------------------------------


def measure() -> str:
    from django.db import connection
    from django.utils import timezone

    seed_state = ensure_seed()
    reset_pushed_rows()
    chws = pick_chws()
    log(f"CHWs {', '.join(c.username for c in chws)}; building batches…")
    mix = build_batches(chws)
    load = os.getloadavg()
    speed = _server.machine_speed_line()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    dbname = connection.settings_dict["NAME"]
    connection.close()

    log_path = ROOT / "var" / "bench_sync_gunicorn.log"
    log_path.parent.mkdir(exist_ok=True)
    with (
        open(log_path, "w") as gunicorn_log,
        _server.gunicorn(
            dict(os.environ, CONN_MAX_AGE=str(CONN_MAX_AGE_S)), workers=WORKERS, log_file=gunicorn_log
        ) as port,
    ):
        base = f"http://127.0.0.1:{port}"
        log(f"gunicorn on {base}; registering {len(chws)} tablets…")
        register_devices(base, chws)
        first_pulls = []
        for chw in chws:
            chw.cursor, stats = pull_all(base, chw)
            first_pulls.append(stats)
        log("warm-up…")
        _out, errors, _ = push_round(base, chws, slice(0, WARMUP_BATCHES), 600)
        assert not errors, errors
        log("one upload at a time…")
        solo, errors, _ = push_round(
            base, chws[:1], slice(WARMUP_BATCHES, WARMUP_BATCHES + SOLO_BATCHES), 600
        )
        assert not errors, errors
        before = counts()
        connection.close()
        since = timezone.now()
        procs = gunicorn_pids(port)
        backends = backend_pids(dbname)
        cpu_before = (_server.cpu_seconds(procs), _server.cpu_seconds(backends), time.process_time())
        log(f"timed run: {THREADS} threads, up to {DURATION_S:.0f} s…")
        results, errors, wall = push_round(base, chws, slice(WARMUP_BATCHES + SOLO_BATCHES, None), DURATION_S)
        app_cpu = _server.cpu_seconds(procs) - cpu_before[0]
        db_cpu = _server.cpu_seconds(backends) - cpu_before[1]
        client_cpu = time.process_time() - cpu_before[2]
        after = counts()
        connection.close()
        log("pulling what was pushed…")
        pulls = [pull_all(base, chw, chw.cursor)[1] for chw in chws]

    copy = measure_copy(since)
    visits = sum(r.visits for r in results)
    statuses: Counter[str] = Counter()
    for r in results:
        statuses.update(r.statuses)
    accepted = statuses.get("accepted", 0)
    end = max((r.started + r.seconds for r in results), default=0.0)
    begin = min((r.started for r in results), default=0.0)
    span = end - begin if results else wall
    rate = accepted / span if span else 0.0
    ms = [r.seconds * 1000 for r in results]
    p50, p95 = percentile(ms, 0.5), percentile(ms, 0.95)
    rate_ok, p95_ok = rate >= TARGET_RATE, p95 < TARGET_P95_MS
    solo_ms = [r.seconds * 1000 for r in solo]
    delta = {k: after[k] - before[k] for k in after}
    stored = delta["visits"]

    pull_visits = sum(p.types["visit"] for p in pulls)
    pull_gz = sum(p.gz_bytes for p in pulls)
    pull_gz_no_tasks = sum(p.gz_bytes_without_tasks for p in pulls)
    pull_raw = sum(p.raw_bytes for p in pulls)
    pull_rows = sum(sum(p.types.values()) for p in pulls)
    pull_s = sum(p.seconds for p in pulls)
    pull_types: Counter[str] = Counter()
    for p in pulls:
        pull_types.update(p.types)
    first_rows = sum(sum(p.types.values()) for p in first_pulls)
    first_gz = sum(p.gz_bytes for p in first_pulls)
    first_households = sum(p.types["household"] for p in first_pulls)
    resp_gz = sum(r.response_gz for r in results)

    urgent_stored = _urgent_share(since)
    kinds = ", ".join(f"{k} {v / mix['visits']:.0%}" for k, v in mix["kinds"].most_common())
    cores = os.cpu_count() or 1
    lines = [
        "## Sync: visit ingest through the push endpoint (PostgreSQL)",
        "",
        f"gunicorn, {WORKERS} sync workers, on a loopback port; DEBUG off; PostgreSQL "
        f"{pg_version} (`{dbname}`, Commune IV demo, {seed_state}). {THREADS} threads push at "
        f"once, each with its own httpx client, tablet token (`Authorization: Device …`) and "
        f"demo CHW, batches of {BATCH} visits, gzip bodies; every batch goes through "
        f"`record_home_visits` (validation, clinical engine, observations, change log, alert "
        "rules, referrals, alert events, SMS outbox), set-based, in one transaction with its "
        f"stored result. Mix: {kinds}; "
        f"{mix['urgent_share']:.1%} urgent. Bounded at {DURATION_S:.0f} s or "
        f"{BATCHES_PER_THREAD} batches per thread, after {WARMUP_BATCHES} warm-up batch per "
        f"thread. Machine: {cores} cores ({_server.cpu_model()}), Python "
        f"{platform.python_version()}; the client, gunicorn and PostgreSQL share it; load "
        f"average {load[0]:.1f} at the start (other jobs share the machine: noisy). {speed}",
        "",
        "| Measurement | Result | Target | Met |",
        "|---|---:|---:|---|",
        f"| Ingest, {THREADS} uploads at once | **{rate:,.0f} visits/s** ({accepted:,} visits "
        f"in {span:.1f} s, {len(results)} batches) | ≥ {TARGET_RATE:,.0f} visits/s | "
        f"{'yes' if rate_ok else '**no**'} |",
        f"| Batch of {BATCH}, p50 | {p50:,.0f} ms | | |",
        f"| Batch of {BATCH}, p95 | **{p95:,.0f} ms** | < {TARGET_P95_MS:.0f} ms | "
        f"{'yes' if p95_ok else '**no**'} |",
        f"| Batch of {BATCH}, max | {max(ms, default=0):,.0f} ms | | |",
        f"| Batch of {BATCH}, one upload at a time (service time; median of {len(solo_ms)}) | "
        f"{percentile(solo_ms, 0.5):,.0f} ms ({BATCH * 1000 / percentile(solo_ms, 0.5):,.0f} "
        f"visits/s) | | |",
        f"| Raw `COPY` of the same {copy['rows']:,} visit rows (psycopg `cursor.copy`, "
        f"table with the columns and indexes of `visits_visit`, median of {COPY_ROUNDS}) | "
        f"{copy['rate']:,.0f} rows/s ({copy['median_s'] * 1000:.0f} ms) | | |",
        f"| COPY ÷ push | **{copy['rate'] / rate:,.0f}×** | | |" if rate else "| COPY ÷ push | — | | |",
        f"| Push body on the wire (gzip) | **{mix['gz_per_visit']:.0f} B/visit** "
        f"({mix['raw_per_visit']:.0f} B of JSON) | | |",
        f"| Push answer on the wire (gzip) | {resp_gz / max(visits, 1):.0f} B/visit | | |",
        f"| Pull of those visits (gzip, {PULL_LIMIT} rows a page) | "
        f"**{pull_gz / max(pull_visits, 1):.0f} B/visit** ({pull_raw / max(pull_visits, 1):.0f} "
        f"B of JSON), with the alerts and referrals they raised and the task list of the last "
        f"page; without the task list ≈ {pull_gz_no_tasks / max(pull_visits, 1):.0f} B/visit | | |",
        "",
        f"Statuses: {dict(statuses)}; errors: {len(errors)}"
        + (f" (first: `{errors[0]}`)" if errors else "")
        + ". "
        "Rows written by the timed run: "
        + ", ".join(f"{k} {v:,} ({v / max(stored, 1):.2f}/visit)" for k, v in delta.items())
        + f"; urgent among the stored visits: {urgent_stored:.1%}.",
        "",
        f"CPU during the timed run ({span:.1f} s wall, {cores} cores = "
        f"{span * cores:.0f} core-s): gunicorn {app_cpu:.1f} s "
        f"({app_cpu * 1000 / max(accepted, 1):.2f} ms/visit), PostgreSQL backends of this "
        f"database {db_cpu:.1f} s ({db_cpu * 1000 / max(accepted, 1):.2f} ms/visit), the "
        f"benchmark's client threads {client_cpu:.1f} s.",
        "",
        f"Pull after the run: {pull_rows:,} rows for the {THREADS} tablets "
        f"({', '.join(f'{k} {v:,}' for k, v in pull_types.most_common())}), "
        f"{sum(p.pages for p in pulls)} pages, {pull_gz / 1024:,.0f} KiB gzip, "
        f"{pull_s:.1f} s ({pull_rows / max(pull_s, 1e-9):,.0f} rows/s, one at a time); the tasks "
        f"come with each tablet's last page. First pull of the {THREADS} tablets (their "
        f"{first_households:,} demo households): {first_rows:,} rows, "
        f"{first_gz / max(first_households, 1):,.0f} B gzip per household.",
    ]
    log("profiling one batch in process…")
    bodies = [
        gzip.compress(
            json.dumps({"batch_id": str(uuid.uuid4()), "records": recs}, separators=(",", ":")).encode()
        )
        for recs in _profile_records(chws[0], 4)
    ]
    profile_md = profile_batch(chws[0], bodies)
    lines += [
        "",
        "### Where the time goes",
        "",
        profile_md,
        "",
        _reading(app_cpu, db_cpu, accepted, span, cores, percentile(solo_ms, 0.5)),
    ]
    return "\n".join(lines) + "\n"


def _profile_records(chw: Chw, n: int) -> list[list[dict[str, Any]]]:
    from django.utils import timezone

    from bench._visits import make_visits, strip_private

    rng = random.Random(SEED + 1)
    visits = make_visits(rng, chw.persons, timezone.localdate(), n * BATCH)
    return [[strip_private(v) for v in visits[i * BATCH : (i + 1) * BATCH]] for i in range(n)]


def _urgent_share(since: Any) -> float:
    from keneya.visits.models import Visit

    qs = Visit.objects.filter(recorded_at__gte=since)
    total = qs.count()
    return qs.filter(urgent=True).count() / total if total else 0.0


def _reading(app_cpu: float, db_cpu: float, visits: int, span: float, cores: int, solo_ms: float) -> str:
    """What the CPU and the service time say about the ceiling of this machine."""
    per_visit = (app_cpu + db_cpu) / max(visits, 1)
    ceiling = cores / per_visit if per_visit else 0.0
    budget_ms = cores * 1000 / TARGET_RATE
    return (
        f"**Reading.** The timed run used {app_cpu + db_cpu:.0f} of the {span * cores:.0f} "
        f"core-seconds of the machine ({per_visit * 1000:.2f} ms of CPU per visit: gunicorn "
        f"{app_cpu * 1000 / max(visits, 1):.2f}, PostgreSQL {db_cpu * 1000 / max(visits, 1):.2f}"
        f"); the rest went to commit waits, the client and the other jobs on the machine. Alone "
        f"on these {cores} cores this path tops out near {ceiling:,.0f} visits/s; "
        f"{TARGET_RATE:,.0f} visits/s leaves {budget_ms:.1f} ms of CPU per visit, all layers "
        f"included. One batch alone takes {solo_ms:,.0f} ms; with {THREADS} uploads on "
        f"{WORKERS} workers a batch waits for about {THREADS // WORKERS - 1} others, so p95 "
        f"≈ {THREADS // WORKERS}× the service time: p95 < {TARGET_P95_MS:.0f} ms needs a batch "
        f"served in about {TARGET_P95_MS * WORKERS / THREADS:.0f} ms."
    )


def main() -> None:
    setup()
    sys.stdout.write(measure())


if __name__ == "__main__":
    main()
