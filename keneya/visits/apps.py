from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "keneya.visits"
    label = "visits"
    verbose_name = _("Visites à domicile")

    def ready(self) -> None:
        from keneya.people.hooks import person_page
        from keneya.visits import privacy  # noqa: F401  (registers its part of a person's data)
        from keneya.visits.queries import person_page_visits

        person_page.register(person_page_visits)

        # Indicators (keneya.indicators): the visits' own, and the months a stored visit touches.
        from keneya.visits import indicators  # noqa: F401  (registers the visits' indicators)
        from keneya.visits.hooks import visits_stored

        visits_stored.register(indicators.mark_visits_changed)
