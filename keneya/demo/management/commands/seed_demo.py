"""``manage.py seed_demo``: a realistic demo of Commune IV of Bamako (see keneya/demo/).

    manage.py seed_demo                      # 2,000 households, ~10,000 persons, 20 relais
    manage.py seed_demo --reset              # replace the demo already in the database
    manage.py seed_demo --scale 50           # benchmark size: 100,000 households
    manage.py seed_demo --households 60      # a tiny district (tests)
    manage.py seed_demo --no-visits          # the registry only (no visits, alerts, referrals)

Every login uses the documented demo password; the logins are printed and written to
``var/demo-logins.json`` (or ``--logins-file``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError
from django.db.models import ProtectedError

from keneya.demo import seed as demo
from keneya.demo.logins import logins_summary, write_logins


class Command(BaseCommand):
    help = "Crée les données de démonstration de la Commune IV de Bamako."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true", help="Supprime d'abord la démo déjà présente.")
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="Multiplie ménages, personnes et relais (50 : benchmark).",
        )
        parser.add_argument(
            "--households",
            type=int,
            default=None,
            help="Nombre exact de ménages (remplace --scale ; pour les tests).",
        )
        parser.add_argument(
            "--seed",
            default=str(demo.DEFAULT_SEED),
            help="Graine du générateur (mêmes données pour la même graine).",
        )
        parser.add_argument(
            "--no-history",
            action="store_true",
            help="N'écrit pas l'historique (simple_history) des données créées.",
        )
        parser.add_argument(
            "--no-visits",
            action="store_true",
            help="Sans les six mois de visites, alertes, références et consultations.",
        )
        parser.add_argument(
            "--logins-file",
            type=Path,
            default=None,
            help="Où écrire les identifiants (défaut : var/demo-logins.json).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["scale"] <= 0:
            raise CommandError("--scale doit être positif.")
        if options["households"] is not None and options["households"] < 1:
            raise CommandError("--households doit être au moins 1.")
        if demo.demo_exists():
            if not options["reset"]:
                raise CommandError(
                    "La démo est déjà dans la base. Relancez avec --reset pour la remplacer "
                    "(les données de démonstration seront supprimées puis recréées)."
                )
            self.stdout.write("Suppression de la démo existante…")
            try:
                counts = demo.delete_demo()
            except (IntegrityError, ProtectedError) as exc:
                raise CommandError(
                    "Impossible de supprimer la démo : d'autres données pointent encore vers ses "
                    f"personnes, ses structures ou ses utilisateurs. ({exc})"
                ) from exc
            self.stdout.write(
                f"  {counts['households']} ménages, {counts['persons']} "
                f"personnes et {counts['visits']} visites supprimés."
            )
        seed = options["seed"]
        self.stdout.write("Création de la démo (une ligne par étape)…")
        try:
            result = demo.seed_demo(
                scale=options["scale"],
                households=options["households"],
                seed=int(seed) if seed.isdigit() else seed,
                history=not options["no_history"],
                progress=self._progress,
                report=self.stdout.write,
                visits=not options["no_visits"],
            )
        except demo.DemoConflict as exc:
            raise CommandError(
                f"Ces éléments existent déjà et n'appartiennent pas à la démo : {exc}."
            ) from exc
        path = options["logins_file"] or Path(settings.VAR_DIR) / "demo-logins.json"
        write_logins(path, result.logins)
        self._print_summary(result, path)

    def _progress(self, done: int, total: int) -> None:
        if total >= 20_000 and (done % 10_000 == 0 or done == total):
            self.stdout.write(f"  {done:>7} / {total} ménages")

    def _print_summary(self, result: demo.SeedResult, path: Path) -> None:
        out = self.stdout
        out.write(
            self.style.SUCCESS(
                f"Démo de la Commune IV créée en {result.seconds:.1f} s : {result.households} "
                f"ménages, {result.persons} personnes."
            )
        )
        for name, (chws, households) in sorted(result.counts_by_health_area.items()):
            out.write(f"  {name} : {households} ménages, {chws} relais")
        loop = result.closed_loop
        if loop is not None:
            out.write(
                f"Six mois de suivi en {result.closed_loop_seconds:.1f} s : {loop.visits} visites "
                f"({loop.observations} mesures), {loop.alerts} alertes, {loop.referrals} "
                f"références, {loop.consultations} consultations, {loop.messages} SMS envoyés."
            )
        out.write("")
        out.write(logins_summary(result.logins, path))
