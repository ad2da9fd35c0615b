"""Social protection's web pages in a real Chromium at 360 px and 1024 px: a mutuelle dossier
with an appointment, a scan and payments, the list with a card to renew, the CHW's person page
with the "Fait" button, the clinician's patient page with the coverage. No horizontal scroll.
Screenshots in test-artifacts/social-*.png.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.browser.test_pwa_offline import ARTIFACTS
from tests.browser.test_worklist_browser import login, overflow, web  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def dossiers(users, household_factory):
    from keneya.social_protection import services
    from keneya.social_protection.tests.factories import (
        TINY_PDF,
        demo_grid_active,
        issued_card,
        opened_dossier,
        screened,
    )

    demo_grid_active(users.admin)
    household = household_factory(users.chw1, phone="76 12 34 56")
    screened(users.chw1, household)
    today = timezone.localdate()
    card = issued_card(
        users.social,
        opened_dossier(users.social, household, "ramed"),
        valid_from=today - timedelta(days=1000),
        valid_until=today + timedelta(days=30),
    )
    mutuelle = opened_dossier(users.social, household, "mutuelle", [household.head])
    services.schedule_appointment(
        by=users.social, dossier=mutuelle, kind="social_survey", on=today + timedelta(days=1), place="Mairie"
    )
    services.attach_document_file(
        by=users.social,
        document=mutuelle.documents.first(),
        upload=SimpleUploadedFile("scan.pdf", TINY_PDF, content_type="application/pdf"),
    )
    services.record_contribution(
        by=users.social,
        id=uuid.uuid4(),
        dossier=mutuelle,
        kind="membership_fee",
        amount_xof=2500,
        paid_on=today - timedelta(days=70),
    )
    return {"card": card, "mutuelle": mutuelle, "head": household.head}


@pytest.mark.parametrize("width, height", [(360, 640), (1024, 768)])
def test_the_social_pages_fit_a_phone_and_a_tablet(page, web, users, dossiers, width, height):  # noqa: F811
    page.set_viewport_size({"width": width, "height": height})
    ARTIFACTS.mkdir(exist_ok=True)
    login(page, web, "social", "/protection-sociale/")
    assert "Renouvellements à préparer" in page.inner_text("main")
    assert overflow(page) <= 0
    page.goto(f"{web}/protection-sociale/dossiers/{dossiers['mutuelle'].pk}/")
    body = page.inner_text("main")
    assert "Enquête sociale (SLDS-ES)" in body and "En retard de" in body and "PDF" in body
    assert overflow(page) <= 0
    page.screenshot(path=str(ARTIFACTS / f"social-dossier-{width}.png"), full_page=True)

    page.context.clear_cookies()
    login(page, web, "relais01", f"/personnes/{dossiers['head'].pk}/")
    assert "Fait" in page.inner_text("#couverture")
    assert overflow(page) <= 0
    page.click("#couverture button[type=submit]")
    page.wait_for_url(f"{web}/taches/")

    page.context.clear_cookies()
    login(page, web, "clinicien1", f"/patients/{dossiers['head'].pk}/")
    until = dossiers["card"].valid_until
    assert f"RAMED valide jusqu'au {until:%d/%m/%Y}" in page.inner_text("[data-coverage]")
    assert overflow(page) <= 0
