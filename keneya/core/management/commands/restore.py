"""``manage.py restore ARCHIVE [--force]`` (or ``keneya restore``): puts a backup back into an
empty database (stop the server first), then checks that every table has its rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from keneya.core import backup


class Command(BaseCommand):
    help = "Restaure une sauvegarde (base de données et fichiers déposés) dans une base vide."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--force", action="store_true", help="Remplace une base qui contient déjà des données."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        archive: Path = options["archive"]
        if not archive.is_file():
            raise CommandError(f"Fichier introuvable : {archive}")
        try:
            self.stdout.write(backup.describe(archive))
            result = backup.restore_backup(archive, force=options["force"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        if result["differences"]:
            lines = [
                f"  {t}: {exp} attendues, {got} trouvées" for t, (exp, got) in result["differences"].items()
            ]
            raise CommandError("Restauration incomplète :\n" + "\n".join(lines))
        self.stdout.write(self.style.SUCCESS("Restauration terminée : toutes les lignes sont revenues."))
