"""``manage.py run_scheduler``: the periodic jobs of Kènèya, in one process.

The Django Tasks API has no periodic scheduler (shared/spec/stack.md §4), so this command runs
the jobs that must happen on a clock. The apps that own them declare them in their ``jobs.py``
(``keneya.core.periodic``); a pass runs them in their declared order, today:

1. ``escalate_alerts`` (alerts): urgent alerts nobody acknowledged within the delay (2 h) go to
   the facility manager;
2. ``check_referrals`` (referrals): referrals issued more than 24 h ago with no arrival become
   "not arrived", which raises the CSCom's follow-up alert;
3. ``send_outbox`` (notifications): the SMS that are due, including those the two jobs above
   queued.

Each job is idempotent: a second run at the same moment changes nothing (escalated alerts carry
``escalated_at``, a referral leaves "issued" once, a sent SMS is never claimed again, SMS have a
dedup key). A failing job is logged and the others still run. Run one scheduler per database.

    manage.py run_scheduler --once                          # cron or a systemd timer
    manage.py run_scheduler                                 # loop, a pass every 60 s
    manage.py run_scheduler --interval 5 --max-iterations 3

The default interval is the shortest ``every`` of the jobs. SIGTERM stops the loop once the
pass under way is over; Ctrl-C stops it at once.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from keneya.core.periodic import periodic_jobs

logger = logging.getLogger(__name__)


def default_interval_seconds() -> float:
    """The shortest period any job needs (60 s when no job is declared)."""
    return min((job.every.total_seconds() for job in periodic_jobs()), default=60.0)


def run_jobs_once(write: Callable[[str], Any] | None = None) -> list[str]:
    """Run every job once, in order; return the names of the jobs that failed."""
    failed = []
    for job in periodic_jobs():
        try:
            summary = job.run(timezone.now())
        except Exception:  # one broken job must not stop the others
            logger.exception("scheduler job %s failed", job.name)
            failed.append(job.name)
            summary = "ÉCHEC (voir le journal)"
        if write is not None:
            write(f"{job.name} : {summary}")
    return failed


class Command(BaseCommand):
    help = (
        "Tâches périodiques : escalade des alertes urgentes, références non arrivées après "
        "24 h, envoi des SMS (une fois avec --once, sinon en boucle)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Un seul passage de chaque tâche, puis arrêt."
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=None,
            help="Secondes entre deux passages (défaut : la plus courte période des tâches, 60).",
        )
        parser.add_argument(
            "--max-iterations",
            type=int,
            default=None,
            help="Arrête la boucle après ce nombre de passages (tests).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["interval"] is None:
            options["interval"] = default_interval_seconds()
        if options["interval"] < 0:
            raise CommandError("--interval doit être positif.")
        if options["max_iterations"] is not None and options["max_iterations"] < 1:
            raise CommandError("--max-iterations doit valoir au moins 1.")
        write = self.stdout.write if int(options["verbosity"]) > 0 else None
        if options["once"]:
            failed = run_jobs_once(write)
            if failed:
                raise CommandError(f"Tâches en échec : {', '.join(failed)}.")
            return
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        previous = signal.signal(signal.SIGTERM, request_stop)
        iterations = 0
        try:
            while not stop.is_set():
                run_jobs_once(write)
                iterations += 1
                if options["max_iterations"] is not None and iterations >= options["max_iterations"]:
                    break
                stop.wait(options["interval"])
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
        self.stdout.write(f"Planificateur : arrêt après {iterations} passage(s).")
