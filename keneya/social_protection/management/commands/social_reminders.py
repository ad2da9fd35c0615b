"""``manage.py social_reminders``: the renewal SMS of the cards entering their renewal lead time.

Run it once a day (cron, a systemd timer, or beside ``run_scheduler``). Idempotent: each card's
reminder has a dedup key (the dossier and the card's end), so a second run sends nothing more.

    manage.py social_reminders                 # today
    manage.py social_reminders --on 2029-01-15
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from keneya.social_protection.services import send_renewal_reminders


class Command(BaseCommand):
    help = "Queue the renewal-due SMS of social-protection cards (once per card)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--on", help="The day (AAAA-MM-JJ), today by default.")

    def handle(self, *args: Any, **options: Any) -> None:
        on = None
        if options.get("on"):
            try:
                on = date.fromisoformat(options["on"])
            except ValueError:
                raise CommandError("--on : date au format AAAA-MM-JJ.") from None
        count = send_renewal_reminders(on=on)
        self.stdout.write(f"{count} rappel(s) de renouvellement en file d'envoi.")
