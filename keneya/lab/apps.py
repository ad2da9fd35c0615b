from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LabConfig(AppConfig):
    """Point-of-care laboratory: test catalogue, requests and results (issue #14)."""

    name = "keneya.lab"
    label = "lab"
    verbose_name = _("Laboratoire")

    def ready(self) -> None:
        # A critical result raises an urgent alert through the alerts' fact rules.
        from keneya.alerts.rules import register_fact_rule
        from keneya.lab import privacy  # noqa: F401  (registers its part of a person's data)
        from keneya.lab.services import CRITICAL_RESULT_RULE

        register_fact_rule(CRITICAL_RESULT_RULE)

        # The lab's part of the record: summary, patient page sections, one timeline.
        from keneya.accounts.views import home_page
        from keneya.lab import record
        from keneya.records.hooks import patient_sections, patient_timeline, summary_parts

        home_page.register(record.home_tile)
        summary_parts.register(record.summary_part)
        patient_sections.register(record.patient_section)
        patient_timeline.register(record.timeline_entries)

        # Every read of a person's data leaves a trace (docs/security.md, "Access log").
        from keneya.lab.models import LabOrder
        from keneya.records.access import by_object, by_person, register_read

        register_read("lab:pending", "lab_pending_list")
        register_read("lab:order", "lab_order_page", by_object(LabOrder, "order_id"))
        register_read("lab:order_create", "lab_order_form", by_person("person_id"))
        register_read("lab:person_results", "lab_results_page", by_person("person_id"))
        register_read("api_lab_order", "lab_order_api", by_object(LabOrder, "pk"))
        register_read("api_lab_orders", "lab_order_list_api")
