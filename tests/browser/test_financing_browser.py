"""A savings group's health loan in a real Chromium at 360 px: the treasurer opens a health loan
from a child's urgent referral between meetings; the next meeting ratifies it, records the
contributions, a repayment and the cash count; the members' receipts are queued; the clinician
sees "financé par un prêt santé" on the child's record, and nothing of the amount. No horizontal
scroll. Screenshots in test-artifacts/financing-*.png.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser.test_pwa_offline import ARTIFACTS
from tests.browser.test_worklist_browser import login, overflow, web  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name):
    page.screenshot(path=str(ARTIFACTS / f"financing-{name}.png"), full_page=True)


@pytest.fixture
def tontine(users, district):
    from keneya.financing import services
    from keneya.financing.tests.factories import group_with_members
    from keneya.visits.services import record_home_visit

    today = timezone.localdate()
    group, members = group_with_members(
        admin=users.admin,
        treasurer=users.treasurer,
        chw=users.chw1,
        quartier=district.q1a,
        n=3,
        opened_on=today - timedelta(days=120),
    )
    for member in members:
        for _week in range(20):
            services.record_contribution(
                by=users.treasurer, group=group, member=member, on=today - timedelta(days=30)
            )
    child = members[0].household.members.exclude(pk=members[0].pk).get()
    visit = record_home_visit(
        by=users.chw1, person=child, visit_date=today, kind="sick_child", findings={"convulsions": True}
    )
    return {"group": group, "members": members, "child": child, "referral": visit.referral}


def test_a_health_loan_from_a_referral_ratified_at_the_meeting_and_seen_by_the_clinician(
    page,
    web,  # noqa: F811
    users,
    tontine,
):
    from keneya.financing import ledger
    from keneya.notifications.models import OutboxMessage

    group, referral = tontine["group"], tontine["referral"]
    page.set_viewport_size({"width": 360, "height": 740})
    login(page, web, "tresoriere")
    page.click("text=Tontines et prêts santé")
    page.click(f"text={group.name}")
    assert overflow(page) <= 0
    page.click("a[href$='/pret-sante/']")
    page.select_option("#referral", str(referral.pk))
    page.fill("#amount", "2500")
    page.select_option("#purpose", "transport")
    assert overflow(page) <= 0
    shot(page, "loan-form")
    page.click("form.loan-form button[type=submit]")
    page.wait_for_selector("[data-status='to_ratify']")
    assert "2 500 F CFA" in page.inner_text("[data-outstanding]")
    loan = group.loans.get()
    assert loan.referral_id == referral.pk and loan.between_meetings

    page.goto(f"{web}/tontines/{group.pk}/reunion/")
    assert page.is_checked(f"[data-ratify='{loan.pk}']")
    page.fill(f"[data-repay='{loan.pk}']", "1000")
    expected_health = ledger.balance(group, "cash_health") + 3 * 50 + 1000
    page.fill("input[name=counted_health]", str(expected_health))
    page.fill("input[name=counted_business]", str(ledger.balance(group, "cash_business") + 3 * 50 - 100))
    page.fill("input[name=reason_business]", "Billet de 100 F manquant")
    assert overflow(page) <= 0
    shot(page, "meeting-sheet")
    page.click("form.meeting-sheet button[type=submit]")
    page.wait_for_selector("text=Réunion enregistrée")
    loan.refresh_from_db()
    assert loan.ratified_in is not None and ledger.loan_outstanding(loan) == 1500
    assert OutboxMessage.objects.filter(template="financing_receipt").count() == 3

    page.context.clear_cookies()
    login(page, web, "clinicien1")
    page.goto(f"{web}/patients/{tontine['child'].pk}/")
    financed = page.inner_text("[data-financed] >> nth=0")
    assert "financé par un prêt santé" in financed.lower()
    body = page.inner_text("main")
    assert "2 500" not in body and group.name not in body
    assert overflow(page) <= 0
    shot(page, "clinician")
