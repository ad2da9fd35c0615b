"""``manage.py load_scorecard FILE`` (or ``--demo``): load a vulnerability grid as a new version.

The file is the grid as JSON (the shape of keneya/social_rules/data/scorecard_demo.json): an
administrator loads the official grid (ANAM's, the SLDS-ES's) without code. Activating it
refuses gaps or overlaps between bands; earlier versions and their screenings stay.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from keneya.accounts.models import Role, User
from keneya.social_protection.services import load_scorecard
from keneya.social_rules.scorecard import DEMO_GRID


class Command(BaseCommand):
    help = "Charge une grille de vulnérabilité (JSON) comme nouvelle version, et l'active."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", nargs="?", help="la grille au format JSON")
        parser.add_argument("--demo", action="store_true", help="la grille de démonstration")
        parser.add_argument("--no-activate", action="store_true", help="charger sans activer")
        parser.add_argument(
            "--by", default="", help="identifiant de l'administrateur (par défaut le premier)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = DEMO_GRID if options["demo"] else Path(options["file"] or "")
        if not path.is_file():
            raise CommandError("Donnez le fichier de la grille (JSON) ou --demo.")
        try:
            definition = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CommandError(f"Fichier illisible : {error}") from None
        admins = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk")
        by = admins.filter(username=options["by"]).first() if options["by"] else admins.first()
        if by is None:
            raise CommandError("Aucun administrateur actif pour signer le chargement.")
        try:
            version = load_scorecard(by=by, definition=definition, activate=not options["no_activate"])
        except ValidationError as error:
            raise CommandError("Grille refusée : " + "; ".join(error.messages)) from None
        state = "active" if version.active else "chargée (non active)"
        self.stdout.write(f"Grille {version.code} {version.version} {state}.")
