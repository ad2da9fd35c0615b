from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinancingConfig(AppConfig):
    """Savings groups, their ledger and interest-free health loans (issue #16)."""

    name = "keneya.financing"
    label = "financing"
    verbose_name = _("Financement communautaire")

    def ready(self) -> None:
        # Every read of a person's data leaves a trace (docs/security.md, "Access log").
        from keneya.financing.models import Loan, SavingsGroup
        from keneya.records.access import by_object, register_read

        members = by_object(SavingsGroup, "pk", "memberships__person_id")
        register_read("api_financing_groups", "financing_group_list")
        register_read("api_financing_group", "financing_group", members)
        register_read("api_financing_balances", "financing_balances", members)
        register_read("api_financing_loan", "financing_loan", by_object(Loan, "pk", "member_id"))
        register_read("api_financing_summary", "financing_summary")
        group_pages = by_object(SavingsGroup, "group_id", "memberships__person_id")
        for name in ("group_detail", "meeting_sheet", "cash_book"):
            register_read(f"financing:{name}", f"financing_{name}", group_pages)
        register_read("financing:group_list", "financing_group_list")
        register_read("financing:savix", "financing_savix")
        register_read("financing:loan_create", "financing_loan_form", group_pages)
        register_read("financing:loan_detail", "financing_loan", by_object(Loan, "loan_id", "member_id"))
        register_read("financing:share_out", "financing_share_out", group_pages)
        register_read(
            "financing:statement",
            "financing_statement",
            lambda request, kwargs, response: [kwargs.get("person_id")],
        )

        # What a clinician may know: that care was financed by a health loan (never an amount).
        from keneya.financing.queries import patient_page_financing
        from keneya.records.hooks import patient_page

        patient_page.register(patient_page_financing)

        from keneya.accounts.views import home_page
        from keneya.financing.queries import home_page_financing

        home_page.register(home_page_financing)

        from keneya.financing.queries import person_page_financing
        from keneya.people.hooks import person_page

        person_page.register(person_page_financing)
