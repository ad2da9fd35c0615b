from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    """The indicator registry, rollups, dashboards and reports (issue #15)."""

    name = "keneya.indicators"
    label = "indicators"
    verbose_name = _("Indicateurs")

    def ready(self) -> None:
        # The DHIS2 push reads the month's figures through the hook the adapter owns.
        from keneya.indicators.dhis2 import month_values
        from keneya.interop.dhis2.hooks import month_values as dhis2_month_values

        dhis2_month_values.register(month_values)
