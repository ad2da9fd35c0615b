from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PwaConfig(AppConfig):
    name = "keneya.pwa"
    label = "pwa"
    verbose_name = _("Application des relais (hors ligne)")
