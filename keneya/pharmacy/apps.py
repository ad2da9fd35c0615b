from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PharmacyConfig(AppConfig):
    """Medicine catalogue, allergies, prescriptions and the printed ordonnance (issue #14)."""

    name = "keneya.pharmacy"
    label = "pharmacy"
    verbose_name = _("Prescriptions et allergies")
