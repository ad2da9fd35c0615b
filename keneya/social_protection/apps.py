from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocialProtectionConfig(AppConfig):
    name = "keneya.social_protection"
    label = "social_protection"
    verbose_name = _("Protection sociale")

    def ready(self) -> None:
        # Every read of a person's data leaves a trace (docs/security.md, "Access log").
        from keneya.records.access import by_object, by_person, register_read
        from keneya.social_protection import indicators  # noqa: F401  (registers its indicators: keneya.indicators)
        from keneya.social_protection.models import DocumentFile, Dossier

        members = "members__person_id"
        register_read("api_person_coverage", "coverage", by_person("pk"))
        register_read("api_social_dossier", "social_dossier", by_object(Dossier, "pk", members))
        register_read("api_social_dossiers", "social_dossier_list")
        register_read("api_social_screenings", "social_screening_list")
        for name in ("dossier_detail", "letter_to_mayor", "checklist"):
            register_read(
                f"social_protection:{name}", f"social_{name}", by_object(Dossier, "dossier_id", members)
            )
        register_read("social_protection:dossier_list", "social_dossier_list")
        register_read(
            "social_protection:document_file",
            "social_document_file",
            by_object(DocumentFile, "file_id", "document__person_id"),
        )

        # Coverage where care happens: the person page, the patient page and consultation form,
        # the alert inbox (one call per page).
        from keneya.alerts.hooks import inbox_rows
        from keneya.people.hooks import person_page

        # (The patient page and the consultation form show it in the patient banner, through
        # the summary: ``summary_coverage``.)
        from keneya.records.hooks import summary_parts
        from keneya.social_protection.queries import coverage_lines_for, person_page_social, summary_coverage

        person_page.register(person_page_social)
        summary_parts.register(summary_coverage)
        inbox_rows.register(coverage_lines_for)
