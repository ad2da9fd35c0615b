from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo district (seed_demo). At the top of the layering: it may import every app."""

    name = "keneya.demo"
    label = "demo"
    verbose_name = _("Démonstration")
