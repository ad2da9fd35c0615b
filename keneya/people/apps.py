from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "keneya.people"
    label = "people"
    verbose_name = _("Registre des ménages et des personnes")
