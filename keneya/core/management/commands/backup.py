"""``manage.py backup [--output FILE]`` (or ``keneya backup``): the database and the uploaded
files in one archive (keneya/core/backup.py, README « Sauvegarde et restauration »)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from keneya.core import backup


class Command(BaseCommand):
    help = "Sauvegarde la base de données et les fichiers déposés dans une archive .tar.gz."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", type=Path, default=None, help="Fichier à écrire (défaut : var/backups/)."
        )
        parser.add_argument(
            "--format",
            choices=["auto", "sqlite3", "pgdump", "json"],
            default="auto",
            help="auto : sqlite3 pour SQLite, pgdump pour PostgreSQL (json si pg_dump manque).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            path = backup.create_backup(options["output"], fmt=options["format"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{path}\n{backup.describe(path)}")
