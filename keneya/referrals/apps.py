from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "keneya.referrals"
    label = "referrals"
    verbose_name = _("Références et contre-références")

    def ready(self) -> None:
        from keneya.referrals import privacy  # noqa: F401  (registers its part of a person's data)
