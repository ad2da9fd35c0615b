"""Shared by the benchmarks: a PostgreSQL database, a measuring child process, and gunicorn on a
loopback port.

The server is started with ``subprocess.Popen`` and stopped by its PID (SIGTERM, then SIGKILL
after a grace period): its workers exit with their master. Nothing else is ever signalled.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).with_name("gunicorn")
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
READY_TIMEOUT_S = 60
STOP_GRACE_S = 10


def log(tag: str, message: str) -> None:
    sys.stderr.write(f"[{tag}] {message}\n")
    sys.stderr.flush()


def ensure_database(url: str) -> bool:
    """Create the database of ``url`` when missing; True when it was created."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        conn.execute(f'CREATE DATABASE "{name}"')
    return True


def run_in_child(module: str, database_url: str, **extra_env: str) -> str:
    """Run ``python -m <module>`` in a fresh interpreter with DEBUG off on ``database_url`` and
    return what it prints: settings are read once, at start-up."""
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", database_url)
    env["DEBUG"] = "0"
    env.setdefault("SECRET_KEY", "bench-only-" + os.urandom(16).hex())
    env["DJANGO_SETTINGS_MODULE"] = "keneya.settings"
    env.update(extra_env)
    done = subprocess.run(
        [sys.executable, "-m", module], cwd=ROOT, env=env, check=True, stdout=subprocess.PIPE, text=True
    )
    return done.stdout


def setup_django(name: str, database_url: str) -> None:
    """In the child: PostgreSQL only, create the database if missing, migrate."""
    os.environ.setdefault("DATABASE_URL", database_url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keneya.settings")
    if not os.environ["DATABASE_URL"].startswith("postgres"):
        raise SystemExit(f"{name} needs PostgreSQL (DATABASE_URL=postgres://…)")
    ensure_database(os.environ["DATABASE_URL"])
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            "DEBUG": "0",
            "DJANGO_SETTINGS_MODULE": "keneya.settings",
            "ALLOWED_HOSTS": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
    env.update(extra)
    return env


def _wait_ready(port: int, proc: subprocess.Popen[Any], path: str) -> None:
    import httpx

    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode} before it was ready")
        try:
            httpx.get(f"http://127.0.0.1:{port}{path}", timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn not ready after {READY_TIMEOUT_S} s")


def stop(proc: subprocess.Popen[Any]) -> None:
    """Stop the process we started, by its PID only."""
    if proc.poll() is not None:
        return
    os.kill(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=STOP_GRACE_S)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=STOP_GRACE_S)


@contextmanager
def gunicorn(
    env: dict[str, str],
    *,
    workers: int = 2,
    log_file: IO[str] | None = None,
    ready_path: str = "/api/v1/sync/pull/",
    port: int | None = None,
    bind_host: str = "127.0.0.1",
) -> Iterator[int]:
    """``gunicorn keneya.wsgi`` with ``workers`` sync workers; yields the port."""
    port = port or free_port()
    cmd = [
        str(GUNICORN),
        "keneya.wsgi:application",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--bind",
        f"{bind_host}:{port}",
        "--timeout",
        "120",
        "--graceful-timeout",
        "5",
        "--log-level",
        "warning",
    ]
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=env,
        stdout=log_file or subprocess.DEVNULL,
        stderr=log_file or subprocess.DEVNULL,
        text=True,
    )
    try:
        _wait_ready(port, proc, ready_path)
        yield port
    finally:
        stop(proc)


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU of these processes so far (0 for one that is gone)."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS
    return total


def child_pids(pid: int) -> list[int]:
    """Direct children of ``pid`` (gunicorn's workers)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                out.append(int(entry.name))
    return out


def machine_speed_ms() -> float:
    """A fixed pure-Python workload (10 million additions), best of 3, in ms of CPU. This shared
    machine's speed varies (the same code ran 0.84 to 1.21 s within an hour on 2026-12-03), so
    a section that gives it can be compared with one measured at another moment."""
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        total = 0
        for i in range(10_000_000):
            total += i
        best = min(best, time.process_time() - started)
    return best * 1000


def machine_speed_line() -> str:
    return (
        f"Machine speed: a fixed pure-Python loop took "
        f"{machine_speed_ms():,.0f} ms of CPU (best of 3; lower is faster)."
    )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"
