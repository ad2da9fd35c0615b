from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Dhis2Config(AppConfig):
    """The DHIS2 adapter: mapping, dataValueSets push with dry-run, import summaries (issue #15)."""

    name = "keneya.interop.dhis2"
    label = "dhis2"
    verbose_name = _("DHIS2")

    def ready(self) -> None:
        from keneya.accounts.views import home_page
        from keneya.interop.dhis2.queries import home_page_part

        # The DHIS2 pages show counts per indicator and facility, never a person: nothing to
        # register in the access log (keneya.records.access).
        home_page.register(home_page_part)
