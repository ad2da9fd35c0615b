from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Dhis2Config(AppConfig):
    """The DHIS2 adapter: mapping, dataValueSets push with dry-run, import summaries (issue #15)."""

    name = "keneya.interop.dhis2"
    label = "dhis2"
    verbose_name = _("DHIS2")
