from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "keneya.records"
    label = "records"
    verbose_name = _("Dossier médical partagé")

    def ready(self) -> None:
        from keneya.records import access, privacy  # noqa: F401  (its part of a person's data)

        access._register_core_reads()
