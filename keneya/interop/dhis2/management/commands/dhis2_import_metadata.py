"""``manage.py dhis2_import_metadata [FILE_OR_URL]``: load the DHIS2 objects the mapping uses.

    manage.py dhis2_import_metadata metadata.json          # a file saved from /api/metadata
    manage.py dhis2_import_metadata https://dhis2.example.ml/api/metadata?dataSets=true&...
    manage.py dhis2_import_metadata                        # ask the configured server (DHIS2_URL)

A URL must be on the configured server: its credentials are never sent elsewhere.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from keneya.interop.dhis2.client import Dhis2Error
from keneya.interop.dhis2.metadata import import_metadata, load_source


class Command(BaseCommand):
    help = (
        "Importe les unités d'organisation, jeux de données, éléments de données et combinaisons "
        "de catégories DHIS2 (JSON de /api/metadata) : un fichier, une adresse, ou le serveur configuré."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", nargs="?", default=None, help="Fichier JSON ou adresse /api/metadata.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            data = load_source(options["source"])
            counts = import_metadata(data)
        except (OSError, json.JSONDecodeError) as exc:
            raise CommandError(f"Lecture impossible : {exc}") from exc
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        except ImproperlyConfigured as exc:
            raise CommandError(f"DHIS2 n'est pas configuré : {exc}") from exc
        except Dhis2Error as exc:
            raise CommandError(f"DHIS2 : {exc}") from exc
        self.stdout.write(
            "Métadonnées DHIS2 importées : "
            f"{counts['org_units']} unités d'organisation nouvelles "
            f"({counts['org_units_updated']} mises à jour, "
            f"{counts['facilities_linked']} liées à une structure), "
            f"{counts['data_sets']} jeux de données ({counts['data_sets_updated']}), "
            f"{counts['data_elements']} éléments de données ({counts['data_elements_updated']}), "
            f"{counts['category_option_combos']} combinaisons ({counts['category_option_combos_updated']})"
            + (f", {counts['skipped']} objets sans identifiant valide ignorés" if counts["skipped"] else "")
            + "."
        )
