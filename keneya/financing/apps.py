from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinancingConfig(AppConfig):
    """Savings groups, their ledger and interest-free health loans (issue #16)."""

    name = "keneya.financing"
    label = "financing"
    verbose_name = _("Financement communautaire")
