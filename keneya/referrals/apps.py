from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "keneya.referrals"
    label = "referrals"
    verbose_name = _("Références et contre-références")

    def ready(self) -> None:
        from keneya.accounts.scope import person_visibility
        from keneya.accounts.views import home_page
        from keneya.people.hooks import person_page
        from keneya.referrals import (
            indicators,  # noqa: F401  (registers its indicators: keneya.indicators)
            privacy,  # noqa: F401  (registers its part of a person's data)
        )
        from keneya.referrals.queries import home_page_referred, person_page_referrals
        from keneya.referrals.scope import referred_to_my_facility

        person_visibility.register(referred_to_my_facility)
        home_page.register(home_page_referred)
        person_page.register(person_page_referrals)
