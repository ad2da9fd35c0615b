from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "keneya.referrals"
    label = "referrals"
    verbose_name = _("Références et contre-références")

    def ready(self) -> None:
        from keneya.accounts.scope import person_visibility
        from keneya.people.hooks import person_page
        from keneya.referrals.queries import person_page_referrals
        from keneya.referrals.scope import referred_to_my_facility

        person_visibility.register(referred_to_my_facility)
        person_page.register(person_page_referrals)
