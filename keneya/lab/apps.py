from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LabConfig(AppConfig):
    """Point-of-care laboratory: test catalogue, requests and results (issue #14)."""

    name = "keneya.lab"
    label = "lab"
    verbose_name = _("Laboratoire")
