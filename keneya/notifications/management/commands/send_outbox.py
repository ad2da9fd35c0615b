"""``manage.py send_outbox``: send the SMS that are due, once or in a loop.

    manage.py send_outbox                        # one run (cron, systemd timer)
    manage.py send_outbox --loop                 # a simple worker: a run every 30 s
    manage.py send_outbox --loop --interval 5 --max-iterations 3

SIGTERM or Ctrl-C stop the loop after the message being sent, never in the middle of it.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from keneya.notifications.sending import SendReport, send_pending

DEFAULT_INTERVAL_SECONDS = 30.0


class Command(BaseCommand):
    help = "Envoie les SMS en attente de l'outbox (une fois, ou en boucle avec --loop)."
    verbosity = 1

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--loop",
            action="store_true",
            help="Tourne en boucle : un passage toutes les --interval secondes.",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=DEFAULT_INTERVAL_SECONDS,
            help="Secondes entre deux passages (défaut : 30).",
        )
        parser.add_argument(
            "--max-iterations",
            type=int,
            default=None,
            help="Arrête la boucle après ce nombre de passages (tests).",
        )
        parser.add_argument(
            "--limit", type=int, default=100, help="Messages envoyés au plus par passage (défaut : 100)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["interval"] < 0 or options["limit"] < 1:
            raise CommandError("--interval doit être positif et --limit au moins 1.")
        self.verbosity = int(options["verbosity"])
        if not options["loop"]:
            self._report(send_pending(limit=options["limit"]), always=True)
            return
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        previous = signal.signal(signal.SIGTERM, request_stop)
        iterations = 0
        try:
            while not stop.is_set():
                self._report(send_pending(limit=options["limit"]), always=False)
                iterations += 1
                if options["max_iterations"] is not None and iterations >= options["max_iterations"]:
                    break
                stop.wait(options["interval"])
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
        self.stdout.write(f"Outbox : arrêt après {iterations} passage(s).")

    def _report(self, report: SendReport, *, always: bool) -> None:
        if not (always or report.claimed or report.interrupted or self.verbosity > 1):
            return
        self.stdout.write(
            f"Outbox : {report.sent} envoyé(s), {report.retried} à réessayer, "
            f"{report.failed} refusé(s), {report.dead} abandonné(s), "
            f"{report.interrupted} interrompu(s)."
        )
