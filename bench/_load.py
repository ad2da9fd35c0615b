"""Closed-loop HTTP clients in separate processes, for the lookup-under-load measurement.

Each client is a process of its own (spawned, no Django): one ``http.client`` connection, a
request, the whole answer read, the time recorded, then the next request. Threads in the
benchmark's process would share one GIL with each other and with the benchmark, so part of what
they timed was a client waiting for its turn to run Python, not the server; ``http.client``
costs about a tenth of httpx per request, so the clients take little of the cores they share
with the server. Times are what the client sees: connection, request, queueing in the server's
listen backlog, the answer's last byte.
"""

from __future__ import annotations

import http.client
import random
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from urllib.parse import urlencode

START_MARGIN_S = 0.3  # every client of a phase starts at the same instant


@dataclass(frozen=True)
class Phase:
    label: str
    clients: int
    mode: str  # "detail", "search" or "mixed" (each request one or the other at random)
    seconds: float


@dataclass(frozen=True)
class Lookup:
    port: int
    token: str
    ids: Sequence[str]
    names: Sequence[str]
    seed: str


def _request_loop(
    lookup: Lookup, mode: str, seed: str, start_at: float, deadline: float, max_requests: int
) -> list[tuple[str, float, int]]:
    rng = random.Random(seed)
    headers = {"Authorization": f"Token {lookup.token}", "Accept": "application/json"}
    conn = http.client.HTTPConnection("127.0.0.1", lookup.port, timeout=30)
    out: list[tuple[str, float, int]] = []
    # CLOCK_MONOTONIC is system-wide on Linux: the parent's instants are valid here.
    time.sleep(max(0.0, start_at - time.monotonic()))
    while time.monotonic() < deadline and len(out) < max_requests:
        detail = mode == "detail" or (mode == "mixed" and rng.random() < 0.5)
        if detail:
            label, path = "detail", f"/api/v1/persons/{rng.choice(lookup.ids)}/"
        else:
            label = "search"
            path = "/api/v1/persons/?" + urlencode({"search": rng.choice(lookup.names)})
        started = time.perf_counter()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        out.append((label, (time.perf_counter() - started) * 1000, response.status))
        if response.will_close:  # gunicorn's sync workers close after each answer
            conn.close()
    conn.close()
    return out


def _ready() -> bool:
    time.sleep(0.2)  # long enough that every process of the pool is started
    return True


class ClientPool:
    """``size`` client processes, started once and reused by every phase."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.executor = ProcessPoolExecutor(max_workers=size, mp_context=get_context("spawn"))
        for future in [self.executor.submit(_ready) for _ in range(size)]:
            future.result()

    def run(self, lookup: Lookup, phase: Phase, max_requests: int) -> list[tuple[str, float, int]]:
        """Run one phase; returns (request label, ms, HTTP status) of every request."""
        start_at = time.monotonic() + START_MARGIN_S
        deadline = start_at + phase.seconds
        futures = [
            self.executor.submit(
                _request_loop,
                lookup,
                phase.mode,
                f"{lookup.seed}:{phase.label}:{k}",
                start_at,
                deadline,
                max_requests // phase.clients,
            )
            for k in range(phase.clients)
        ]
        return [row for future in futures for row in future.result()]

    def pids(self) -> list[int]:
        return list(self.executor._processes)  # the pool's own processes, for CPU accounting

    def close(self) -> None:
        self.executor.shutdown()
