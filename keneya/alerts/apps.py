from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "keneya.alerts"
    label = "alerts"
    verbose_name = _("Alertes")

    def ready(self) -> None:
        from keneya.alerts import (
            indicators,  # noqa: F401  (registers its indicators: keneya.indicators)
            privacy,  # noqa: F401  (registers its part of a person's data)
        )

        # The alerts' part of the visit and referral stories (keneya.core.hooks): a stored visit
        # is checked against the alert rules; a referral that did not arrive raises its alert.
        from keneya.alerts.queries import person_page_alerts
        from keneya.alerts.services import raise_alerts_for_visits, raise_referral_not_arrived
        from keneya.people.hooks import person_page
        from keneya.referrals.hooks import referral_not_arrived
        from keneya.visits.hooks import visits_stored

        visits_stored.register(raise_alerts_for_visits)
        referral_not_arrived.register(raise_referral_not_arrived)
        person_page.register(person_page_alerts)
