from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocialProtectionConfig(AppConfig):
    name = "keneya.social_protection"
    label = "social_protection"
    verbose_name = _("Protection sociale")
