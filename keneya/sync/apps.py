from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SyncConfig(AppConfig):
    name = "keneya.sync"
    label = "sync"
    verbose_name = _("Synchronisation des tablettes")

    def ready(self) -> None:
        # The domain apps declare their syncable types in <app>/sync.py (keneya.sync.registry).
        from keneya.sync.registry import autodiscover

        autodiscover()
