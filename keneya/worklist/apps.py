from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorklistConfig(AppConfig):
    """The CHW's to-do list, derived from visits, alerts and referrals (above them all)."""

    name = "keneya.worklist"
    label = "worklist"
    verbose_name = _("Tâches du relais")
