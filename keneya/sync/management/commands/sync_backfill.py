"""``manage.py sync_backfill``: log the households a CHW's tablet has never heard of.

For data written outside the services (the bulk demo seed, an import): their rows never reached
the change log, so a tablet would not pull them. Idempotent. Registering a tablet does the same
for its CHW.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from keneya.sync.changelog import backfill


class Command(BaseCommand):
    help = "Ajoute au journal de synchronisation les ménages chargés hors des services."

    def handle(self, *args: Any, **options: Any) -> None:
        added = backfill()
        self.stdout.write(f"{added} changement(s) ajouté(s) au journal.")
