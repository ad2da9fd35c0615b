from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "keneya.people"
    label = "people"
    verbose_name = _("Registre des ménages et des personnes")

    def ready(self) -> None:
        from keneya.people import indicators  # noqa: F401  (registers the registry's indicators)
