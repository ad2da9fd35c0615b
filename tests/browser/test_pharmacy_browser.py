"""The prescribing story in a real Chromium at 360 px and 1024 px: a clinician records a
penicillin allergy, prescribes amoxicillin, sees the blocking allergy warning before anything is
saved, overrides it with a reason, and prints the ordonnance (one click: the PDF names the
patient and the items in French). No horizontal scroll. Screenshots in test-artifacts/rx-*.png.
"""

from __future__ import annotations

import pytest

from keneya.core.tests.pdf_text import pdf_text
from tests.browser.test_csp_browser import COLLECT
from tests.browser.test_pwa_offline import ARTIFACTS
from tests.browser.test_worklist_browser import login, overflow, web  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width, height", [(360, 640), (1024, 768)])
def test_prescribe_see_the_allergy_warning_override_and_print(
    page,
    web,  # noqa: F811 (the fixture)
    users,
    household_factory,
    width,
    height,
):
    from keneya.pharmacy.models import Prescription

    household = household_factory(users.chw1)
    head = household.head  # Moussa Traoré
    page.set_viewport_size({"width": width, "height": height})
    page.add_init_script(COLLECT)  # every Content-Security-Policy violation of each page
    ARTIFACTS.mkdir(exist_ok=True)

    login(page, web, "clinicien1", f"/patients/{head.pk}/allergies/")
    assert "Allergies : non renseignées" in page.inner_text("main")
    page.fill("#id_substance", "pénicilline")
    page.fill("#id_reaction", "Œdème du visage")
    page.select_option("#id_severity", "severe")
    page.click("form.card button[type=submit] >> text=Enregistrer l'allergie")
    page.wait_for_selector(".rx-allergy-list")
    assert "Allergie : Pénicillines (sévère ; Œdème du visage)" in page.inner_text("main")
    assert overflow(page) <= 0 and page.evaluate("window.__csp") == []

    page.goto(f"{web}/patients/{head.pk}/prescrire/")
    assert overflow(page) <= 0 and page.evaluate("window.__csp") == []
    page.select_option("#item-0-medicine", "amoxicilline-500-gel")
    page.fill("#item-0-dose", "1")
    page.select_option("#item-0-frequency", "3/j")
    page.fill("#item-0-duration_days", "5")
    page.click("button[type=submit].big")
    page.wait_for_selector(".rx-warnings.blocking")
    warning = page.inner_text(".rx-warnings")
    assert "Bloquant" in warning and "pénicillines" in warning
    assert not Prescription.objects.exists()  # shown before saving
    assert overflow(page) <= 0
    page.screenshot(path=str(ARTIFACTS / f"rx-warning-{width}.png"), full_page=True)

    page.fill("#override_reason", "Pas d'alternative disponible ce jour, surveillance")
    page.click("button[type=submit].big")
    page.wait_for_selector("[data-print-ordonnance]")
    assert "Ordonnance ORD-" in page.inner_text("h1")
    assert "1 gélule matin, midi et soir pendant 5 jours" in page.inner_text("main")
    assert "Pas d'alternative disponible" in page.inner_text("main")
    assert overflow(page) <= 0
    assert page.evaluate("window.__csp") == []
    page.screenshot(path=str(ARTIFACTS / f"rx-prescription-{width}.png"), full_page=True)
    prescription = Prescription.objects.get()
    assert prescription.override_reason.startswith("Pas d'alternative")

    href = page.get_attribute("[data-print-ordonnance]", "href")
    response = page.request.get(f"{web}{href}")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = " ".join(pdf_text(response.body()).split())
    assert "Traoré Moussa" in text and "1 gélule matin, midi et soir pendant 5 jours" in text
