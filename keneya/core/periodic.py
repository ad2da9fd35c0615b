"""Periodic jobs: the apps declare them, ``manage.py run_scheduler`` runs them.

A job is something that must happen on a clock (escalate the urgent alerts nobody
acknowledged, declare the referrals not arrived after 24 h, send the SMS that are due). The app
that owns the rule declares it in its own ``jobs.py``::

    # keneya/alerts/jobs.py
    register_periodic_job("escalate_alerts", timedelta(minutes=1), run, order=10)

``periodic_jobs()`` imports the ``jobs`` module of every installed app the first time it is
called (as the admin finds ``admin.py``), then lists the jobs by ``order`` (then name). So
``core`` knows no domain app: a lower layer reaches a higher one only through this registry.

A job's function takes the time of the pass and returns a one-line French summary. It must be
idempotent: a second run at the same moment changes nothing. ``every`` is the period the job
needs; the scheduler passes at the shortest ``every`` of the jobs and runs each job at every
pass (a job with nothing due does nothing). The demo reads ``every`` too, to play the
scheduler's passes in its simulated six months (``keneya.demo.visits``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta
    run: Callable[[datetime], str]  # returns a one-line French summary
    order: int = 50


_JOBS: dict[str, PeriodicJob] = {}
_discovered = False


def register_periodic_job(
    name: str, every: timedelta, func: Callable[[datetime], str], *, order: int = 50
) -> PeriodicJob:
    """Declare a job (from an app's ``jobs.py``). Registering a name again replaces it."""
    if every <= timedelta(0):
        raise ValueError(f"periodic job {name!r}: every must be positive")
    job = PeriodicJob(name=name, every=every, run=func, order=order)
    _JOBS[name] = job
    return job


def discover() -> None:
    """Import ``<app>.jobs`` for every installed app (once)."""
    global _discovered
    if not _discovered:
        autodiscover_modules("jobs")
        _discovered = True


def periodic_jobs() -> tuple[PeriodicJob, ...]:
    """Every registered job, in the order they run in a pass."""
    discover()
    return tuple(sorted(_JOBS.values(), key=lambda job: (job.order, job.name)))


def periodic_job(name: str) -> PeriodicJob:
    """One job by name (KeyError if no app declares it)."""
    discover()
    return _JOBS[name]
