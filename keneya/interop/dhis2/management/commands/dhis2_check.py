"""``manage.py dhis2_check``: can Kènèya reach the configured DHIS2, and as whom?

Prints the server's version and the account the credentials open; never a credential.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from keneya.interop.dhis2.client import Connection, Dhis2Error, server_url


class Command(BaseCommand):
    help = "Vérifie la connexion au serveur DHIS2 configuré (version, compte utilisé)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with Connection.from_settings() as connection:
                info = connection.system_info()
                me = connection.me()
        except ImproperlyConfigured as exc:
            raise CommandError(f"DHIS2 n'est pas configuré : {exc}") from exc
        except Dhis2Error as exc:
            if exc.status in (401, 403):
                raise CommandError(f"{server_url()} : identifiants refusés ({exc}).") from exc
            raise CommandError(f"{server_url()} injoignable ou en erreur : {exc}") from exc
        self.stdout.write(
            f"DHIS2 {info.get('version', '?')} à {server_url()} : connecté en tant que "
            f"{me.get('username') or me.get('displayName') or '?'}."
        )
