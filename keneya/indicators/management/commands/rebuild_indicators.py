"""``manage.py rebuild_indicators``: recompute every month of every indicator from the facts."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from keneya.indicators import changes, registry


class Command(BaseCommand):
    help = "Recalcule les tables d'indicateurs depuis les données (tous les mois, tous les indicateurs)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--since", default="", help="Premier mois (AAAA-MM) ; par défaut 24 mois avant ce mois-ci."
        )
        parser.add_argument("--until", default="", help="Dernier mois (AAAA-MM) ; par défaut ce mois-ci.")
        parser.add_argument(
            "--indicator", action="append", default=None, help="Un code (répétable) ; par défaut tous."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        try:
            first = (
                registry.parse_period(options["since"]).start
                if options["since"]
                else registry.months_before(today.replace(day=1), 23)
            )
            last = registry.parse_period(options["until"]).last_day if options["until"] else today
        except ValueError as exc:
            raise CommandError(f"Mois invalide : {exc} (AAAA-MM)") from None
        codes = options["indicator"]
        unknown = [c for c in codes or [] if registry.get(c) is None]
        if unknown:
            raise CommandError(f"Indicateur inconnu : {', '.join(unknown)}")
        started = time.perf_counter()
        report = changes.full_rebuild(first=first, last=last, codes=codes)
        self.stdout.write(
            f"{report.months} mois-indicateurs recalculés ({report.changed} modifiés), "
            f"{report.cells} cellules, en {time.perf_counter() - started:.1f} s."
        )
