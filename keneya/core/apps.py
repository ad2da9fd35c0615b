from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "keneya.core"
    label = "core"
    verbose_name = _("Référentiel : aires et structures")

    def ready(self) -> None:
        from keneya.core import checks  # noqa: F401  (registers the system checks)
