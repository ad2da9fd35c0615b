from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "keneya.alerts"
    label = "alerts"
    verbose_name = _("Alertes")

    def ready(self) -> None:
        from keneya.alerts import privacy  # noqa: F401  (registers its part of a person's data)
