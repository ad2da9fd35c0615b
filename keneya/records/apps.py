from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "keneya.records"
    label = "records"
    verbose_name = _("Dossier médical partagé")

    def ready(self) -> None:
        from keneya.accounts.scope import person_visibility
        from keneya.records import (  # noqa: F401  (its part of a person's data)
            access,
            indicators,  # noqa: F401  (registers its indicators: keneya.indicators)
            privacy,
        )
        from keneya.records.scope import break_glass_grants

        access._register_core_reads()
        person_visibility.register(break_glass_grants)
