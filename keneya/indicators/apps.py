from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    """The indicator registry, rollups, dashboards and reports (issue #15)."""

    name = "keneya.indicators"
    label = "indicators"
    verbose_name = _("Indicateurs")
