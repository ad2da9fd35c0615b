from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "keneya.visits"
    label = "visits"
    verbose_name = _("Visites à domicile")

    def ready(self) -> None:
        from keneya.people.hooks import person_page
        from keneya.visits.queries import person_page_visits

        person_page.register(person_page_visits)
