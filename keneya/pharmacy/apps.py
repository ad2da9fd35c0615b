from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PharmacyConfig(AppConfig):
    """Medicine catalogue, allergies, prescriptions and the printed ordonnance (issue #14)."""

    name = "keneya.pharmacy"
    label = "pharmacy"
    verbose_name = _("Prescriptions et allergies")

    def ready(self) -> None:
        # Every read of a person's data leaves a trace (docs/security.md, "Access log").
        from keneya.pharmacy.models import Prescription
        from keneya.records.access import by_object, by_person, from_results, register_read

        register_read("api_person_allergies", "allergies_api", by_person("pk"))
        register_read("api_prescriptions", "prescription_list_api", from_results("person"))
        register_read("api_prescription", "prescription_api", by_object(Prescription, "pk"))
        register_read("api_prescription_pdf", "ordonnance_pdf", by_object(Prescription, "pk"))
        register_read("pharmacy:prescribe", "prescribe_page", by_person("person_id"))
        register_read("pharmacy:allergies", "allergies_page", by_person("person_id"))
        register_read(
            "pharmacy:prescription_detail", "prescription_page", by_object(Prescription, "prescription_id")
        )
        register_read("pharmacy:ordonnance_pdf", "ordonnance_pdf", by_object(Prescription, "prescription_id"))
        # A write that answers with the person's data is a read too (the check's warnings).
        register_read("api_prescription_check", "prescription_check_api", methods=("POST",))

        # The patient summary (banner, API, carnet), the patient page and the one timeline.
        from keneya.pharmacy.queries import summary_parts, timeline_entries
        from keneya.pharmacy.views import patient_section
        from keneya.records.hooks import patient_sections, patient_timeline
        from keneya.records.hooks import summary_parts as summary_hook

        summary_hook.register(summary_parts)
        patient_sections.register(patient_section)
        patient_timeline.register(timeline_entries)
